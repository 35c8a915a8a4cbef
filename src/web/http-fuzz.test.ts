/**
 * Hostile HTTP requests against every registered route: random path parameters, query strings,
 * bodies, content types, encodings and cookies, as anonymous visitors, a reporter with a mailbox
 * session, staff part-way through signing in, a coordinator and an administrator (with valid CSRF
 * tokens, so the validators are reached and not only the CSRF check). Form fields and the codes they
 * offer are learnt by crawling the pages first. Whatever arrives, the answer is below 500, shows no
 * stack trace or library error text, nothing is logged as an error, and the app keeps serving.
 * fast-check prints the seed and the shrunk request of a failure; rerun with `{ seed, path }` in the
 * assert's options to replay it, and `FUZZ_SCALE=20` for a long hunt.
 *
 * Inventory of the parsers and validators with property tests (file → function → test):
 *
 * src/web/form-validation.ts → normaliseForm, untrimmedField, validateForm, toFieldErrors
 *   → form-validation.property.test.ts (report form: form-validation.test.ts)
 * src/web/routing.ts → localeFromPath, pathWithoutLocale, localisedPath, bothLocales → routing.property.test.ts
 * src/web/errors.ts → classifyError → routing.property.test.ts
 * src/web/csrf.ts → issueCsrfToken, isValidCsrfToken (and cookie parsing) → this file (random tokens/cookies)
 * src/web/multipart.ts → readForm (broken multipart, duplicate fields, file names) → this file
 * src/features/intake/report-form.ts → validateReportForm → form-validation.test.ts (existing)
 * src/features/intake/receipt.ts → normalise/format/derive receipt codes → receipt.test.ts (existing),
 *   hostile strings and round trips → receipt.property.test.ts
 * src/features/intake/submission-key.ts → issue/openSubmissionKey → receipt.test.ts (existing),
 *   mutated keys → receipt.property.test.ts
 * src/features/intake/routes.tsx → reporter messages, receipt login → this file (reporter identity)
 * src/features/attachments/file-name.ts → sanitiseFileName → attachments.test.ts (existing),
 *   traversal/bidi/idempotence → file-name.property.test.ts
 * src/features/attachments/process.ts → processUpload → attachments.test.ts (existing, arbitrary bytes)
 * src/crypto/envelope.ts → encrypt/decrypt → envelope.test.ts (existing); truncated, extended, version,
 *   wrong/normalised AADs, wrong key → envelope.property.test.ts
 * src/crypto/keys.ts → constantTimeEqual, keyedHash, deriveKey → envelope.property.test.ts
 * src/config/config.ts → loadConfig, parseKeyRing → config.property.test.ts
 * src/features/setup/setup-form.ts → readSetupForm, validateSetupForm → setup-form.property.test.ts
 * src/features/users/password-policy.ts → newPasswordProblems → password-policy.test.ts (existing),
 *   hostile strings → setup-form.property.test.ts
 * src/features/users/users-forms.ts → validateInvite, validateRoleChange, validateTeamName
 *   → users-forms.property.test.ts
 * src/features/users/staff-tokens.ts → isPlausibleToken, hashStaffToken → users-forms.property.test.ts
 * src/features/auth/second-factor-service.ts → normaliseTotp → second-factor.property.test.ts;
 *   recovery codes, sign-in, session ids (session-service.ts) → this file (random codes and cookies)
 * src/features/auth/session-service.ts → hashSessionId → second-factor.property.test.ts
 * src/features/tasks/task-form.ts → taskFormValues, validateTask → task-form.property.test.ts
 * src/features/tasks/task-dates.ts → isCalendarDate → tasks.test.ts (existing); calendarDateIn,
 *   isOverdue → task-form.property.test.ts
 * src/features/persons/person-form.ts → personFormValues, validatePerson, formValuesOf, languagesOf,
 *   ageBandOf → person-form.property.test.ts (age bands: persons.test.ts)
 * src/features/cases/case-forms.ts → parseDetailsForm, requiredText → case-forms.property.test.ts
 * src/features/cases/case-number.ts → formatCaseNumber, CASE_NUMBER_PATTERN, caseYear → case-forms.property.test.ts
 * src/features/cases/case-queries.ts → parse/formatCaseCursor → case-forms.property.test.ts
 * src/features/cases/codes.ts → isOneOf (HTCDS code lists) → case-forms.property.test.ts
 * src/features/inbox/inbox-service.ts → parseCursor/formatCursor, isAudience, isExploitationForm
 *   → case-forms.property.test.ts
 * src/features/indicators/checklist-form.ts → parseChecklistForm → checklist-form.property.test.ts
 * src/features/search/dutch-variants.ts → dutchWordVariants, widenableWords → dutch-variants.property.test.ts
 * src/features/search/search-service.ts → parse/formatSearchCursor → search.test.ts (existing);
 *   headlineParts → dutch-variants.property.test.ts
 * src/features/search/routes.tsx → isCalendarDate → dutch-variants.property.test.ts
 * src/features/audit/audit-search.ts → parseSearch, startOfDayInAmsterdam → audit-search.test.ts
 *   (valid days, existing); hostile input → audit-search.property.test.ts
 * src/i18n/i18n.ts → translators with hostile values → routing.property.test.ts
 * src/features/passkeys → WebAuthn answers → passkeys.test.ts (existing, malformed answers) and this
 *   file (WebAuthn-shaped JSON with a valid CSRF token)
 * Query flags and notices of every page (`?toString`, `?__proto__`) → this file
 * Not yet covered: src/features/intake/proof-of-work.ts (new, in progress elsewhere)
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { createTestApp, type TestApp } from '../test/app.ts';
import { staffWithSession } from '../test/cases.ts';
import { TestClient, inputValue } from '../test/http-client.ts';
import { validReport } from '../test/fixtures.ts';
import { createStaffUser } from '../test/staff.ts';
import { registeredRoutes } from './policy.ts';
import { cookieName } from './cookies.ts';
import { STAFF_COOKIE, createStaffSession } from '../features/auth/session-service.ts';

/** `FUZZ_SCALE=20` multiplies the runs, for a long hunt outside CI. */
const scale = Math.max(1, Number(process.env.FUZZ_SCALE ?? 1) || 1);

