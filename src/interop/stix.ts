import { randomUUID } from 'node:crypto';
import { Tlp } from '../common/sharing/tlp';
import {
  CampaignExportInput,
  CaseExportInput,
  caseName,
  ExportIndicator,
  exportIndicators,
  exportItems,
  ExportParty,
  hashAlgorithm,
  laterOf,
  stixAccountType,
  stixTime,
} from './case-export';
import { exportId, scoId } from './ids';
import { stricterTlp, tlpMarkingDefinition, tlpMarkingId, tlpOfMarkingId } from './tlp-markings';

/**
 * STIX 2.1 bundles of cases (DOMAIN.md 4.1): the helpline and the platform as `identity`, the
 * case as an `incident` (reference and category only), the reported URLs and indicators as
 * SCOs under one `observed-data`, an `indicator` per indicator that STIX patterning can
 * express, and `relationship`s tying them to the incident. Every object but the marking
 * definitions carries the case's TLP 2.0 marking, and the bundle carries those definitions.
 */

/** IANA-registered media type of STIX documents, with the version parameter TAXII 2.1 uses. */
export const STIX_MEDIA_TYPE = 'application/stix+json;version=2.1';

export interface StixObject {
  type: string;
  id: string;
  [property: string]: unknown;
}

export interface StixBundle {
  type: 'bundle';
  id: string;
  objects: StixObject[];
}

/** Our service, as the author of campaign groupings (they are not any one helpline's work). */
const SERVICE_IDENTITY = {
  id: exportId('identity', 'service'),
  name: 'Escalation Tracker',
  // When this export was introduced; the object never changes.
  created: '2026-01-01T00:00:00.000Z',
};

/** A STIX bundle of one case; `bundleId` only for tests (a bundle is a new envelope each time). */
export function buildCaseBundle(input: CaseExportInput, bundleId?: string): StixBundle {
  return bundle(caseObjects(input), bundleId);
}

/**
 * A STIX bundle of a campaign for one organisation: a `grouping` (context suspicious-activity,
 * TLP:AMBER+STRICT) of the objects of the cases that organisation may see, each object keeping
 * its own case's marking. RED cases are left out even when listed: RED is for named people, and
 * this bundle goes to an organisation. With no case to show, the grouping refers to its author
 * (the service identity, in the bundle): `object_refs` needs at least one object, and the
 * author is the one object that says nothing about cases the reader may not see.
 */
export function buildCampaignBundle(input: CampaignExportInput, bundleId?: string): StixBundle {
  const marking = [tlpMarkingId('AMBER+STRICT')];
  const shown = input.visibleCases.filter((c) => c.tlp !== 'RED');
  const caseObjectsShown = merge(shown.flatMap(caseObjects));
  const service: StixObject = {
    type: 'identity',
    spec_version: '2.1',
    id: SERVICE_IDENTITY.id,
    created: SERVICE_IDENTITY.created,
    modified: SERVICE_IDENTITY.created,
    name: SERVICE_IDENTITY.name,
    identity_class: 'system',
    object_marking_refs: marking,
  };
  const firstSeen = stixTime(input.firstSeen);
  const modified = [input.lastSeen, ...shown.map((c) => c.updatedAt)].reduce(laterOf, firstSeen);
  const grouping: StixObject = {
    type: 'grouping',
    spec_version: '2.1',
    id: exportId('grouping', input.id),
    created: firstSeen,
    modified,
    created_by_ref: service.id,
    name: `TFGBV campaign ${input.id}`,
    description: campaignDescription(input, shown.length),
    context: 'suspicious-activity',
    object_refs: caseObjectsShown.length > 0 ? caseObjectsShown.map((o) => o.id) : [service.id],
    object_marking_refs: marking,
  };
  return bundle([service, grouping, ...caseObjectsShown], bundleId);
}

/** Facts of the campaign answer only; nothing read from cases the reader may not see. */
function campaignDescription(input: CampaignExportInput, shown: number): string {
  const list = (values: string[]) => (values.length > 0 ? values.join(', ') : 'none');
  return [
    `Cases linked by shared indicators: ${input.cases} from ${input.organizations} organisation(s), ${shown} of them in this bundle.`,
    `Platforms: ${list(input.platforms)}. Categories: ${list(input.categories)}. Countries: ${list(input.countries)}.`,
    `First seen ${stixTime(input.firstSeen)}, last seen ${stixTime(input.lastSeen)}.`,
  ].join(' ');
}

