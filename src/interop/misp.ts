import { CaseStatus, CaseUrgency } from '../cases/case-status.machine';
import { Tlp } from '../common/sharing/tlp';
import {
  CampaignExportInput,
  CaseExportInput,
  caseName,
  ExportIndicator,
  exportIndicators,
  exportItems,
  hashAlgorithm,
  HashAlgorithm,
  laterOf,
  stixTime,
} from './case-export';
import { exportUuid } from './ids';
import { mispTlpTag } from './tlp-markings';

/**
 * MISP core format (draft-dulaunoy-misp-core-format; DOMAIN.md 4.2): a case, or a campaign, as
 * one `{Event: {...}}`. Numbers are JSON strings as the format wants. Instance-local numeric ids
 * (`id`, `org_id`, `orgc_id`, `event_id`) are left out: we are not a MISP instance, and the
 * importing one assigns its own. UUIDs are stable across re-exports, so MISP sees an update of
 * the same event rather than a new one.
 */

export interface MispTag {
  name: string;
  colour: string;
  exportable: boolean;
}

export interface MispAttribute {
  uuid: string;
  type: string;
  category: string;
  value: string;
  to_ids: boolean;
  distribution: string;
  sharing_group_id: string;
  comment: string;
  timestamp: string;
  deleted: boolean;
  Tag?: MispTag[];
}

export interface MispOrganisation {
  uuid: string;
  name: string;
}

export interface MispSharingGroup {
  uuid: string;
  name: string;
  releasability: string;
  roaming: boolean;
  Organisation: MispOrganisation;
  SharingGroupOrg: { extend: boolean; Organisation: MispOrganisation }[];
}

export interface MispEvent {
  Event: {
    uuid: string;
    info: string;
    date: string;
    threat_level_id: string;
    analysis: string;
    distribution: string;
    sharing_group_id?: string;
    published: boolean;
    timestamp: string;
    publish_timestamp: string;
    attribute_count: string;
    Orgc: MispOrganisation;
    Tag: MispTag[];
    Attribute: MispAttribute[];
    SharingGroup?: MispSharingGroup;
  };
}

/** Urgency to threat level (1 High, 2 Medium, 3 Low). */
const THREAT_LEVELS: Record<CaseUrgency, string> = {
  critical: '1',
  high: '1',
  normal: '2',
  low: '3',
};

/** Status to analysis (0 Initial, 1 Ongoing, 2 Complete). */
const ANALYSIS: Record<CaseStatus, string> = {
  draft: '0',
  escalated: '1',
  acknowledged: '1',
  resolved: '2',
  closed: '2',
};

/**
 * TLP to MISP distribution (DOMAIN.md 4.2): RED and AMBER+STRICT stay in your organisation (0),
 * AMBER goes to a sharing group of the owner and the named organisations (4), GREEN to this
 * community (1), CLEAR to all communities (3). The `tlp:*` tag travels as well.
 */
export const MISP_DISTRIBUTION: Record<Tlp, string> = {
  RED: '0',
  'AMBER+STRICT': '0',
  AMBER: '4',
  GREEN: '1',
  CLEAR: '3',
};

/** "Inherit event": an attribute never travels wider than its event. */
const INHERIT = '5';

const unixSeconds = (iso: string) => String(Math.floor(Date.parse(iso) / 1000));

const tag = (tlp: Tlp): MispTag => ({ ...mispTlpTag(tlp), exportable: true });

/** At most 256 characters, on one line (the format's SHOULDs for `info`). */
export function mispInfo(text: string): string {
  return [...text.replace(/\s+/g, ' ').trim()].slice(0, 256).join('');
}

const SERVICE_ORG: MispOrganisation = {
  uuid: exportUuid('misp-organisation', 'service'),
  name: 'Escalation Tracker',
};

export function buildCaseMispEvent(input: CaseExportInput): MispEvent {
  const timestamp = unixSeconds(laterOf(input.updatedAt, input.createdAt));
  const attributes = caseAttributes(input, timestamp);
  const sharingGroup =
    input.tlp === 'AMBER' && input.sharedOrganizations.length > 0
      ? sharingGroupOf(input)
      : undefined;
  // AMBER with nobody named cannot be stored; should it happen, stay in the organisation.
  const distribution = input.tlp === 'AMBER' && !sharingGroup ? '0' : MISP_DISTRIBUTION[input.tlp];
  return {
    Event: {
      uuid: exportUuid('misp-event', 'case', input.id),
      info: mispInfo(`${caseName(input)} (${input.platform.name})`),
      date: stixTime(input.escalatedAt ?? input.createdAt).slice(0, 10),
      threat_level_id: THREAT_LEVELS[input.urgency],
      analysis: ANALYSIS[input.status],
      distribution,
      // Distribution 4 names its group by the SharingGroup object (uuid); its numeric id is local.
      ...(sharingGroup ? {} : { sharing_group_id: '0' }),
      published: false,
      timestamp,
      publish_timestamp: '0',
      attribute_count: String(attributes.length),
      Orgc: { uuid: input.organization.id, name: input.organization.name },
      Tag: [tag(input.tlp)],
      Attribute: attributes,
      ...(sharingGroup && { SharingGroup: sharingGroup }),
    },
  };
}

/**
 * A campaign for one organisation: distribution 0 and TLP:AMBER+STRICT, the campaign id, and the
 * attributes of the cases it may see, each tagged with its own case's TLP. RED cases are left
 * out even when listed: RED is for named people, and this event goes to an organisation.
 */
