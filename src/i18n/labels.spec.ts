import { CASE_OUTCOMES, CASE_STATUSES, CASE_URGENCIES } from '../cases/case-status.machine';
import taxonomy from '../cases/data/taxonomy.json';
import { TARGET_GROUPS } from '../cases/taxonomy';
import { COUNTRY_CODES } from '../common/reference/countries';
import { TLP_LEVELS } from '../common/sharing/tlp';
import { CHANNEL_KINDS } from '../platforms/channel.entity';
import {
  CSV_NOTES,
  isLang,
  label,
  LabelDomain,
  Lang,
  LANGUAGES,
  MESSAGES,
  message,
  pickLang,
} from './labels';

/** Every STATEMENT_CATEGORY_* value anywhere in taxonomy.json (dsa_category, dsa, generic). */
function dsaCategories(node: unknown, found = new Set<string>()): Set<string> {
  if (typeof node === 'string') {
    if (node.startsWith('STATEMENT_CATEGORY_')) found.add(node);
  } else if (Array.isArray(node)) {
    node.forEach((n) => dsaCategories(n, found));
  } else if (node && typeof node === 'object') {
    Object.values(node).forEach((n) => dsaCategories(n, found));
  }
  return found;
}

type TaxonomyNode = { code: string; labels: Record<string, string> };
const TAXONOMY_NODES: TaxonomyNode[] = taxonomy.categories.flatMap((c) => [c, ...c.subcategories]);

/** The report columns the reports and exports rely on (from the brief of the reports work). */
const REQUIRED_COLUMNS = [
  'month', 'year', 'category', 'subcategory', 'dsaCategory', 'platform', 'channel', 'channelKind',
  'country', 'targetGroup', 'outcome', 'urgency', 'count', 'organizations', 'suppressed', 'cases',
  'escalations', 'acknowledgedShare', 'respondedShare', 'medianFirstResponseHours',
  'p90FirstResponseHours', 'medianResolutionHours', 'p90ResolutionHours', 'actionedShare',
  'noResponseShare', 'overdueShare', 'pausedHours', 'contactDepartures', 'reasonGivenShare',
  'contextUnderstoodShare', 'harmRecognisedAsGenderedShare', 'retraumatisingProofRequestedShare',
  'section', 'key', 'value', 'recentCount', 'baselineCount', 'rateRatio', 'pValue', 'firstSeen',
  'lastSeen', 'platforms', 'categories', 'countries', 'total', 'open',
]; // prettier-ignore

const COLUMN_CODES = Object.keys(MESSAGES.en)
  .filter((k) => k.startsWith('column.'))
  .map((k) => k.slice('column.'.length));

/** Codes of the domains kept in the locale files, enumerated from their source constants. */
const MESSAGE_DOMAINS: Record<string, readonly string[]> = {
  outcome: CASE_OUTCOMES,
  status: CASE_STATUSES,
  urgency: CASE_URGENCIES,
  targetGroup: TARGET_GROUPS,
  channelKind: CHANNEL_KINDS,
  tlp: TLP_LEVELS,
  dsaCategory: [...dsaCategories(taxonomy)],
  column: COLUMN_CODES,
  note: CSV_NOTES,
};

