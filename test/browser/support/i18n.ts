import taxonomy from '../../../src/cases/data/taxonomy.json';
import { COUNTRY_CODES } from '../../../src/common/reference/countries';
import { label, MESSAGES } from '../../../src/i18n/labels';

const EN: Record<string, string> = MESSAGES.en;
const ES: Record<string, string> = MESSAGES.es;

function filled(messages: Record<string, string>, file: string) {
  return (key: string, params: Record<string, string> = {}): string => {
    const text = messages[key];
    if (text === undefined) throw new Error(`${file} has no ${key}`);
    return text.replace(/\{(\w+)\}/g, (whole, name: string) => params[name] ?? whole);
  };
}

/** An English ui.* text as the pages show it (to find buttons and headings by their name). */
export const enText = filled(EN, 'en.json');

/** A Spanish ui.* text as the pages show it. */
export const esText = filled(ES, 'es.json');

export interface EnglishOnly {
  key: string;
  en: string;
  /** Matches a whole text (placeholders stand for any text). */
  whole: RegExp;
  /** For texts of two words or more: matches them inside a longer text, at word boundaries. */
  inside: RegExp | null;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A message as a pattern: placeholders stand for any text, spaces for any white space. */
function patternOf(text: string): string {
  return text
    .trim()
    .split(/\{\w+\}/)
    .map((part) => escape(part).replace(/\s+/g, '\\s+'))
    .join('.+?');
}

/**
 * The English texts a Spanish page must not show: every ui.* message and every label the pages
 * print (status, urgency, outcome, TLP, channel kind, target group from the locale files;
 * categories from the taxonomy; country names) whose English text differs from the Spanish
 * one. Texts without a letter are left out.
 */
export function englishOnlyTexts(): EnglishOnly[] {
  const domains = /^(ui|status|urgency|outcome|tlp|channelKind|targetGroup)\./;
  const pairs: [string, string, string | undefined][] = [
    ...Object.entries(EN)
      .filter(([key]) => domains.test(key))
      .map(([key, text]): [string, string, string | undefined] => [key, text, ES[key]]),
    ...taxonomy.categories
      .flatMap((c) => [c.code, ...c.subcategories.map((s) => s.code)])
      .map((code): [string, string, string] => [
        `category.${code}`,
        label('en', 'category', code),
        label('es', 'category', code),
      ]),
    ...[...COUNTRY_CODES].map((code): [string, string, string] => [
      `country.${code}`,
      label('en', 'country', code),
      label('es', 'country', code),
    ]),
  ];
  return (
    pairs
      .filter(([, text, spanish]) => spanish !== undefined && spanish !== text)
      // A message around placeholders needs words of its own to be recognised in a text
      // ("{from} to {to}" would match any sentence with "to" in it); others need a letter.
      .filter(([, text]) => {
        const own = text.replace(/\{\w+\}/g, '').match(/\p{L}/gu)?.length ?? 0;
        return text.includes('{') ? own >= 5 : own > 0;
      })
      .map(([key, text]) => {
        const pattern = patternOf(text);
        // Words of the message itself: placeholders filled with anything are no evidence.
        const words = text
          .replace(/\{\w+\}/g, ' ')
          .trim()
          .split(/\s+/).length;
        return {
          key,
          en: text,
          whole: new RegExp(`^${pattern}$`, 'u'),
          inside:
            key.startsWith('ui.') && words >= 2
              ? new RegExp(`(^|[^\\p{L}\\p{N}])${pattern}($|[^\\p{L}\\p{N}])`, 'u')
              : null,
        };
      })
  );
}

/** The English-only texts found among a page's texts, one line each (key, text, where). */
export function englishFindings(
  texts: { text: string; source: string; tag: string }[],
  english: EnglishOnly[],
): string[] {
  const found: string[] = [];
  for (const t of texts) {
    // The document title joins the page title and the application name with a middle dot.
    const parts = t.source === 'document.title' ? [t.text, ...t.text.split(' · ')] : [t.text];
    for (const e of english) {
      if (parts.some((p) => e.whole.test(p)) || e.inside?.test(t.text)) {
        found.push(`${e.key} "${e.en}" in <${t.tag}> ${t.source}: "${t.text}"`);
      }
    }
  }
  return [...new Set(found)];
}
