import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

/**
 * A minimal browser stand-in over `app.inject`: keeps cookies between requests (honouring
 * Max-Age=0 and Expires in the past as deletion), and posts forms the way a browser would.
 */
export class TestClient {
  readonly cookies = new Map<string, string>();
  readonly #app: FastifyInstance;
  remoteAddress = '127.0.0.1';

  constructor(app: FastifyInstance) {
    this.#app = app;
  }

  async get(url: string): Promise<LightMyRequestResponse> {
    return this.#send({ method: 'GET', url });
  }

  async postForm(
    url: string,
    fields: Record<string, string | string[] | undefined>,
  ): Promise<LightMyRequestResponse> {
    const body = new URLSearchParams();
    for (const [name, value] of Object.entries(fields)) {
      for (const v of value === undefined ? [] : Array.isArray(value) ? value : [value]) body.append(name, v);
    }
    return this.#send({
      method: 'POST',
      url,
      payload: body.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
  }

  /** Posts a JSON body, the way public/js/passkeys.js talks to its endpoints. */
  async postJson(url: string, body: unknown): Promise<LightMyRequestResponse> {
    return this.#send({
      method: 'POST',
      url,
      payload: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    });
  }

  async postMultipart(
    url: string,
    fields: Record<string, string | string[] | undefined>,
    files: { name?: string; fileName: string; data: Buffer; type?: string }[] = [],
  ): Promise<LightMyRequestResponse> {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) {
      for (const v of value === undefined ? [] : Array.isArray(value) ? value : [value]) form.append(name, v);
    }
    for (const file of files) {
      form.append(
        file.name ?? 'files',
        new Blob([new Uint8Array(file.data)], { type: file.type ?? 'application/octet-stream' }),
        file.fileName,
      );
    }
    const encoded = new Response(form);
    return this.#send({
      method: 'POST',
      url,
      payload: Buffer.from(await encoded.arrayBuffer()),
      headers: { 'content-type': encoded.headers.get('content-type') ?? '' },
    });
  }

  async #send(options: {
    method: 'GET' | 'POST';
    url: string;
    payload?: string | Buffer;
    headers?: Record<string, string>;
  }): Promise<LightMyRequestResponse> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const response = await this.#app.inject({
      ...options,
      remoteAddress: this.remoteAddress,
      headers: { ...options.headers, ...(cookie ? { cookie } : {}) },
    });
    for (const set of response.cookies) {
      const expired =
        set.maxAge === 0 ||
        (set.expires instanceof Date && set.expires.getTime() <= Date.now()) ||
        set.value === '';
      if (expired) this.cookies.delete(set.name);
      else this.cookies.set(set.name, set.value);
    }
    return response;
  }
}

/** The value of a (hidden) input in an HTML page. */
export function inputValue(html: string, name: string): string {
  const tag = new RegExp(`<input[^>]*name="${name}"[^>]*>`).exec(html)?.[0];
  const value = tag ? /value="([^"]*)"/.exec(tag)?.[1] : undefined;
  if (value === undefined) throw new Error(`No input named ${name} in page`);
  return value
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');
}

/** The text of the page's error summary items, in order. */
export function errorSummary(html: string): string[] {
  const summary = /data-error-summary[^>]*>([\s\S]*?)<\/ul>/.exec(html)?.[1] ?? '';
  return [...summary.matchAll(/<li[^>]*>([\s\S]*?)<\/li>/g)].map((m) =>
    (m[1] ?? '').replace(/<[^>]+>/g, '').trim(),
  );
}

/**
 * The hidden fields of the first form carrying the attribute `marker` (e.g. a "next page" button form),
 * as a browser would post them; undefined when the page has no such form.
 */
export function hiddenFieldsOf(html: string, marker: string): Record<string, string> | undefined {
  const form = new RegExp(`<form(?=[^>]*\\s${marker}[\\s=/>])[^>]*>([\\s\\S]*?)</form>`).exec(html)?.[1];
  if (form === undefined) return undefined;
  const fields: Record<string, string> = {};
  for (const input of form.matchAll(/<input[^>]*type="hidden"[^>]*>/g)) {
    const name = /name="([^"]+)"/.exec(input[0])?.[1];
    if (name) fields[name] = inputValue(input[0], name);
  }
  return fields;
}
