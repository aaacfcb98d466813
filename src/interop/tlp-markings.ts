import { Tlp, TLP_LEVELS } from '../common/sharing/tlp';

/**
 * TLP 2.0 in STIX 2.1. The STIX core only predefines TLP 1.0 markings (white, green, amber,
 * red), which mean something else (1.0 RED admits a whole meeting; there is no AMBER+STRICT),
 * so we use the OASIS TLP 2.0 marking definitions: fixed ids and content published in
 * oasis-open/cti-stix-common-objects (extension-definition-specifications/tlp-2.0). They are
 * copied exactly: a consumer recognises a TLP 2.0 marking by its id, and a marking with any
 * other id means nothing to it.
 */
export const TLP2_EXTENSION_ID = 'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d';

/** The `created` of every published TLP 2.0 marking definition (part of the object, like its id). */
export const TLP2_CREATED = '2022-10-01T00:00:00.000Z';

const TLP2_IDS: Readonly<Record<Tlp, string>> = {
  CLEAR: 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
  GREEN: 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
  AMBER: 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
  'AMBER+STRICT': 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
  RED: 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
};

export interface TlpMarkingDefinition {
  type: 'marking-definition';
  spec_version: '2.1';
  id: string;
  created: string;
  name: string;
  extensions: Record<string, { extension_type: 'property-extension'; tlp_2_0: string }>;
}

/** `clear`, `green`, `amber`, `amber+strict`, `red`: the extension's and MISP's spelling. */
export const tlpValue = (tlp: Tlp): string => tlp.toLowerCase();

/** The id every object of that TLP lists in `object_marking_refs`. */
export const tlpMarkingId = (tlp: Tlp): string => TLP2_IDS[tlp];

/**
 * The published marking-definition object. The extension-definition object itself is not
 * carried: like the marking ids, it is published by OASIS and known to consumers by its id.
 */
export function tlpMarkingDefinition(tlp: Tlp): TlpMarkingDefinition {
  return {
    type: 'marking-definition',
    spec_version: '2.1',
    id: TLP2_IDS[tlp],
    created: TLP2_CREATED,
    name: `TLP:${tlp}`,
    extensions: {
      [TLP2_EXTENSION_ID]: { extension_type: 'property-extension', tlp_2_0: tlpValue(tlp) },
    },
  };
}

/** The stricter of two levels (TLP_LEVELS lists the most restrictive first). */
export function stricterTlp(a: Tlp, b: Tlp): Tlp {
  return TLP_LEVELS.indexOf(a) <= TLP_LEVELS.indexOf(b) ? a : b;
}

/** The level of a TLP 2.0 marking id, if it is one. */
export function tlpOfMarkingId(id: string): Tlp | undefined {
  return TLP_LEVELS.find((tlp) => TLP2_IDS[tlp] === id);
}

/** MISP's `tlp` taxonomy (v2.0 names, lowercase) with the taxonomy's colours. */
export function mispTlpTag(tlp: Tlp): { name: string; colour: string } {
  const colours: Record<Tlp, string> = {
    RED: '#FF2B2B',
    'AMBER+STRICT': '#FFC000',
    AMBER: '#FFC000',
    GREEN: '#33FF00',
    CLEAR: '#FFFFFF',
  };
  return { name: `tlp:${tlpValue(tlp)}`, colour: colours[tlp] };
}
