import { CASE_OUTCOMES, CASE_STATUSES, CASE_URGENCIES } from '../cases/case-status.machine';
import taxonomy from '../cases/data/taxonomy.json';
import { TARGET_GROUPS } from '../cases/taxonomy';
import { COUNTRY_CODES } from '../common/reference/countries';
import { TLP_LEVELS } from '../common/sharing/tlp';
import { CHANNEL_KINDS } from '../platforms/channel.entity';
import en from './locales/en.json';
import es from './locales/es.json';
import fr from './locales/fr.json';
import id from './locales/id.json';
import pt from './locales/pt.json';

export const LANGUAGES = ['en', 'es', 'pt', 'fr', 'id'] as const;
export type Lang = (typeof LANGUAGES)[number];

export type LabelDomain =
  | 'category'
  | 'outcome'
  | 'channelKind'
  | 'targetGroup'
  | 'urgency'
  | 'status'
  | 'dsaCategory'
  | 'column'
  | 'country'
  | 'tlp';

type Messages = Readonly<Record<string, string>>;

/**
 * The message files, one flat map per language (`"<domain>.<code>"`, and later `ui.*` for the
 * web UI). Taxonomy labels live in taxonomy.json and country names come from ICU instead.
 */
export const MESSAGES: Readonly<Record<Lang, Messages>> = { en, es, pt, fr, id };

/** The codes of each domain kept in the message files, from the constants that define them. */
export const MESSAGE_DOMAIN_CODES = {
  outcome: CASE_OUTCOMES,
  status: CASE_STATUSES,
  urgency: CASE_URGENCIES,
  targetGroup: TARGET_GROUPS,
  channelKind: CHANNEL_KINDS,
  tlp: TLP_LEVELS,
} as const;

type TaxonomyLabels = Partial<Record<Lang, string>>;

/** Category and subcategory labels by code (codes are unique across both levels). */
const TAXONOMY_LABELS = new Map<string, TaxonomyLabels>(
  taxonomy.categories.flatMap((c) => [
    [c.code, c.labels as TaxonomyLabels] as const,
    ...c.subcategories.map((s) => [s.code, s.labels as TaxonomyLabels] as const),
  ]),
);

const regionNames = new Map<Lang, Intl.DisplayNames>();
function countryName(lang: Lang, code: string): string | undefined {
  if (!COUNTRY_CODES.has(code)) return undefined;
  let names = regionNames.get(lang);
  if (!names) {
    names = new Intl.DisplayNames([lang], { type: 'region', fallback: 'none' });
    regionNames.set(lang, names);
  }
  return names.of(code);
}

function lookup(lang: Lang, domain: LabelDomain, code: string): string | undefined {
  switch (domain) {
    case 'category':
      return TAXONOMY_LABELS.get(code)?.[lang];
    case 'country':
      return countryName(lang, code);
    default:
      return MESSAGES[lang][`${domain}.${code}`];
  }
}

/**
 * The label of a code in a language; an unknown code comes back unchanged. A known code that
 * lacks a translation falls back to English (the tests keep every language complete).
 */
export function label(lang: Lang, domain: LabelDomain, code: string): string {
  return lookup(lang, domain, code) || lookup('en', domain, code) || code;
}

export function isLang(value: unknown): value is Lang {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/** The supported language of a BCP 47 tag (`pt-BR` -> pt, the old `in` -> id), if any. */
function langOfTag(tag: string | null | undefined): Lang | undefined {
  if (typeof tag !== 'string') return undefined;
  const primary = tag.trim().split(/[-_]/)[0].toLowerCase();
  const lang = primary === 'in' ? 'id' : primary;
  return isLang(lang) ? lang : undefined;
}

/** The supported languages of an Accept-Language header, best first (q=0 excluded). */
function langsOfAcceptLanguage(header: string | null | undefined): Lang[] {
  if (typeof header !== 'string') return [];
  const ranked: { lang: Lang; q: number; index: number }[] = [];
  header.split(',').forEach((part, index) => {
    const [tag, ...params] = part.split(';');
    let q = 1;
    for (const param of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(param);
      if (m) q = Number(m[1]);
    }
    const lang = langOfTag(tag);
    if (lang && Number.isFinite(q) && q > 0 && q <= 1) ranked.push({ lang, q, index });
  });
  ranked.sort((a, b) => b.q - a.q || a.index - b.index);
  return ranked.map((r) => r.lang);
}

/** lang from an explicit choice (query), else the user's setting, else Accept-Language, else 'en'. */
export function pickLang(
  explicit?: string | null,
  userLanguage?: string | null,
  acceptLanguage?: string | null,
): Lang {
  return (
    langOfTag(explicit) ??
    langOfTag(userLanguage) ??
    langsOfAcceptLanguage(acceptLanguage)[0] ??
    'en'
  );
}
