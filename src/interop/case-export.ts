import { CaseItemKind } from '../cases/case-item.entity';
import { CaseStatus, CaseUrgency } from '../cases/case-status.machine';
import { CaseResponseDto } from '../cases/dto/case.dto';
import { IndicatorKind, normalizeIndicator } from '../cases/indicator';
import { Tlp } from '../common/sharing/tlp';
import { label } from '../i18n/labels';

/**
 * What the STIX and MISP builders may put in an export, and nothing more. There is no title,
 * summary, contact, platform ticket, target group or country here: survivor data cannot leak
 * through a builder that never receives it. Times are ISO 8601 strings.
 */
export interface CaseExportInput {
  id: string;
  /** `ESC-<year>-<6 digits>`. */
  reference: string;
  tlp: Tlp;
  categoryCode: string;
  subcategoryCode: string | null;
  urgency: CaseUrgency;
  status: CaseStatus;
  createdAt: string;
  updatedAt: string;
  escalatedAt: string | null;
  /** The owning helpline. */
  organization: ExportParty;
  platform: ExportParty & { code: string };
  /** TLP AMBER: the organisations named on the case (the MISP sharing group). */
  sharedOrganizations: { id: string; name: string }[];
  /** URLs of the reported content (the evidence hashes stay home: see `exportUrl`). */
  items: { url: string; kind: CaseItemKind; capturedAt: string | null }[];
  indicators: { kind: IndicatorKind; value: string }[];
}

export interface ExportParty {
  id: string;
  name: string;
  createdAt: string;
  updatedAt: string;
}

/** A campaign as the lead's campaign answer gives it, with the cases the requester may see. */
export interface CampaignExportInput {
  id: string;
  firstSeen: string;
  lastSeen: string;
  /** Counts over every case of the campaign, including ones the requester may not see. */
  cases: number;
  organizations: number;
  platforms: string[];
  categories: string[];
  countries: string[];
  /** Only these cases' content is exported; nothing is derived from the others. */
  visibleCases: CaseExportInput[];
}

/**
 * The export input of a case answer (read under TLP by `CasesService.get`). Fields are picked one
 * by one, never spread, so a field added to the answer later does not reach exports unseen.
 */
export function toCaseExportInput(
  answer: CaseResponseDto,
  context: {
    organization: ExportParty;
    platform: ExportParty & { code: string };
    sharedOrganizations: { id: string; name: string }[];
  },
): CaseExportInput {
  return {
    id: answer.id,
    reference: answer.reference,
    tlp: answer.tlp,
    categoryCode: answer.categoryCode,
    subcategoryCode: answer.subcategoryCode,
    urgency: answer.urgency,
    status: answer.status,
    createdAt: answer.createdAt,
    updatedAt: answer.updatedAt,
    escalatedAt: answer.escalatedAt,
    organization: pickParty(context.organization),
    platform: { ...pickParty(context.platform), code: context.platform.code },
    sharedOrganizations:
      answer.tlp === 'AMBER'
        ? context.sharedOrganizations.map(({ id, name }) => ({ id, name }))
        : [],
    items: answer.items.map(({ url, kind, capturedAt }) => ({ url, kind, capturedAt })),
    indicators: answer.indicators.map(({ kind, value }) => ({ kind, value })),
  };
}

const pickParty = ({ id, name, createdAt, updatedAt }: ExportParty): ExportParty => ({
  id,
  name,
  createdAt,
  updatedAt,
});

/** `ESC-2026-000123: Doxxing and exposure of private information` (English labels). */
export function caseName(input: Pick<CaseExportInput, 'reference' | 'categoryCode'>): string {
  return `${input.reference}: ${label('en', 'category', input.categoryCode)}`;
}

/**
 * A URL as exports carry it, or null when it is not an http(s) URL. It goes through the
 * indicator normaliser first, which drops credentials, the fragment and click-tracking
 * parameters (`fbclid`, `igsh`, `si`, ...): those can identify who shared the link, and that may
 * be the survivor. Then every character RFC 3986 does not allow in a path or query is
 * percent-encoded (WHATWG URLs leave `|`, `^`, `[`, `]` and stray `%` as they are), so the value
 * passes STIX's `uri` format.
 */
