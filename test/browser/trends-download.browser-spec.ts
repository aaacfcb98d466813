import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import type { Browser } from 'playwright-core';
import { PatternProjection } from '../../src/patterns/pattern-projection';
import { createCase } from '../factories/case.factory';
import { createOrganization, tokenFor } from '../factories/community.factory';
import {
  BROWSER_TIMEOUT_MS,
  createWebUser,
  launchBrowser,
  newContext,
  screenshot,
  signIn,
  startWebApp,
  WebApp,
} from './support/browser';
import { enText } from './support/i18n';

/**
 * An advocate (role `viewer`: reads and exports reports, changes nothing) of an organisation
 * that logged none of the cases downloads the community's trend CSV from the trends page.
 */
describe('web interface: an advocate downloads a trend CSV (Chromium)', () => {
  let web: WebApp;
  let browser: Browser;
  /** The month of the seeded escalations, YYYY-MM. */
  let month: string;

  beforeAll(async () => {
    [web, browser] = await Promise.all([startWebApp(), launchBrowser()]);
    const [orgA, orgB] = await Promise.all([
      createOrganization(web.app),
      createOrganization(web.app),
    ]);
    const [a, b] = await Promise.all([
      createWebUser(web, orgA.id, 'member'),
      createWebUser(web, orgB.id, 'member'),
    ]);
    // Ten consenting escalations, five from each of two organisations: a cell the protection
    // shows (at least k = 5 cases outside the largest organisation), so the CSV has a figure,
    // perturbed by at most 2, not only a suppressed row.
    const escalatedAt = new Date(Date.now() - 3_600_000);
    month = escalatedAt.toISOString().slice(0, 7);
    const body = { consentToSharePattern: true, escalatedAt: escalatedAt.toISOString() };
    const [tokenA, tokenB] = await Promise.all([tokenFor(web.app, a.id), tokenFor(web.app, b.id)]);
    for (const token of [...Array<string>(5).fill(tokenA), ...Array<string>(5).fill(tokenB)]) {
      await createCase(web.app, token, body);
    }
    // What the workers would do within seconds (this app runs the API role only).
    await web.app.get(PatternProjection).catchUp();
  }, BROWSER_TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    await web?.close();
  });

  it(
    'the trends page of an advocate offers a CSV download with a header row and the community figures',
    async () => {
      const advocateOrg = await createOrganization(web.app);
      const advocate = await createWebUser(web, advocateOrg.id, 'viewer');
      const context = await newContext(browser, web, { acceptDownloads: true });
      try {
        const page = await context.newPage();
        await signIn(page, advocate);
        await page.getByRole('link', { name: enText('ui.insights.nav.trends') }).click();
        await page.waitForURL('**/web/trends');
        await page.getByLabel(enText('ui.insights.from')).fill(month);
        await page.getByLabel(enText('ui.insights.to')).fill(month);
        await Promise.all([
          page.waitForURL(/\/web\/trends\?/),
          page.getByRole('button', { name: enText('ui.directory.show') }).click(),
        ]);
        await screenshot(page, 'trends');
        // The newcomer is told why a figure may be off by a little and why one is hidden.
        expect(await page.locator('main').textContent()).toContain(
          enText('ui.insights.suppressionNote', { k: '5' }),
        );

        const [download] = await Promise.all([
          page.waitForEvent('download'),
          page.getByRole('link', { name: enText('ui.reports.trendsCsv') }).click(),
        ]);
        expect(download.suggestedFilename()).toMatch(/\.csv$/);
        expect(await download.failure()).toBeNull();
        const text = (await readFile(await download.path()))
          .toString('utf8')
          .replace(/^\uFEFF/, '');
        const rows = parse(text) as string[][];
        expect(rows[0]).toEqual([
          enText('column.month'),
          enText('column.count'),
          enText('column.organizations'),
          enText('column.suppressed'),
        ]);
        // Every row as wide as the header; the seeded month counted from both organisations,
        // within 2 of the 10 cases.
        expect(rows.every((r) => r.length === 4)).toBe(true);
        const seeded = rows.find((r) => r[0].includes(month));
        expect(seeded?.slice(2)).toEqual(['2', 'false']);
        expect(Math.abs(Number(seeded?.[1]) - 10)).toBeLessThanOrEqual(2);
        // The last row tells what the protection does, in the first cell.
        const [note, ...empty] = rows[rows.length - 1];
        expect(note).toMatch(/^How these figures are protected/);
        expect(empty).toEqual(['', '', '']);
        // Nothing of the cases themselves: only the aggregate.
        expect(text).not.toMatch(/ESC-\d{4}-/);
      } finally {
        await context.close();
      }
    },
    BROWSER_TIMEOUT_MS,
  );
});
