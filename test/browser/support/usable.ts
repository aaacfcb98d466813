import type { Page } from 'playwright-core';
import { describeA11y, PHONE, screenshot, seriousA11yViolations, visibleTexts } from './browser';
import { englishFindings, englishOnlyTexts } from './i18n';

/** The narrowest screen a page must reflow to (WCAG 1.4.10). */
export const NARROW = 320;
const ENGLISH = englishOnlyTexts();

/**
 * Texts a line break cut inside a word: the longest word of a labelled value, a table cell or a
 * timeline line is wider than its box (addresses, hashes, codes and times may wrap anywhere; a
 * visually hidden header has no box).
 */
function wordsCut(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(`(() => {
    const canvas = document.createElement('canvas').getContext('2d');
    const cut = [];
    for (const el of document.querySelectorAll('.facts dt, .facts dd, .timeline li > *, td, th')) {
      if (el.closest('code, .hash') || el.matches('time') || el.clientWidth <= 1) continue;
      const style = getComputedStyle(el);
      canvas.font = style.fontWeight + ' ' + style.fontSize + ' ' + style.fontFamily;
      const text = [...el.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join(' ');
      const width = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      for (const word of text.split(/\\s+/).filter((w) => w && !/[/:@.]/.test(w))) {
        if (canvas.measureText(word).width > width + 1) cut.push(word + ' in ' + el.tagName);
      }
    }
    return cut;
  })()`);
}

/**
 * A page as a Spanish-speaking helpline worker meets it on her phone: in Spanish with no
 * English-only text, no serious or critical axe finding, and at 390 and 320 px no sideways
 * scrolling and no word cut in two. Writes `<name>.png` for review; leaves the phone's size.
 */
export async function expectUsableInSpanishOnPhone(page: Page, name: string): Promise<void> {
  await screenshot(page, name);
  await expect(page.locator('html').getAttribute('lang')).resolves.toBe('es');
  const texts = await visibleTexts(page);
  expect(texts.length).toBeGreaterThan(3);
  expect({ name, english: englishFindings(texts, ENGLISH) }).toEqual({ name, english: [] });
  const violations = await seriousA11yViolations(page);
  if (violations.length) console.error(describeA11y(name, violations));
  expect(violations.map((v) => `${v.id} (${v.impact}) at ${v.targets.join(', ')}`)).toEqual([]);
  const found: Record<number, { width: number; cut: string[] }> = {};
  for (const width of [PHONE.viewport.width, NARROW]) {
    await page.setViewportSize({ width, height: PHONE.viewport.height });
    found[width] = {
      width: await page.evaluate<number>('document.documentElement.scrollWidth'),
      cut: await wordsCut(page),
    };
  }
  await page.setViewportSize(PHONE.viewport);
  expect({ name, found }).toEqual({
    name,
    found: {
      [PHONE.viewport.width]: { width: PHONE.viewport.width, cut: [] },
      [NARROW]: { width: NARROW, cut: [] },
    },
  });
}