type Identity = 'anonymous' | 'reporter' | 'pending' | 'coordinator' | 'admin';
const identities: readonly Identity[] = ['anonymous', 'reporter', 'pending', 'coordinator', 'admin'];

interface HostileRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
  remoteAddress: string;
}

// ---------- hostile ingredients ----------

const hostileStrings = [
  '',
  ' ',
  '..',
  '../../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '\u0000',
  'a\u0000b',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "' OR '1'='1",
  "'; drop table case_file; --",
  '\u202Egpj.exe',
  '\u200B\u200D\uFEFF',
  '\uD800',
  '\uDFFF\uD800',
  'e\u0301',
  'é',
  'ﬁ',
  'Å',
  'Å',
  '١٢٣٤٥٦',
  '１２３４５６',
  '😀👩‍👩‍👧',
  '-1',
  '0',
  '1e309',
  'NaN',
  'null',
  'undefined',
  '__proto__',
  'constructor',
  'toString',
  '{"a":1}',
  '[]',
  '%',
  '%zz',
  '%00',
  '\r\nSet-Cookie: x=y',
  'x'.repeat(300),
] as const;

/** Names every plain object answers to: a lookup by a sent name must not find them. */
const prototypeKeys = [
  '__proto__',
  'constructor',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'prototype',
] as const;

const hostileString = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom(...prototypeKeys) },
  { weight: 4, arbitrary: fc.constantFrom(...hostileStrings) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.uuid() },
  { weight: 1, arbitrary: fc.integer({ min: 5_000, max: 30_000 }).map((n) => 'x'.repeat(n)) },
  { weight: 1, arbitrary: fc.integer().map(String) },
  { weight: 1, arbitrary: fc.stringMatching(/^\d{4}-\d{2}-\d{2}$/) },
);

/** Bytes as percent escapes; lone surrogates become U+FFFD, as a browser would send them. */
function percentEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9_.~-]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Raw escapes that are not valid UTF-8, or not valid escapes at all. */
const brokenEscapes = fc.constantFrom(
  '%FF',
  '%C3%28',
  '%ED%A0%80',
  '%F8%88%80%80%80',
  '%',
  '%2',
  '%zz',
  '%C0%AF',
);

/** A URL component: encoded text, or encoded text with broken escapes mixed in. */
const component = (text: fc.Arbitrary<string>) =>
  fc.oneof(
    { weight: 5, arbitrary: text.map(percentEncode) },
    { weight: 1, arbitrary: fc.tuple(text.map(percentEncode), brokenEscapes).map(([a, b]) => a + b) },
    { weight: 1, arbitrary: brokenEscapes },
  );

// ---------- the fuzz setup ----------

