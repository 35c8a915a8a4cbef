/**
 * Preparing the requests the load runs send: every intake submission and receipt login needs its own
 * CSRF cookie and token (and a submission key), fetched the way a browser would before the run starts.
 */

import { validReport } from '../src/test/fixtures.ts';
import { inputValue } from '../src/test/http-client.ts';

export interface HttpResult {
  status: number;
  body: string;
  location: string | undefined;
}

/**
 * Each simulated reporter comes from an address of its own (10.x.y.z), passed as X-Forwarded-For to
 * an app that trusts 127.0.0.1 as its proxy: the way requests reach it behind a reverse proxy, and
 * what keeps the app's per-source limits from treating all of the bench as one client.
 */
let reporters = 0;
export function nextReporterAddress(): string {
  const n = ++reporters;
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

/** Keeps cookies between requests and posts urlencoded forms; redirects are not followed. */
export class Browser {
  readonly cookies = new Map<string, string>();
  readonly address = nextReporterAddress();
  readonly #base: string;

  constructor(base: string) {
    this.#base = base;
  }

  get cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  get(path: string): Promise<HttpResult> {
    return this.#send(path, { method: 'GET' });
  }

  postForm(path: string, fields: Record<string, string | readonly string[]>): Promise<HttpResult> {
    return this.#send(path, {
      method: 'POST',
      body: encodeForm(fields),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
  }

  async #send(path: string, init: { method: string; body?: string; headers?: Record<string, string> }) {
    const cookie = this.cookieHeader;
    const response = await fetch(`${this.#base}${path}`, {
      ...init,
      redirect: 'manual',
      headers: { ...init.headers, 'x-forwarded-for': this.address, ...(cookie ? { cookie } : {}) },
    });
    for (const header of response.headers.getSetCookie()) this.#store(header);
    return {
      status: response.status,
      body: await response.text(),
      location: response.headers.get('location') ?? undefined,
    };
  }

  #store(header: string): void {
    const [pair = '', ...attributes] = header.split(';').map((part) => part.trim());
    const separator = pair.indexOf('=');
    const name = pair.slice(0, separator);
    const value = pair.slice(separator + 1);
    const expired = attributes.some((attribute) => {
      const [key = '', attributeValue = ''] = attribute.split('=');
      if (key.toLowerCase() === 'max-age') return Number(attributeValue) <= 0;
      if (key.toLowerCase() === 'expires') return Date.parse(attributeValue) <= Date.now();
      return false;
    });
    if (expired || value === '') this.cookies.delete(name);
    else this.cookies.set(name, value);
  }
}

export function encodeForm(fields: Record<string, string | readonly string[]>): string {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) {
    for (const item of typeof value === 'string' ? [value] : value) body.append(name, item);
  }
  return body.toString();
}

function expectStatus(result: HttpResult, status: number, what: string): void {
  if (result.status !== status) {
    throw new Error(`${what}: expected HTTP ${status}, got ${result.status}: ${result.body.slice(0, 300)}`);
  }
}

/** One filled-in form, ready to post: its cookie header, urlencoded body and reporter's address. */
export interface PreparedRequest {
  cookie: string;
  body: string;
  /** Sent as X-Forwarded-For; none means the bench's own address. */
  address?: string;
}

/** GET /melden, answer the danger question, and fill in the report form that comes back. */
async function fillReportForm(
  browser: Browser,
  index: number,
): Promise<Record<string, string | readonly string[]>> {
  const start = await browser.get('/melden');
  expectStatus(start, 200, 'GET /melden');
  const form = await browser.postForm('/melden', {
    _csrf: inputValue(start.body, '_csrf'),
    acute_danger: 'no',
  });
  expectStatus(form, 200, 'POST /melden');
  return {
    _csrf: inputValue(form.body, '_csrf'),
    submission_key: inputValue(form.body, 'submission_key'),
    acute_danger: inputValue(form.body, 'acute_danger'),
    ...validReport,
    narrative: `${validReport.narrative} (bench ${index})`,
  };
}

/** A report form of its own (cookie, token, submission key), filled in and ready to post. */
export async function prepareReport(base: string, index: number): Promise<PreparedRequest> {
  const browser = new Browser(base);
  const fields = await fillReportForm(browser, index);
  return { cookie: browser.cookieHeader, body: encodeForm(fields), address: browser.address };
}

/**
 * A complete report with a stale token and no CSRF cookie, from the bench's own address: it goes
 * through the whole form reading and validation and gets the form back with 403.
 */
export function expiredReport(index: number): PreparedRequest {
  return {
    cookie: '',
    body: encodeForm({
      _csrf: 'stale-token',
      submission_key: '00000000-0000-4000-8000-000000000000.00000000000000000000000000000000',
      acute_danger: 'no',
      ...validReport,
      narrative: `${validReport.narrative} (flood ${index})`,
    }),
  };
}

/** Submits a report and reads its receipt code from the confirmation page, as a reporter would. */
export async function createReportWithCode(base: string, index: number): Promise<string> {
  const browser = new Browser(base);
  const submitted = await browser.postForm('/melden/versturen', await fillReportForm(browser, index));
  expectStatus(submitted, 303, 'POST /melden/versturen');
  const confirmation = await browser.get(submitted.location ?? '/melden/ontvangen');
  expectStatus(confirmation, 200, 'GET /melden/ontvangen');
  const code = /data-receipt-code[^>]*>([\d ]+)</.exec(confirmation.body)?.[1];
  if (!code) throw new Error('The confirmation page shows no receipt code');
  return code;
}

/** A CSRF cookie and token from GET /mijn-melding, and the code to log in with. */
export async function prepareLogin(base: string, code: string): Promise<PreparedRequest> {
  const browser = new Browser(base);
  const page = await browser.get('/mijn-melding');
  expectStatus(page, 200, 'GET /mijn-melding');
  return {
    cookie: browser.cookieHeader,
    body: encodeForm({ _csrf: inputValue(page.body, '_csrf'), code }),
    address: browser.address,
  };
}

/** Runs `task(0..count-1)` with at most `concurrency` in flight; results in index order. */
export async function inParallel<T>(count: number, concurrency: number, task: (index: number) => Promise<T>) {
  const results: T[] = new Array<T>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      results[index] = await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}

/** The staff search page. */
export const SEARCH_PATH = '/beheer/zoeken';

/**
 * A search as the form posts it: the words go in the body, never in the URL. Opens the search page
 * with the session cookie first, as a browser would, for the CSRF token and the cookie it is bound to.
 */
export async function searchForm(
  base: string,
  sessionCookie: string,
  fields: Record<string, string>,
): Promise<PreparedRequest> {
  const browser = new Browser(base);
  const [name = '', value = ''] = sessionCookie.split(/=(.*)/s);
  browser.cookies.set(name, value);
  const page = await browser.get(SEARCH_PATH);
  if (page.status !== 200) throw new Error(`GET ${SEARCH_PATH} answered ${page.status}`);
  return {
    cookie: browser.cookieHeader,
    body: encodeForm({ _csrf: inputValue(page.body, '_csrf'), ...fields }),
  };
}