export function buildCampaignMispEvent(input: CampaignExportInput): MispEvent {
  const shown = input.visibleCases.filter((c) => c.tlp !== 'RED');
  const lastChange = [input.lastSeen, ...shown.map((c) => c.updatedAt)].reduce(
    laterOf,
    stixTime(input.firstSeen),
  );
  const timestamp = unixSeconds(lastChange);
  const attributes: MispAttribute[] = [
    attribute(['campaign', input.id], timestamp, {
      type: 'campaign-id',
      category: 'Attribution',
      value: input.id,
      to_ids: false,
      comment: 'Escalation Tracker campaign id',
    }),
    ...shown.flatMap((c) =>
      caseAttributes(c, timestamp, ['campaign', input.id]).map((a) => ({
        ...a,
        comment: `${c.reference}: ${a.comment}`,
        Tag: [tag(c.tlp)],
      })),
    ),
  ];
  const list = (values: string[]) => (values.length > 0 ? values.join(', ') : 'none');
  return {
    Event: {
      uuid: exportUuid('misp-event', 'campaign', input.id),
      info: mispInfo(
        `TFGBV campaign: ${input.cases} cases from ${input.organizations} organisations; platforms: ${list(input.platforms)}; categories: ${list(input.categories)}; countries: ${list(input.countries)}`,
      ),
      date: stixTime(input.firstSeen).slice(0, 10),
      threat_level_id: '4',
      analysis: '1',
      distribution: MISP_DISTRIBUTION['AMBER+STRICT'],
      sharing_group_id: '0',
      published: false,
      timestamp,
      publish_timestamp: '0',
      attribute_count: String(attributes.length),
      Orgc: SERVICE_ORG,
      Tag: [tag('AMBER+STRICT')],
      Attribute: attributes,
    },
  };
}

function sharingGroupOf(input: CaseExportInput): MispSharingGroup {
  const owner = { uuid: input.organization.id, name: input.organization.name };
  const named = input.sharedOrganizations
    .filter((o) => o.id !== input.organization.id)
    .map((o) => ({ uuid: o.id, name: o.name }));
  return {
    uuid: exportUuid('misp-sharing-group', input.id),
    name: `${input.reference} (TLP:AMBER)`,
    releasability: 'The owning helpline and the organisations named on the case (TLP:AMBER).',
    roaming: true,
    Organisation: owner,
    SharingGroupOrg: [owner, ...named].map((Organisation) => ({ extend: false, Organisation })),
  };
}

type AttributeFields = Pick<MispAttribute, 'type' | 'category' | 'value' | 'to_ids' | 'comment'>;

function attribute(key: string[], timestamp: string, fields: AttributeFields): MispAttribute {
  return {
    uuid: exportUuid('misp-attribute', ...key),
    ...fields,
    distribution: INHERIT,
    sharing_group_id: '0',
    timestamp,
    deleted: false,
  };
}

/**
 * Indicators first; a reported URL that is also an indicator comes once, as the indicator.
 * `scope` keeps attribute UUIDs apart between a case's own event and a campaign's: MISP refuses
 * an attribute whose UUID another event already holds.
 */
function caseAttributes(
  input: CaseExportInput,
  timestamp: string,
  scope: string[] = [],
): MispAttribute[] {
  const indicators = exportIndicators(input);
  const indicatorUrls = new Set(indicators.filter((i) => i.kind === 'url').map((i) => i.value));
  return [
    ...indicators.map((i) =>
      attribute(
        [...scope, input.id, 'indicator', i.kind, i.value],
        timestamp,
        indicatorFields(i, input),
      ),
    ),
    ...exportItems(input)
      .filter((item) => !indicatorUrls.has(item.url))
      .map((item) =>
        attribute([...scope, input.id, 'item', item.url], timestamp, {
          type: 'url',
          category: 'Network activity',
          value: item.url,
          to_ids: false,
          comment: `reported ${item.kind}`,
        }),
      ),
  ];
}

const MISP_HASH_TYPES: Record<HashAlgorithm, string> = {
  MD5: 'md5',
  'SHA-1': 'sha1',
  'SHA-256': 'sha256',
  'SHA-512': 'sha512',
};

/**
 * Type and category of an indicator, each a valid pair of MISP's category_type_mappings. URLs,
 * domains and image hashes of known algorithm are actionable (`to_ids`); handles and hashtags
 * are `text` under "Social network" (MISP has no generic handle type; X's is `twitter-id`).
 * Phone numbers go under "Other", not "Person", so they cannot be read as the survivor's.
 */
function indicatorFields(
  indicator: ExportIndicator,
  input: Pick<CaseExportInput, 'platform'>,
): AttributeFields {
  const { kind, value } = indicator;
  switch (kind) {
    case 'url':
      return { type: 'url', category: 'Network activity', value, to_ids: true, comment: 'URL' };
    case 'domain':
      return {
        type: 'domain',
        category: 'Network activity',
        value,
        to_ids: true,
        comment: 'domain',
      };
    case 'account_handle': {
      const onX = input.platform.code === 'x' || input.platform.code === 'twitter';
      return {
        type: onX ? 'twitter-id' : 'text',
        category: 'Social network',
        value,
        to_ids: false,
        comment: `account handle on ${input.platform.code}`,
      };
    }
    case 'hashtag':
      return {
        type: 'text',
        category: 'Social network',
        value: `#${value}`,
        to_ids: false,
        comment: 'hashtag',
      };
    case 'phone':
      return {
        type: 'phone-number',
        category: 'Other',
        value,
        to_ids: false,
        comment: 'phone number',
      };
    case 'image_hash': {
      const algorithm = hashAlgorithm(value);
      return algorithm
        ? {
            type: MISP_HASH_TYPES[algorithm],
            category: 'Payload delivery',
            value,
            to_ids: true,
            comment: 'image hash',
          }
        : {
            type: 'hex',
            category: 'Other',
            value,
            to_ids: false,
            comment: 'image hash (algorithm unknown)',
          };
    }
  }
}
