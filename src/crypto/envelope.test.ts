import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { createDataKey, decrypt, encrypt, loadDataKey, rewrapDataKeys } from './envelope.ts';
import { createTestDatabase } from '../test/database.ts';
import type { DatabaseHandle } from '../db/database.ts';

describe('envelope encryption', () => {
  let handle: DatabaseHandle;
  before(async () => {
    handle = await createTestDatabase();
  });
  after(() => handle.close());

  it('round-trips any bytes and rejects a wrong AAD, key or tampered byte', () => {
    const key = randomBytes(32);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), fc.string(), (bytes, aad) => {
        const sealed = encrypt(key, Buffer.from(bytes), aad);
        assert.deepEqual(decrypt(key, sealed, aad), Buffer.from(bytes));
        assert.throws(() => decrypt(key, sealed, `${aad}x`));
        assert.throws(() => decrypt(randomBytes(32), sealed, aad));
        const tampered = Buffer.from(sealed);
        const index = tampered.length - 1;
        tampered[index] = (tampered[index] ?? 0) ^ 1;
        assert.throws(() => decrypt(key, tampered, aad));
      }),
      { numRuns: 200 },
    );
  });

  it('never accepts arbitrary input as ciphertext', () => {
    const key = randomBytes(32);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        assert.throws(() => decrypt(key, Buffer.from(bytes), 'aad'));
      }),
    );
  });

  it('stores data keys wrapped, and re-wraps them when the active key changes', async () => {
    const oldRing = [{ id: 'k1', key: randomBytes(32) }];
    const dataKey = await createDataKey(handle.db, oldRing);
    const row = await handle.db
      .selectFrom('data_key')
      .selectAll()
      .where('id', '=', dataKey.id)
      .executeTakeFirstOrThrow();
    assert.equal(row.kek_id, 'k1');
    assert.ok(!row.wrapped_key.includes(dataKey.key), 'the raw data key is not stored');

    const newRing = [{ id: 'k2', key: randomBytes(32) }, ...oldRing];
    assert.ok((await rewrapDataKeys(handle.db, newRing)) >= 1);
    const reloaded = await loadDataKey(handle.db, newRing.slice(0, 1), dataKey.id);
    assert.deepEqual(reloaded.key, dataKey.key);
    await assert.rejects(loadDataKey(handle.db, oldRing, dataKey.id), /not configured/);
  });
});
