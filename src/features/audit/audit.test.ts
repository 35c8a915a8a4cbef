import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type RawBuilder } from 'kysely';
import pg from 'pg';
import { openDatabase, openPostgres, type Database, type DatabaseHandle } from '../../db/database.ts';
import { migrate } from '../../db/migrate.ts';
import { createTestDatabase } from '../../test/database.ts';
import { completeSetup, ensureSetupLink } from '../setup/setup-service.ts';
import {
  CASE_ENTITY,
  SYSTEM_ACTOR,
  caseAccessLog,
  listAuditEvents,
  recordAudit,
  recordAuditAlone,
  type AuditEventInput,
} from './audit-service.ts';
import { GENESIS_HASH, canonicalJson, hashRow } from './chain.ts';
import { intactLine, parseCheckpoint, verifyAuditChain } from './verify.ts';
import { pruneAuditLog } from '../retention/audit-prune.ts';

const coordinator = { userId: randomUUID(), role: 'coordinator' as const };

function caseRead(caseId: string, extra: Partial<AuditEventInput> = {}): AuditEventInput {
  return { actor: coordinator, action: 'case.read', entity: { type: CASE_ENTITY, id: caseId }, ...extra };
}

async function append(db: Database, event: AuditEventInput) {
  return db.transaction().execute((trx) => recordAudit(trx, event));
}

async function rowCount(db: Database): Promise<number> {
  const row = await db
    .selectFrom('audit_event')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return row.n;
}

/** `expected`'s properties, with these values, are in `actual`. */
function assertIncludes(actual: object, expected: object): void {
  const picked = Object.fromEntries(
    Object.keys(expected).map((key) => [key, (actual as Record<string, unknown>)[key]]),
  );
  assert.deepEqual(picked, expected, JSON.stringify(actual));
}

/** What someone with direct access to the tables could do: switch the guard off, edit, switch it on. */
async function tamper(db: Database, statement: RawBuilder<unknown>): Promise<void> {
  await sql`alter table audit_event disable trigger audit_event_append_only`.execute(db);
  await statement.execute(db);
  await sql`alter table audit_event enable trigger audit_event_append_only`.execute(db);
}

