import type { Browser, BrowserContext, Page } from 'playwright-core';
import { RetentionService } from '../../src/retention/retention.service';
import { createCase } from '../factories/case.factory';
import { createOrganization, tokenFor } from '../factories/community.factory';
import { call } from '../support/http';
import {
  BROWSER_TIMEOUT_MS,
  createWebUser,
  launchBrowser,
  newContext,
  PHONE,
  signIn,
  startWebApp,
  WebApp,
  WebUser,
} from './support/browser';
import { esText } from './support/i18n';
import { expectUsableInSpanishOnPhone } from './support/usable';

/**
 * Issue 20 in the browser: an org_admin decides on her phone, in Spanish, how long closed cases
 * keep their content; the daily sweep applies it, and the case page then says when the content
 * was removed. Both pages checked for Spanish, axe, sideways scrolling and cut words.
 */
describe('web interface: an org_admin sets the retention of closed cases on a phone, in Spanish (Chromium)', () => {
  let web: WebApp;
  let browser: Browser;
  let admin: WebUser;
  let context: BrowserContext;
  let page: Page;
  let caseId: string;
  let title: string;

  beforeAll(async () => {
    [web, browser] = await Promise.all([startWebApp(), launchBrowser()]);
    const org = await createOrganization(web.app, { countries: ['BO'], languages: ['es'] });
    admin = await createWebUser(web, org.id, 'org_admin', {
      language: 'es',
      timezone: 'America/La_Paz',
    });
    const member = await createWebUser(web, org.id, 'member', { language: 'es' });
    const token = await tokenFor(web.app, member.id);
    const made = await createCase(web.app, token, {
      escalatedAt: '2023-02-01T10:00:00.000Z',
      title: 'Difusión de fotos íntimas',
    });
    caseId = made.id;
    title = made.title;
    const closed = await call(web.app, 'POST', `/v1/cases/${caseId}/events`, {
      token,
      body: { type: 'closed', occurredAt: '2023-02-10T10:00:00.000Z' },
    });
    expect(closed.status).toBe(201);
    context = await newContext(browser, web, { locale: 'es-BO', screen: PHONE });
    page = await context.newPage();
    await signIn(page, admin);
  }, BROWSER_TIMEOUT_MS);
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await web?.close();
  });

  it(
    'chooses 24 months and keeping the hashes, saved and shown chosen',
    async () => {
      await page.goto('/web/settings');
      const section = page.locator('section[aria-labelledby="retention-heading"]');
      await expect(section.locator('h2').textContent()).resolves.toBe(
        esText('ui.settings.retention.title'),
      );
      await expectUsableInSpanishOnPhone(page, 'es-phone-settings-retention');
      await section.getByLabel(esText('ui.settings.retention.months')).selectOption('24');
      await section.getByLabel(esText('ui.settings.retention.keepHashes')).check();
      await Promise.all([
        page.waitForURL(/done=retentionSaved$/),
        section.getByRole('button', { name: esText('ui.settings.retention.save') }).click(),
      ]);
      await expect(page.getByText(esText('ui.settings.retention.saved')).count()).resolves.toBe(1);
      await expect(page.locator('#retention-months').inputValue()).resolves.toBe('24');
      await expect(page.locator('#retention-hashes').isChecked()).resolves.toBe(true);
      const rows = await web.db.query(
        'SELECT closed_case_months, keep_indicator_hashes FROM retention_policies WHERE organization_id = $1',
        [admin.organizationId],
      );
      expect(rows).toEqual([{ closed_case_months: 24, keep_indicator_hashes: true }]);
    },
    BROWSER_TIMEOUT_MS,
  );

  it(
    'after the sweep, the case page says when its content was removed',
    async () => {
      expect(await web.app.get(RetentionService).sweep()).toEqual({
        organizations: 1,
        redacted: 1,
      });
      await page.goto(`/web/cases/${caseId}`);
      const notice = page.locator('p.notice[role="status"]');
      const [before, after] = esText('ui.case.contentRemoved', { date: '§' }).split('§');
      const text = (await notice.textContent()) ?? '';
      expect(text.startsWith(before)).toBe(true);
      expect(text.trim().endsWith(after.trim())).toBe(true);
      await expect(page.content()).resolves.not.toContain(title);
      await expectUsableInSpanishOnPhone(page, 'es-phone-case-content-removed');
    },
    BROWSER_TIMEOUT_MS,
  );
});
