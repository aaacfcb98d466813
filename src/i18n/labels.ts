import taxonomy from '../cases/data/taxonomy.json';
import { COUNTRY_CODES } from '../common/reference/countries';
import en from './locales/en.json';
import es from './locales/es.json';
import fr from './locales/fr.json';
import id from './locales/id.json';
import pt from './locales/pt.json';

/** The notes that end the CSV files (label domain `note`), one per kind of file. */
export const CSV_NOTES = ['trends', 'scorecard'] as const;

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
  | 'tlp'
  | 'note';

type Messages = Readonly<Record<string, string>>;

/**
 * The message files, one flat map per language (`"<domain>.<code>"`, and later `ui.*` for the
 * web UI). Taxonomy labels live in taxonomy.json and country names come from ICU instead.
 */
export const MESSAGES: Readonly<Record<Lang, Messages>> = { en, es, pt, fr, id };

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

/** A message of the locale files by its full key (`column.count`, later `ui.*`), if present. */
export function message(lang: Lang, key: string): string | undefined {
  const messages = MESSAGES[isLang(lang) ? lang : 'en'];
  return Object.hasOwn(messages, key) ? messages[key] : undefined;
}

function lookup(lang: Lang, domain: LabelDomain, code: string): string | undefined {
  switch (domain) {
    case 'category':
      return TAXONOMY_LABELS.get(code)?.[lang];
    case 'country':
      return countryName(lang, code);
    default:
      return message(lang, `${domain}.${code}`);
  }
}

/**
 * The label of a code in a language; an unknown code comes back unchanged. A known code that
 * lacks a translation falls back to English (the tests keep every language complete).
 */
export function label(lang: Lang, domain: LabelDomain, code: string): string {
  const chosen: Lang = isLang(lang) ? lang : 'en';
  return lookup(chosen, domain, code) || lookup('en', domain, code) || code;
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
      const m = /^\s*q\s*=\s*(.*?)\s*$/i.exec(param);
      if (!m) continue;
      // RFC 9110 qvalue: 0 to 1 with up to three decimals; a malformed one drops the entry.
      q = /^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(m[1]) ? Number(m[1]) : 0;
    }
    const lang = langOfTag(tag);
    if (lang && q > 0) ranked.push({ lang, q, index });
  });
  ranked.sort((a, b) => b.q - a.q || a.index - b.index);
  return ranked.map((r) => r.lang);
}

/**
 * lang from an explicit choice (query), else the user's setting, else Accept-Language, else 'en'.
 * Each is read as a language tag (`es-BO` -> es); one that names no supported language is
 * skipped here, so a caller that must refuse a bad `?lang=` checks it with `isLang` first.
 */
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
