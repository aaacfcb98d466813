import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { label } from '../../src/i18n/labels';
import { PatternProjection } from '../../src/patterns/pattern-projection';
import { createCase } from '../factories/case.factory';
import { createOrganization, tokenFor } from '../factories/community.factory';
import { call } from '../support/http';
import {
  BROWSER_TIMEOUT_MS,
  createWebUser,
  describeA11y,
  launchBrowser,
  newContext,
  screenshot,
  seriousA11yViolations,
  signIn,
  startWebApp,
  visibleTexts,
  WebApp,
  WebUser,
} from './support/browser';
import { englishFindings, englishOnlyTexts, enText } from './support/i18n';

/**
 * Journey 3 of issue 16: an advocate (role `viewer`) prepares the yearly report for a donor or
 * a DSA regulator, in English. She opens the downloads, reads last year's annual report of her
 * organisation, downloads its CSV (every figure checked here against what this file logged, by
 * hand), then opens the trends by quarter and platform and downloads the chart as SVG. Each new
 * page: axe finds no serious or critical violation, and nothing scrolls sideways at 320 px.
 * Screenshots: test-output/screenshots/advocate-*.png.
 */

const HOUR = 3_600_000;
const YEAR = new Date().getUTCFullYear() - 1;
type Answer = 'yes' | 'no' | 'unknown';
const QUESTIONS = [
  'reasonGiven',
  'contextUnderstood',
  'harmRecognisedAsGendered',
  'retraumatisingProofRequested',
] as const;

/** What the advocate's organisation logged last year, and what the platform did. */
interface Logged {
  platform: 'facebook' | 'x';
  category: string;
  escalatedAt: string;
  acknowledgedAfter?: number;
  decided?: { afterHours: number; outcome: string; quality?: Answer[]; sor?: boolean };
}
const CHANNEL = { facebook: 'trusted_partner', x: 'in_app_report' } as const;
const OWN: Logged[] = [
  {
    platform: 'facebook',
    category: 'doxxing',
    escalatedAt: `${YEAR}-02-10T10:00:00.000Z`,
    decided: {
      afterHours: 24,
      outcome: 'content_removed',
      quality: ['yes', 'yes', 'yes', 'no'],
      sor: true,
    },
  },
  {
    platform: 'facebook',
    category: 'doxxing',
    escalatedAt: `${YEAR}-05-10T10:00:00.000Z`,
    decided: {
      afterHours: 48,
      outcome: 'no_violation_found',
      quality: ['no', 'no', 'no', 'yes'],
      sor: false,
    },
  },
  {
    platform: 'x',
    category: 'harassment',
    escalatedAt: `${YEAR}-08-10T10:00:00.000Z`,
    acknowledgedAfter: 10,
  },
  { platform: 'x', category: 'harassment', escalatedAt: `${YEAR}-11-10T10:00:00.000Z` },
  {
    platform: 'facebook',
    category: 'harassment',
    escalatedAt: `${YEAR}-11-20T10:00:00.000Z`,
    decided: {
      afterHours: 12,
      outcome: 'content_removed',
      quality: ['yes', 'unknown', 'yes', 'no'],
    },
  },
];

/** PERCENTILE.INC of a spreadsheet, written out. */
function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  return sorted[lo] + (pos - lo) * (sorted[Math.ceil(pos)] - sorted[lo]);
}
const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

/** The report's figures for OWN, by hand: the definitions of the report's documentation. */
function expectedFigures() {
  const firstResponses = OWN.flatMap((c) => {
    const first = Math.min(c.acknowledgedAfter ?? Infinity, c.decided?.afterHours ?? Infinity);
    return Number.isFinite(first) ? [first] : [];
  });
  const decided = OWN.filter((c) => c.decided);
  const acted = decided.filter((c) =>
    ['content_removed', 'account_suspended', 'content_restricted'].includes(c.decided!.outcome),
  );
  // Still waiting, long past their deadline (no worker runs here: the clock rule counts them).
  const waiting = OWN.filter((c) => !c.decided);
  const answers = (i: number, a: Answer) =>
    decided.filter((c) => c.decided!.quality?.[i] === a).length;
  return {
    totals: {
      escalations: OWN.length,
      responded: firstResponses.length,
      resolved: decided.length,
      actionedShare: round(acted.length / OWN.length, 3),
      overdueShare: round(waiting.length / OWN.length, 3),
      medianFirstResponseHours: round(percentile(firstResponses, 0.5), 1),
      p90FirstResponseHours: round(percentile(firstResponses, 0.9), 1),
    },
    byPlatform: {
      facebook: OWN.filter((c) => c.platform === 'facebook').length,
      x: OWN.filter((c) => c.platform === 'x').length,
    },
    quality: QUESTIONS.map((q, i) => ({
      question: q,
      yes: answers(i, 'yes'),
      no: answers(i, 'no'),
      unknown: answers(i, 'unknown'),
    })),
    sor: {
      decisions: decided.length,
      received: decided.filter((c) => c.decided!.sor === true).length,
      notReceived: decided.filter((c) => c.decided!.sor === false).length,
    },
  };
}

