import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { TestClient, errorSummary, inputValue } from '../../test/http-client.ts';
import { ensureSetupLink } from '../setup/setup-service.ts';

/** The first administrator's password follows the same policy as an invitee's: no breached passwords. */
describe('the setup link uses the shared password policy', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it('refuses a common breached password, in any letter case', async () => {
    const link = await ensureSetupLink(t.database.db, t.config.publicUrl);
    assert.ok(link);
    const path = new URL(link).pathname;
    const client = new TestClient(t.app);
    const form = await client.get(path);
    const response = await client.postForm(path, {
      _csrf: inputValue(form.body, '_csrf'),
      display_name: 'Anna',
      email: 'anna@example.org',
      password: 'Qwerty123456',
      password_repeat: 'Qwerty123456',
    });
    assert.equal(response.statusCode, 400);
    assert.deepEqual(errorSummary(response.body), [
      'Dit wachtwoord komt voor in lijsten van veelgebruikte, gelekte wachtwoorden. Kies een ander wachtwoord, bijvoorbeeld een zin van een paar woorden.',
    ]);
    const users = await t.database.db.selectFrom('staff_user').select('id').execute();
    assert.equal(users.length, 0);
  });
});
