import type { Browser, BrowserContext, Page } from 'playwright-core';
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
  WebUser,
} from './support/browser';
import { enText } from './support/i18n';

/**
 * A member logs an escalation through the form, records the platform's response on the case
 * page and reads the response time; a member of another organisation never sees the case.
 */
describe('web interface: an escalation from the form to the response time (Chromium)', () => {
  let web: WebApp;
  let browser: Browser;
  let member: WebUser;
  let outsider: WebUser;
  let memberContext: BrowserContext;
  let page: Page;
  /** Filled by the first test, read by the second. */
  const logged = {
    id: '',
    reference: '',
    title: `Doxxing of a candidate ${Date.now().toString(36)}`,
  };

  beforeAll(async () => {
    [web, browser] = await Promise.all([startWebApp(), launchBrowser()]);
    const [orgA, orgB] = await Promise.all([
      createOrganization(web.app),
      createOrganization(web.app, { countries: ['MX'] }),
    ]);
    member = await createWebUser(web, orgA.id, 'member');
    outsider = await createWebUser(web, orgB.id, 'member');
    memberContext = await newContext(browser, web);
    page = await memberContext.newPage();
  }, BROWSER_TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    await web?.close();
  });

  it(
    'a member signs in, logs an escalation, records the platform response and sees the response time',
    async () => {
      await signIn(page, member);
      expect(new URL(page.url()).pathname).toBe('/web/cases');
      await expect(page.locator('header').textContent()).resolves.toContain(
        enText('ui.nav.signedInAs', { name: member.displayName }),
      );

      await page
        .getByRole('link', { name: enText('ui.nav.newCase') })
        .first()
        .click();
      await page.waitForURL('**/web/cases/new');
      // Fields found by their visible labels, as a person (or a screen reader) finds them.
      await page.getByLabel(enText('ui.new.channel')).selectOption('facebook/trusted_partner');
      await page.getByLabel(enText('ui.new.country')).selectOption('BO');
      await page.getByLabel(enText('ui.new.category')).selectOption('doxxing');
      await page.getByLabel(enText('ui.new.caseTitle')).fill(logged.title);
      await page
        .getByLabel(enText('ui.new.summary'))
        .fill('Home address posted with calls to visit her.');
      await page.getByLabel(enText('ui.new.escalatedNow')).check();
      // Enter in a text field logs the case (the form's other buttons come first on the page).
      await Promise.all([
        page.waitForURL(/\/web\/cases\/[0-9a-f-]{36}\?done=created$/),
        page.getByLabel(enText('ui.new.caseTitle')).press('Enter'),
      ]);
      await expect(page.getByRole('status').textContent()).resolves.toContain(
        enText('ui.case.created'),
      );
      logged.id = new URL(page.url()).pathname.split('/').pop()!;
      logged.reference = (await page.locator('h1 .reference').textContent())?.trim() ?? '';
      expect(logged.reference).toMatch(/^ESC-\d{4}-\d+$/);

      // What the database holds is what was typed, owned by the member's organisation.
      const [row] = await web.db.query<{ title: string; organization_id: string }[]>(
        'SELECT title, organization_id FROM cases WHERE id = $1',
        [logged.id],
      );
      expect(row).toEqual({ title: logged.title, organization_id: member.organizationId });

      // Open, it heads the member's own list and is in the downloads page's list.
      await page.goto('/web/cases');
      await expect(page.locator('main').textContent()).resolves.toContain(logged.reference);
      await page.goto('/web/reports');
      expect(await page.content()).toContain(logged.reference);
      await page.goto(`/web/cases/${logged.id}`);

      // The platform answers 47 minutes after the escalation (the app's clock moves; the
      // session's 60-minute idle limit is not reached).
      web.clock.advance(47 * 60_000);
      const responded = page.locator('form:has(input[name="type"][value="platform_responded"])');
      await responded.getByLabel(enText('ui.case.stepOutcome')).selectOption('content_removed');
      await responded.getByLabel(enText('ui.case.note')).fill('Removed after the second message.');
      await Promise.all([
        page.waitForURL(/\?done=step$/),
        responded.getByRole('button', { name: enText('ui.step.platform_responded') }).click(),
      ]);
      await expect(page.getByRole('status').textContent()).resolves.toContain(
        enText('ui.case.stepDone'),
      );

      const responseTime = page.locator('dt', { hasText: enText('ui.case.responseTime') });
      await expect(responseTime.count()).resolves.toBe(1);
      await expect(
        responseTime.locator('xpath=following-sibling::dd[1]').textContent(),
      ).resolves.toBe('47 minutes');
      await expect(page.locator('.timeline').textContent()).resolves.toContain(
        enText('ui.event.platform_responded'),
      );
      await screenshot(page, 'case-responded');
    },
    BROWSER_TIMEOUT_MS,
  );

  it(
    'a member of another organisation does not see the case: not in the list, its page answers not found',
    async () => {
      expect(logged.id).not.toBe('');
      // A second case of the member's organisation, still open (the first one was resolved).
      const open = await createCase(web.app, await tokenFor(web.app, member.id), {
        escalatedAt: new Date().toISOString(),
      });
      const context = await newContext(browser, web);
      try {
        const other = await context.newPage();
        await signIn(other, outsider);
        expect(new URL(other.url()).pathname).toBe('/web/cases');
        const list = (await other.locator('main').textContent()) ?? '';
        for (const hidden of [logged.reference, logged.title, open.reference, open.title]) {
          expect(list).not.toContain(hidden);
        }
        await expect(other.locator(`a[href*="${logged.id}"]`).count()).resolves.toBe(0);

        const answer = await other.goto(`/web/cases/${logged.id}`);
        expect(answer?.status()).toBe(404);
        await expect(other.locator('h1').textContent()).resolves.toBe(enText('ui.error.title.404'));
        const html = await other.content();
        expect(html).not.toContain(logged.reference);
        expect(html).not.toContain(logged.title);

        // Nor in the downloads page's list of cases, nor as a STIX download.
        await other.goto('/web/reports');
        expect(await other.content()).not.toContain(logged.reference);
        expect(await other.content()).not.toContain(open.reference);
        const stix = await other.request.get(`/web/cases/${logged.id}/stix`, { maxRedirects: 0 });
        expect(stix.status()).toBe(404);
        expect(await stix.text()).not.toContain(logged.reference);

        // Nor can a step be recorded on it, even with the outsider's own valid CSRF token.
        await other.goto('/web/cases');
        const csrf = await other.locator('input[name="_csrf"]').first().inputValue();
        const post = await other.request.post(`/web/cases/${logged.id}/events`, {
          form: { _csrf: csrf, type: 'follow_up_sent' },
          maxRedirects: 0,
        });
        expect(post.status()).toBe(404);
        expect(await post.text()).not.toContain(logged.title);
        const [{ count }] = await web.db.query<{ count: string }[]>(
          `SELECT count(*) FROM case_events WHERE case_id = $1 AND type = 'follow_up_sent'`,
          [logged.id],
        );
        expect(Number(count)).toBe(0);
      } finally {
        await context.close();
      }
    },
    BROWSER_TIMEOUT_MS,
  );
});