describe('audit log (PGlite or PostgreSQL, whichever the run uses)', () => {
  let handle: DatabaseHandle;
  let db: Database;
  before(async () => {
    handle = await createTestDatabase();
    db = handle.db;
  });
  after(() => handle.close());

  it('records a sequence of events, each linked to the one before, and the chain verifies', async () => {
    const caseId = randomUUID();
    const events: AuditEventInput[] = [
      { action: 'login.failure', details: { reason: 'unknown_account' } },
      { actor: { userId: coordinator.userId.toUpperCase(), role: 'coordinator' }, action: 'login.success' },
      caseRead(caseId, { requestId: 'req-1' }),
      caseRead(caseId, {
        action: 'case.break_glass',
        reason: 'Melder belt met acute vraag — dossier nodig 🚨',
        details: {
          z: [1, 2.5, -0, 1e21, 5e-324],
          a: { nested: 'ünïcode ✓', empty: {} },
          flag: true,
          none: null,
        },
      }),
      { actor: { role: 'reporter' }, action: 'mailbox.read', entity: { type: 'report', id: caseId } },
      { actor: SYSTEM_ACTOR, action: 'export.created', details: { format: 'csv', rows: 12 } },
    ];
    const recorded = [];
    for (const event of events) recorded.push(await append(db, event));
    for (const [index, event] of recorded.entries()) {
      assert.equal(event.seq, (recorded[0]?.seq ?? 0) + index, 'seq counts up by one');
    }

    const rows = await db.selectFrom('audit_event').selectAll().orderBy('seq').execute();
    assert.equal(rows[0]?.prev_hash, GENESIS_HASH, 'the first row starts the chain');
    for (let i = 1; i < rows.length; i++) assert.equal(rows[i]?.prev_hash, rows[i - 1]?.hash);
    for (const row of rows) assert.equal(hashRow(row), row.hash);
    const glass = rows.find((row) => row.action === 'case.break_glass');
    assert.ok(glass);
    assert.equal(glass.reason, 'Melder belt met acute vraag — dossier nodig 🚨');
    assert.equal(glass.actor_user_id, coordinator.userId);
    assert.equal(glass.actor_role, 'coordinator');
    assert.equal(glass.entity_type, 'case');
    assert.equal(glass.entity_id, caseId);
    assert.equal(
      canonicalJson(glass.details),
      '{"a":{"empty":{},"nested":"ünïcode ✓"},"flag":true,"none":null,"z":[1,2.5,0,1e+21,5e-324]}',
    );
    const anonymous = rows.find((row) => row.action === 'login.failure');
    assert.ok(anonymous);
    assert.equal(anonymous.actor_user_id, null);
    assert.equal(anonymous.actor_role, null);
    assert.equal(
      rows.find((row) => row.action === 'login.success')?.actor_user_id,
      coordinator.userId,
      'a uuid is stored in lower case, as PostgreSQL prints it',
    );

    const result = await verifyAuditChain(db);
    assert.deepEqual(result, {
      ok: true,
      count: rows.length,
      lastSeq: rows.at(-1)?.seq,
      lastHash: rows.at(-1)?.hash,
    });
    // Small batches exercise the paging.
    assert.deepEqual(await verifyAuditChain(db, { batchSize: 2 }), result);
  });

  it('keeps one unbroken chain when 20 transactions append at once', async () => {
    const before = await rowCount(db);
    const recorded = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        db.transaction().execute(async (trx) => {
          // The change being recorded, then some delay so that the transactions overlap.
          await trx
            .insertInto('data_key')
            .values({ id: randomUUID(), kek_id: 'k1', wrapped_key: Buffer.from([i]) })
            .execute();
          await sql`select pg_sleep(${(i % 4) * 0.01})`.execute(trx);
          return recordAudit(trx, caseRead(randomUUID(), { details: { i } }));
        }),
      ),
    );
    const seqs = recorded.map((event) => event.seq).sort((a, b) => a - b);
    assert.deepEqual(
      seqs,
      Array.from({ length: 20 }, (_, i) => before + 1 + i),
      'twenty consecutive seqs',
    );
    assert.equal(await rowCount(db), before + 20);
    const result = await verifyAuditChain(db);
    assert.equal(result.ok, true, JSON.stringify(result));
    assert.equal(result.count, before + 20);
  });

  it('leaves no row and no gap behind when the transaction rolls back', async () => {
    const before = await rowCount(db);
    const keyId = randomUUID();
    await assert.rejects(
      db.transaction().execute(async (trx) => {
        await trx
          .insertInto('data_key')
          .values({ id: keyId, kek_id: 'k1', wrapped_key: Buffer.from('x') })
          .execute();
        await recordAudit(trx, caseRead(randomUUID()));
        throw new Error('the change failed');
      }),
      /the change failed/,
    );
    assert.equal(await rowCount(db), before);
    assert.equal(
      await db.selectFrom('data_key').select('id').where('id', '=', keyId).executeTakeFirst(),
      undefined,
    );
    const next = await append(db, caseRead(randomUUID()));
    assert.equal(next.seq, before + 1, 'the next event takes the seq the rolled-back one had');
    assert.equal((await verifyAuditChain(db)).ok, true);
  });

  it('only records inside a transaction, and only what it can verify later', async () => {
    await assert.rejects(
      // The database itself is no transaction; the types cannot tell the two apart, so a mistake
      // like this one is caught when it runs.
      // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
      recordAudit(db as Parameters<typeof recordAudit>[0], caseRead(randomUUID())),
      /needs the transaction/,
    );
    const refused: AuditEventInput[] = [
      { action: 'Case Read' },
      { action: 'case' },
      { action: 'case.read', actor: { userId: 'not-a-uuid', role: 'admin' } },
      { action: 'case.read', actor: { role: 'root' as 'admin' } },
      { action: 'case.read', entity: { type: 'Case File', id: '1' } },
      { action: 'case.read', entity: { type: 'case', id: '' } },
      { action: 'case.read', reason: 'nul \u0000 byte' },
      { action: 'case.read', reason: '   ' },
      { action: 'case.read', requestId: 'lone \ud800 surrogate' },
      { action: 'case.read', details: { n: Number.NaN } },
      { action: 'case.read', details: { n: Infinity } },
      { action: 'case.read', details: { s: 'nul \u0000' } },
      { action: 'case.read', details: { when: new Date() as unknown as string } },
      { action: 'case.read', details: { u: undefined as unknown as string } },
      { action: 'case.read', details: { big: 'x'.repeat(3000) } },
      { action: 'case.read', details: { a: [[[[['too deep']]]]] } },
    ];
    const before = await rowCount(db);
    for (const event of refused) {
      await assert.rejects(append(db, event), TypeError, JSON.stringify(event));
    }
    assert.equal(await rowCount(db), before);
  });

  it('refuses updates, deletes and truncation through the app connection', async () => {
    await append(db, caseRead(randomUUID()));
    await assert.rejects(
      db.updateTable('audit_event').set({ action: 'case.nothing' }).where('seq', '=', 1).execute(),
      /audit_event is append-only: UPDATE refused/,
    );
    await assert.rejects(
      db.deleteFrom('audit_event').where('seq', '=', 1).execute(),
      /audit_event is append-only: DELETE refused/,
    );
    await assert.rejects(
      sql`truncate audit_event`.execute(db),
      /audit_event is append-only: TRUNCATE refused/,
    );
    assert.equal((await verifyAuditChain(db)).ok, true);
  });

  it('cannot fork: a second row naming the same predecessor is refused', async () => {
    const last = await db
      .selectFrom('audit_event')
      .selectAll()
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
    await assert.rejects(
      db
        .insertInto('audit_event')
        .values({
          ...last,
          seq: last.seq + 1,
          id: randomUUID(),
          details: null,
          hash: randomBytes(32).toString('hex'),
        })
        .execute(),
      /duplicate key value violates unique constraint "audit_event_prev_hash_key"/,
    );
  });

  it('finds events for administrators by actor, action, entity and time, newest first, a page at a time', async () => {
    const actor = { userId: randomUUID(), role: 'advisor' as const };
    const caseId = randomUUID();
    const startedAt = new Date();
    const recorded = [];
    for (let i = 0; i < 5; i++) {
      recorded.push(await append(db, { ...caseRead(caseId), actor, details: { i } }));
    }
    const update = await append(db, { ...caseRead(caseId), actor, action: 'case.updated' });
    await append(db, caseRead(caseId)); // another actor

    const byActor = await listAuditEvents(db, { actorUserId: actor.userId }, { limit: 4 });
    assert.deepEqual(
      byActor.events.map((event) => event.seq),
      [
        update.seq,
        ...recorded
          .slice(2)
          .map((event) => event.seq)
          .reverse(),
      ],
    );
    assert.equal(byActor.next, recorded[2]?.seq);
    const rest = await listAuditEvents(db, { actorUserId: actor.userId }, { limit: 4, before: byActor.next });
    assert.deepEqual(
      rest.events.map((event) => event.seq),
      [recorded[1]?.seq, recorded[0]?.seq],
    );
    assert.equal(rest.next, undefined, 'the last page has no next');

    const [first] = rest.events.slice(-1);
    assert.deepEqual(first, {
      seq: recorded[0]?.seq,
      id: recorded[0]?.id,
      at: recorded[0]?.at,
      actorUserId: actor.userId,
      actorRole: 'advisor',
      action: 'case.read',
      entityType: 'case',
      entityId: caseId,
      reason: null,
      requestId: null,
      details: { i: 0 },
    });

    const updates = await listAuditEvents(db, { action: 'case.updated', entityId: caseId });
    assert.deepEqual(
      updates.events.map((event) => event.seq),
      [update.seq],
    );
    const caseEvents = await listAuditEvents(db, {
      actionPrefix: 'case.',
      entityType: 'case',
      entityId: caseId,
    });
    assert.equal(caseEvents.events.length, 7);
    assert.equal((await listAuditEvents(db, { actionPrefix: 'case_', entityId: caseId })).events.length, 0);
    assert.equal((await listAuditEvents(db, { actorRole: 'advisor', entityId: caseId })).events.length, 6);

    const inRange = await listAuditEvents(db, {
      entityId: caseId,
      from: startedAt,
      to: new Date(Date.now() + 1000),
    });
    assert.equal(inRange.events.length, 7);
    assert.equal((await listAuditEvents(db, { entityId: caseId, to: startedAt })).events.length, 0);
    assert.equal((await listAuditEvents(db, { actorUserId: 'not-a-uuid' })).events.length, 0);
    assert.equal((await listAuditEvents(db, {}, { limit: 10_000 })).events.length <= 200, true);
  });

  it("shows a case's access log, newest first, without other cases", async () => {
    const caseId = randomUUID();
    const read = await append(db, caseRead(caseId));
    const glass = await append(db, caseRead(caseId, { action: 'case.break_glass', reason: 'spoed' }));
    await append(db, caseRead(randomUUID()));
    const log = await caseAccessLog(db, caseId);
    assert.deepEqual(
      log.events.map((event) => [event.seq, event.action, event.reason]),
      [
        [glass.seq, 'case.break_glass', 'spoed'],
        [read.seq, 'case.read', null],
      ],
    );
  });

  it("records the first administrator's creation as 'staff.created' by the system, in setup's transaction", async () => {
    const link = await ensureSetupLink(db, 'http://localhost:3000');
    assert.ok(link);
    const token = link.split('/').pop() ?? '';
    const result = await completeSetup(db, token, {
      displayName: 'Sanne de Vries',
      email: 'sanne@example.org',
      passwordHash: '$argon2id$not-a-real-hash',
    });
    assert.ok(result.status === 'created');
    const { events } = await listAuditEvents(db, { action: 'staff.created' });
    assert.equal(events.length, 1);
    const event = events[0];
    assert.ok(event);
    assert.equal(event.actorRole, 'system');
    assert.equal(event.actorUserId, null);
    assert.equal(event.entityType, 'staff_user');
    assert.equal(event.entityId, result.userId);
    assert.deepEqual(event.details, { role: 'admin', via: 'setup' });
    assert.ok(!JSON.stringify(event).includes('sanne'), 'no name or e-mail address in the log');
    assert.equal((await verifyAuditChain(db)).ok, true);
  });

  it('records an event with nothing else to go with it in a transaction of its own', async () => {
    const event = await recordAuditAlone(db, {
      action: 'login.failure',
      details: { reason: 'bad_password' },
    });
    const row = await db
      .selectFrom('audit_event')
      .selectAll()
      .where('seq', '=', event.seq)
      .executeTakeFirst();
    assert.equal(row?.hash, event.hash);
  });
});

