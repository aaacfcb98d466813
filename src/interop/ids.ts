import { createHash } from 'node:crypto';

/** STIX 2.1 §2.9: the namespace of deterministic cyber-observable (SCO) ids. */
export const STIX_SCO_NAMESPACE = '00abedb4-aa42-466c-9c01-fed23315a9b7';

/**
 * This project's namespace for the ids of the objects it exports (STIX SDOs and SROs, MISP
 * events and attributes). Fixed forever: changing it would make every consumer see re-exports
 * as new objects.
 */
export const EXPORT_NAMESPACE = 'd572ea3e-240b-479f-a3b8-2d782b529955';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** RFC 9562 UUIDv5: SHA-1 of the namespace's bytes and the UTF-8 name. */
export function uuidv5(namespace: string, name: string): string {
  if (!UUID.test(namespace)) throw new Error('uuidv5 needs a UUID namespace');
  const hash = createHash('sha1')
    .update(Buffer.from(namespace.replace(/-/g, ''), 'hex'))
    .update(name, 'utf8')
    .digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/**
 * RFC 8785 (JCS) for the plain values we hash: keys sorted by UTF-16 code units (the default
 * sort), strings and numbers as ECMAScript's JSON.stringify writes them, no whitespace.
 */
export function canonicalJson(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * STIX 2.1 §2.9: an SCO's id is UUIDv5 of its ID-contributing properties, canonicalised, under
 * the STIX namespace; two producers of the same observable give it the same id.
 */
export function scoId(type: string, contributing: { [key: string]: Json }): string {
  return `${type}--${uuidv5(STIX_SCO_NAMESPACE, canonicalJson(contributing))}`;
}

/**
 * The id of an SDO or SRO we export: UUIDv5 of its type and what it stands for (e.g. the case
 * id) under EXPORT_NAMESPACE.
 *
 * STIX 2.1 §2.9 says SDOs and SROs SHOULD use UUIDv4; it is a SHOULD, the schemas accept any
 * RFC 4122 version, and a deterministic id is what lets a CERT tool or MISP see a re-export of
 * the same case as a new version of the same objects (same id, later `modified`) instead of a
 * duplicate. The type is part of the name because the UUID part MUST be unique across types.
 * The name holds ids only, so the id reveals nothing that is not in the object itself.
 */
export function exportId(type: string, ...parts: string[]): string {
  return `${type}--${uuidv5(EXPORT_NAMESPACE, [type, ...parts].join('\u0000'))}`;
}

/** A bare UUID for MISP objects (events, attributes, sharing groups), stable like exportId. */
export function exportUuid(kind: string, ...parts: string[]): string {
  return uuidv5(EXPORT_NAMESPACE, [kind, ...parts].join('\u0000'));
}