describe('web interface: an advocate prepares the yearly report (Chromium, English)', () => {
  let web: WebApp;
  let browser: Browser;
  let advocate: WebUser;
  let context: BrowserContext;
  let page: Page;
  let orgId = '';
  const platformNames = new Map<string, string>();

  async function expectAccessible(name: string): Promise<void> {
    await screenshot(page, `advocate-${name}`);
    const violations = await seriousA11yViolations(page);
    if (violations.length) console.error(describeA11y(name, violations));
    expect(violations.map((v) => `${v.id} (${v.impact}) at ${v.targets.join(', ')}`)).toEqual([]);
  }

  /** The page as it is now, reloaded on a 320 px screen: nothing may scroll sideways. */
  async function expectNoSidewaysScroll(name: string): Promise<void> {
    await page.setViewportSize({ width: 320, height: 800 });
    try {
      await page.reload();
      await screenshot(page, `advocate-${name}-320`);
      const width = await page.evaluate<number>('document.documentElement.scrollWidth');
      expect({ page: name, width }).toEqual({ page: name, width: 320 });
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.reload();
    }
  }

  beforeAll(async () => {
    [web, browser] = await Promise.all([startWebApp(), launchBrowser()]);
    const [orgA, orgB, orgC] = await Promise.all([
      createOrganization(web.app),
      createOrganization(web.app),
      createOrganization(web.app),
    ]);
    const [member, b, c] = await Promise.all([
      createWebUser(web, orgA.id, 'member'),
      createWebUser(web, orgB.id, 'member'),
      createWebUser(web, orgC.id, 'member'),
    ]);
    advocate = await createWebUser(web, orgA.id, 'viewer');
    orgId = orgA.id;
    const [tokenA, tokenB, tokenC] = await Promise.all(
      [member, b, c].map((u) => tokenFor(web.app, u.id)),
    );
    for (const logged of OWN) {
      const created = await createCase(web.app, tokenA, {
        platformCode: logged.platform,
        channelCode: CHANNEL[logged.platform],
        categoryCode: logged.category,
        subcategoryCode: null,
        escalatedAt: logged.escalatedAt,
        consentToSharePattern: true,
      });
      const at = (hours: number) =>
        new Date(Date.parse(logged.escalatedAt) + hours * HOUR).toISOString();
      const steps: Record<string, unknown>[] = [];
      if (logged.acknowledgedAfter !== undefined) {
        steps.push({ type: 'platform_acknowledged', occurredAt: at(logged.acknowledgedAfter) });
      }
      if (logged.decided) {
        const d = logged.decided;
        steps.push({
          type: 'platform_responded',
          occurredAt: at(d.afterHours),
          outcome: d.outcome,
          ...(d.quality && {
            quality: Object.fromEntries(QUESTIONS.map((q, i) => [q, d.quality![i]])),
          }),
          ...(d.sor !== undefined && { statementOfReasons: { received: d.sor } }),
        });
      }
      for (const body of steps) {
        const answer = await call(web.app, 'POST', `/v1/cases/${created.id}/events`, {
          token: tokenA,
          body,
        });
        expect(answer.status).toBe(201);
      }
    }
    // The community: six consenting Facebook doxxing cases each from two more helplines in
    // the first quarter, so some community cells can be shown and others stay hidden.
    for (const [token, month] of [
      [tokenB, '03'],
      [tokenC, '02'],
    ] as const) {
      for (let i = 0; i < 6; i++) {
        await createCase(web.app, token, {
          categoryCode: 'doxxing',
          subcategoryCode: null,
          escalatedAt: `${YEAR}-${month}-0${i + 1}T09:00:00.000Z`,
          consentToSharePattern: true,
        });
      }
    }
    for (const code of ['facebook', 'x']) {
      const answer = await call<{ name: string }>(web.app, 'GET', `/v1/platforms/${code}`, {
        token: tokenA,
      });
      platformNames.set(code, answer.body.name);
    }
    // What the workers would do within seconds (this app runs the API role only).
    await web.app.get(PatternProjection).catchUp();
    context = await newContext(browser, web, { acceptDownloads: true });
    page = await context.newPage();
    await signIn(page, advocate);
  }, BROWSER_TIMEOUT_MS * 2);

  afterAll(async () => {
    await browser?.close();
    await web?.close();
  });

  it(
    'opens the downloads and reads last year’s annual report, printable, with its charts',
    async () => {
      await page.getByRole('link', { name: enText('ui.reports.nav') }).click();
      await page.waitForURL('**/web/reports');
      await expectAccessible('reports');
      await page.getByRole('link', { name: enText('ui.annual.open') }).click();
      await page.waitForURL('**/web/reports/annual');
      const main = page.locator('main');
      await expect(main.locator('h1').textContent()).resolves.toBe(enText('ui.annual.title'));
      await expect(page.locator('#own-heading').textContent()).resolves.toContain(String(YEAR));
      // Charts drawn on the server, named for assistive technology.
      for (const id of ['annual-months', 'annual-platforms', 'community-categories']) {
        await expect(
          page.locator(`svg[aria-labelledby="${id}-title ${id}-desc"]`).count(),
        ).resolves.toBe(1);
      }
      // Response quality and statements of reasons, and the community's protection note.
      await expect(page.locator('#annual-quality').count()).resolves.toBe(1);
      const text = (await main.textContent()) ?? '';
      expect(text).toContain(enText('ui.annual.sorTitle'));
      expect(text).toContain(enText('ui.insights.suppressionNote', { k: '5' }));
      // Printing leaves the navigation and the form out.
      await page.emulateMedia({ media: 'print' });
      await expect(page.locator('header.site').isVisible()).resolves.toBe(false);
      await expect(page.locator('form.filters').isVisible()).resolves.toBe(false);
      await page.emulateMedia({ media: 'screen' });
      await expectAccessible('annual-report');
      await expectNoSidewaysScroll('annual-report');
    },
    BROWSER_TIMEOUT_MS,
  );

  it(
    'downloads the annual report CSV, whose figures are those of the cases logged',
    async () => {
      await page.goto('/web/reports/annual');
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: enText('ui.annual.csv') }).click(),
      ]);
      expect(download.suggestedFilename()).toMatch(new RegExp(`^annual-report-.*-${YEAR}\\.csv$`));
      const text = (await readFile(await download.path())).toString('utf8');
      const [header, ...rows] = parse(text, { bom: true }) as string[][];
      const column = (code: string) => label('en', 'column', code);
      expect(header).toEqual(
        ['section', 'platform', 'category', 'dsaCategory', 'outcome', 'month', 'key', 'value'].map(
          column,
        ),
      );
      const value = (
        section: string,
        key: string,
        match: (r: string[]) => boolean = () => true,
      ) => {
        const found = rows.filter((r) => r[0] === column(section) && r[6] === key && match(r));
        expect({ section, key, rows: found.length }).toEqual({ section, key, rows: 1 });
        return found[0][7] === '' ? null : Number(found[0][7]);
      };
      const expected = expectedFigures();
      for (const [figure, n] of Object.entries(expected.totals)) {
        expect({ figure, value: value('total', column(figure)) }).toEqual({ figure, value: n });
      }
      for (const [code, n] of Object.entries(expected.byPlatform)) {
        const name = platformNames.get(code)!;
        expect({ code, n: value('platform', column('escalations'), (r) => r[1] === name) }).toEqual(
          {
            code,
            n,
          },
        );
      }
      for (const q of expected.quality) {
        for (const answer of ['yes', 'no', 'unknown'] as const) {
          expect({
            q: q.question,
            answer,
            n: value('responseQuality', `${column(q.question)}: ${answer}`),
          }).toEqual({
            q: q.question,
            answer,
            n: q[answer],
          });
        }
      }
      expect([
        value('statementsOfReasons', column('decisions')),
        value('statementsOfReasons', column('sorReceived')),
        value('statementsOfReasons', column('sorNotReceived')),
      ]).toEqual([expected.sor.decisions, expected.sor.received, expected.sor.notReceived]);
      // Counts of the organisation's own cases: never a title, reference or link.
      expect(text).not.toMatch(/ESC-\d{4}-|https?:\/\//);
    },
    BROWSER_TIMEOUT_MS,
  );

  it(
    'opens the trends by quarter and platform and downloads the chart as SVG',
    async () => {
      await page.getByRole('link', { name: enText('ui.insights.nav.trends') }).click();
      await page.waitForURL('**/web/trends');
      await page.getByLabel(enText('ui.insights.from')).fill(`${YEAR}-01`);
      await page.getByLabel(enText('ui.insights.to')).fill(`${YEAR}-12`);
      await page.getByLabel(enText('ui.insights.trends.by'), { exact: true }).selectOption('month');
      await page
        .getByLabel(enText('ui.insights.trends.then'), { exact: true })
        .selectOption('platform');
      await page
        .getByLabel(enText('ui.insights.trends.period'), { exact: true })
        .selectOption('quarter');
      await Promise.all([
        page.waitForURL(/\/web\/trends\?/),
        page.getByRole('button', { name: enText('ui.directory.show') }).click(),
      ]);
      const facebook = platformNames.get('facebook')!;
      const rows = await page.locator('main table tbody tr').allTextContents();
      const q1 = rows
        .map((r) => r.replace(/\s+/g, ' ').trim())
        .find((r) => r.startsWith(`${YEAR}-Q1 ${facebook}`));
      // 13 cases from three helplines (6, 6 and 1): shown, within 2 of the truth.
      const shown = Number(q1?.split(' ').at(-2));
      expect(Math.abs(shown - 13)).toBeLessThanOrEqual(2);
      await expectAccessible('trends-quarter-platform');
      await expectNoSidewaysScroll('trends-quarter-platform');

      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: enText('ui.insights.trends.svg') }).click(),
      ]);
      expect(download.suggestedFilename()).toBe(`trends-${YEAR}-01-${YEAR}-12.svg`);
      const svg = (await readFile(await download.path())).toString('utf8');
      expect(svg).toMatch(
        /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/,
      );
      expect(svg).toContain(`<title>${YEAR}-Q1, ${facebook}: ${shown}</title>`);
      // The advocate's own lone X cases stay hidden in the community chart.
      expect(svg).toContain(
        `, ${platformNames.get('x')}: ${enText('ui.insights.suppressed')}</title>`,
      );
      expect(svg).toContain('How these figures are protected');
      // Drawn by a browser, no two labels over the bars overlap.
      const overlaps = await page.evaluate<string[]>(`(() => {
        const host = document.createElement('div');
        host.innerHTML = ${JSON.stringify(svg.replace(/^<\?xml[^>]*>\n/, ''))};
        host.style.width = '720px';
        document.body.append(host);
        const boxes = [...host.querySelectorAll('g.marks text')].map((t) => [t.textContent, t.getBoundingClientRect()]);
        const out = [];
        for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
          const [a, p] = boxes[i], [b, q] = boxes[j];
          if (p.right > q.left + 0.5 && q.right > p.left + 0.5 && p.bottom > q.top + 0.5 && q.bottom > p.top + 0.5) out.push(a + ' / ' + b);
        }
        host.remove();
        return out;
      })()`);
      expect(overlaps).toEqual([]);
    },
    BROWSER_TIMEOUT_MS,
  );

  it(
    'reads the scorecard within 1280 px, its platform column fixed while the table scrolls',
    async () => {
      await page.getByRole('link', { name: enText('ui.insights.nav.scorecard') }).click();
      await page.waitForURL('**/web/scorecard');
      await page.getByLabel(enText('ui.insights.from')).fill(`${YEAR}-01`);
      await page.getByLabel(enText('ui.insights.to')).fill(`${YEAR}-12`);
      await Promise.all([
        page.waitForURL(/\/web\/scorecard\?/),
        page.getByRole('button', { name: enText('ui.directory.show') }).click(),
      ]);
      await expect(page.evaluate<number>('document.documentElement.scrollWidth')).resolves.toBe(
        1280,
      );
      await expect(
        page.evaluate<string>(
          `getComputedStyle(document.querySelector('.sticky-first tbody th')).position`,
        ),
      ).resolves.toBe('sticky');
      await expectAccessible('scorecard');
      await expectNoSidewaysScroll('scorecard');
    },
    BROWSER_TIMEOUT_MS,
  );

  it(
    'in Spanish, the annual report and the two-dimension trends show no English-only text',
    async () => {
      const spanish = await createWebUser(web, orgId, 'viewer', { language: 'es' });
      const es = await newContext(browser, web, { locale: 'es-ES' });
      try {
        const p = await es.newPage();
        await signIn(p, spanish);
        const english = englishOnlyTexts();
        for (const [name, path] of [
          ['annual-report', '/web/reports/annual'],
          [
            'trends-quarter-platform',
            `/web/trends?from=${YEAR}-01&to=${YEAR}-12&by=month&then=platform&period=quarter`,
          ],
        ]) {
          await p.goto(path);
          await screenshot(p, `advocate-es-${name}`);
          await expect(p.locator('html').getAttribute('lang')).resolves.toBe('es');
          expect({ name, english: englishFindings(await visibleTexts(p), english) }).toEqual({
            name,
            english: [],
          });
        }
      } finally {
        await es.close();
      }
    },
    BROWSER_TIMEOUT_MS,
  );
});