/** The marking definitions the objects use, then the objects, in a new envelope. */
function bundle(objects: StixObject[], bundleId?: string): StixBundle {
  const used = new Set<Tlp>();
  for (const o of objects) {
    for (const ref of (o.object_marking_refs as string[] | undefined) ?? []) {
      const tlp = tlpOfMarkingId(ref);
      if (tlp) used.add(tlp);
    }
  }
  const markings = [...used].map((tlp): StixObject => ({ ...tlpMarkingDefinition(tlp) }));
  return {
    type: 'bundle',
    id: `bundle--${bundleId ?? randomUUID()}`,
    objects: [...markings, ...objects],
  };
}

/**
 * One object per id. Cases of a campaign share SCOs (the same URL has the same deterministic id)
 * and identities; where their TLPs differ the stricter one wins, so no value is marked less
 * restrictively than any case it came from.
 */
function merge(objects: StixObject[]): StixObject[] {
  const byId = new Map<string, StixObject>();
  for (const object of objects) {
    const earlier = byId.get(object.id);
    if (!earlier) {
      byId.set(object.id, object);
      continue;
    }
    const tlp = stricterTlp(markingOf(earlier), markingOf(object));
    byId.set(object.id, { ...earlier, object_marking_refs: [tlpMarkingId(tlp)] });
  }
  return [...byId.values()];
}

function markingOf(object: StixObject): Tlp {
  const refs = object.object_marking_refs as string[];
  const tlp = tlpOfMarkingId(refs[0]);
  if (!tlp) throw new Error('object without a TLP marking');
  return tlp;
}

/** Every object of one case, without the marking definitions. */
function caseObjects(input: CaseExportInput): StixObject[] {
  const object_marking_refs = [tlpMarkingId(input.tlp)];
  const created = stixTime(input.createdAt);
  const modified = laterOf(input.updatedAt, input.createdAt);
  const sdo = (type: string, id: string, properties: Record<string, unknown>): StixObject => ({
    type,
    spec_version: '2.1',
    id,
    created,
    modified,
    ...properties,
    object_marking_refs,
  });

  const owner = identity('organization', input.organization, ['non-profit'], object_marking_refs);
  const platform = identity('platform', input.platform, undefined, object_marking_refs);
  const incident = sdo('incident', exportId('incident', input.id), {
    created_by_ref: owner.id,
    // Reference and category only: survivor data stays out of name and description.
    name: caseName(input),
    labels: [input.categoryCode, ...(input.subcategoryCode ? [input.subcategoryCode] : [])],
  });

  const observables = new Map<string, StixObject>();
  const addObservable = (o: StixObject) => observables.set(o.id, { ...o, object_marking_refs });
  const items = exportItems(input);
  for (const item of items) addObservable(urlObservable(item.url));
  const indicators: StixObject[] = [];
  for (const indicator of exportIndicators(input)) {
    const mapped = observableAndPattern(indicator, input.platform.code);
    if (!mapped) continue;
    addObservable(mapped.observable);
    indicators.push(
      sdo('indicator', exportId('indicator', input.id, indicator.kind, indicator.value), {
        created_by_ref: owner.id,
        name: `${input.reference}: ${INDICATOR_NAMES[indicator.kind]}`,
        indicator_types: ['malicious-activity'],
        pattern: mapped.pattern,
        pattern_type: 'stix',
        pattern_version: '2.1',
        valid_from: created,
      }),
    );
  }

  const relationship = (type: string, source: string, target: string) =>
    sdo('relationship', exportId('relationship', input.id, type, source, target), {
      created_by_ref: owner.id,
      relationship_type: type,
      source_ref: source,
      target_ref: target,
    });
  // STIX 2.1 defines no relationship verbs for incidents, so `related-to` ties things to it;
  // `based-on` (indicator to observed-data) is one the spec defines.
  const relationships = [relationship('related-to', incident.id, platform.id)];
  const observed: StixObject[] = [];
  if (observables.size > 0) {
    // Every item's capture counts, also of items whose URLs came out the same.
    const times = input.items.flatMap((i) => (i.capturedAt ? [stixTime(i.capturedAt)] : [])).sort();
    const observedData = sdo('observed-data', exportId('observed-data', input.id), {
      created_by_ref: owner.id,
      first_observed: times[0] ?? stixTime(input.escalatedAt ?? input.createdAt),
      last_observed: times[times.length - 1] ?? stixTime(input.escalatedAt ?? input.createdAt),
      number_observed: 1,
      object_refs: [...observables.keys()],
    });
    observed.push(observedData);
    relationships.push(relationship('related-to', incident.id, observedData.id));
    for (const i of indicators) relationships.push(relationship('based-on', i.id, observedData.id));
  }
  for (const i of indicators) relationships.push(relationship('related-to', incident.id, i.id));

  return [
    owner,
    platform,
    incident,
    ...observed,
    ...observables.values(),
    ...indicators,
    ...relationships,
  ];
}

