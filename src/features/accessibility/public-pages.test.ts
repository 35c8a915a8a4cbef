import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import {
  assertNoAxeViolations,
  formatAxeViolations,
  runAxe,
  startBrowserHarness,
  type BrowserHarness,
} from '../../test/browser.ts';
import { staticGetPaths } from './discover-pages.ts';

/**
 * Every page the app serves, in both languages, in a real browser: axe-core's WCAG 2.1 A/AA rules, the
 * page language, one h1, no console errors (which include CSP violations) and not a single request to
 * another origin. Pages are found from the app's routes, so a new page is covered without touching this
 * file. Pages run one after another in one browser to keep CI time low.
 */
test('public pages are accessible and load nothing from elsewhere', { timeout: 120_000 }, async (t) => {
  const harness = await startBrowserHarness();
  try {
    const { app } = harness.testApp;
    const pages: string[] = [];
    for (const path of staticGetPaths(app)) {
      const response = await app.inject({ method: 'GET', url: path });
      const contentType = String(response.headers['content-type'] ?? '');
      const reason =
        response.statusCode >= 500
          ? undefined // a broken page is tested (and fails), never skipped
          : response.statusCode >= 400
            ? `answers ${response.statusCode} without a session or parameters`
            : response.statusCode >= 300
              ? `redirects (${response.statusCode}) to ${String(response.headers.location)}`
              : !contentType.startsWith('text/html')
                ? `not HTML (${contentType || 'no content type'})`
                : undefined;
      if (reason) t.diagnostic(`skipped ${path}: ${reason}`);
      else pages.push(path);
    }
    assert.ok(pages.includes('/') && pages.includes('/en'), `found pages: ${pages.join(', ')}`);
    t.diagnostic(`checking ${pages.length} pages: ${pages.join(' ')}`);

    // One tab for all pages keeps the suite fast; after a failure the next page gets a fresh tab, so
    // whatever a failing page left behind cannot disturb the next one.
    let page: Page | undefined;
    const inPage = (check: (page: Page) => Promise<void>) => async () => {
      page ??= await harness.newPage();
      try {
        await check(page);
      } catch (error) {
        await page.close();
        page = undefined;
        throw error;
      }
    };
    await t.test('the checks themselves notice problems', async () => {
      const own = await harness.newPage(); // it navigates away and breaks the page on purpose
      try {
        await checkTheChecks(harness, own);
      } finally {
        await own.close();
      }
    });
    for (const path of pages) {
      await t.test(
        path,
        inPage((p) => checkPage(harness, p, path, 200)),
      );
    }
    for (const path of ['/bestaat-niet', '/en/does-not-exist']) {
      await t.test(
        `404 page ${path}`,
        inPage((p) => checkPage(harness, p, path, 404)),
      );
    }
  } finally {
    await harness.close();
  }
});

async function checkPage(harness: BrowserHarness, page: Page, path: string, status: number): Promise<void> {
  const firstRequest = harness.requests.length;
  const firstError = harness.consoleErrors.length;
  const response = await page.goto(harness.baseUrl + path, { waitUntil: 'load' });
  assert.equal(response?.status(), status, `${path} answers ${status}`);

  const problems: string[] = [];
  try {
    await assertNoAxeViolations(page, path);
  } catch (error) {
    problems.push((error as Error).message);
  }

  const facts = await page.evaluate(() => {
    const d = (globalThis as unknown as { document: PageDocument }).document;
    return {
      lang: d.documentElement.getAttribute('lang'),
      h1s: d.querySelectorAll('h1').length,
      title: d.title.trim(),
    };
  });
  const expectedLang = path === '/en' || path.startsWith('/en/') ? 'en' : 'nl';
  if (facts.lang !== expectedLang) {
    problems.push(`<html lang> is ${JSON.stringify(facts.lang)}, expected "${expectedLang}"`);
  }
  if (facts.h1s !== 1) problems.push(`has ${facts.h1s} h1 elements, expected exactly 1`);
  if (!facts.title) problems.push('has an empty <title>');

  try {
    harness.assertNoForeignRequests(firstRequest, path);
  } catch (error) {
    problems.push((error as Error).message);
  }
  const errors = harness.consoleErrors
    .slice(firstError)
    // The browser logs the 404 of the error page's own document; that is the point of the page.
    .filter((e) => !(status === 404 && /status of 404/.test(e)));
  if (errors.length > 0) problems.push(`console errors:\n  ${errors.join('\n  ')}`);

  assert.ok(problems.length === 0, `${path}:\n${problems.join('\n')}`);
}

/** Breaks the home page on purpose, so a harness that silently checks nothing cannot pass. */
async function checkTheChecks(harness: BrowserHarness, page: Page): Promise<void> {
  const firstRequest = harness.requests.length;
  const firstError = harness.consoleErrors.length;
  await page.goto(`${harness.baseUrl}/`);
  await page.evaluate(() => {
    const d = (globalThis as unknown as { document: PageDocument }).document;
    const button = d.createElement('button'); // no accessible name
    d.body.appendChild(button);
    button.setAttribute('style', 'color: red'); // an inline style the CSP refuses
  });
  const violations = await runAxe(page);
  assert.ok(
    violations.some((v) => v.id === 'button-name'),
    `axe did not report the nameless button: ${formatAxeViolations(violations)}`,
  );
  await assert.rejects(page.goto('https://elsewhere.example/'), /ERR_BLOCKED_BY_CLIENT/);
  assert.deepEqual(
    harness.foreignRequests(firstRequest).map((r) => r.url),
    ['https://elsewhere.example/'],
  );
  assert.throws(() => harness.assertNoForeignRequests(firstRequest), /elsewhere\.example/);
  assert.ok(
    harness.consoleErrors.slice(firstError).some((e) => /Content Security Policy/.test(e)),
    `no CSP violation seen in: ${harness.consoleErrors.slice(firstError).join(' | ')}`,
  );
}

/** The little of the DOM this file uses (the project compiles without the DOM library). */
interface PageDocument {
  documentElement: { getAttribute(name: string): string | null };
  querySelectorAll(selector: string): { length: number };
  title: string;
  createElement(tag: string): { setAttribute(name: string, value: string): void };
  body: { appendChild(node: unknown): void };
}
