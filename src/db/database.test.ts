import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { DatabaseHandle } from './database.ts';
import { migrate, pendingMigrations } from './migrate.ts';
import { createTestDatabase } from '../test/database.ts';

describe('database layer (PGlite or PostgreSQL, whichever the run uses)', () => {
  let handle: DatabaseHandle;
  before(async () => {
    handle = await createTestDatabase();
  });
  after(() => handle.close());

  it('has applied every migration, and applying again is a no-op', async () => {
    assert.deepEqual(await pendingMigrations(handle.db), []);
    assert.deepEqual(await migrate(handle.db), []);
  });

  it('returns the same JavaScript types on both engines', async () => {
    const row = (
      await sql<{
        n: number;
        d: string;
        b: Buffer;
        t: Date;
        a: string[];
        j: { x: number };
      }>`select count(*) as n, date '2026-01-02' as d, ${Buffer.from([1, 2, 255])}::bytea as b,
         now() as t, ${['sexual', 'labour']}::text[] as a, ${JSON.stringify({ x: 1 })}::jsonb as j`.execute(
        handle.db,
      )
    ).rows[0];
    assert.ok(row);
    assert.equal(row.n, 1);
    assert.equal(row.d, '2026-01-02');
    assert.ok(Buffer.isBuffer(row.b));
    assert.deepEqual([...row.b], [1, 2, 255]);
    assert.ok(row.t instanceof Date);
    assert.deepEqual(row.a, ['sexual', 'labour']);
    assert.deepEqual(row.j, { x: 1 });
  });

  it('keeps a transaction together while other queries wait, and rolls back on error', async () => {
    const id = randomUUID();
    const insertKey = (trx: typeof handle.db) =>
      trx
        .insertInto('data_key')
        .values({ id, kek_id: 'k1', wrapped_key: Buffer.from('x') })
        .execute();
    await assert.rejects(
      handle.db.transaction().execute(async (trx) => {
        await insertKey(trx);
        throw new Error('boom');
      }),
      /boom/,
    );
    const outside = handle.db.selectFrom('data_key').select('id').where('id', '=', id).execute();
    assert.deepEqual(await outside, []);

    const results = await Promise.all([
      handle.db.transaction().execute(async (trx) => {
        await insertKey(trx);
        await sql`select pg_sleep(0.05)`.execute(trx);
        return trx.selectFrom('data_key').select('id').where('id', '=', id).execute();
      }),
      handle.db.selectFrom('data_key').select('id').where('id', '=', id).execute(),
    ]);
    assert.equal(results[0].length, 1);
  });

  it('reports affected rows for updates and deletes', async () => {
    const id = randomUUID();
    await handle.db
      .insertInto('data_key')
      .values({ id, kek_id: 'k1', wrapped_key: Buffer.from('y') })
      .execute();
    const updated = await handle.db
      .updateTable('data_key')
      .set({ kek_id: 'k2' })
      .where('id', '=', id)
      .executeTakeFirst();
    assert.equal(updated.numUpdatedRows, 1n);
    const deleted = await handle.db.deleteFrom('data_key').where('id', '=', id).executeTakeFirst();
    assert.equal(deleted.numDeletedRows, 1n);
  });
});