describe('tampering by hand is found, naming the first broken row', () => {
  let handle: DatabaseHandle;
  let db: Database;

  /** A fresh database holding events with seq 1 to 5. */
  async function freshLog(): Promise<void> {
    handle = await createTestDatabase();
    db = handle.db;
    for (let i = 1; i <= 5; i++) await append(db, caseRead(randomUUID(), { details: { i } }));
    assert.deepEqual(await verifyAuditChain(db), {
      ok: true,
      count: 5,
      lastSeq: 5,
      lastHash: (await db.selectFrom('audit_event').select('hash').where('seq', '=', 5).executeTakeFirst())
        ?.hash,
    });
  }

  const cases: { name: string; statement: RawBuilder<unknown>; expected: object }[] = [
    {
      name: "a changed action (row 3's hash no longer matches)",
      statement: sql`update audit_event set action = 'case.nothing_to_see' where seq = 3`,
      expected: {
        firstBrokenSeq: 3,
        count: 2,
        reason: 'the row was changed after it was written (hash mismatch)',
      },
    },
    {
      name: 'changed details',
      statement: sql`update audit_event set details = '{"i": 40}' where seq = 4`,
      expected: { firstBrokenSeq: 4, count: 3 },
    },
    {
      name: 'a time moved by one microsecond',
      statement: sql`update audit_event set at = at + interval '1 microsecond' where seq = 2`,
      expected: { firstBrokenSeq: 2, count: 1 },
    },
    {
      name: 'a deleted middle row',
      statement: sql`delete from audit_event where seq = 3`,
      expected: { firstBrokenSeq: 3, count: 2, reason: 'row 3 missing (deleted) before row 4' },
    },
    {
      name: 'deleted first rows',
      statement: sql`delete from audit_event where seq <= 2`,
      expected: { firstBrokenSeq: 1, count: 0, reason: 'row 1 to 2 missing (deleted) before row 3' },
    },
    {
      name: 'a deleted row with the later ones renumbered',
      statement: sql`delete from audit_event where seq = 2; update audit_event set seq = seq - 1 where seq > 2`,
      expected: { firstBrokenSeq: 2, count: 1, reason: 'prev_hash does not match the hash of row 1' },
    },
    {
      name: 'a replaced hash',
      statement: sql`update audit_event set hash = repeat('a', 64) where seq = 2`,
      expected: { firstBrokenSeq: 2, count: 1 },
    },
  ];

  for (const { name, statement, expected } of cases) {
    it(name, async () => {
      await freshLog();
      try {
        await tamper(db, statement);
        const result = await verifyAuditChain(db);
        assert.equal(result.ok, false);
        assertIncludes(result, expected);
        // The same answer whatever the batch size.
        assert.deepEqual(await verifyAuditChain(db, { batchSize: 2 }), result);
      } finally {
        await handle.close();
      }
    });
  }

  it('the newest rows removed, or the chain rewritten: found against a checkpoint', async () => {
    await freshLog();
    try {
      const rows = await db.selectFrom('audit_event').selectAll().orderBy('seq').execute();
      const checkpoint = { seq: 5, hash: rows[4]?.hash ?? '' };
      assert.deepEqual(parseCheckpoint(`5:${checkpoint.hash}\n`), checkpoint);
      assert.equal(parseCheckpoint(`0:${checkpoint.hash}`), undefined);
      assert.equal(parseCheckpoint('5:abc'), undefined);

      // Rewritten from row 3 on by someone who knows the rule: the chain itself holds.
      let prevHash = rows[1]?.hash ?? '';
      for (const row of rows.slice(2)) {
        const forged = { ...row, action: 'case.nothing_to_see', prev_hash: prevHash };
        prevHash = hashRow(forged);
        await tamper(
          db,
          sql`update audit_event set action = ${forged.action}, prev_hash = ${forged.prev_hash},
              hash = ${prevHash} where seq = ${row.seq}`,
        );
      }
      assert.equal((await verifyAuditChain(db)).ok, true);
      assertIncludes(await verifyAuditChain(db, { expect: checkpoint }), {
        ok: false,
        firstBrokenSeq: 5,
        count: 4,
        reason: 'the hash differs from the one noted down for row 5',
      });

      await tamper(db, sql`delete from audit_event where seq >= 4`);
      assert.equal((await verifyAuditChain(db)).ok, true);
      assertIncludes(await verifyAuditChain(db, { expect: checkpoint, batchSize: 2 }), {
        ok: false,
        firstBrokenSeq: 4,
        count: 3,
        reason: 'row 4 to 5 missing (deleted): row 5 was noted down',
      });
    } finally {
      await handle.close();
    }
  });

  it('a relinked row: the chain names where the link breaks', async () => {
    await freshLog();
    try {
      // Row 2 edited and re-hashed correctly by someone who knows the rule: row 3's link breaks.
      const row = await db
        .selectFrom('audit_event')
        .selectAll()
        .where('seq', '=', 2)
        .executeTakeFirstOrThrow();
      const forged = { ...row, action: 'case.nothing_to_see' };
      await tamper(
        db,
        sql`update audit_event set action = ${forged.action}, hash = ${hashRow(forged)} where seq = 2`,
      );
      const result = await verifyAuditChain(db);
      assertIncludes(result, {
        ok: false,
        firstBrokenSeq: 3,
        count: 2,
        reason: 'prev_hash does not match the hash of row 2',
      });
    } finally {
      await handle.close();
    }
  });
});