describe('hostile HTTP requests', () => {
  let t: TestApp;
  const clients = new Map<Identity, TestClient>();
  const csrfTokens = new Map<Identity, string>();
  /** Real ids per path parameter, so that requests reach the handlers behind the 404s. */
  const ids: Record<string, string[]> = {
    id: [],
    personId: [],
    taskId: [],
    grantId: [],
    token: [],
    file: [],
  };
  /** Every form field name and offered value seen on the pages, so bodies reach the validators. */
  const fieldNames = new Set<string>(['_csrf', 'submission_key', 'code', 'body', 'q', 'vanaf', 'files']);
  const fieldValues = new Set<string>();
  const queryNames = [
    'voor',
    'verlopen',
    'uitgelogd',
    'status',
    'urgent',
    'actie',
    'type',
    'object',
    'gebruiker',
    'van',
    'tot',
    'pagina',
    'filter',
    'vorm',
    'doelgroep',
    'acuut',
    'toon',
  ];
  let routes: { method: string; url: string }[] = [];

  /** Field names of the forms on the pages, by the route (`METHOD pattern`) they are sent to. */
  const formFields = new Map<string, Set<string>>();
  /** One concrete URL (with real ids) each form was seen to send to. */
  const formActions = new Map<string, string>();
  /** Who was shown each form. */
  const formViewers = new Map<string, Set<Identity>>();
  /** The pages each identity was shown (200), with real ids. */
  const pagesSeen = new Map<Identity, string[]>();
  const routeOf = (method: string, url: string) =>
    routes.find(
      (r) =>
        r.method === method &&
        new RegExp(`^${r.url.replace(/:\w+/g, '[^/?]+')}$`).test(url.split('?')[0] ?? ''),
    );
  const collectForms = (html: string, pageUrl: string, viewer: Identity) => {
    for (const form of html.matchAll(/<form([^>]*)>([\s\S]*?)<\/form>/g)) {
      const attributes = form[1] ?? '';
      const method = (/method="(\w+)"/.exec(attributes)?.[1] ?? 'GET').toUpperCase();
      const action = /action="([^"]*)"/.exec(attributes)?.[1] ?? pageUrl;
      const route = routeOf(method, action.replace(/&amp;/g, '&'));
      if (!route) continue;
      const key = `${route.method} ${route.url}`;
      formViewers.set(key, (formViewers.get(key) ?? new Set()).add(viewer));
      if (!formActions.has(key)) formActions.set(key, action.replace(/&amp;/g, '&').split('?')[0] ?? action);
      const names = formFields.get(key) ?? new Set<string>();
      for (const match of (form[2] ?? '').matchAll(/\sname="([^"]{1,80})"/g))
        if (match[1]) names.add(match[1]);
      formFields.set(key, names);
    }
  };
  const collectFields = (html: string) => {
    for (const match of html.matchAll(/\sname="([^"]{1,80})"/g)) if (match[1]) fieldNames.add(match[1]);
    for (const match of html.matchAll(/<(?:option|input)[^>]*\svalue="([^"]{0,80})"/g)) {
      if (match[1] !== undefined && match[1].length < 80) fieldValues.add(match[1]);
    }
  };

  before(async () => {
    t = await createTestApp({
      // A report sent without the proof of work is otherwise held back for a while after its form.
      env: { BAKEN_INTAKE_MIN_SECONDS: '0' },
      configure: (config) => {
        // Throttles would only turn later requests into 429s (and sleeps); they have their own tests.
        for (const limits of Object.values(config.throttles)) {
          limits.baseDelayMs = 0;
          limits.maxDelayMs = 0;
          limits.maxAttempts = Number.MAX_SAFE_INTEGER;
          limits.slowAfter = Number.MAX_SAFE_INTEGER;
        }
      },
    });
    const coordinator = await staffWithSession(t, 'coordinator');
    const admin = await staffWithSession(t, 'admin');
    // A user the administrator's fuzzed requests may block, unblock or change: never the signed-in ones.
    const other = await createStaffUser(t.app, 'advisor');
    ids.id?.push(other.id);
    clients.set('coordinator', coordinator.client);
    clients.set('admin', admin.client);
    // Part-way through signing in: the password was accepted, the second factor is due.
    const pendingUser = await createStaffUser(t.app, 'advisor');
    const pending = new TestClient(t.app);
    pending.cookies.set(
      cookieName(t.config, STAFF_COOKIE),
      await createStaffSession(t.database.db, pendingUser.id, 'password'),
    );
    clients.set('pending', pending);
    clients.set('anonymous', new TestClient(t.app));

    // A reporter: a report sent through the form, then signed in with its receipt code.
    const reporter = new TestClient(t.app);
    const start = await reporter.get('/melden');
    const formPage = await reporter.postForm('/melden', {
      _csrf: inputValue(start.body, '_csrf'),
      acute_danger: 'no',
    });
    collectFields(formPage.body);
    const sent = await reporter.postForm('/melden/versturen', {
      ...validReport,
      acute_danger: 'no',
      _csrf: inputValue(formPage.body, '_csrf'),
      submission_key: inputValue(formPage.body, 'submission_key'),
    });
    assert.equal(sent.statusCode, 303, 'the report is accepted');
    fieldValues.add(inputValue(formPage.body, 'submission_key'));
    const confirmation = await reporter.get('/melden/ontvangen');
    const receipt = /\d{4} \d{4} \d{4} \d{4}/.exec(confirmation.body)?.[0];
    assert.ok(receipt, 'the confirmation shows a receipt code');
    const login = await reporter.get('/mijn-melding');
    const mailbox = await reporter.postForm('/mijn-melding', {
      _csrf: inputValue(login.body, '_csrf'),
      code: receipt,
    });
    assert.equal(mailbox.statusCode, 303, 'the receipt code opens the mailbox');
    clients.set('reporter', reporter);
    const reportId = (await t.database.db.selectFrom('report').select('id').executeTakeFirstOrThrow()).id;
    ids.id?.push(reportId);

    // A case made from that report the way staff make one (numbers come from the app's own counter).
    const co = coordinator.client;
    const reportPage = await co.get(`/beheer/meldingen/${reportId}`);
    const made = await co.postForm(`/beheer/meldingen/${reportId}/casus`, {
      _csrf: inputValue(reportPage.body, '_csrf'),
      title: 'Fuzz casus',
    });
    assert.equal(made.statusCode, 303, 'a case is made from the report');
    const testCase = await t.database.db.selectFrom('case_file').select('id').executeTakeFirstOrThrow();
    ids.id?.push(testCase.id);

    // A person and a task in the case, through their forms.
    const personForm = await co.get(`/beheer/casussen/${testCase.id}/personen/nieuw`);
    await co.postForm(`/beheer/casussen/${testCase.id}/personen/nieuw`, {
      _csrf: inputValue(personForm.body, '_csrf'),
      role: 'presumed_victim',
      name: 'Fuzz Persoon',
    });
    const tasks = await co.get(`/beheer/casussen/${testCase.id}/taken`);
    await co.postForm(`/beheer/casussen/${testCase.id}/taken`, {
      _csrf: inputValue(tasks.body, '_csrf'),
      title: 'Fuzz taak',
      owner: coordinator.user.id,
    });
    const db = t.database.db;
    for (const row of await db.selectFrom('case_person').select('id').execute()) ids.personId?.push(row.id);
    for (const row of await db.selectFrom('case_task').select('id').execute()) ids.taskId?.push(row.id);
    assert.ok(ids.personId?.length && ids.taskId?.length, 'a person and a task to fuzz');
    ids.file?.push(...t.app.deps.assets.byPath.keys());
    routes = registeredRoutes(t.app).map(({ method, url }) => ({ method, url }));
    // Crawl the GET pages once with real ids, to learn the form fields and the codes they offer.
    for (const identity of identities) {
      const client = clients.get(identity);
      assert.ok(client);
      for (const route of routes.filter((r) => r.method === 'GET')) {
        const tries = route.url.includes(':') ? 3 : 1;
        for (let i = 0; i < tries; i += 1) {
          const response = await client.get(fillPath(route.url, () => i));
          if (response.statusCode !== 200) continue;
          pagesSeen.set(identity, [...(pagesSeen.get(identity) ?? []), fillPath(route.url, () => i)]);
          collectFields(response.body);
          collectForms(
            response.body,
            fillPath(route.url, () => i),
            identity,
          );
          if (!csrfTokens.has(identity) && response.body.includes('name="_csrf"')) {
            csrfTokens.set(identity, inputValue(response.body, '_csrf'));
          }
        }
      }
    }
    assert.equal(csrfTokens.size, identities.length, 'a CSRF token for each identity');
    assert.ok(fieldNames.size > 40, `form fields found: ${fieldNames.size}`);
  });

  after(async () => {
    await t.close();
  });

  /** A route's URL with each `:param` replaced by the pick of `choose` (an index into the real ids). */
  function fillPath(url: string, choose: (name: string) => number | string): string {
    return url.replace(/:(\w+)/g, (_, name: string) => {
      const picked = choose(name);
      if (typeof picked === 'string') return picked;
      const pool = ids[name] ?? [];
      return pool.length > 0 ? (pool[picked % pool.length] ?? 'x') : randomUUID();
    });
  }

  const pathParam = fc.oneof(
    { weight: 3, arbitrary: fc.nat() },
    { weight: 1, arbitrary: fc.uuid().map((u) => u as number | string) },
    { weight: 3, arbitrary: component(hostileString) },
    { weight: 1, arbitrary: fc.constantFrom('..', '.', '%2e%2e', '..%2f..%2f', '%2F', '%5C..%5C', '') },
  );

  const queryString = (own: readonly string[]) =>
    fc
      .array(
        fc.tuple(
          fc.oneof(
            { weight: 4, arbitrary: fc.constantFrom(...queryNames, ...own) },
            ...(own.length > 0 ? [{ weight: 8, arbitrary: fc.constantFrom(...own) }] : []),
            { weight: 2, arbitrary: component(hostileString) },
            {
              weight: 1,
              arbitrary: fc.constantFrom(...prototypeKeys, 'a[]', 'a[b]', 'constructor[prototype][x]'),
            },
          ),
          fc.oneof(fc.constantFrom(...fieldValues).map(percentEncode), component(value)),
          fc.boolean(),
        ),
        { maxLength: 6 },
      )
      .chain((pairs) =>
        // Repeated keys: each pair once or twice.
        fc.constant(
          pairs.flatMap(([k, v, twice]) => (twice ? [`${k}=${v}`, `${k}=${v}`] : [`${k}=${v}`])).join('&'),
        ),
      );

  /** A value: one the pages offer, a hostile one, or an offered one with something hostile added. */
  const value = fc.oneof(
    { weight: 3, arbitrary: fc.constant(null).chain(() => fc.constantFrom(...fieldValues)) },
    { weight: 3, arbitrary: hostileString },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          fc.constant(null).chain(() => fc.constantFrom(...fieldValues)),
          fc.constantFrom(...hostileStrings),
        )
        .map(([a, b]) => a + b),
    },
  );

  function bodyArbitrary(identity: Identity, own: readonly string[]) {
    const token = () => csrfTokens.get(identity) ?? '';
    const name = fc.oneof(
      ...(own.length > 0 ? [{ weight: 8, arbitrary: fc.constantFrom(...own) }] : []),
      { weight: 3, arbitrary: fc.constantFrom(...fieldNames) },
      { weight: 1, arbitrary: hostileString },
    );
    const fields = fc.array(fc.tuple(name, value), { maxLength: 12 });
    const csrf = fc.constantFrom('valid', 'valid', 'valid', 'random', 'absent', 'twice');
    const withCsrf = fc.tuple(fields, csrf, hostileString).map(([pairs, mode, junk]) => {
      const list = pairs.filter(([n]) => n !== '_csrf');
      if (mode === 'valid') list.push(['_csrf', token()]);
      if (mode === 'random') list.push(['_csrf', junk]);
      if (mode === 'twice') list.push(['_csrf', token()], ['_csrf', token()]);
      return list;
    });
    const urlencoded = withCsrf.map((list) => ({
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: list.map(([n, v]) => `${percentEncode(n)}=${percentEncode(v)}`).join('&'),
    }));
    const brokenUrlencoded = fc.tuple(withCsrf, brokenEscapes).map(([list, broken]) => ({
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `${list.map(([n, v]) => `${percentEncode(n)}=${percentEncode(v)}`).join('&')}&x=${broken}&${broken}`,
    }));
    const fileName = fc.oneof(
      fc.constantFrom(
        'foto.jpg',
        '../../../etc/passwd',
        'C:\\Users\\a\\doc.pdf',
        'a\u202Egpj.exe',
        '',
        '.',
        '"quoted".pdf',
        'x'.repeat(1000),
      ),
      hostileString,
    );
    const fileData = fc.oneof(
      fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
      fc.constantFrom(
        Buffer.from('%PDF-1.4\n%garbage'),
        Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]),
        Buffer.from('\x89PNG\r\n\x1a\n'),
        Buffer.from('<svg onload=alert(1)>'),
        Buffer.alloc(0),
      ),
    );
    const multipart = fc
      .tuple(
        withCsrf,
        fc.array(fc.tuple(fc.constantFrom('files', 'file', 'x'), fileName, fileData), { maxLength: 3 }),
        fc.constantFrom(
          'complete',
          'complete',
          'complete',
          'truncated',
          'no-end',
          'wrong-boundary',
          'bare-header',
        ),
      )
      .map(([list, files, shape]) => {
        const boundary = `----fuzz${randomUUID()}`;
        const parts: Buffer[] = [];
        for (const [n, v] of list) {
          parts.push(
            Buffer.from(
              `--${boundary}\r\nContent-Disposition: form-data; name="${n.replace(/["\r\n]/g, '_')}"\r\n\r\n${v}\r\n`,
            ),
          );
        }
        for (const [field, fileNameText, data] of files) {
          parts.push(
            Buffer.from(
              `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${fileNameText.replace(/["\r\n]/g, '_')}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
            ),
            data,
            Buffer.from('\r\n'),
          );
        }
        if (shape !== 'no-end') parts.push(Buffer.from(`--${boundary}--\r\n`));
        if (shape === 'bare-header')
          parts.unshift(Buffer.from(`--${boundary}\r\nno-colon-here\r\n\r\nx\r\n`));
        let payload = Buffer.concat(parts);
        if (shape === 'truncated') payload = payload.subarray(0, Math.floor(payload.length / 2));
        const header =
          shape === 'wrong-boundary'
            ? 'multipart/form-data; boundary=other'
            : `multipart/form-data; boundary=${boundary}`;
        return { headers: { 'content-type': header }, payload };
      });
    const json = fc
      .oneof(
        withCsrf.map((list) => JSON.stringify(Object.fromEntries(list))),
        fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
        // Shaped like a WebAuthn answer (public/js/passkeys.js), with random or hostile parts.
        fc
          .record({
            id: fc.oneof(fc.base64String(), hostileString),
            rawId: fc.oneof(fc.base64String(), hostileString),
            type: fc.constantFrom('public-key', 'x', ''),
            name: hostileString,
            response: fc.record(
              {
                clientDataJSON: fc.oneof(
                  fc.base64String(),
                  fc
                    .jsonValue({ maxDepth: 2 })
                    .map((v) => Buffer.from(JSON.stringify(v)).toString('base64url')),
                ),
                attestationObject: fc.base64String(),
                authenticatorData: fc.base64String(),
                signature: fc.base64String(),
                userHandle: fc.oneof(fc.base64String(), fc.constant(null)),
                transports: fc.array(hostileString, { maxLength: 3 }),
              },
              { requiredKeys: [] },
            ),
            clientExtensionResults: fc.jsonValue({ maxDepth: 2 }),
          })
          .map((answer) => JSON.stringify({ ...answer, _csrf: token() })),
        fc.constantFrom('{', '{"__proto__":{"x":1}}', 'null', '"x"', '[1,2', '{"a":' + '['.repeat(5000)),
      )
      .map((payload) => ({ headers: { 'content-type': 'application/json' }, payload }));
    const wrongType = fc
      .tuple(
        fc.constantFrom(
          'text/plain',
          'application/xml',
          'multipart/form-data',
          'application/x-www-form-urlencoded; charset=iso-8859-1',
          'application/octet-stream',
          'x/y; boundary=',
          ';;;',
          'text/html; charset=utf-7',
        ),
        withCsrf,
      )
      .map(([type, list]) => ({
        headers: { 'content-type': type },
        payload: list.map(([n, v]) => `${percentEncode(n)}=${percentEncode(v)}`).join('&'),
      }));
    const invalidBytes = fc
      .tuple(
        fc.uint8Array({ minLength: 1, maxLength: 200 }),
        fc.constantFrom(
          'application/x-www-form-urlencoded',
          'application/json',
          'multipart/form-data; boundary=x',
        ),
      )
      .map(([bytes, type]) => ({ headers: { 'content-type': type }, payload: Buffer.from(bytes) }));
    const tooLarge = fc
      .constantFrom('application/x-www-form-urlencoded', 'application/json', 'text/plain')
      .map((type) => ({ headers: { 'content-type': type }, payload: Buffer.alloc(300 * 1024, 0x61) }));
    return fc.oneof(
      {
        weight: 1,
        arbitrary: fc.constant({
          headers: {},
          payload: undefined as string | Buffer | undefined,
        }),
      },
      { weight: 6, arbitrary: urlencoded },
      { weight: 1, arbitrary: brokenUrlencoded },
      { weight: 3, arbitrary: multipart },
      { weight: 1, arbitrary: json },
      { weight: 1, arbitrary: wrongType },
      { weight: 1, arbitrary: invalidBytes },
      { weight: 1, arbitrary: tooLarge },
    );
  }

  const hostileCookie = fc.oneof(
    fc.constant(undefined),
    fc.constant(undefined),
    fc
      .tuple(
        fc.constantFrom('baken_staff', 'baken_csrf', 'baken_mailbox', 'baken_receipt', 'x', '__proto__'),
        hostileString,
      )
      .map(([n, v]) => `${n}=${percentEncode(v)}`),
    fc.constantFrom(
      ';;==',
      'baken_staff',
      '=x',
      'baken_staff="unterminated',
      'baken_csrf=%ZZ',
      `baken_staff=${'a'.repeat(4000)}`,
    ),
  );

  function requestArbitrary(identity: Identity): fc.Arbitrary<HostileRequest> {
    const client = clients.get(identity);
    assert.ok(client);
    const usable = routes.filter(
      // Signing oneself out would only make the rest of the run anonymous (anonymous runs cover it).
      (r) => identity === 'anonymous' || !/uitloggen|sluiten/.test(r.url),
    );
    return fc
      .constantFrom(...usable)
      .chain((route) => {
        const own = [...(formFields.get(`${route.method} ${route.url}`) ?? [])];
        return fc.record({
          route: fc.constant(route),
          otherMethod: fc.oneof(
            { weight: 12, arbitrary: fc.constant(null) },
            { weight: 1, arbitrary: fc.constantFrom('PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE') },
          ),
          params: fc.array(pathParam, { minLength: 3, maxLength: 3 }),
          query: fc.option(queryString(own), { freq: 2 }),
          body: bodyArbitrary(identity, own),
          cookie: hostileCookie,
          remote: fc.ipV4(),
        });
      })
      .map(({ route, otherMethod, params, query, body, cookie, remote }) => {
        let index = 0;
        const path = fillPath(route.url, () => params[index++ % params.length] ?? 0);
        const method = otherMethod ?? route.method;
        const jar = [...client.cookies].map(([k, v]) => `${k}=${v}`);
        if (cookie) jar.push(cookie);
        const headers: Record<string, string> = { ...(jar.length ? { cookie: jar.join('; ') } : {}) };
        const withBody = method !== 'GET' && method !== 'HEAD';
        return {
          method,
          url: query ? `${path}?${query}` : path,
          headers: withBody ? { ...headers, ...body.headers } : headers,
          ...(withBody && body.payload !== undefined ? { payload: body.payload } : {}),
          remoteAddress: remote,
        };
      });
  }

  const stackTrace = [
    /\bat [^\s<>]+ \(?(?:file:\/\/|node:|\/)[^\s<>]*:\d+:\d+/,
    /\.(?:ts|tsx|js|mjs|cjs):\d+:\d+/,
    /node_modules/,
    /\b(?:Type|Range|Syntax|Reference|URI|Database|Eval)Error\b/,
    /invalid input syntax|violates .* constraint|duplicate key value|relation "/,
  ];

  function check(request: HostileRequest, response: LightMyRequestResponse): void {
    const where = `${request.method} ${request.url.slice(0, 300)}`;
    assert.ok(response.statusCode < 500, `${where} answered ${response.statusCode}`);
    // The English pages' titles start with "Error:" when a form has errors; anything else is a leak.
    const body = response.body.replace(/<title>[^<]*<\/title>/, '');
    for (const pattern of stackTrace) assert.doesNotMatch(body, pattern, `${where} leaks ${String(pattern)}`);
    assert.ok(!/(^|[^\w])Error: /.test(body), `${where} shows an error message`);
  }

  async function fuzz(identity: Identity, numRuns: number) {
    let reachedForms = 0;
    const errorsBefore = t.logLines.filter((line) => Number(line.level) >= 50).length;
    await fc.assert(
      fc.asyncProperty(requestArbitrary(identity), async (request) => {
        const response = await t.app.inject({
          method: request.method as 'GET',
          url: request.url,
          headers: request.headers,
          ...(request.payload !== undefined ? { payload: request.payload } : {}),
          remoteAddress: request.remoteAddress,
        });
        check(request, response);
        // Past the policy and the CSRF check: the form's own validation or action answered.
        if (request.method === 'POST' && [200, 303, 400, 409].includes(response.statusCode))
          reachedForms += 1;
      }),
      { numRuns: numRuns * scale },
    );
    const errors = t.logLines.filter((line) => Number(line.level) >= 50).slice(errorsBefore);
    assert.deepEqual(errors, [], 'no request ended in a logged error');
    assert.ok(
      reachedForms >= numRuns / 50,
      `${identity}: only ${reachedForms} posts reached a form's handler`,
    );
    // Still serving, and signed-in staff are still signed in.
    const home = await t.app.inject({ method: 'GET', url: '/' });
    assert.equal(home.statusCode, 200);
    if (identity === 'coordinator' || identity === 'admin') {
      assert.equal(
        (await clients.get(identity)?.get('/beheer'))?.statusCode,
        200,
        `${identity} still signed in`,
      );
    }
  }

  it('answers anonymous visitors below 500, without a stack trace', async () => {
    await fuzz('anonymous', 600);
  });

  it('answers a reporter with a mailbox session below 500, without a stack trace', async () => {
    await fuzz('reporter', 400);
  });

  it('answers staff part-way through signing in below 500, without a stack trace', async () => {
    await fuzz('pending', 300);
  });

  it('answers a signed-in coordinator below 500, without a stack trace', async () => {
    await fuzz('coordinator', 900);
  });

  it('answers a signed-in administrator below 500, without a stack trace', async () => {
    await fuzz('admin', 600);
  });

  it('takes a NUL, a lone surrogate or SQL in any field of any form, and fields named like __proto__', async () => {
    const poisons = ['a\u0000b\uD800', "x' OR '1'='1' --"];
    let sent = 0;
    for (const identity of identities) {
      const client = clients.get(identity);
      assert.ok(client);
      const cookie = [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      const csrf = `_csrf=${percentEncode(csrfTokens.get(identity) ?? '')}`;
      for (const [key, names] of formFields) {
        const [method = 'GET', pattern = '/'] = key.split(' ');
        if (identity !== 'anonymous' && /uitloggen|sluiten/.test(pattern)) continue;
        if (!formViewers.get(key)?.has(identity)) continue;
        const path = formActions.get(key) ?? pattern;
        // A dozen fields per form (the checklist has hundreds, all handled alike), one poison at a time;
        // then every name an object has, at once.
        const bodies = [
          ...[...names]
            .filter((n) => n !== '_csrf')
            .slice(0, 12)
            .flatMap((name) =>
              poisons.map((poison) => `${percentEncode(name)}=${percentEncode(poison)}&${csrf}`),
            ),
          `${prototypeKeys.map((k) => `${k}=x`).join('&')}&${csrf}`,
        ];
        for (const fields of bodies) {
          const request: HostileRequest =
            method === 'GET'
              ? { method, url: `${path}?${fields}`, headers: { cookie }, remoteAddress: '127.0.0.1' }
              : {
                  method,
                  url: path,
                  headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
                  payload: fields,
                  remoteAddress: '127.0.0.1',
                };
          const response = await t.app.inject({
            method: request.method as 'GET',
            url: request.url,
            headers: request.headers,
            ...(request.payload !== undefined ? { payload: request.payload } : {}),
          });
          check(request, response);
          sent += 1;
        }
      }
    }
    assert.ok(sent > 300, `poisoned requests sent: ${sent}`);
  });

  it('takes the names every object has (toString, __proto__ …) as query keys on every page', async () => {
    let sent = 0;
    for (const identity of identities) {
      const client = clients.get(identity);
      assert.ok(client);
      const cookie = [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      for (const page of pagesSeen.get(identity) ?? []) {
        // As flags (`?toString`), as values, and as nested keys: every page reads its query somehow.
        for (const query of [
          prototypeKeys.join('&'),
          prototypeKeys.map((k) => `${k}=x`).join('&'),
          prototypeKeys.map((k) => `${k}[x]=1`).join('&'),
        ]) {
          const request: HostileRequest = {
            method: 'GET',
            url: `${page}?${query}`,
            headers: { cookie },
            remoteAddress: '127.0.0.1',
          };
          const response = await t.app.inject({
            method: 'GET',
            url: request.url,
            headers: request.headers,
          });
          check(request, response);
          sent += 1;
        }
      }
    }
    assert.ok(sent > 100, `requests sent: ${sent}`);
  });

  it('refuses bodies over the limit and odd encodings with a 4xx page', async () => {
    const cases: { url: string; type: string; payload: string | Buffer; status: number[] }[] = [
      {
        url: '/melden/versturen',
        type: 'application/x-www-form-urlencoded',
        payload: Buffer.alloc(300 * 1024, 0x61),
        status: [413],
      },
      { url: '/beheer/inloggen', type: 'application/json', payload: '{"email":', status: [400] },
      { url: '/beheer/inloggen', type: 'text/plain', payload: 'email=x', status: [403, 415] },
      { url: '/melden/versturen', type: 'multipart/form-data', payload: 'x', status: [400, 403, 415] },
      {
        url: '/beheer/inloggen',
        type: 'application/x-www-form-urlencoded',
        payload: Buffer.from([0xff, 0xfe, 0x3d, 0xc3, 0x28]),
        status: [400, 403],
      },
    ];
    for (const { url, type, payload, status } of cases) {
      const response = await t.app.inject({
        method: 'POST',
        url,
        payload,
        headers: { 'content-type': type },
      });
      assert.ok(status.includes(response.statusCode), `${url} ${type}: ${response.statusCode}`);
      assert.match(String(response.headers['content-type']), /text\/html/);
    }
    const still = await clients.get('coordinator')?.get('/beheer');
    assert.equal(still?.statusCode, 200, 'the coordinator is still signed in and served');
  });
});
