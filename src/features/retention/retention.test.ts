import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { loadConfig, type RetentionRules } from '../../config/config.ts';
import { decrypt, encrypt, loadDataKey } from '../../crypto/envelope.ts';
import { seedReport } from '../../test/reports.ts';
import { createStaffUser, type StaffUser } from '../../test/staff.ts';
import type { ProcessedFile } from '../attachments/process.ts';
import { openMailboxSession, addReporterMessage } from '../intake/mailbox-service.ts';
import { addCaseNote, changeWorkflow, createCaseFromReport, type CaseActor } from '../cases/case-service.ts';
import { breakTheGlass } from '../cases/case-access.ts';
import { verifyAuditChain } from '../audit/verify.ts';
import { placeLegalHold, liftLegalHold } from './legal-hold.ts';
import {
  applyRetention,
  monthsBefore,
  quarterOf,
  retentionCutoffs,
  runRetentionJob,
  type RetentionCounts,
} from './retention-service.ts';
import { createTestApp, type TestApp } from '../../test/app.ts';

/** Far enough ahead that everything written by this test (at the real clock's now) is old. */
const FAR_FUTURE = new Date('2100-01-01T00:00:00.000Z');
const rules: RetentionRules = { reportMonths: 6, caseYears: 5, auditYears: 7 };

const marker = (label: string) => `MRK${randomBytes(6).toString('hex')}${label}`;
const hex = (text: string | Buffer) => Buffer.from(text).toString('hex');
/** Names, file contents and persons are stored encrypted: their markers are never in plain text. */
const inPlainText = (m: string) => !/-(name|file|person)$/.test(m);

function file(content: string): ProcessedFile {
  return {
    fileName: `${content}.txt`,
    mediaType: 'text/plain',
    sizeBytes: content.length,
    sha256: createHash('sha256').update(content).digest('hex'),
    original: Buffer.from(content),
    cleanMediaType: 'text/plain',
    clean: Buffer.from(content),
  };
}

const zero: RetentionCounts = {
  reports: 0,
  cases: 0,
  case_reports: 0,
  attachments: 0,
  data_keys: 0,
  case_statistics: 0,
  held: 0,
  audit_events: 0,
  mail_outbox: 0,
  failed: 0,
};

interface SeededCase {
  caseId: string;
  reportId: string;
  caseKeyId: string;
  reportKeyId: string;
  markers: string[];
  /** Ciphertexts as stored (a person's name, the report's contact details, an attachment). */
  ciphertexts: Buffer[];
  personId: string;
}