// --- Pruning old rows (retention) ----------------------------------------------------------------

/** An event at a chosen time, chained exactly as recordAudit chains it (recordAudit takes the clock's). */
async function appendAt(db: Database, at: Date, i: number, caseId?: string): Promise<void> {
  const last = await db
    .selectFrom('audit_event')
    .select(['seq', 'hash'])
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  const row = {
    seq: (last?.seq ?? 0) + 1,
    id: randomUUID(),
    at,
    actor_user_id: null,
    actor_role: 'system',
    action: 'case.read',
    entity_type: caseId ? CASE_ENTITY : null,
    entity_id: caseId ?? null,
    reason: null,
    request_id: null,
    prev_hash: last?.hash ?? GENESIS_HASH,
  };
  const details = { i };
  await db
    .insertInto('audit_event')
    .values({ ...row, details: JSON.stringify(details), hash: hashRow({ ...row, details }) })
    .execute();
}

describe('pruning the oldest rows keeps the chain verifiable from an anchor', () => {
  let handle: DatabaseHandle;
  let db: Database;
  const old = new Date('2015-03-01T10:00:00.000Z');
  const recent = new Date('2024-03-01T10:00:00.000Z');

  /** Rows 1 to 3 written in 2015, 4 to 6 in 2024; rows up to 2020 pruned. */
  async function prunedLog(): Promise<string> {
    handle = await createTestDatabase();
    db = handle.db;
    for (let i = 1; i <= 6; i++) await appendAt(db, i <= 3 ? old : recent, i);
    const row3 = await db
      .selectFrom('audit_event')
      .select('hash')
      .where('seq', '=', 3)
      .executeTakeFirstOrThrow();
    assert.equal(await pruneAuditLog(db, { before: new Date('2020-01-01T00:00:00Z'), batchSize: 2 }), 3);
    return row3.hash;
  }

  it('prunes only the old rows, in batches, anchored at the last pruned row, and verifies', async () => {
    const hash3 = await prunedLog();
    const seqs = await db.selectFrom('audit_event').select('seq').orderBy('seq').execute();
    assert.deepEqual(
      seqs.map((r) => r.seq),
      [4, 5, 6],
    );
    const anchors = await db
      .selectFrom('audit_anchor')
      .select(['seq', 'pruned_count'])
      .orderBy('seq')
      .execute();
    assert.deepEqual(anchors, [
      { seq: 2, pruned_count: 2 },
      { seq: 3, pruned_count: 1 },
    ]);
    const result = await verifyAuditChain(db);
    assertIncludes(result, {
      ok: true,
      count: 3,
      lastSeq: 6,
      anchor: { seq: 3, hash: hash3, anchoredAt: old },
    });
    assert.ok(result.ok);
    assert.match(
      intactLine(result),
      new RegExp(
        `^audit log intact: 3 events; checkpoint 6:[0-9a-f]{64}; pruned up to 3:${hash3}, a row written 2015-03-01T10:00:00.000Z$`,
      ),
    );
    assert.deepEqual(await verifyAuditChain(db, { batchSize: 2 }), result);
    assert.equal((await verifyAuditChain(db, { expect: { seq: 3, hash: hash3 } })).ok, true);
    assertIncludes(await verifyAuditChain(db, { expect: { seq: 3, hash: 'b'.repeat(64) } }), {
      ok: false,
      firstBrokenSeq: 3,
    });
    // Running it again prunes nothing more; an append after pruning still links on.
    assert.equal(await pruneAuditLog(db, { before: new Date('2020-01-01T00:00:00Z') }), 0);
    await append(db, caseRead(randomUUID()));
    assertIncludes(await verifyAuditChain(db), { ok: true, count: 4, lastSeq: 7 });
  });

  it('the trigger allows deleting only up to the anchor, only with the prune setting; anchors are checked', async () => {
    await assert.rejects(
      db.deleteFrom('audit_event').where('seq', '=', 4).execute(),
      /audit_event is append-only: DELETE refused/,
    );
    await assert.rejects(
      db.transaction().execute(async (trx) => {
        await sql`set local baken.audit_prune = 'on'`.execute(trx);
        await trx.deleteFrom('audit_event').where('seq', '=', 5).execute();
      }),
      /audit_event is append-only: DELETE refused/,
      'a row after the anchor stays, even with the setting on',
    );
    const row5 = await db
      .selectFrom('audit_event')
      .select('hash')
      .where('seq', '=', 5)
      .executeTakeFirstOrThrow();
    await assert.rejects(
      db
        .insertInto('audit_anchor')
        .values({ seq: 5, hash: 'c'.repeat(64), pruned_count: 1 })
        .execute(),
      /must name an existing audit_event row/,
    );
    await assert.rejects(
      db.insertInto('audit_anchor').values({ seq: 2, hash: row5.hash, pruned_count: 1 }).execute(),
      /must name an existing audit_event row/,
    );
    await assert.rejects(
      db.updateTable('audit_anchor').set({ seq: 5, hash: row5.hash }).where('seq', '=', 3).execute(),
      /audit_anchor is append-only: UPDATE refused/,
    );
    await assert.rejects(
      db.deleteFrom('audit_anchor').execute(),
      /audit_anchor is append-only: DELETE refused/,
    );
    assert.equal((await verifyAuditChain(db)).ok, true);
  });

  it('never prunes the newest row, so the next event has a row to link to', async () => {
    try {
      assert.equal(await pruneAuditLog(db, { before: new Date('2100-01-01T00:00:00Z') }), 3);
      const seqs = await db.selectFrom('audit_event').select('seq').execute();
      assert.deepEqual(
        seqs.map((r) => r.seq),
        [7],
      );
      await append(db, caseRead(randomUUID()));
      const result = await verifyAuditChain(db);
      assertIncludes(result, { ok: true, count: 2, lastSeq: 8 });
      assert.equal(result.ok && result.anchor?.seq, 6);
    } finally {
      await handle.close();
    }
  });

  it('after pruning, a deleted middle row still breaks the chain, and so does a relinked or deleted first row', async () => {
    const hash3 = await prunedLog();
    try {
      // The first remaining row no longer linked to the anchor.
      await tamper(db, sql`update audit_event set prev_hash = repeat('d', 64) where seq = 4`);
      assertIncludes(await verifyAuditChain(db), {
        ok: false,
        firstBrokenSeq: 4,
        count: 0,
        reason: 'prev_hash does not match the anchor of the pruned rows (row 3)',
      });
      await tamper(db, sql`update audit_event set prev_hash = ${hash3} where seq = 4`);
      assert.equal((await verifyAuditChain(db)).ok, true);
      await tamper(db, sql`delete from audit_event where seq = 5`);
      assertIncludes(await verifyAuditChain(db), {
        ok: false,
        firstBrokenSeq: 5,
        count: 1,
        reason: 'row 5 missing (deleted) before row 6',
      });
      await tamper(db, sql`delete from audit_event where seq = 4`);
      assertIncludes(await verifyAuditChain(db), {
        ok: false,
        firstBrokenSeq: 4,
        count: 0,
        reason: 'row 4 to 5 missing (deleted) before row 6',
      });
    } finally {
      await handle.close();
    }
  });
});

