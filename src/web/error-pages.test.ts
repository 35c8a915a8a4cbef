import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../test/app.ts';

describe('error pages', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it('shows a server error as a page in the site layout with a reference, never a stack trace', async () => {
    // Losing the database mid-flight is the most realistic server error there is.
    await t.database.db.destroy();
    const response = await t.app.inject({
      method: 'GET',
      url: '/mijn-melding',
      headers: { cookie: 'baken_mailbox=some-session' },
    });
    assert.equal(response.statusCode, 500);
    assert.match(response.body, /<html lang="nl"/);
    assert.match(response.body, /Er ging bij ons iets mis/);
    assert.match(response.body, /Snel weg/);
    assert.match(response.body, /Foutcode: [0-9a-f-]{36}/);
    assert.doesNotMatch(response.body, /at .*\.ts:\d+/);
    assert.doesNotMatch(response.body, /Error:/);
    const logged = t.logLines.find((line) => line.msg === 'unhandled error');
    assert.ok(logged, 'the error itself goes to the log');
    assert.ok(!JSON.stringify(logged).includes('some-session'), 'without the cookie');
  });
});