describe('retention: deleted means gone', () => {
  let t: TestApp;
  let coordinator: StaffUser;
  let actor: CaseActor;

  before(async () => {
    t = await createTestApp();
    coordinator = await createStaffUser(t.app, 'coordinator', { displayName: 'Cora Coördinator' });
    actor = {
      principal: {
        userId: coordinator.id,
        role: 'coordinator',
        displayName: coordinator.displayName,
        teamId: null,
        sessionId: 'test',
      },
      requestId: randomUUID(),
    };
  });
  after(() => t.close());

  const db = () => t.database.db;
  const ring = () => t.config.secrets.encryptionKeys;

  /** A report with a marker in its narrative, contact name, a message and an attachment. */
  async function seedMarkedReport(label: string, audience: 'self' | 'environment' = 'environment') {
    const markers = [marker(`${label}-narrative`), marker(`${label}-name`), marker(`${label}-message`)];
    const fileMarker = marker(`${label}-file`);
    const reportId = await seedReport(t, {
      narrative: `Verhaal ${markers[0]}`,
      audience,
      reply_channel: 'phone',
      contact_name: markers[1],
      contact_phone: '0612345678',
      may_leave_message: 'no',
      exploitation_forms: ['labour', 'sexual'],
    });
    await addReporterMessage(db(), ring(), {
      reportId,
      body: `Bericht ${markers[2]}`,
      files: [file(fileMarker)],
    });
    await openMailboxSession(db(), reportId);
    const row = await db()
      .selectFrom('report')
      .select(['data_key_id', 'contact_name'])
      .where('id', '=', reportId)
      .executeTakeFirstOrThrow();
    const attachment = await db()
      .selectFrom('attachment')
      .select(['original', 'file_name'])
      .where('report_id', '=', reportId)
      .executeTakeFirstOrThrow();
    assert.ok(row.contact_name);
    return {
      reportId,
      keyId: row.data_key_id,
      markers: [...markers, fileMarker],
      ciphertexts: [row.contact_name, attachment.original, attachment.file_name],
    };
  }

  /** A case made from a marked report, with marked title, summary, person, note, task and closure note. */
  async function seedMarkedCase(label: string, close: boolean): Promise<SeededCase> {
    const report = await seedMarkedReport(`${label}-report`, 'self');
    const created = await createCaseFromReport(db(), ring(), actor, {
      reportId: report.reportId,
      title: `Titel ${marker(`${label}-title`)}`,
    });
    assert.equal(created.kind, 'created');
    const caseId = created.caseId;
    const caseMarkers = [marker(`${label}-summary`), marker(`${label}-person`), marker(`${label}-note`)];
    const taskMarker = marker(`${label}-task`);
    const closeMarker = marker(`${label}-closure`);
    const row = await db()
      .updateTable('case_file')
      .set({ summary: `Samenvatting ${caseMarkers[0]}`, municipality: 'GM0153' })
      .where('id', '=', caseId)
      .returning(['title', 'data_key_id'])
      .executeTakeFirstOrThrow();
    const key = await loadDataKey(db(), ring(), row.data_key_id);
    const personId = randomUUID();
    const name = encrypt(key.key, caseMarkers[1] ?? '', `case_person:${personId}:name`);
    await db()
      .insertInto('case_person')
      .values({ id: personId, case_id: caseId, role: 'presumed_victim', name })
      .execute();
    await addCaseNote(db(), actor, caseId, `Notitie ${caseMarkers[2]}`);
    await db()
      .insertInto('case_task')
      .values({ id: randomUUID(), case_id: caseId, title: `Taak ${taskMarker}`, created_by: coordinator.id })
      .execute();
    await breakTheGlass(db(), ring(), actor.principal, caseId, 'Spoedvraag van de politie', randomUUID());
    if (close) {
      const closed = await changeWorkflow(db(), actor, caseId, {
        action: { kind: 'close', reason: 'advice_given' },
        note: `Afgesloten ${closeMarker}`,
      });
      assert.ok(closed);
    }
    const title = row.title.replace('Titel ', '');
    return {
      caseId,
      reportId: report.reportId,
      caseKeyId: row.data_key_id,
      reportKeyId: report.keyId,
      markers: [...report.markers, title, ...caseMarkers, taskMarker, ...(close ? [closeMarker] : [])],
      ciphertexts: [...report.ciphertexts, name],
      personId,
    };
  }

  /** Every row of every table in the schema, as text (what any query could find). */
  async function everyRowAsText(): Promise<Map<string, string[]>> {
    const tables = await sql<{ table_name: string }>`
      select table_name from information_schema.tables
      where table_schema = current_schema() and table_type = 'BASE TABLE'
      order by table_name`.execute(db());
    assert.ok(tables.rows.length >= 30, 'every table of the schema');
    const result = new Map<string, string[]>();
    for (const { table_name } of tables.rows) {
      const rows = await sql<{ row: string }>`select t::text as row from ${sql.id(table_name)} t`.execute(
        db(),
      );
      result.set(
        table_name,
        rows.rows.map((r) => r.row),
      );
    }
    return result;
  }

  function findAnywhere(dump: Map<string, string[]>, needles: string[]): string[] {
    const found: string[] = [];
    for (const [table, rows] of dump) {
      for (const row of rows) {
        const lower = row.toLowerCase();
        for (const needle of needles)
          if (lower.includes(needle.toLowerCase())) found.push(`${table}: ${needle}`);
      }
    }
    return found;
  }

  it('removes an idle report and a closed case from every table, keeps the held and the young, and counts', async () => {
    const idle = await seedMarkedReport('idle');
    const closed = await seedMarkedCase('closed', true);
    const held = await seedMarkedCase('held', true);
    const young = await seedMarkedCase('young', true);
    // A report that became a case (still open) is not deleted by the six-month rule, however old.
    const open = await seedMarkedCase('open', false);
    const youngReport = await seedMarkedReport('young-report');

    // Relative to FAR_FUTURE: the young case was closed a year before, the young report active a month before.
    await db()
      .updateTable('case_file')
      .set({ closed_at: new Date('2099-01-01T00:00:00Z') })
      .where('id', '=', young.caseId)
      .execute();
    await db()
      .updateTable('report')
      .set({ last_activity_at: new Date('2099-12-01T00:00:00Z') })
      .where('id', '=', youngReport.reportId)
      .execute();
    const holdActor = {
      userId: coordinator.id,
      actor: { userId: coordinator.id, role: 'coordinator' as const },
      requestId: randomUUID(),
    };
    assert.equal(
      await placeLegalHold(db(), ring(), holdActor, held.caseId, 'Rechtszaak loopt nog, kenmerk 123'),
      'done',
    );
    assert.equal(
      await placeLegalHold(db(), ring(), holdActor, held.caseId, 'Tweede keer geplaatst'),
      'unchanged',
    );

    const closedFacts = await db()
      .selectFrom('case_file')
      .select(['created_at', 'closed_at'])
      .where('id', '=', closed.caseId)
      .executeTakeFirstOrThrow();
    const auditBefore = await db()
      .selectFrom('audit_event')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();

    const gone = [idle, closed];
    const counts = await applyRetention(db(), { rules, now: FAR_FUTURE });
    assert.deepEqual(counts, {
      ...zero,
      reports: 1,
      cases: 1,
      case_reports: 1,
      attachments: 2,
      data_keys: 3,
      case_statistics: 1,
      held: 1,
      // The job's clock is far ahead, but the database's is not: every audit row here was written less
      // than a year ago by it, the minimum age for pruning (audit.test.ts prunes rows dated long ago).
      audit_events: 0,
    });
    assert.equal(
      (
        await db()
          .selectFrom('audit_event')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('action', '!=', 'retention.run')
          .executeTakeFirstOrThrow()
      ).n,
      auditBefore.n,
    );

    // Nothing of the deleted records can be found by any query, in any table.
    const dump = await everyRowAsText();
    const needles = [
      ...gone.flatMap((g) => g.markers),
      ...gone.flatMap((g) => g.markers.map((m) => hex(m))),
      ...gone.flatMap((g) => g.ciphertexts.map((c) => c.toString('hex'))),
    ];
    assert.deepEqual(findAnywhere(dump, needles), []);
    const goneKeys = await db()
      .selectFrom('data_key')
      .select('id')
      .where('id', 'in', [idle.keyId, closed.caseKeyId, closed.reportKeyId])
      .execute();
    assert.deepEqual(goneKeys, [], 'the data keys are destroyed (crypto-shredding)');
    for (const id of [idle.reportId, closed.reportId]) {
      assert.equal(
        await db().selectFrom('report').select('id').where('id', '=', id).executeTakeFirst(),
        undefined,
      );
    }

    // The held case, the young case, the open case and the young report are whole and readable.
    for (const kept of [held, young, open]) {
      const text = findAnywhere(dump, kept.markers);
      for (const m of kept.markers.filter(inPlainText))
        assert.ok(
          text.some((line) => line.endsWith(m)),
          `${m} is still there`,
        );
      const caseRow = await db()
        .selectFrom('case_file')
        .select('data_key_id')
        .where('id', '=', kept.caseId)
        .executeTakeFirstOrThrow();
      const person = await db()
        .selectFrom('case_person')
        .select('name')
        .where('id', '=', kept.personId)
        .executeTakeFirstOrThrow();
      const key = await loadDataKey(db(), ring(), caseRow.data_key_id);
      assert.ok(person.name);
      assert.equal(
        decrypt(key.key, person.name, `case_person:${kept.personId}:name`).toString('utf8'),
        kept.markers.find((m) => m.endsWith('-person')),
      );
    }
    assert.equal(
      findAnywhere(dump, youngReport.markers).length,
      youngReport.markers.filter(inPlainText).length,
    );

    // What is left of the closed case: the anonymised facts, nothing else.
    const statistics = await db().selectFrom('case_statistic').selectAll().execute();
    assert.equal(statistics.length, 1);
    const { id, ...facts } = statistics[0] ?? { id: '' };
    assert.match(id, /^[0-9a-f-]{36}$/);
    assert.notEqual(id, closed.caseId);
    assert.ok(closedFacts.closed_at);
    assert.deepEqual(facts, {
      exploitation_forms: ['labour', 'sexual'],
      municipality: 'GM0153',
      created_quarter: quarterOf(closedFacts.created_at),
      closed_quarter: quarterOf(closedFacts.closed_at),
      report_audiences: ['self'],
      outcome: 'advice_given',
    });

    // The run: a row with counts only, an audit event by the system, and the chain still verifies.
    const runs = await db().selectFrom('retention_run').selectAll().execute();
    const [run] = runs;
    assert.ok(run && runs.length === 1);
    assert.deepEqual(run.counts, counts);
    assert.ok(run.finished_at);
    const event = await db()
      .selectFrom('audit_event')
      .selectAll()
      .where('action', '=', 'retention.run')
      .executeTakeFirstOrThrow();
    assert.equal(event.actor_role, 'system');
    assert.equal(event.actor_user_id, null);
    assert.deepEqual(event.details, counts);
    assert.equal((await verifyAuditChain(db())).ok, true);

    // Idempotent: a second run finds nothing more to delete, and still skips the held case.
    const again = await applyRetention(db(), { rules, now: FAR_FUTURE });
    assert.deepEqual({ ...again, audit_events: 0 }, { ...zero, held: 1 });
    assert.equal((await db().selectFrom('case_statistic').select('id').execute()).length, 1);

    // Once the hold is lifted, the next run deletes the case.
    assert.equal(await liftLegalHold(db(), ring(), holdActor, held.caseId, 'Rechtszaak is afgerond'), 'done');
    const afterLift = await runRetentionJob(db(), { retention: rules }, FAR_FUTURE);
    assert.equal(afterLift.cases, 1);
    assert.equal(afterLift.held, 0);
    assert.deepEqual(findAnywhere(await everyRowAsText(), held.markers), []);
    // The scheduled job vacuums afterwards, so the deleted row versions are reclaimed too.
    const vacuumed = await sql<{ last_vacuum: Date | null }>`
      select last_vacuum from pg_stat_user_tables where relname = 'case_file'`.execute(db());
    assert.ok(vacuumed.rows[0]?.last_vacuum, 'case_file was vacuumed');
    assert.equal((await verifyAuditChain(db())).ok, true);
  });
});

