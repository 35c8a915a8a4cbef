import assert from 'node:assert/strict';
import type { Page, Response } from 'playwright-core';
import type { BrowserHarness } from './browser.ts';

/** What has keyboard focus, as browser tests see it. */
export interface Focused {
  tag: string;
  id: string;
  name: string | null;
  text: string;
  href: string | null;
  errorSummary: boolean;
  html: string;
}

/** What has keyboard focus now. */
export function focused(page: Page): Promise<Focused> {
  return page.evaluate(() => {
    interface El {
      tagName: string;
      id: string;
      outerHTML: string;
      textContent: string | null;
      getAttribute(name: string): string | null;
      hasAttribute(name: string): boolean;
    }
    const el = (globalThis as unknown as { document: { activeElement: El | null } }).document.activeElement;
    if (!el)
      return { tag: '', id: '', name: null, text: '', href: null, errorSummary: false, html: '(nothing)' };
    return {
      tag: el.tagName,
      id: el.id,
      name: el.getAttribute('name'),
      text: (el.textContent ?? '').replace(/\s+/g, ' ').trim(),
      href: el.getAttribute('href'),
      errorSummary: el.hasAttribute('data-error-summary'),
      html: el.outerHTML.slice(0, 200),
    };
  });
}

/** Presses Tab until `wanted` has focus; fails after `max` presses, naming the stops it passed. */
export async function tabTo(page: Page, wanted: (f: Focused) => boolean, max = 40): Promise<Focused> {
  const passed: string[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const now = await focused(page);
    if (wanted(now)) return now;
    passed.push(now.id || now.text || now.tag);
  }
  throw new Error(`not reached with ${max} Tab(s); passed: ${passed.join(' | ')}`);
}

/**
 * Console errors since `from`, leaving out the browser's note about a 400 or 403 form page (showing
 * the form again with its errors is the point there).
 */
export function assertNoConsoleErrors(h: BrowserHarness, from: number): void {
  const errors = h.consoleErrors.slice(from).filter((e) => !/status of 40[03]/.test(e));
  assert.deepEqual(errors, [], 'no console errors or CSP violations');
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Presses `key` and waits for the page to load; the statuses of the main-frame navigations on the way. */
export const pressAndLoad = (page: Page, key: string): Promise<number[]> =>
  actAndLoad(page, () => page.keyboard.press(key));

/** Does `action` (a key press, a click) and waits for the page to load; the navigations' statuses. */
export async function actAndLoad(page: Page, action: () => Promise<unknown>): Promise<number[]> {
  const statuses: number[] = [];
  const onResponse = (response: Response) => {
    if (response.request().isNavigationRequest() && response.frame() === page.mainFrame()) {
      statuses.push(response.status());
    }
  };
  page.on('response', onResponse);
  try {
    await Promise.all([page.waitForEvent('load'), action()]);
  } finally {
    page.off('response', onResponse);
  }
  return statuses;
}

/** The page's one h1 (fails when there is none or more than one). */
export async function h1(page: Page): Promise<string> {
  const headings = await page.locator('h1').allTextContents();
  assert.equal(headings.length, 1, `exactly one h1, found ${JSON.stringify(headings)}`);
  return (headings[0] ?? '').trim();
}
