import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AxeResults, Result as AxeResult, RunOptions } from 'axe-core';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Page,
} from 'playwright-core';
import { createTestApp, type TestApp } from './app.ts';

/**
 * Debian's Chromium; `.ci/run` installs it when missing. We never download a browser. `CHROMIUM_PATH`
 * points elsewhere on a developer machine without it.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

export interface RecordedRequest {
  url: string;
  method: string;
  resourceType: string;
  isNavigation: boolean;
  /** Request headers as the browser sent them (to check, e.g., that no Referer leaves the site). */
  headers: Record<string, string>;
}

export interface BrowserHarness {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  baseUrl: string;
  browser: Browser;
  /** The fresh context `newPage` opens pages in. */
  context: BrowserContext;
  testApp: TestApp;
  /** A page in the default context. */
  newPage(): Promise<Page>;
  /** Another context (e.g. `{ javaScriptEnabled: false }`) with the same recording and blocking. */
  newContext(options?: BrowserContextOptions): Promise<BrowserContext>;
  /** Every request any page in any of our contexts made, in order. */
  requests: RecordedRequest[];
  /** Console errors, uncaught page errors and CSP violations, as text. */
  consoleErrors: string[];
  /** Requests to another origin, from the `from`th recorded request on (default: all). */
  foreignRequests(from?: number): RecordedRequest[];
  /** Fails listing every request to another origin made since the `from`th recorded request. */
  assertNoForeignRequests(from?: number, label?: string): void;
  close(): Promise<void>;
}

/**
 * Starts the app on a random port on 127.0.0.1 and a headless Chromium against it.
 *
 * Requests to any other origin are recorded and aborted, so a test never touches the real network; a
 * test that expects one (the quick exit) registers its own `context.route` for that origin, which takes
 * precedence. Throws — and so fails the test, never skips it — when Chromium cannot be launched.
 */
export async function startBrowserHarness(
  appOptions: Parameters<typeof createTestApp>[0] = {},
  contextOptions: BrowserContextOptions = {},
): Promise<BrowserHarness> {
  const testApp = await createTestApp(appOptions);
  let browser: Browser;
  try {
    await testApp.app.listen({ host: '127.0.0.1', port: 0 });
    browser = await launchChromium();
  } catch (error) {
    await testApp.close();
    throw error;
  }
  const address = testApp.app.server.address();
  if (address === null || typeof address === 'string') throw new Error('app is not listening on TCP');
  const baseUrl = `http://127.0.0.1:${address.port}`;
  const origin = new URL(baseUrl).origin;

  const requests: RecordedRequest[] = [];
  const consoleErrors: string[] = [];

  async function newContext(options: BrowserContextOptions = {}): Promise<BrowserContext> {
    const context = await browser.newContext({ ...contextOptions, ...options });
    context.on('request', (request) => {
      requests.push({
        url: request.url(),
        method: request.method(),
        resourceType: request.resourceType(),
        isNavigation: request.isNavigationRequest(),
        headers: request.headers(),
      });
    });
    context.on('console', (message) => {
      if (message.type() === 'error')
        consoleErrors.push(`${message.page()?.url() ?? '?'}: ${message.text()}`);
    });
    context.on('weberror', (webError) => {
      consoleErrors.push(`${webError.page()?.url() ?? '?'}: uncaught ${String(webError.error())}`);
    });
    await context.route('**/*', (route) =>
      isForeign(route.request().url(), origin) ? route.abort('blockedbyclient') : route.continue(),
    );
    return context;
  }

  const context = await newContext();
  let closed = false;
  return {
    baseUrl,
    browser,
    context,
    testApp,
    newPage: () => context.newPage(),
    newContext,
    requests,
    consoleErrors,
    foreignRequests: (from = 0) => requests.slice(from).filter((r) => isForeign(r.url, origin)),
    assertNoForeignRequests(from = 0, label = 'the page') {
      const foreign = requests.slice(from).filter((r) => isForeign(r.url, origin));
      if (foreign.length > 0) {
        throw new Error(
          `${label} made ${foreign.length} request(s) to another origin:\n` +
            foreign.map((r) => `  ${r.method} ${r.url} (${r.resourceType})`).join('\n'),
        );
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        await browser.close();
      } finally {
        await testApp.close();
      }
    },
  };
}

async function launchChromium(): Promise<Browser> {
  try {
    return await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  } catch (error) {
    throw new Error(
      `Could not launch Chromium at ${CHROMIUM_PATH}; the browser tests need it ` +
        `(Debian: apt-get install chromium, as .ci/run does).`,
      { cause: error },
    );
  }
}

/** Other origins; `data:`, `blob:` and `about:` URLs never leave the browser. */
function isForeign(url: string, origin: string): boolean {
  if (/^(data|blob|about):/i.test(url)) return false;
  try {
    return new URL(url).origin !== origin;
  } catch {
    return true;
  }
}

// ---------------------------------------------------------------------------------------------------
// axe-core

const require = createRequire(import.meta.url);
let axeSource: string | undefined;

/** The WCAG 2.1 A and AA rules: what the Dutch accessibility standard (EN 301 549) requires. */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

export interface AxeViolation {
  id: string;
  impact: string;
  help: string;
  helpUrl: string;
  nodes: { target: string; html: string; summary: string }[];
}

interface AxeWindow {
  axe?: { run(context: unknown, options: RunOptions): Promise<AxeResults> };
  document: unknown;
}

/**
 * Runs axe-core's WCAG 2.1 A/AA rules on the page as it is now.
 *
 * axe is injected with `page.evaluate`, which the page's Content-Security-Policy does not apply to, so the
 * real CSP stays active for everything else (no inline script, no `bypassCSP`).
 */
export async function runAxe(page: Page): Promise<AxeViolation[]> {
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  const injected = await page.evaluate(() => 'axe' in globalThis);
  if (!injected) await page.evaluate(axeSource);
  const results = await page.evaluate(async (tags) => {
    const w = globalThis as unknown as AxeWindow;
    if (!w.axe) throw new Error('axe-core was not injected');
    return w.axe.run(w.document, {
      runOnly: { type: 'tag', values: tags },
      resultTypes: ['violations'],
    });
  }, AXE_TAGS);
  return results.violations.map(simplify);
}

function simplify(violation: AxeResult): AxeViolation {
  return {
    id: violation.id,
    impact: violation.impact ?? 'unknown',
    help: violation.help,
    helpUrl: violation.helpUrl,
    nodes: violation.nodes.map((node) => ({
      target: node.target.map((t) => (typeof t === 'string' ? t : t.join(' >>> '))).join(' '),
      html: node.html.length > 300 ? `${node.html.slice(0, 300)}…` : node.html,
      summary: node.failureSummary ?? '',
    })),
  };
}

export function formatAxeViolations(violations: AxeViolation[]): string {
  return violations
    .map((v) =>
      [
        `[${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})`,
        ...v.nodes.map(
          (n) =>
            `    at ${n.target}\n      ${n.html}` +
            (n.summary ? `\n      ${n.summary.replace(/\n/g, '\n      ')}` : ''),
        ),
      ].join('\n'),
    )
    .join('\n');
}

/** Fails with every violation on the page, readably. */
export async function assertNoAxeViolations(page: Page, label = page.url()): Promise<void> {
  const violations = await runAxe(page);
  if (violations.length > 0) {
    throw new Error(
      `${label}: ${violations.length} axe violation(s) (WCAG 2.1 A/AA):\n${formatAxeViolations(violations)}`,
    );
  }
}
