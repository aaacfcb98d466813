import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createOrganization, tokenFor } from '../factories/community.factory';
import { createContact } from '../factories/contact.factory';
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
  WebApp,
  WebUser,
} from './support/browser';
import { enText } from './support/i18n';

/**
 * Journey 2 of issue 16: a working-group member checks who to write to now at Instagram for
 * Mexico, in English. The page and `GET /v1/contacts?best=true` name the same people in the same
 * order: a Facebook partner manager who covers Instagram, and the successor of an Instagram
 * contact who left (never the one who left), each with when they were last verified.
 */
describe('web interface: a working-group member checks who to write to now (Chromium)', () => {
  let web: WebApp;
  let browser: Browser;
  let member: WebUser;
  let token: string;
  let context: BrowserContext;
  let page: Page;
  const people = {
    manager: { id: '', fullName: 'Ana Pérez' },
    departed: { id: '', fullName: 'Beatriz Solís' },
    successor: { id: '', fullName: 'Carla Núñez' },
  };

  beforeAll(async () => {
    [web, browser] = await Promise.all([startWebApp(), launchBrowser()]);
    const org = await createOrganization(web.app, { countries: ['MX'], languages: ['es', 'en'] });
    member = await createWebUser(web, org.id, 'member', { language: 'en' });
    token = await tokenFor(web.app, member.id);
    const shared = { countries: ['MX'], languages: ['es'], tlp: 'GREEN' as const };
    people.manager.id = (
      await createContact(web.app, token, {
        ...shared,
        platformCode: 'facebook',
        otherPlatformCodes: ['instagram'],
        fullName: people.manager.fullName,
      })
    ).id;
    people.departed.id = (
      await createContact(web.app, token, {
        ...shared,
        platformCode: 'instagram',
        fullName: people.departed.fullName,
      })
    ).id;
    people.successor.id = (
      await createContact(web.app, token, {
        platformCode: 'instagram',
        languages: ['es'],
        tlp: 'GREEN',
        fullName: people.successor.fullName,
      })
    ).id;
    const verified = await call(t(), 'POST', `/v1/contacts/${people.manager.id}/verify`, {
      token,
      body: { note: 'Answered on Signal' },
    });
    expect(verified.status).toBeLessThan(300);
    const left = await call(t(), 'POST', `/v1/contacts/${people.departed.id}/departure`, {
      token,
      body: {
        leftOn: '2026-11-01',
        reason: 'Moved to another team',
        successorContactId: people.successor.id,
      },
    });
    expect(left.status).toBeLessThan(300);
    context = await newContext(browser, web);
    page = await context.newPage();
  }, BROWSER_TIMEOUT_MS);

  const t = () => web.app;

  afterAll(async () => {
    await browser?.close();
    await web?.close();
  });

  it(
    'the page and the API name the same people in the same order, the one who left never',
    async () => {
      await signIn(page, member);
      await page.goto('/web/contacts');
      await page.getByLabel(enText('ui.col.platform')).selectOption('instagram');
      await page.getByLabel(enText('ui.directory.country')).selectOption('MX');
      await Promise.all([
        page.waitForURL(/platform=instagram/),
        page.getByRole('button', { name: enText('ui.directory.show') }).click(),
      ]);
      const best = page.locator('section[aria-labelledby="best-heading"] li');
      const shown = await best.locator('a').allTextContents();

      const api = await call<{
        data: { id: string; fullName: string; lastVerifiedAt: string | null }[];
      }>(t(), 'GET', '/v1/contacts', {
        token,
        query: { platform: 'instagram', country: 'MX', best: 'true' },
      });
      expect(api.status).toBe(200);
      expect(shown).toEqual(api.body.data.map((c) => c.fullName));
      expect(shown).toEqual(
        expect.arrayContaining([people.manager.fullName, people.successor.fullName]),
      );
      expect(shown).not.toContain(people.departed.fullName);

      // When each was last verified, as the API says (the manager was, just now).
      const manager = api.body.data.find((c) => c.id === people.manager.id)!;
      expect(manager.lastVerifiedAt).not.toBeNull();
      const line = await best.filter({ hasText: people.manager.fullName }).textContent();
      expect(line).toContain(enText('ui.directory.lastVerified', { date: '' }).trim());

      await screenshot(page, 'who-to-write-now');
      const violations = await seriousA11yViolations(page);
      if (violations.length) console.error(describeA11y('who-to-write-now', violations));
      expect(violations).toEqual([]);
      await page.setViewportSize({ width: 320, height: 640 });
      await expect(
        page.evaluate<number>('document.documentElement.scrollWidth'),
      ).resolves.toBeLessThanOrEqual(320);
    },
    BROWSER_TIMEOUT_MS,
  );
});
