import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import { Role } from '../../../src/common/auth/actor';
import { UsersService } from '../../../src/users/users.service';
import { TEST_PASSWORD } from '../../factories/community.factory';
import { createTestApp, TestApp } from '../../support/test-app';

/**
 * Browser tests: the real app listening on a loopback port of its own (a fresh database and
 * Redis prefix per file, from createTestApp), driven through playwright-core by the Chromium
 * `npm ci` brings (@sparticuz/chromium, unpacked by the jest global set-up) or by CHROMIUM_PATH.
 * One browser per test file; contexts (cookie jars) per user.
 */

function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH;
  if (!path) throw new Error('CHROMIUM_PATH is set by test/support/global-setup.ts');
  return path;
}
export const SCREENSHOT_DIR = join(__dirname, '..', '..', '..', 'test-output', 'screenshots');
/** Per-hook and per-test budget: the app, a browser and a few page loads on a busy 2-core CI. */
export const BROWSER_TIMEOUT_MS = 60_000;

export interface WebApp extends TestApp {
  /** http://127.0.0.1:<port>, no trailing slash. */
  baseUrl: string;
}

/** createTestApp, listening on a free loopback port (port 0: files in parallel never clash). */
export async function startWebApp(env: Record<string, string> = {}): Promise<WebApp> {
  const test = await createTestApp(env);
  await test.app.listen(0, '127.0.0.1');
  const address = test.app.getHttpServer().address() as AddressInfo;
  return Object.assign(test, { baseUrl: `http://127.0.0.1:${address.port}` });
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** A phone's screen (390 px wide, touch): the helplines work from phones at night. */
export const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

/**
 * A browser profile of its own (cookies), with the given interface language preference; a
 * 1280 px wide desktop screen unless `PHONE` (or another screen) is given.
 */
export async function newContext(
  browser: Browser,
  web: WebApp,
  options: {
    locale?: string;
    acceptDownloads?: boolean;
    screen?: {
      viewport: { width: number; height: number };
      isMobile?: boolean;
      hasTouch?: boolean;
    };
  } = {},
): Promise<BrowserContext> {
  const context = await browser.newContext({
    baseURL: web.baseUrl,
    locale: options.locale ?? 'en-GB',
    acceptDownloads: options.acceptDownloads ?? false,
    ...(options.screen ?? { viewport: { width: 1280, height: 900 } }),
  });
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(20_000);
  return context;
}

export interface WebUser {
  id: string;
  email: string;
  password: string;
  displayName: string;
  organizationId: string;
  role: Role;
  language: string;
}

let userCounter = 0;

/** A user inserted through the real service (language and timezone as a person would set them). */
export async function createWebUser(
  web: WebApp,
  organizationId: string,
  role: Role,
  options: { language?: string; timezone?: string; displayName?: string } = {},
): Promise<WebUser> {
  userCounter += 1;
  const email = `${role}-${process.pid}-${userCounter}-${Date.now().toString(36)}@example.org`;
  const user = await web.app.get(UsersService).create(null, organizationId, {
    email,
    displayName: options.displayName ?? `Browser ${role} ${userCounter}`,
    role,
    password: TEST_PASSWORD,
    ...(options.language && { language: options.language }),
    ...(options.timezone && { timezone: options.timezone }),
  });
  return {
    id: user.id,
    email,
    password: TEST_PASSWORD,
    displayName: user.displayName,
    organizationId,
    role,
    language: user.language,
  };
}

/**
 * Signs in through the real sign-in form (CSRF token, session cookie) with the mouse-free
 * basics: fill the fields found by their names, press the submit button; waits until the
 * browser has left the sign-in page.
 */
export async function signIn(page: Page, user: Pick<WebUser, 'email' | 'password'>): Promise<void> {
  await page.goto('/web/sign-in');
  const form = page.locator('form:has(input[name="password"])');
  await form.locator('input[name="email"]').fill(user.email);
  await form.locator('input[name="password"]').fill(user.password);
  await Promise.all([
    page.waitForURL((url) => !url.pathname.startsWith('/web/sign-in')),
    form.locator('button[type="submit"], input[type="submit"]').first().click(),
  ]);
}

export interface A11yFinding {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

/** axe-core on the page as it is now: the serious and critical violations. */
export async function seriousA11yViolations(page: Page): Promise<A11yFinding[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({
      id: v.id,
      impact: v.impact ?? 'unknown',
      help: v.help,
      targets: v.nodes.map((n) => n.target.map(String).join(' ')),
    }));
}

/** Formats axe findings one per line: rule id, impact, what it means, the target selectors. */
export function describeA11y(pageName: string, findings: A11yFinding[]): string {
  return findings
    .map(
      (f) => `${pageName}: ${f.id} (${f.impact}) ${f.help}\n    at ${f.targets.join('\n    at ')}`,
    )
    .join('\n');
}

/** Writes test-output/screenshots/<name>.png (the whole page). */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** A piece of text a reader meets on the page, and where. */
export interface VisibleText {
  text: string;
  /** `text` for a text node, else the attribute (aria-label, title, placeholder, alt, value). */
  source: string;
  /** The tag of the element holding it. */
  tag: string;
}

/**
 * Every text a person sees or hears on the page: rendered text nodes (options of a visible
 * select count), the accessible-name attributes, button values and the document title. The
 * script is a string because the project's TypeScript has no DOM library.
 */
const VISIBLE_TEXTS_SCRIPT = `(() => {
  const out = [];
  const norm = (s) => s.replace(/\\s+/g, ' ').trim();
  const shown = (el) => {
    if (!el) return false;
    const host = el.closest('option, optgroup') ? el.closest('select') : el;
    if (!host) return false;
    if (host.closest('[hidden], [aria-hidden="true"], script, style, template, noscript')) return false;
    return host.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true });
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = norm(node.nodeValue || '');
    if (text && shown(node.parentElement)) {
      out.push({ text, source: 'text', tag: node.parentElement.tagName.toLowerCase() });
    }
  }
  for (const el of document.body.querySelectorAll('[aria-label], [title], [placeholder], [alt], input[type=submit], input[type=button]')) {
    if (!shown(el)) continue;
    for (const attr of ['aria-label', 'title', 'placeholder', 'alt', 'value']) {
      if (attr === 'value' && !(el.tagName === 'INPUT' && (el.type === 'submit' || el.type === 'button'))) continue;
      const value = norm(el.getAttribute(attr) || '');
      if (value) out.push({ text: value, source: attr, tag: el.tagName.toLowerCase() });
    }
  }
  const title = norm(document.title);
  if (title) out.push({ text: title, source: 'document.title', tag: 'title' });
  return out;
})()`;

export function visibleTexts(page: Page): Promise<VisibleText[]> {
  return page.evaluate<VisibleText[]>(VISIBLE_TEXTS_SCRIPT);
}

/** The links of the signed-in layout's main navigation (`header nav`), as paths. */
export async function navigationPaths(page: Page): Promise<string[]> {
  const hrefs = await page.evaluate<string[]>(
    `[...document.querySelectorAll('header nav a[href]')].map((a) => a.getAttribute('href'))`,
  );
  const paths = hrefs
    .map((href) => new URL(href, 'http://x').pathname)
    .filter((path) => path.startsWith('/web/'));
  return [...new Set(paths)];
}

/** A file-system friendly name of a path: /web/cases/new -> cases-new. */
export function pageName(path: string): string {
  return (
    path
      .replace(/^\/web\/?/, '')
      .replace(/[^a-z0-9]+/gi, '-')
      .replace(/^-|-$/g, '') || 'home'
  );
}
