import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createCase } from '../factories/case.factory';
import { createOrganization, tokenFor } from '../factories/community.factory';
import { createContact } from '../factories/contact.factory';
import {
  BROWSER_TIMEOUT_MS,
  createWebUser,
  describeA11y,
  launchBrowser,
  navigationPaths,
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
import { MAIN_PAGES, NAVIGATION_PATHS, open } from './support/pages';

/**
 * Every main page, in real Chromium: axe-core finds no serious or critical violation, the
 * sign-in form works with the keyboard alone, and a Spanish-speaking user meets no English.
 * Screenshots of each page go to test-output/screenshots/ (<page>.png, es-<page>.png).
 */
describe('web interface: accessibility, keyboard and language of the main pages (Chromium)', () => {
  let web: WebApp;
  let browser: Browser;
  let member: WebUser;
  let spanish: WebUser;
  const ids = { case: '', contact: '' };
  /** One signed-in tab per language, reused by every page's test. */
  let enContext: BrowserContext;
  let en: Page;
  let esContext: BrowserContext;
  let es: Page;
  const english = englishOnlyTexts();

  /** axe-core's serious and critical violations, printed with their rule, impact and targets. */
  async function expectAccessible(page: Page, name: string): Promise<void> {
    const violations = await seriousA11yViolations(page);
    await screenshot(page, name);
    if (violations.length) console.error(describeA11y(name, violations));
    expect(violations.map((v) => `${v.id} (${v.impact}) at ${v.targets.join(', ')}`)).toEqual([]);
  }

  /** The page's language is Spanish and none of its texts is an English-only message. */
  async function expectSpanish(page: Page, name: string): Promise<void> {
    await screenshot(page, `es-${name}`);
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('es');
    const texts = await visibleTexts(page);
    expect(texts.length).toBeGreaterThan(3);
    expect(englishFindings(texts, english)).toEqual([]);
  }

  beforeAll(async () => {
    [web, browser] = await Promise.all([startWebApp(), launchBrowser()]);
    const org = await createOrganization(web.app);
    [member, spanish] = await Promise.all([
      createWebUser(web, org.id, 'member', { timezone: 'America/La_Paz' }),
      createWebUser(web, org.id, 'member', { language: 'es', timezone: 'America/La_Paz' }),
    ]);
    // Records for the lists and the detail pages to show.
    const token = await tokenFor(web.app, member.id);
    ids.case = (await createCase(web.app, token, { title: 'Amenazas a una periodista' })).id;
    await createCase(web.app, token, { title: 'Suplantación de una activista', urgency: 'low' });
    ids.contact = (
      await createContact(web.app, token, { countries: ['BO'], languages: ['es'] })
    ).id;
    [enContext, esContext] = await Promise.all([
      newContext(browser, web),
      newContext(browser, web, { locale: 'es-ES' }),
    ]);
    [en, es] = await Promise.all([enContext.newPage(), esContext.newPage()]);
  }, BROWSER_TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    await web?.close();
  });

  it(
    'the sign-in form can be completed and submitted with the keyboard alone',
    async () => {
      const context = await newContext(browser, web);
      try {
        const page = await context.newPage();
        await page.goto('/web/sign-in');
        const focused = () =>
          page.evaluate<string>(
            `(() => { const el = document.activeElement; return el ? [el.id || el.getAttribute('name') || '', el.tagName.toLowerCase(), el.getAttribute('type') || ''].join('|') : ''; })()`,
          );
        // From the top of the page, Tab reaches the e-mail field within a few presses (the
        // skip link and the brand link come first).
        let presses = 0;
        while (!(await focused()).startsWith('email|') && presses < 10) {
          await page.keyboard.press('Tab');
          presses += 1;
        }
        expect(await focused()).toBe('email|input|email');
        await page.keyboard.type(member.email);
        await page.keyboard.press('Tab');
        expect(await focused()).toBe('password|input|password');
        await page.keyboard.type(member.password);
        await page.keyboard.press('Tab');
        expect(await focused()).toMatch(/\|button\|submit$/);
        await Promise.all([page.waitForURL('**/web/cases'), page.keyboard.press('Enter')]);
        await expect(page.locator('header').textContent()).resolves.toContain(
          enText('ui.nav.signedInAs', { name: member.displayName }),
        );
      } finally {
        await context.close();
      }
    },
    BROWSER_TIMEOUT_MS,
  );

  describe('axe-core: no serious or critical violation', () => {
    it(
      'sign-in, and sign-in with its error',
      async () => {
        await en.goto('/web/sign-in');
        await expectAccessible(en, 'sign-in');
        await en.locator('input[name="email"]').fill(member.email);
        await en.locator('input[name="password"]').fill('not-the-password-at-all');
        await Promise.all([
          en.waitForResponse((r) => r.request().method() === 'POST'),
          en.locator('form:has(input[name="password"]) button[type="submit"]').click(),
        ]);
        await expectAccessible(en, 'sign-in-failed');
        await signIn(en, member);
      },
      BROWSER_TIMEOUT_MS,
    );

    it(
      'the navigation links only to pages checked here',
      async () => {
        await en.goto('/web/cases');
        const linked = await navigationPaths(en);
        expect(linked.length).toBeGreaterThan(0);
        expect(linked.filter((p) => !(NAVIGATION_PATHS as readonly string[]).includes(p))).toEqual(
          [],
        );
      },
      BROWSER_TIMEOUT_MS,
    );

    it.each(MAIN_PAGES.map((p) => [p.name, p] as const))(
      '%s',
      async (name, target) => {
        await open(en, target, ids);
        await expectAccessible(en, name);
      },
      BROWSER_TIMEOUT_MS,
    );

    it(
      'the escalation form sent empty, with its field errors',
      async () => {
        await en.goto('/web/cases/new');
        await Promise.all([
          en.waitForResponse((r) => r.request().method() === 'POST'),
          en.getByRole('button', { name: enText('ui.new.submit') }).click(),
        ]);
        await expect(en.locator('[aria-invalid="true"]').count()).resolves.toBeGreaterThan(0);
        await expectAccessible(en, 'cases-new-errors');
      },
      BROWSER_TIMEOUT_MS,
    );
  });

  // axe-core does not check WCAG 2.1 SC 1.4.10 (Reflow, AA): measured here.
  it(
    'no signed-in page scrolls sideways on a 320 px wide screen (WCAG 1.4.10 reflow)',
    async () => {
      const context = await browser.newContext({
        baseURL: web.baseUrl,
        viewport: { width: 320, height: 640 },
      });
      const wide: string[] = [];
      try {
        const page = await context.newPage();
        await signIn(page, member);
        for (const target of MAIN_PAGES) {
          await open(page, target, ids);
          const width = await page.evaluate<number>('document.documentElement.scrollWidth');
          if (width > 320) wide.push(`${target.name}: ${width} px`);
        }
      } finally {
        await context.close();
      }
      expect(wide).toEqual([]);
    },
    BROWSER_TIMEOUT_MS,
  );

  describe('Spanish: no English-only text', () => {
    it(
      'has English-only texts to look for, and finds them on an English page (control)',
      async () => {
        expect(english.length).toBeGreaterThan(100);
        await en.goto(`/web/cases/${ids.case}`);
        expect((await en.locator('html').getAttribute('lang'))?.startsWith('en')).toBe(true);
        const found = englishFindings(await visibleTexts(en), english);
        expect(found.length).toBeGreaterThan(10);
      },
      BROWSER_TIMEOUT_MS,
    );

    it(
      'sign-in, chosen by Accept-Language before signing in',
      async () => {
        await es.goto('/web/sign-in');
        await expectSpanish(es, 'sign-in');
        await signIn(es, spanish);
      },
      BROWSER_TIMEOUT_MS,
    );

    it.each(MAIN_PAGES.map((p) => [p.name, p] as const))(
      '%s',
      async (name, target) => {
        await open(es, target, ids);
        await expectSpanish(es, name);
      },
      BROWSER_TIMEOUT_MS,
    );

    it(
      'the case page after a step, and the escalation form with its field errors',
      async () => {
        await es.goto(`/web/cases/${ids.case}`);
        const step = es.locator('form:has(input[name="type"][value="follow_up_sent"])');
        await Promise.all([
          es.waitForURL(/\?done=step$/),
          step.locator('button[type="submit"]').click(),
        ]);
        await expectSpanish(es, 'case-step-done');
        await es.goto('/web/cases/new');
        await Promise.all([
          es.waitForResponse((r) => r.request().method() === 'POST'),
          es.locator('form[action="/web/cases"] button[type="submit"]:not([value])').click(),
        ]);
        await expect(es.locator('[aria-invalid="true"]').count()).resolves.toBeGreaterThan(0);
        await expectSpanish(es, 'cases-new-errors');
      },
      BROWSER_TIMEOUT_MS,
    );

    it(
      'signed out, the page stays in the browser language',
      async () => {
        await es.goto('/web/cases');
        await Promise.all([
          es.waitForURL(/\/web\/sign-in/),
          es.locator('form[action="/web/sign-out"] button[type="submit"]').click(),
        ]);
        await expectSpanish(es, 'signed-out');
      },
      BROWSER_TIMEOUT_MS,
    );
  });
});
