import { after, before, describe, it } from 'node:test';
import { randomBytes } from 'node:crypto';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { solveChallenge, type Challenge } from 'altcha-lib';
import { deriveKey as pbkdf2 } from 'altcha-lib/algorithms/pbkdf2';
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { TestClient, errorSummary, inputValue } from '../../test/http-client.ts';
import { validReport } from '../../test/fixtures.ts';
import { openReportForm } from '../../test/intake-form.ts';
import { CHALLENGE_FIELD, SOLUTION_FIELD, checkProofOfWork, issueChallenge } from './proof-of-work.ts';
import { issueSubmissionKey, openSubmissionKey } from './submission-key.ts';

const WAIT = /Wacht even en verstuur het formulier opnieuw/;

/** What the form's script does: find the counter, and put `counter:key` in the hidden field. */
async function solve(encoded: string): Promise<string> {
  const challenge = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as Challenge;
  const solution = await solveChallenge({ challenge, deriveKey: pbkdf2 });
  assert.ok(solution, 'the challenge can be solved');
  return `${solution.counter}:${solution.derivedKey}`;
}

/** The report form's hidden fields, the proof-of-work challenge among them. */
async function openForm(client: TestClient) {
  const { page, fields } = await openReportForm(client);
  return { ...fields, [CHALLENGE_FIELD]: inputValue(page.body, CHALLENGE_FIELD) };
}

