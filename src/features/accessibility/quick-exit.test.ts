import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BrowserContext, Page } from 'playwright-core';
import { startBrowserHarness, type BrowserHarness } from '../../test/browser.ts';

/**
 * The quick exit ("Snel weg") in a real browser. Without JavaScript it is a plain link to a neutral site;
 * with JavaScript (public/js/app.js) a click on `[data-quick-exit]` or Escape pressed twice within a
 * second does `location.replace(href)`, so the Back button does not lead back to us. The neutral site is
 * answered locally: no test touches the real network.
 */
describe('quick exit', { timeout: 60_000 }, () => {
  let h: BrowserHarness;
  let quickExitUrl: string;

  before(async () => {
    h = await startBrowserHarness();
    quickExitUrl = h.testApp.config.region.quickExitUrl;
    await answerNeutralSiteLocally(h.context, quickExitUrl);
  });
  // `h` is unset when the harness failed to start; that failure is the one to report.
  after(() => (h as BrowserHarness | undefined)?.close());

  /** A fresh tab on the home page: its history is [about:blank, home]. */
  async function openHome(): Promise<{ page: Page; historyBefore: number; firstRequest: number }> {
    const firstRequest = h.requests.length;
    const page = await h.newPage();
    const response = await page.goto(`${h.baseUrl}/`);
    assert.equal(response?.status(), 200);
    h.assertNoForeignRequests(firstRequest, 'loading the home page');
    return { page, historyBefore: await historyLength(page), firstRequest };
  }

  /** We are on the neutral site, our page was replaced in the history, and no Referer went along. */
  async function assertLeftWithReplace(page: Page, historyBefore: number, firstRequest: number) {
    await page.waitForURL(quickExitUrl, { timeout: 5_000 });
    const foreign = h.foreignRequests(firstRequest);
    assert.deepEqual(
      foreign.map((r) => [r.url, r.isNavigation]),
      [[quickExitUrl, true]],
      'exactly one request left the site: the navigation to the neutral site',
    );
    assert.equal(foreign[0]?.headers.referer, undefined, 'no Referer is sent to the neutral site');
    assert.equal(
      await historyLength(page),
      historyBefore,
      'the history grew: the quick exit must replace this page (location.replace)',
    );
    await page.goBack();
    assert.ok(!page.url().startsWith(h.baseUrl), `Back returned to the site: ${page.url()}`);
    await page.close();
  }

  it('is reached by keyboard right after the skip link, and Enter leaves', async () => {
    const { page, historyBefore, firstRequest } = await openHome();
    await page.keyboard.press('Tab');
    const first = await focused(page);
    assert.equal(first.href, '#main', `first Tab stop is the skip link, got ${first.html}`);
    assert.ok(first.visible, 'the skip link is visible when focused');
    await page.keyboard.press('Tab');
    const second = await focused(page);
    assert.ok(second.quickExit, `second Tab stop is the quick exit, got ${second.html}`);
    assert.equal(second.href, quickExitUrl);
    assert.ok(second.visible, 'the quick exit is visible in the viewport when focused');
    await page.keyboard.press('Enter');
    await assertLeftWithReplace(page, historyBefore, firstRequest);
  });

  it('skip link moves focus to the main content', async () => {
    const { page } = await openHome();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    assert.equal((await focused(page)).id, 'main');
    await page.close();
  });

  it('Escape twice within a second leaves; Escapes further apart do not', async () => {
    const { page, historyBefore, firstRequest } = await openHome();
    await page.keyboard.press('Escape');
    await page.waitForTimeout(1_200);
    await page.keyboard.press('Escape');
    await page.waitForTimeout(300);
    assert.equal(page.url(), `${h.baseUrl}/`, 'two Escapes 1.2 s apart keep the visitor on the page');
    await page.keyboard.press('Escape');
    await assertLeftWithReplace(page, historyBefore, firstRequest);
  });

  it('clicking the link leaves', async () => {
    const { page, historyBefore, firstRequest } = await openHome();
    await page.click('[data-quick-exit]');
    await assertLeftWithReplace(page, historyBefore, firstRequest);
  });

  it('without JavaScript it is a plain link to the neutral site', async () => {
    const context = await h.newContext({ javaScriptEnabled: false });
    try {
      await answerNeutralSiteLocally(context, quickExitUrl);
      const firstRequest = h.requests.length;
      const page = await context.newPage();
      await page.goto(`${h.baseUrl}/`);
      h.assertNoForeignRequests(firstRequest, 'loading the home page without JavaScript');
      const link = page.locator('a[data-quick-exit]');
      assert.equal(await link.count(), 1);
      assert.equal(await link.getAttribute('href'), quickExitUrl);
      assert.match((await link.getAttribute('rel')) ?? '', /\bnoreferrer\b/);
      assert.ok(await link.isVisible());
      await link.click();
      await page.waitForURL(quickExitUrl, { timeout: 5_000 });
      const foreign = h.foreignRequests(firstRequest);
      assert.deepEqual(
        foreign.map((r) => r.url),
        [quickExitUrl],
      );
      assert.equal(foreign[0]?.headers.referer, undefined, 'no Referer is sent to the neutral site');
    } finally {
      await context.close();
    }
  });
});

/** Answers the neutral site with a tiny local page instead of the real one. */
async function answerNeutralSiteLocally(context: BrowserContext, url: string): Promise<void> {
  const origin = new URL(url).origin;
  await context.route(
    (candidate) => candidate.origin === origin,
    (route) =>
      route.fulfill({
        status: 200,
        contentType: 'text/html; charset=utf-8',
        body: '<!DOCTYPE html><html lang="nl"><title>Weer</title><p>Neutrale pagina</p></html>',
      }),
  );
}

function historyLength(page: Page): Promise<number> {
  return page.evaluate(() => (globalThis as unknown as { history: { length: number } }).history.length);
}

interface FocusedElement {
  html: string;
  id: string;
  href: string | null;
  quickExit: boolean;
  visible: boolean;
}

/** What has keyboard focus now, and whether it is visibly inside the viewport. */
function focused(page: Page): Promise<FocusedElement> {
  return page.evaluate(() => {
    interface El {
      outerHTML: string;
      id: string;
      getAttribute(name: string): string | null;
      hasAttribute(name: string): boolean;
      getBoundingClientRect(): { top: number; left: number; bottom: number; right: number };
    }
    const w = globalThis as unknown as {
      document: { activeElement: El | null };
      innerWidth: number;
      innerHeight: number;
    };
    const el = w.document.activeElement;
    if (!el) return { html: '(nothing)', id: '', href: null, quickExit: false, visible: false };
    const box = el.getBoundingClientRect();
    return {
      html: el.outerHTML.slice(0, 200),
      id: el.id,
      href: el.getAttribute('href'),
      quickExit: el.hasAttribute('data-quick-exit'),
      visible:
        box.right > box.left &&
        box.bottom > box.top &&
        box.top >= 0 &&
        box.left >= 0 &&
        box.bottom <= w.innerHeight &&
        box.right <= w.innerWidth,
    };
  });
}