describe('retention: two processes at once', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it('share the work: every due record is deleted exactly once, nothing fails, the chain holds', async () => {
    const db = t.database.db;
    const reports = [];
    for (let i = 0; i < 8; i++) reports.push(await seedReport(t));
    const results = await Promise.all([
      applyRetention(db, { rules, now: FAR_FUTURE }),
      applyRetention(db, { rules, now: FAR_FUTURE }),
    ]);
    assert.equal(
      results.reduce((sum, r) => sum + r.reports, 0),
      reports.length,
    );
    assert.equal(
      results.reduce((sum, r) => sum + r.data_keys, 0),
      reports.length,
    );
    assert.deepEqual(
      results.map((r) => r.failed),
      [0, 0],
    );
    assert.equal((await db.selectFrom('report').select('id').execute()).length, 0);
    assert.equal(
      (await db.selectFrom('retention_run').select('id').where('finished_at', 'is not', null).execute())
        .length,
      2,
    );
    assert.equal((await verifyAuditChain(db)).ok, true);
  });
  it('stops between records when its job is told to stop, and the next run goes on', async () => {
    const db = t.database.db;
    const before = (await db.selectFrom('report').select('id').execute()).length;
    const waiting = [await seedReport(t), await seedReport(t)];
    const stopped = new AbortController();
    stopped.abort();
    const counts = await applyRetention(db, { rules, now: FAR_FUTURE, signal: stopped.signal });
    assert.equal(counts.reports, 0);
    assert.equal((await db.selectFrom('report').select('id').execute()).length, before + waiting.length);
    const next = await applyRetention(db, { rules, now: FAR_FUTURE });
    assert.equal(next.reports, before + waiting.length);
  });

  it('counts a deletion that fails, rolls it back and goes on with the rest', async () => {
    const db = t.database.db;
    const stuck = await seedReport(t);
    const other = await seedReport(t);
    // Something else still holding the report's data key makes destroying it fail (a foreign key).
    const { data_key_id } = await db
      .selectFrom('report')
      .select('data_key_id')
      .where('id', '=', stuck)
      .executeTakeFirstOrThrow();
    const user = await createStaffUser(t.app, 'advisor');
    await db
      .insertInto('staff_totp')
      .values({ user_id: user.id, data_key_id, secret: Buffer.from('x') })
      .execute();
    const counts = await applyRetention(db, { rules, now: FAR_FUTURE });
    assert.equal(counts.failed, 1);
    assert.equal(counts.reports, 1);
    const left = await db.selectFrom('report').select('id').execute();
    assert.deepEqual(
      left.map((r) => r.id),
      [stuck],
      'the failed one is whole (rolled back), the other is gone',
    );
    assert.equal((await db.selectFrom('report').select('id').where('id', '=', other).execute()).length, 0);
  });
});