describe('intake proof of work and the no-JavaScript fallback', () => {
  let t: TestApp;
  let address = 0;
  /** Each test from its own address, so the per-source limits of one do not reach another. */
  const newClient = () => {
    const client = new TestClient(t.app);
    client.remoteAddress = `198.51.100.${++address}`;
    return client;
  };
  const reportCount = async () =>
    Number((await sql<{ n: string }>`select count(*) as n from report`.execute(t.database.db)).rows[0]?.n);

  before(async () => {
    // The real minimum age and a low limit on unsolved reports (test apps otherwise wait 0 s).
    t = await createTestApp({
      env: { BAKEN_INTAKE_MIN_SECONDS: '15', BAKEN_INTAKE_UNSOLVED_PER_HOUR: '2' },
    });
  });
  after(() => t.close());

  it('accepts a report with a solved challenge at once', async () => {
    const client = newClient();
    const hidden = await openForm(client);
    const before = await reportCount();
    const response = await client.postMultipart('/melden/versturen', {
      ...hidden,
      ...validReport,
      [SOLUTION_FIELD]: await solve(hidden[CHALLENGE_FIELD]),
    });
    assert.equal(response.statusCode, 303);
    assert.equal(await reportCount(), before + 1);
  });

  it('refuses a solution reused for another form, and a resent form stores nothing new', async () => {
    const client = newClient();
    const first = await openForm(client);
    const solution = await solve(first[CHALLENGE_FIELD]);
    const sent = await client.postMultipart('/melden/versturen', {
      ...first,
      ...validReport,
      [SOLUTION_FIELD]: solution,
    });
    assert.equal(sent.statusCode, 303);
    const afterFirst = await reportCount();

    const second = await openForm(client);
    const reused = await client.postMultipart('/melden/versturen', {
      ...second,
      [CHALLENGE_FIELD]: first[CHALLENGE_FIELD],
      ...validReport,
      narrative: 'Tweede melding met een oude oplossing.',
      [SOLUTION_FIELD]: solution,
    });
    assert.equal(reused.statusCode, 400);
    assert.match(errorSummary(reused.body)[0] ?? '', WAIT);
    assert.match(reused.body, /Tweede melding met een oude oplossing\./);

    // The same form and solution again: the first report, not a second one.
    const again = await client.postMultipart('/melden/versturen', {
      ...first,
      ...validReport,
      [SOLUTION_FIELD]: solution,
    });
    assert.equal(again.statusCode, 303);
    assert.equal(await reportCount(), afterFirst);
  });

  it('refuses a tampered or expired challenge', async () => {
    const client = newClient();
    const hidden = await openForm(client);
    const solution = await solve(hidden[CHALLENGE_FIELD]);
    const challenge = JSON.parse(
      Buffer.from(hidden[CHALLENGE_FIELD], 'base64url').toString('utf8'),
    ) as Challenge;
    const tampered = (change: (c: Challenge) => void) => {
      const copy = structuredClone(challenge);
      change(copy);
      return Buffer.from(JSON.stringify(copy)).toString('base64url');
    };
    const keyId = openSubmissionKey(t.config.secrets.secretKey, hidden.submission_key) ?? '';
    const expired = await issueChallenge(t.config.secrets.secretKey, keyId, Date.now() - 31 * 60 * 1000);
    const before = await reportCount();
    for (const [label, fields] of [
      ['cheaper', { [CHALLENGE_FIELD]: tampered((c) => (c.parameters.cost = 1)) }],
      ['longer-lived', { [CHALLENGE_FIELD]: tampered((c) => (c.parameters.expiresAt = 4102444800)) }],
      ['re-signed', { [CHALLENGE_FIELD]: tampered((c) => (c.signature = '00'.repeat(32))) }],
      ['wrong key', { [SOLUTION_FIELD]: `${solution.split(':')[0]}:${'ab'.repeat(32)}` }],
      ['expired', { [CHALLENGE_FIELD]: expired, [SOLUTION_FIELD]: await solve(expired) }],
    ] as const) {
      const response = await client.postMultipart('/melden/versturen', {
        ...hidden,
        ...validReport,
        [SOLUTION_FIELD]: solution,
        ...fields,
      });
      assert.equal(response.statusCode, 400, label);
      assert.match(errorSummary(response.body)[0] ?? '', WAIT, label);
    }
    assert.equal(await reportCount(), before);
  });

  it('without JavaScript, refuses a form sent too soon, keeping what was typed', async () => {
    const client = newClient();
    const hidden = await openForm(client);
    const before = await reportCount();
    const response = await client.postMultipart(
      '/melden/versturen',
      { ...hidden, ...validReport, narrative: 'Snel getypt, toch bewaard.' },
      [{ fileName: 'foto.png', data: Buffer.from('not really a png'), type: 'image/png' }],
    );
    assert.equal(response.statusCode, 400);
    const summary = errorSummary(response.body);
    assert.match(summary[0] ?? '', WAIT);
    assert.ok(
      summary.some((line) => /Kies ze opnieuw/.test(line)),
      'files must be chosen again',
    );
    assert.match(response.body, /Snel getypt, toch bewaard\./);
    assert.match(response.body, /anna\.geheim@example\.org/);
    // The same form comes back, so waiting and sending again is enough.
    assert.equal(inputValue(response.body, 'submission_key'), hidden.submission_key);
    assert.equal(await reportCount(), before);
  });

  it('without JavaScript, gives a form kept for hours back with a new key, so keys cannot be hoarded', async () => {
    const client = newClient();
    const hidden = await openForm(client);
    const before = await reportCount();
    const hoarded = issueSubmissionKey(t.config.secrets.secretKey, Date.now() - 3 * 60 * 60 * 1000);
    const response = await client.postMultipart('/melden/versturen', {
      ...hidden,
      submission_key: hoarded,
      ...validReport,
      narrative: 'Lang blijven liggen.',
    });
    assert.equal(response.statusCode, 400);
    assert.match(errorSummary(response.body)[0] ?? '', WAIT);
    assert.match(response.body, /Lang blijven liggen\./);
    const fresh = inputValue(response.body, 'submission_key');
    assert.notEqual(fresh, hoarded);
    assert.ok(openSubmissionKey(t.config.secrets.secretKey, fresh), 'a valid new key');
    assert.equal(await reportCount(), before);
  });

  it('without JavaScript, accepts a form handed out long enough ago, a few times per source', async () => {
    const client = newClient();
    const secret = t.config.secrets.secretKey;
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const hidden = await openForm(client);
      const response = await client.postMultipart('/melden/versturen', {
        ...hidden,
        // As if the form had been open for 20 seconds (the key carries when it was issued).
        submission_key: issueSubmissionKey(secret, Date.now() - 20_000),
        ...validReport,
        narrative: `Zonder JavaScript ${i}.`,
      });
      statuses.push(response.statusCode);
      if (response.statusCode === 429) {
        assert.match(errorSummary(response.body)[0] ?? '', /veel berichten verstuurd/);
        assert.match(response.body, /Zonder JavaScript 2\./);
      }
    }
    assert.deepEqual(statuses, [303, 303, 429]);
    // A solved challenge still goes through from that source.
    const hidden = await openForm(client);
    const solved = await client.postMultipart('/melden/versturen', {
      ...hidden,
      ...validReport,
      [SOLUTION_FIELD]: await solve(hidden[CHALLENGE_FIELD]),
    });
    assert.equal(solved.statusCode, 303);
  });

  it('never fails on arbitrary challenge and solution fields', async () => {
    const secret = t.config.secrets.secretKey;
    const keyId = openSubmissionKey(secret, issueSubmissionKey(secret)) ?? '';
    const valid = await issueChallenge(secret, keyId);
    const challengeLike = fc.oneof(
      fc.string(),
      fc.constant(valid),
      fc.json().map((json) => Buffer.from(json).toString('base64url')),
      fc
        .record({ parameters: fc.dictionary(fc.string(), fc.jsonValue()), signature: fc.string() })
        .map((c) => Buffer.from(JSON.stringify(c)).toString('base64url')),
    );
    const solutionLike = fc.oneof(
      fc.string(),
      fc
        .tuple(fc.nat(), fc.string({ unit: fc.integer({ min: 0, max: 15 }).map((n) => n.toString(16)) }))
        .map(([n, hex]) => `${n}:${hex}`),
    );
    await fc.assert(
      fc.asyncProperty(challengeLike, solutionLike, async (challenge, solution) => {
        const result = await checkProofOfWork(secret, keyId, challenge, solution);
        assert.ok(['absent', 'invalid', 'expired'].includes(result), result);
      }),
      { numRuns: 300 },
    );
    const client = newClient();
    const hidden = await openForm(client);
    await fc.assert(
      fc.asyncProperty(challengeLike, solutionLike, async (challenge, solution) => {
        const response = await client.postMultipart('/melden/versturen', {
          ...hidden,
          ...validReport,
          [CHALLENGE_FIELD]: challenge,
          [SOLUTION_FIELD]: solution,
        });
        assert.ok(response.statusCode < 500, `${response.statusCode} for ${challenge} / ${solution}`);
      }),
      { numRuns: 25 },
    );
  });
});

describe(
  'per-source report limit shared by several instances',
  { skip: process.env.REDIS_URL ? false : 'REDIS_URL is not set' },
  () => {
    let one: TestApp;
    let two: TestApp;
    const env = { REDIS_URL: process.env.REDIS_URL ?? '', BAKEN_INTAKE_LIMIT_PER_HOUR: '2' };
    before(async () => {
      one = await createTestApp({ env });
      two = await createTestApp({ env });
    });
    after(async () => {
      await one.close();
      await two.close();
    });

    it('counts reports sent to either instance towards one limit', async () => {
      // An address of its own per run: the counters live in Redis for the rest of the hour.
      const address = `2001:db8:${randomBytes(2).toString('hex')}:${randomBytes(2).toString('hex')}::1`;
      const statuses: number[] = [];
      for (const t of [one, two, one]) {
        const client = new TestClient(t.app);
        client.remoteAddress = address;
        const hidden = await openForm(client);
        const response = await client.postMultipart('/melden/versturen', {
          ...hidden,
          ...validReport,
          [SOLUTION_FIELD]: await solve(hidden[CHALLENGE_FIELD]),
        });
        statuses.push(response.statusCode);
      }
      assert.deepEqual(statuses, [303, 303, 429]);
    });
  },
);
