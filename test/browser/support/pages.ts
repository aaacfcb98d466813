import type { Page } from 'playwright-core';
import { pageName } from './browser';

export interface MainPage {
  name: string;
  /** The address; `{case}` and `{contact}` stand for a seeded record's id. */
  path: string;
  /** The status the page answers (the not-found page answers 404). */
  status: number;
}

/**
 * Every page of the main navigation (the test "the navigation links only to pages checked
 * here" fails when one is added to the layout and not here), plus the pages reached from them.
 */
export const NAVIGATION_PATHS = [
  '/web/cases',
  '/web/cases/new',
  '/web/contacts',
  '/web/partners',
  '/web/registry',
  '/web/organizations',
  '/web/working-groups',
  '/web/meetings',
  '/web/trends',
  '/web/scorecard',
  '/web/campaigns',
  '/web/emerging',
  '/web/reports',
  '/web/settings',
] as const;

export const MAIN_PAGES: readonly MainPage[] = [
  ...NAVIGATION_PATHS.map((path) => ({ name: pageName(path), path, status: 200 })),
  { name: 'case', path: '/web/cases/{case}', status: 200 },
  { name: 'contact', path: '/web/contacts/{contact}', status: 200 },
  { name: 'not-found', path: '/web/no-such-page', status: 404 },
];

/** Opens a main page and checks it answered as expected (a 500 is never a page to check). */
export async function open(
  page: Page,
  target: MainPage,
  ids: { case: string; contact: string },
): Promise<void> {
  const path = target.path.replace('{case}', ids.case).replace('{contact}', ids.contact);
  const answer = await page.goto(path);
  const status = answer?.status();
  if (status !== target.status) {
    throw new Error(`${path} answered ${status}, expected ${target.status}`);
  }
}