describe('the database checks every pruning anchor itself', () => {
  const old = new Date('2015-03-01T10:00:00.000Z');
  const hashOf = async (db: Database, seq: number) =>
    (await db.selectFrom('audit_event').select('hash').where('seq', '=', seq).executeTakeFirstOrThrow()).hash;

  it('refuses an anchor on a recent row, or on a back-dated row after recent ones; fills in its facts', async () => {
    const handle = await createTestDatabase();
    const db = handle.db;
    try {
      for (let i = 1; i <= 3; i++) await appendAt(db, old, i);
      // Rows 4 to 6 are written now: younger than a year by the database's clock, whatever the app's.
      await appendThree(db);
      // The attack: any app session names the second-newest row, switches pruning on and deletes.
      const hash5 = await hashOf(db, 5);
      await assert.rejects(
        db.transaction().execute(async (trx) => {
          await trx.insertInto('audit_anchor').values({ seq: 5, hash: hash5, pruned_count: 0 }).execute();
          await sql`set local baken.audit_prune = 'on'`.execute(trx);
          await trx.deleteFrom('audit_event').where('seq', '<=', 5).execute();
        }),
        /audit_anchor may only cover audit_event rows older than a year/,
      );
      // `at` is the application's to write: a new row dated 2010 does not make the rows before it old.
      await appendAt(db, new Date('2010-01-01T00:00:00.000Z'), 7);
      const hash7 = await hashOf(db, 7);
      await assert.rejects(
        db.insertInto('audit_anchor').values({ seq: 7, hash: hash7, pruned_count: 0 }).execute(),
        /audit_anchor may only cover audit_event rows older than a year/,
      );
      assert.equal(await rowCount(db), 7);
      assert.deepEqual(await db.selectFrom('audit_anchor').selectAll().execute(), []);

      // An anchor on old rows is allowed; what it covers and when its row was written come from the
      // rows themselves, not from the insert.
      const hash3 = await hashOf(db, 3);
      await db.insertInto('audit_anchor').values({ seq: 3, hash: hash3, pruned_count: 1000 }).execute();
      assert.deepEqual(
        await db.selectFrom('audit_anchor').select(['seq', 'pruned_count', 'anchored_at']).execute(),
        [{ seq: 3, pruned_count: 3, anchored_at: old }],
      );
      assertIncludes(await verifyAuditChain(db), {
        ok: true,
        count: 4,
        anchor: { seq: 3, hash: hash3, anchoredAt: old },
      });
    } finally {
      await handle.close();
    }
  });

  it('prunes up to, not into, the audit rows of a case under a legal hold', async () => {
    const handle = await createTestDatabase();
    const db = handle.db;
    try {
      const keyId = randomUUID();
      await db
        .insertInto('data_key')
        .values({ id: keyId, kek_id: 't1', wrapped_key: randomBytes(60) })
        .execute();
      const caseId = randomUUID();
      await db
        .insertInto('case_file')
        .values({ id: caseId, number: '2015-0001', title: 'Testcasus', data_key_id: keyId })
        .execute();
      await db
        .insertInto('case_legal_hold')
        .values({ case_id: caseId, reason: 'Rechtszaak loopt nog, kenmerk 123' })
        .execute();
      // All old; row 3 is the held case's first audit row, row 5 another of its rows.
      for (let i = 1; i <= 6; i++) await appendAt(db, old, i, i === 3 || i === 5 ? caseId : undefined);
      const before = new Date('2020-01-01T00:00:00Z');

      assert.equal(await pruneAuditLog(db, { before }), 2);
      const left = await db.selectFrom('audit_event').select('seq').orderBy('seq').execute();
      assert.deepEqual(
        left.map((r) => r.seq),
        [3, 4, 5, 6],
      );
      assert.equal(await pruneAuditLog(db, { before }), 0, 'the hold keeps stopping it');
      // Past the prune code, the database refuses too.
      await assert.rejects(
        db
          .insertInto('audit_anchor')
          .values({ seq: 4, hash: await hashOf(db, 4) })
          .execute(),
        /may not cover audit_event rows of a case under a legal hold/,
      );
      assertIncludes(await verifyAuditChain(db), { ok: true, count: 4 });

      // Lifted: the case's rows go too, except the newest row.
      await db.deleteFrom('case_legal_hold').where('case_id', '=', caseId).execute();
      assert.equal(await pruneAuditLog(db, { before }), 3);
      assertIncludes(await verifyAuditChain(db), { ok: true, count: 1, lastSeq: 6 });
    } finally {
      await handle.close();
    }
  });
});