describe('retention rules', () => {
  it('reads the periods from the environment, with defaults, and refuses anything but positive whole numbers', () => {
    const base = {
      NODE_ENV: 'test',
      BAKEN_SECRET_KEY: randomBytes(32).toString('base64'),
      BAKEN_ENCRYPTION_KEYS: `t1:${randomBytes(32).toString('base64')}`,
    };
    assert.deepEqual(loadConfig(base).retention, { reportMonths: 6, caseYears: 5, auditYears: 7 });
    assert.deepEqual(
      loadConfig({
        ...base,
        BAKEN_RETENTION_REPORT_MONTHS: '3',
        BAKEN_RETENTION_CASE_YEARS: '10',
        BAKEN_RETENTION_AUDIT_YEARS: '12',
      }).retention,
      { reportMonths: 3, caseYears: 10, auditYears: 12 },
    );
    for (const [name, value] of [
      ['BAKEN_RETENTION_REPORT_MONTHS', '0'],
      ['BAKEN_RETENTION_CASE_YEARS', '-1'],
      ['BAKEN_RETENTION_AUDIT_YEARS', '2.5'],
      ['BAKEN_RETENTION_AUDIT_YEARS', '0'],
      ['BAKEN_RETENTION_CASE_YEARS', 'vijf'],
    ] as const) {
      assert.throws(() => loadConfig({ ...base, [name]: value }), new RegExp(`${name} must be a positive`));
    }
  });

  it('counts periods back in calendar months and keeps quarters in Dutch time', () => {
    assert.equal(monthsBefore(new Date('2026-08-31T12:00:00Z'), 6).toISOString(), '2026-02-28T12:00:00.000Z');
    assert.equal(monthsBefore(new Date('2028-08-31T12:00:00Z'), 6).toISOString(), '2028-02-29T12:00:00.000Z');
    assert.equal(monthsBefore(new Date('2026-03-15T00:00:00Z'), 3).toISOString(), '2025-12-15T00:00:00.000Z');
    const cutoffs = retentionCutoffs(rules, new Date('2030-05-10T00:00:00Z'));
    assert.deepEqual(
      [cutoffs.reports, cutoffs.cases, cutoffs.audit].map((d) => d.toISOString().slice(0, 10)),
      ['2029-11-10', '2025-05-10', '2023-05-10'],
    );
    assert.equal(quarterOf(new Date('2026-12-31T23:30:00Z')), '2027-Q1', 'already New Year in Amsterdam');
    assert.equal(quarterOf(new Date('2026-04-01T12:00:00Z')), '2026-Q2');
    assert.equal(quarterOf(new Date('2026-03-31T12:00:00Z')), '2026-Q1');
  });
});
