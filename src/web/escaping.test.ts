import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../test/app.ts';
import { TestClient, inputValue } from '../test/http-client.ts';
import { staffWithSession } from '../test/cases.ts';
import { validReport } from '../test/fixtures.ts';

/**
 * Whatever a reporter or a colleague types is shown as text in every staff view, never as markup. Script
 * and HTML payloads go in through the public intake form and the reporter's mailbox, and through the
 * back office's own forms (case title and summary, note, person, task, indicator remark); then every
 * back-office page reachable by links, for each staff role, and the search results (posted through the
 * search form) are fetched: none may contain a payload's markup, and each payload must be shown,
 * escaped, somewhere.
 */

const payload = (marker: string) =>
  `<b>${marker}</b><script>alert("${marker}")</script><img src=x onerror=alert("${marker}")>"'><svg onload=alert(1)>`;
/** How the renderer writes `<b>marker</b>` as text: `<` and `&` escaped, which is all text needs. */
const escapedMark = (marker: string) => `&lt;b>${marker}&lt;/b>`;
const RAW_MARKUP = [/<script>alert\(/i, /<img src=x onerror/i, /<svg onload/i, /<b>XSS/];

const MARKERS = {
  narrative: 'XSSNARRATIVE',
  contactName: 'XSSCONTACTNAME',
  safeHints: 'XSSHINTS',
  reporterMessage: 'XSSREPORTERMESSAGE',
  caseTitle: 'XSSCASETITLE',
  caseSummary: 'XSSCASESUMMARY',
  note: 'XSSNOTE',
  personName: 'XSSPERSONNAME',
  taskTitle: 'XSSTASKTITLE',
  remark: 'XSSREMARK',
} as const;

const MAX_PAGES = 300;

async function csrfOf(client: TestClient, path: string): Promise<string> {
  const page = await client.get(path);
  assert.equal(page.statusCode, 200, `${path} opens`);
  return inputValue(page.body, '_csrf');
}

async function post(client: TestClient, formPage: string, action: string, fields: Record<string, string>) {
  const response = await client.postForm(action, { _csrf: await csrfOf(client, formPage), ...fields });
  assert.equal(response.statusCode, 303, `${action} accepts the form`);
  return new URL(String(response.headers.location), 'http://x').pathname;
}

/** The search results for each marker (and for all of them at once), posted through the search form. */
async function searchResults(client: TestClient): Promise<Map<string, string>> {
  const results = new Map<string, string>();
  const form = await client.get('/beheer/zoeken');
  // A role that may not search (admin) gets 403 and has no results to check.
  if (form.statusCode !== 200) return results;
  for (const q of [Object.values(MARKERS).join(' OR '), ...Object.values(MARKERS)]) {
    const response = await client.postForm('/beheer/zoeken', { _csrf: inputValue(form.body, '_csrf'), q });
    assert.equal(response.statusCode, 200, `the search for ${q} answers`);
    results.set(`POST /beheer/zoeken q=${q}`, response.body);
  }
  return results;
}

/** Every back-office page reachable by links from the home page and the search results: path → body. */
async function crawl(client: TestClient): Promise<Map<string, string>> {
  const pages = await searchResults(client);
  const queue = ['/beheer'];
  const seen = new Set(queue);
  const follow = (body: string) => {
    for (const match of body.matchAll(/href="([^"]+)"/g)) {
      const href = (match[1] ?? '').replace(/&amp;/g, '&');
      if (!/^\/beheer(\/|$|\?)/.test(href) || seen.has(href)) continue;
      seen.add(href);
      queue.push(href);
    }
  };
  for (const body of pages.values()) follow(body);
  while (queue.length > 0 && pages.size < MAX_PAGES) {
    const path = queue.shift() ?? '';
    const response = await client.get(path);
    if (response.statusCode !== 200 || !String(response.headers['content-type']).startsWith('text/html'))
      continue;
    pages.set(path, response.body);
    follow(response.body);
  }
  return pages;
}

