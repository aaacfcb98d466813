import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CASE_EVENT_TYPES } from '../cases/case-status.machine';
import { LANGUAGES, MESSAGES } from '../i18n/labels';
import { WEB_STEPS } from './pages/cases.pages';
import { translate, webI18n } from './web-i18n';

/** Every `ui.*` key written literally in the templates and the web code. */
function keysUsed(): Set<string> {
  const files = [
    ...readdirSync(join(__dirname, 'views')).map((f) => join(__dirname, 'views', f)),
    ...readdirSync(__dirname)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))
      .map((f) => join(__dirname, f)),
    ...readdirSync(join(__dirname, 'pages')).map((f) => join(__dirname, 'pages', f)),
  ];
  const keys = new Set<string>();
  for (const file of files) {
    for (const m of readFileSync(file, 'utf8').matchAll(
      /['"`](ui\.[A-Za-z0-9_.]+[A-Za-z0-9_])['"`]/g,
    )) {
      keys.add(m[1]);
    }
  }
  // Keys built at run time: the steps, the timeline's event types, the error pages.
  WEB_STEPS.forEach((s) => keys.add(`ui.step.${s}`));
  CASE_EVENT_TYPES.forEach((e) => keys.add(`ui.event.${e}`));
  for (const status of [400, 403, 404, 410, 500]) {
    keys.add(`ui.error.title.${status}`);
    keys.add(`ui.error.text.${status}`);
  }
  return keys;
}

describe('web interface messages', () => {
  it('every ui.* key used by a template or page exists, non-empty, in all five languages', () => {
    const used = [...keysUsed()].sort();
    expect(used.length).toBeGreaterThan(50);
    for (const lang of LANGUAGES) {
      const missing = used.filter((k) => !MESSAGES[lang][k]?.trim());
      expect({ lang, missing }).toEqual({ lang, missing: [] });
    }
  });

  it('every ui.* key of en.json is in the other languages with the same placeholders', () => {
    const keys = Object.keys(MESSAGES.en).filter((k) => k.startsWith('ui.'));
    const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const lang of LANGUAGES) {
      const wrong = keys.filter(
        (k) =>
          !MESSAGES[lang][k]?.trim() ||
          placeholders(MESSAGES[lang][k]).join() !== placeholders(MESSAGES.en[k]).join(),
      );
      expect({ lang, wrong }).toEqual({ lang, wrong: [] });
    }
  });

  it('the protection notes name a hidden figure with the word the pages show for it', () => {
    const notes = [
      'ui.insights.suppressionNote',
      'ui.insights.trends.chartDesc',
      'ui.insights.emerging.protection',
      'ui.reports.trendsHint',
    ];
    for (const lang of LANGUAGES) {
      const word = MESSAGES[lang]['ui.insights.suppressed'];
      const missing = notes.filter((key) => !MESSAGES[lang][key].includes(word));
      expect({ lang, word, missing }).toEqual({ lang, word, missing: [] });
    }
  });

  it('fills placeholders and formats dates and durations in the language and timezone', () => {
    expect(translate('es', 'ui.cases.title', { org: 'Línea' })).toBe('Casos abiertos de Línea');
    const es = webI18n('es', 'America/La_Paz');
    expect(es.date('2026-03-02T10:00:00.000Z')).toMatch(/6:00/);
    expect(es.duration(90_000)).toBe('1 día 1 hora');
    expect(webI18n('en').duration(59)).toBe('1 minute');
    expect(webI18n('fr', 'Not/AZone').date('2026-03-02T10:00:00.000Z')).toMatch(/UTC/);
  });
});