const INDICATOR_NAMES: Record<ExportIndicator['kind'], string> = {
  url: 'URL',
  domain: 'domain',
  account_handle: 'account handle',
  image_hash: 'image hash',
  phone: 'phone number',
  hashtag: 'hashtag',
};

/**
 * An identity object; its id comes from the organisation id or platform code alone, so every
 * case (and campaign) names the same helpline and platform with the same object.
 */
function identity(
  role: 'organization' | 'platform',
  party: ExportParty & { code?: string },
  sectors: string[] | undefined,
  object_marking_refs: string[],
): StixObject {
  const created = stixTime(party.createdAt);
  return {
    type: 'identity',
    spec_version: '2.1',
    id: exportId('identity', role, role === 'platform' ? party.code! : party.id),
    created,
    modified: laterOf(party.updatedAt, party.createdAt),
    name: party.name,
    identity_class: 'organization',
    ...(sectors && { sectors }),
    object_marking_refs,
  };
}

function urlObservable(value: string): StixObject {
  return { type: 'url', spec_version: '2.1', id: scoId('url', { value }), value };
}

/**
 * The SCO and STIX pattern of an indicator. Phone numbers and hashtags have no SCO in STIX 2.1
 * and so no pattern a consumer could match (a custom object type would be ours alone): they are
 * left out of STIX bundles and travel in the MISP export only. So are image hashes whose
 * algorithm is unknown (see `hashAlgorithm`).
 */
function observableAndPattern(
  indicator: ExportIndicator,
  platformCode: string,
): { observable: StixObject; pattern: string } | null {
  const { kind, value } = indicator;
  switch (kind) {
    case 'url':
      return { observable: urlObservable(value), pattern: `[url:value = ${stixString(value)}]` };
    case 'domain':
      return {
        observable: {
          type: 'domain-name',
          spec_version: '2.1',
          id: scoId('domain-name', { value }),
          value,
        },
        pattern: `[domain-name:value = ${stixString(value)}]`,
      };
    case 'account_handle': {
      const accountType = stixAccountType(platformCode);
      const contributing = {
        account_login: value,
        ...(accountType && { account_type: accountType }),
      };
      return {
        observable: {
          type: 'user-account',
          spec_version: '2.1',
          id: scoId('user-account', contributing),
          ...contributing,
        },
        pattern: accountType
          ? `[user-account:account_login = ${stixString(value)} AND user-account:account_type = ${stixString(accountType)}]`
          : `[user-account:account_login = ${stixString(value)}]`,
      };
    }
    case 'image_hash': {
      const algorithm = hashAlgorithm(value);
      if (!algorithm) return null;
      const hashes = { [algorithm]: value };
      return {
        observable: { type: 'file', spec_version: '2.1', id: scoId('file', { hashes }), hashes },
        pattern: `[file:hashes.${stixString(algorithm)} = ${stixString(value)}]`,
      };
    }
    case 'phone':
    case 'hashtag':
      return null;
  }
}

/**
 * A STIX patterning string literal: single quotes, with `\` and `'` escaped by a backslash (STIX
 * 2.1 §9.2). Backslashes first, or the quotes' escapes would be doubled.
 */
export function stixString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