export function exportUrl(raw: string): string | null {
  const normalized = normalizeIndicator('url', raw);
  if ('error' in normalized) return null;
  const url = new URL(normalized.value);
  const safe = (part: string) =>
    part
      .replace(/%(?![0-9A-Fa-f]{2})/g, '%25')
      .replace(/[^A-Za-z0-9\-._~!$&'()*+,;=:@/?%]/gu, (c) => encodeURIComponent(c));
  return `${url.protocol}//${url.host}${safe(url.pathname)}${safe(url.search)}`;
}

export interface ExportIndicator {
  kind: IndicatorKind;
  value: string;
}

/**
 * The case's indicators normalised again (values from elsewhere than the database, e.g. a
 * campaign's cases, get the same guarantees: no control characters, canonical URLs and
 * domains), invalid ones dropped, duplicates merged, in a stable order.
 */
export function exportIndicators(input: Pick<CaseExportInput, 'indicators'>): ExportIndicator[] {
  const seen = new Map<string, ExportIndicator>();
  for (const { kind, value } of input.indicators) {
    const normalized = normalizeIndicator(kind, value);
    if ('error' in normalized) continue;
    const exported = kind === 'url' ? exportUrl(normalized.value) : normalized.value;
    if (exported === null) continue;
    seen.set(`${kind}\u0000${exported}`, { kind, value: exported });
  }
  return [...seen.values()].sort((a, b) =>
    a.kind !== b.kind ? (a.kind < b.kind ? -1 : 1) : a.value < b.value ? -1 : 1,
  );
}

/** The case items' URLs as exported, each once, with the kind of the first item carrying it. */
export function exportItems(
  input: Pick<CaseExportInput, 'items'>,
): { url: string; kind: CaseItemKind; capturedAt: string | null }[] {
  const seen = new Map<string, { url: string; kind: CaseItemKind; capturedAt: string | null }>();
  for (const item of input.items) {
    const url = exportUrl(item.url);
    if (url !== null && !seen.has(url)) seen.set(url, { ...item, url });
  }
  return [...seen.values()];
}

export type HashAlgorithm = 'MD5' | 'SHA-1' | 'SHA-256' | 'SHA-512';

/**
 * The tracker stores image hashes without their algorithm (a `sha256:` prefix is dropped when
 * normalising), so the length of the hex digest is all there is: 32, 40, 64 and 128 digits are
 * read as MD5, SHA-1, SHA-256 and SHA-512. Any other length (e.g. a 16-digit perceptual hash)
 * has no known algorithm. Caveat: a 64-digit perceptual hash (PDQ) would be read as SHA-256.
 */
export function hashAlgorithm(hex: string): HashAlgorithm | null {
  if (!/^[0-9a-f]+$/.test(hex)) return null;
  const byLength: Record<number, HashAlgorithm> = {
    32: 'MD5',
    40: 'SHA-1',
    64: 'SHA-256',
    128: 'SHA-512',
  };
  return byLength[hex.length] ?? null;
}

/**
 * STIX `account-type-ov` values of our platform codes. Only platforms the vocabulary names get
 * an `account_type` (X is Twitter there); for the others, the platform's identity in the same
 * bundle says where the account lives.
 */
const STIX_ACCOUNT_TYPES: Readonly<Record<string, string>> = {
  facebook: 'facebook',
  x: 'twitter',
  twitter: 'twitter',
  skype: 'skype',
};

export function stixAccountType(platformCode: string): string | undefined {
  return Object.hasOwn(STIX_ACCOUNT_TYPES, platformCode)
    ? STIX_ACCOUNT_TYPES[platformCode]
    : undefined;
}

/** ISO 8601 in UTC with milliseconds, as STIX's `created`/`modified` require. */
export function stixTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) throw new Error('not a timestamp');
  return date.toISOString();
}

/** The later of two ISO timestamps, normalised. */
export function laterOf(a: string, b: string): string {
  return stixTime(Date.parse(a) >= Date.parse(b) ? a : b);
}