describe('locale files', () => {
  it('all five have exactly the key set of en.json', () => {
    const enKeys = Object.keys(MESSAGES.en).sort();
    expect(enKeys.length).toBeGreaterThan(100);
    for (const lang of LANGUAGES) {
      expect({ lang, keys: Object.keys(MESSAGES[lang]).sort() }).toEqual({ lang, keys: enKeys });
    }
  });

  it('have only non-empty, trimmed strings', () => {
    for (const lang of LANGUAGES) {
      for (const [key, value] of Object.entries(MESSAGES[lang])) {
        expect({ lang, key, ok: typeof value === 'string' && value.trim() === value && value !== '' }).toEqual({ lang, key, ok: true }); // prettier-ignore
      }
    }
  });

  it('hold no stale codes and no second copy of taxonomy or country labels', () => {
    const known = new Set(
      Object.entries(MESSAGE_DOMAINS).flatMap(([domain, codes]) =>
        codes.map((c) => `${domain}.${c}`),
      ),
    );
    const stale = Object.keys(MESSAGES.en).filter((k) => !known.has(k) && !k.startsWith('ui.'));
    expect(stale).toEqual([]);
  });

  it('fill the same placeholders in every language for the notes of the files', () => {
    const placeholders = (s: string) =>
      [...new Set([...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort();
    for (const code of CSV_NOTES) {
      const expected = placeholders(MESSAGES.en[`note.${code}`]);
      expect(expected).toEqual(['column', 'k']);
      for (const lang of LANGUAGES) {
        expect({ lang, code, placeholders: placeholders(MESSAGES[lang][`note.${code}`]) }).toEqual({ lang, code, placeholders: expected }); // prettier-ignore
      }
    }
  });

  it('name every column the reports need, each header unique within a language', () => {
    expect(REQUIRED_COLUMNS.filter((c) => !COLUMN_CODES.includes(c))).toEqual([]);
    for (const lang of LANGUAGES) {
      const headers = COLUMN_CODES.map((c) => label(lang, 'column', c).toLowerCase());
      const duplicates = headers.filter((h, i) => headers.indexOf(h) !== i);
      expect({ lang, duplicates }).toEqual({ lang, duplicates: [] });
    }
  });
});

describe('label: every code of every domain in every language', () => {
  it('the domains enumerate their source constants', () => {
    expect(MESSAGE_DOMAINS.outcome).toContain('no_response');
    expect(MESSAGE_DOMAINS.dsaCategory).toEqual(
      expect.arrayContaining([
        'STATEMENT_CATEGORY_CYBER_VIOLENCE_AGAINST_WOMEN',
        'STATEMENT_CATEGORY_CYBER_VIOLENCE',
      ]),
    );
    expect(TAXONOMY_NODES.length).toBeGreaterThan(60);
    expect(COUNTRY_CODES.size).toBe(249);
  });

  it.each(Object.keys(MESSAGE_DOMAINS))(
    '%s: a label of its own in all five languages',
    (domain) => {
      const codes = MESSAGE_DOMAINS[domain];
      expect(codes.length).toBeGreaterThan(0);
      const missing: string[] = [];
      for (const lang of LANGUAGES) {
        for (const code of codes) {
          const own = message(lang, `${domain}.${code}`);
          const shown = label(lang, domain as LabelDomain, code);
          if (!own || shown !== own || shown === code) missing.push(`${lang} ${domain}.${code}`);
        }
      }
      expect(missing).toEqual([]);
    },
  );

  it('category: every category and subcategory of taxonomy.json has all five labels', () => {
    expect([...taxonomy.languages].sort()).toEqual([...LANGUAGES].sort());
    const missing: string[] = [];
    for (const node of TAXONOMY_NODES) {
      for (const lang of LANGUAGES) {
        const own = node.labels[lang];
        const shown = label(lang, 'category', node.code);
        if (!own?.trim() || shown !== own || shown === node.code)
          missing.push(`${lang} ${node.code}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('category: taxonomy codes are unique across both levels', () => {
    const codes = TAXONOMY_NODES.map((n) => n.code);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('country: every ISO 3166-1 code has a name in all five languages (from ICU)', () => {
    const missing: string[] = [];
    for (const lang of LANGUAGES) {
      for (const code of COUNTRY_CODES) {
        const name = label(lang, 'country', code);
        if (!name || name === code) missing.push(`${lang} ${code}`);
      }
    }
    expect(missing).toEqual([]);
    expect(label('es', 'country', 'BO')).toBe('Bolivia');
    expect(label('pt', 'country', 'DE')).toBe('Alemanha');
    expect(label('fr', 'country', 'DE')).toBe('Allemagne');
    expect(label('id', 'country', 'DE')).toBe('Jerman');
    expect(label('en', 'country', 'KE')).toBe('Kenya');
  });
});

describe('label: unknown codes', () => {
  it.each<[LabelDomain, string]>([
    ['category', 'not_a_category'],
    ['outcome', 'vanished'],
    ['status', 'archived'],
    ['urgency', 'extreme'],
    ['targetGroup', 'martians'],
    ['channelKind', 'carrier_pigeon'],
    ['tlp', 'WHITE'],
    ['dsaCategory', 'STATEMENT_CATEGORY_ANIMAL_WELFARE_UNUSED'],
    ['column', 'nonexistentColumn'],
    ['note', 'annual'],
    ['country', 'XX'],
    ['country', 'bo'],
    ['country', 'not a region'],
    ['outcome', ''],
    ['column', 'toString'],
    ['category', '__proto__'],
  ])('%s %j comes back unchanged', (domain, code) => {
    for (const lang of LANGUAGES) expect(label(lang, domain, code)).toBe(code);
  });

  it('a known code reaches the caller as a label, not the code', () => {
    expect(label('en', 'outcome', 'content_removed')).toBe('Content removed');
    expect(label('en', 'column', 'count')).toBe('Count');
  });
});

describe('the languages really differ', () => {
  it.each<[Lang, string, string, string]>([
    ['en', 'outcome', 'no_response', 'No response'],
    ['es', 'outcome', 'content_removed', 'Contenido eliminado'],
    ['pt', 'outcome', 'content_removed', 'Conteúdo removido'],
    ['fr', 'outcome', 'content_removed', 'Contenu supprimé'],
    ['id', 'outcome', 'content_removed', 'Konten dihapus'],
    ['es', 'column', 'month', 'Mes'],
    ['pt', 'column', 'month', 'Mês'],
    ['fr', 'column', 'month', 'Mois'],
    ['id', 'column', 'month', 'Bulan'],
    ['es', 'targetGroup', 'women', 'Mujeres'],
    ['id', 'targetGroup', 'women', 'Perempuan'],
    ['en', 'dsaCategory', 'STATEMENT_CATEGORY_CYBER_VIOLENCE_AGAINST_WOMEN', 'Cyber violence against women'],
    ['es', 'dsaCategory', 'STATEMENT_CATEGORY_CYBER_VIOLENCE_AGAINST_WOMEN', 'Ciberviolencia contra las mujeres'],
    ['fr', 'dsaCategory', 'STATEMENT_CATEGORY_CYBER_VIOLENCE_AGAINST_WOMEN', "Cyberviolence à l'égard des femmes"],
    ['id', 'dsaCategory', 'STATEMENT_CATEGORY_CYBER_VIOLENCE_AGAINST_WOMEN', 'Kekerasan siber terhadap perempuan'],
    ['es', 'category', 'harassment', 'Acoso y abuso'],
    ['pt', 'category', 'harassment', 'Assédio e abuso'],
    ['fr', 'category', 'sextortion', 'Sextorsion et coercition sexuelle'],
    ['id', 'category', 'stalking_surveillance', 'Penguntitan siber dan pengawasan'],
    ['fr', 'tlp', 'AMBER+STRICT', 'TLP:AMBER+STRICT'],
  ])('%s %s.%s is %j', (lang, domain, code, expected) => {
    expect(label(lang, domain as LabelDomain, code)).toBe(expected);
  }); // prettier-ignore

  it('most labels of each language differ from English and from each other', () => {
    const sample: [LabelDomain, readonly string[]][] = [
      ['outcome', CASE_OUTCOMES],
      ['targetGroup', TARGET_GROUPS],
      ['column', COLUMN_CODES],
      ['category', TAXONOMY_NODES.map((n) => n.code)],
    ];
    const labelsOf = (lang: Lang) =>
      sample.flatMap(([domain, codes]) => codes.map((c) => label(lang, domain, c)));
    for (const a of LANGUAGES) {
      for (const b of LANGUAGES) {
        if (a >= b) continue;
        const la = labelsOf(a);
        const lb = labelsOf(b);
        const same = la.filter((l, i) => l === lb[i]).length;
        expect({ pair: `${a}/${b}`, mostlyDifferent: same / la.length < 0.15 }).toEqual({
          pair: `${a}/${b}`,
          mostlyDifferent: true,
        });
      }
    }
  });
});

describe('isLang', () => {
  it('accepts exactly the five codes', () => {
    for (const lang of LANGUAGES) expect(isLang(lang)).toBe(true);
    for (const bad of ['EN', 'es-BO', 'in', 'de', '', ' en', null, undefined, 1, {}, ['en']]) {
      expect(isLang(bad)).toBe(false);
    }
  });
});

describe('pickLang', () => {
  it.each<[string | null | undefined, string | null | undefined, string | null | undefined, Lang]>([
    [undefined, undefined, undefined, 'en'],
    [null, null, null, 'en'],
    ['fr', 'es', 'pt-BR', 'fr'],
    [undefined, 'es', 'pt-BR', 'es'],
    [null, 'id-ID', 'en', 'id'],
    ['', '', 'pt', 'pt'],
    [undefined, undefined, 'es-BO,es;q=0.9,en;q=0.8', 'es'],
    [undefined, undefined, 'pt-BR', 'pt'],
    [undefined, undefined, 'pt-BR,pt;q=0.9', 'pt'],
    [undefined, undefined, 'in', 'id'],
    [undefined, undefined, 'in-ID,en;q=0.5', 'id'],
    [undefined, undefined, 'id-ID,id;q=0.9,en-US;q=0.8,en;q=0.7', 'id'],
    [undefined, undefined, 'fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5', 'fr'],
    [undefined, undefined, 'de-DE,de;q=0.9,es;q=0.8,en;q=0.7', 'es'],
    [undefined, undefined, 'en;q=0.3, es;q=0.9', 'es'],
    [undefined, undefined, 'en;q=0.5, fr;q=0.5', 'en'],
    [undefined, undefined, 'es;q=0, pt;q=0.1', 'pt'],
    [undefined, undefined, 'EN-gb', 'en'],
    [undefined, undefined, 'de, it', 'en'],
    [undefined, undefined, '*', 'en'],
    [undefined, undefined, 'garbage;;;q=zz,,,', 'en'],
    [undefined, undefined, ';q=1', 'en'],
    [undefined, undefined, 'es;q=abc', 'en'],
    ['klingon', undefined, 'es', 'es'],
    [undefined, 'xx', 'fr', 'fr'],
    ['es-BO', undefined, 'fr', 'es'],
    [undefined, 'PT_br', undefined, 'pt'],
  ])('pickLang(%j, %j, %j) is %s', (explicit, user, accept, expected) => {
    expect(pickLang(explicit, user, accept)).toBe(expected);
  });
});