// --- npm run audit:verify -----------------------------------------------------------------------

const repoRoot = join(import.meta.dirname, '..', '..', '..');
const cliPath = join(import.meta.dirname, 'verify-cli.ts');

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function runCli(env: Record<string, string>, args: string[] = []): Promise<CliResult> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'development', ...env };
  delete childEnv.BAKEN_SECRET_KEY;
  delete childEnv.BAKEN_ENCRYPTION_KEYS;
  if (!env.DATABASE_URL) delete childEnv.DATABASE_URL;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', cliPath, ...args],
      { cwd: repoRoot, env: childEnv, timeout: 120_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

async function appendThree(db: Database): Promise<void> {
  for (let i = 0; i < 3; i++) await append(db, caseRead(randomUUID()));
}

const onPostgres = process.env.DATABASE_URL;

describe('npm run audit:verify', () => {
  const embedded = 'embedded PGlite: 0 when intact, refuses while the data dir is open, 1 after tampering';
  it(embedded, { skip: onPostgres ? 'the run uses PostgreSQL' : false }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'baken-audit-cli-'));
    try {
      const empty = await runCli({ DATA_DIR: dataDir });
      assert.deepEqual(empty, { code: 0, stdout: 'audit log intact: no events yet\n', stderr: '' });

      let open = await openDatabase({ dataDir });
      await migrate(open.db);
      await appendThree(open.db);
      const busy = await runCli({ DATA_DIR: dataDir });
      assert.equal(busy.code, 2);
      assert.match(busy.stderr, /^audit:verify: the embedded database in .* is in use .*Stop Baken/);
      await open.close();

      const intact = await runCli({ DATA_DIR: dataDir });
      assert.equal(intact.code, 0, intact.stderr);
      assert.match(intact.stdout, /^audit log intact: 3 events; checkpoint 3:[0-9a-f]{64}\n$/);

      open = await openDatabase({ dataDir });
      await tamper(open.db, sql`update audit_event set action = 'case.nothing_to_see' where seq = 2`);
      await open.close();
      const broken = await runCli({ DATA_DIR: dataDir });
      assert.equal(broken.code, 1, broken.stderr);
      assert.equal(
        broken.stdout,
        'audit log BROKEN at seq 2: the row was changed after it was written (hash mismatch) (1 intact before it)\n',
      );
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  const server = 'PostgreSQL: 0 when intact, 1 after deletions, checkpoints';
  it(server, { skip: onPostgres ? false : 'DATABASE_URL is not set' }, async () => {
    assert.ok(onPostgres);
    const name = `baken_audit_cli_${randomBytes(6).toString('hex')}`;
    const admin = async (statement: string) => {
      const client = new pg.Client({ connectionString: onPostgres });
      await client.connect();
      try {
        await client.query(statement);
      } finally {
        await client.end();
      }
    };
    await admin(`create database ${name}`);
    const url = new URL(onPostgres);
    url.pathname = `/${name}`;
    const dataDir = mkdtempSync(join(tmpdir(), 'baken-audit-cli-'));
    const handle = openPostgres(url.toString(), 2);
    try {
      await migrate(handle.db);
      await appendThree(handle.db);
      const env = { DATA_DIR: dataDir, DATABASE_URL: url.toString() };
      const intact = await runCli(env);
      assert.equal(intact.code, 0, intact.stderr);
      const checkpoint = /^audit log intact: 3 events; checkpoint (3:[0-9a-f]{64})\n$/.exec(
        intact.stdout,
      )?.[1];
      assert.ok(checkpoint, intact.stdout);
      assert.equal((await runCli(env, ['--expect', checkpoint])).code, 0);
      const nonsense = await runCli(env, ['--expect', 'nonsense']);
      assert.equal(nonsense.code, 2);
      assert.match(nonsense.stderr, /--expect takes <seq>:<hash>/);

      // The newest row removed: only the checkpoint shows it.
      await tamper(handle.db, sql`delete from audit_event where seq = 3`);
      assert.equal((await runCli(env)).code, 0);
      const truncated = await runCli(env, ['--expect', checkpoint]);
      assert.equal(truncated.code, 1, truncated.stderr);
      assert.equal(
        truncated.stdout,
        'audit log BROKEN at seq 3: row 3 missing (deleted): row 3 was noted down (2 intact before it)\n',
      );

      await tamper(handle.db, sql`delete from audit_event where seq = 1`);
      const broken = await runCli(env);
      assert.equal(broken.code, 1, broken.stderr);
      assert.equal(
        broken.stdout,
        'audit log BROKEN at seq 1: row 1 missing (deleted) before row 2 (0 intact before it)\n',
      );
    } finally {
      await handle.close();
      rmSync(dataDir, { recursive: true, force: true });
      await admin(`drop database if exists ${name} with (force)`);
    }
  });
});