describe('content from reporters and staff is text in every staff view', { timeout: 300_000 }, () => {
  let t: TestApp;

  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it('renders script and HTML payloads escaped on every page, for every role', async () => {
    // --- the reporter: the public form, then a message in the mailbox --------------------------------
    const reporter = new TestClient(t.app);
    const start = await reporter.postForm('/melden', {
      _csrf: await csrfOf(reporter, '/melden'),
      acute_danger: 'no',
    });
    const submitted = await reporter.postMultipart('/melden/versturen', {
      _csrf: inputValue(start.body, '_csrf'),
      submission_key: inputValue(start.body, 'submission_key'),
      acute_danger: 'no',
      ...validReport,
      narrative: payload(MARKERS.narrative),
      contact_name: payload(MARKERS.contactName),
      safe_contact_hints: payload(MARKERS.safeHints),
    });
    assert.equal(submitted.statusCode, 303, 'the report is accepted');
    const confirmation = await reporter.get('/melden/ontvangen');
    const code = /data-receipt-code[^>]*>([\d ]+)</.exec(confirmation.body)?.[1];
    assert.ok(code);
    await post(reporter, '/mijn-melding', '/mijn-melding', { code });
    const sent = await reporter.postMultipart('/mijn-melding/berichten', {
      _csrf: await csrfOf(reporter, '/mijn-melding/berichten'),
      body: payload(MARKERS.reporterMessage),
    });
    assert.equal(sent.statusCode, 303, 'the message is sent');
    const report = await t.database.db.selectFrom('report').select('id').executeTakeFirstOrThrow();

    // --- staff: a case with everything a colleague can type --------------------------------------------
    const { client: advisor, user: advisorUser } = await staffWithSession(t, 'advisor');
    const reportPage = `/beheer/meldingen/${report.id}`;
    const casePath = await post(advisor, reportPage, `${reportPage}/casus`, {
      title: payload(MARKERS.caseTitle),
    });
    const edit = await advisor.get(`${casePath}/bewerken`);
    const edited = await advisor.postForm(`${casePath}/bewerken`, {
      _csrf: inputValue(edit.body, '_csrf'),
      version: inputValue(edit.body, 'version'),
      title: payload(MARKERS.caseTitle),
      summary: payload(MARKERS.caseSummary),
      urgency: 'normal',
      municipality: 'GM0153',
      exploitation_forms: 'labour',
    });
    assert.equal(edited.statusCode, 303, `the details are saved: ${edited.body.slice(0, 300)}`);
    await post(advisor, casePath, `${casePath}/notities`, { note: payload(MARKERS.note) });
    await post(advisor, `${casePath}/personen/nieuw`, `${casePath}/personen/nieuw`, {
      role: 'presumed_victim',
      name: payload(MARKERS.personName),
    });
    await post(advisor, `${casePath}/taken`, `${casePath}/taken`, {
      title: payload(MARKERS.taskTitle),
      owner: advisorUser.id,
    });
    const checklist = await advisor.get(`${casePath}/indicatoren`);
    const firstCode = /name="present_([a-z0-9_]+)"/.exec(checklist.body)?.[1];
    assert.ok(firstCode);
    const fields: Record<string, string> = {};
    for (const match of checklist.body.matchAll(/<input[^>]*type="hidden"[^>]*>/g)) {
      const name = /name="([^"]+)"/.exec(match[0])?.[1];
      const value = /value="([^"]*)"/.exec(match[0])?.[1] ?? '';
      if (name && name !== '_csrf') fields[name] = value;
    }
    await post(advisor, `${casePath}/indicatoren`, `${casePath}/indicatoren`, {
      ...fields,
      [`present_${firstCode}`]: 'yes',
      [`remark_${firstCode}`]: payload(MARKERS.remark),
    });

    // --- every page, every role -------------------------------------------------------------------------
    const shown = new Set<string>();
    for (const role of ['advisor', 'coordinator', 'admin'] as const) {
      const client = role === 'advisor' ? advisor : (await staffWithSession(t, role)).client;
      const pages = await crawl(client);
      assert.ok(
        pages.size > (role === 'admin' ? 3 : 8),
        `${role} reached the back office (${pages.size} pages)`,
      );
      for (const [path, body] of pages) {
        for (const pattern of RAW_MARKUP)
          assert.doesNotMatch(body, pattern, `${role} ${path} shows raw markup`);
        for (const marker of Object.values(MARKERS))
          if (body.includes(escapedMark(marker))) shown.add(marker);
      }
    }
    assert.deepEqual(
      Object.values(MARKERS).filter((marker) => !shown.has(marker)),
      [],
      'every payload is shown, as text, somewhere',
    );
  });
});
