import { randomBytes, randomUUID } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';
import { encrypt, sealText, type DataKey, type KeyRing } from '../../crypto/envelope.ts';
import { hashSecret } from '../../crypto/passwords.ts';
import { reportAad } from '../intake/intake-service.ts';
import { personAad } from '../persons/person-service.ts';
import { caseYear, formatCaseNumber } from '../cases/case-number.ts';
import {
  advisorNames,
  coordinatorNames,
  fill,
  formTexts,
  inventedName,
  paragraph,
  pick,
  reportOpenings,
  seededRandom,
  taskTitles,
  teamNames,
  weighted,
  type Random,
} from './seed-text.ts';

/**
 * Synthetic Dutch-language data for development and benchmarks (`npm run seed`): staff in teams,
 * cases over three years with notes, tasks, persons (names encrypted under the case's data key) and
 * linked reports (contact names encrypted under the report's data key), plus reports not (yet) in a
 * case. Rows go in with one `INSERT … SELECT FROM unnest(arrays)` per table and batch, inside one
 * transaction per batch: a few statements per thousand cases instead of tens of thousands.
 *
 * Data keys are made as `createDataKey` makes them (a random 256-bit key wrapped with the active
 * key-encryption key, AAD `data_key:<id>`), but in batches: one INSERT per key was the slow part.
 * The seed assumes nobody creates cases meanwhile (case numbers continue from the counters).
 */

export interface SeedOptions {
  cases: number;
  notesPerCase: number;
  /** Cases per transaction. */
  batchSize?: number;
  /** The same seed gives the same texts, dates and codes (ids and keys are always random). */
  seed?: number;
  now?: Date;
  onProgress?: (done: number, total: number) => void;
}

export interface SeededStaff {
  id: string;
  role: 'coordinator' | 'advisor';
  teamId: string | null;
}

export interface SeedSummary {
  staff: SeededStaff[];
  counts: Record<string, number>;
  seconds: number;
}

const YEARS_BACK = 3;
const DAY_MS = 86_400_000;
const UNLINKED_REPORTS_PER_CASE = 0.3;
const MUNICIPALITIES_WEIGHTED: readonly (readonly [string, number])[] = [
  ['GM0153', 30], // Enschede
  ['GM0164', 16], // Hengelo
  ['GM0141', 14], // Almelo
  ['GM0173', 6],
  ['GM1742', 6],
  ['GM0189', 4],
  ['GM0147', 4],
  ['GM0158', 4],
  ['GM0163', 4],
  ['GM1735', 4],
  ['GM0168', 3],
  ['GM1700', 3],
  ['GM1774', 3],
  ['GM0183', 3],
  ['outside', 3],
  ['unknown', 2],
];
const FORMS_WEIGHTED: readonly (readonly [string, number])[] = [
  ['labour', 40],
  ['sexual', 25],
  ['criminal', 22],
  ['forced_marriage', 3],
  ['begging', 3],
  ['other', 3],
  ['unknown', 3.7],
  ['organ', 0.3],
];

/** A column of a bulk insert: its SQL type, and how the unnested value becomes the stored one. */
interface Column {
  name: string;
  type: 'uuid' | 'text' | 'timestamptz' | 'date' | 'integer' | 'boolean';
  /** text[] columns travel as comma-joined text; bytea as hex text. */
  as?: 'text_array' | 'bytea';
}

/** One `INSERT … SELECT FROM unnest(…)`: every column's values as one array parameter. */
async function bulkInsert(
  trx: Transaction<DB>,
  table: keyof DB,
  columns: Column[],
  rows: unknown[][],
): Promise<void> {
  if (rows.length === 0) return;
  const arrays = columns.map((column, index) => {
    const values = rows.map((row) => row[index] ?? null);
    return sql`${values}::${sql.raw(`${column.type}[]`)}`;
  });
  const names = columns.map((column) => sql.ref(column.name));
  const values = columns.map((column) => {
    const ref = sql.ref(`u.${column.name}`);
    if (column.as === 'text_array') return sql`string_to_array(${ref}, ',')`;
    if (column.as === 'bytea') return sql`decode(${ref}, 'hex')`;
    return ref;
  });
  await sql`insert into ${sql.table(table)} (${sql.join(names)})
    select ${sql.join(values)} from unnest(${sql.join(arrays)}) as u(${sql.join(names)})`.execute(trx);
}

const hex = (buffer: Buffer | null) => (buffer ? buffer.toString('hex') : null);

/** `count` data keys, wrapped as `createDataKey` wraps one, and their rows. */
function newDataKeys(ring: KeyRing, count: number): { keys: DataKey[]; rows: unknown[][] } {
  const kek = ring[0];
  if (!kek) throw new Error('No encryption key configured');
  const material = randomBytes(32 * count);
  const keys: DataKey[] = [];
  const rows: unknown[][] = [];
  for (let i = 0; i < count; i++) {
    const id = randomUUID();
    const key = material.subarray(32 * i, 32 * (i + 1));
    keys.push({ id, key });
    rows.push([id, kek.id, hex(encrypt(kek.key, key, `data_key:${id}`))]);
  }
  return { keys, rows };
}

const between = (random: Random, from: number, to: number) => new Date(from + random() * (to - from));

async function seedStaff(db: Database): Promise<SeededStaff[]> {
  // One random password for all seeded accounts, never shown: they exist for the data, and the bench
  // signs them in with sessions made directly (auth/session-service).
  const passwordHash = await hashSecret(randomBytes(24).toString('base64url'));
  return db.transaction().execute(async (trx) => {
    const teamIds: string[] = [];
    for (const name of teamNames) {
      await trx
        .insertInto('team')
        .values({ id: randomUUID(), name })
        .onConflict((oc) => oc.expression(sql`lower(name)`).doNothing())
        .execute();
      const team = await trx
        .selectFrom('team')
        .select('id')
        .where(sql`lower(name)`, '=', name.toLowerCase())
        .executeTakeFirstOrThrow();
      teamIds.push(team.id);
    }
    const people = [
      ...coordinatorNames.map((name) => ({ name, role: 'coordinator' as const, teamId: null })),
      ...advisorNames.map((name, i) => ({
        name,
        role: 'advisor' as const,
        teamId: teamIds[i % teamIds.length] ?? null,
      })),
    ];
    const staff: SeededStaff[] = [];
    for (const person of people) {
      const email = `${person.name.toLowerCase().replace(/[^a-z]+/g, '.')}@seed.example.org`;
      await trx
        .insertInto('staff_user')
        .values({
          id: randomUUID(),
          email,
          display_name: person.name,
          role: person.role,
          password_hash: passwordHash,
          team_id: person.teamId,
          activated_at: new Date(),
        })
        .onConflict((oc) => oc.expression(sql`lower(email)`).doNothing())
        .execute();
      const row = await trx
        .selectFrom('staff_user')
        .select(['id', 'team_id'])
        .where(sql`lower(email)`, '=', email)
        .executeTakeFirstOrThrow();
      staff.push({ id: row.id, role: person.role, teamId: row.team_id });
    }
    return staff;
  });
}

/** The last case number per year so far, to continue from. */
async function caseCounters(db: Database): Promise<Map<number, number>> {
  const rows = await db.selectFrom('case_number_counter').selectAll().execute();
  return new Map(rows.map((row) => [row.year, row.last_number]));
}

interface Batch {
  dataKeys: unknown[][];
  cases: unknown[][];
  events: unknown[][];
  persons: unknown[][];
  reports: unknown[][];
  caseReports: unknown[][];
  messages: unknown[][];
  notes: unknown[][];
  tasks: unknown[][];
}

const statusByAge = (random: Random, ageDays: number) =>
  ageDays > 400
    ? weighted(random, [
        ['closed', 85],
        ['referred', 10],
        ['in_progress', 5],
      ] as const)
    : ageDays > 60
      ? weighted(random, [
          ['closed', 35],
          ['referred', 15],
          ['in_progress', 45],
          ['triage', 5],
        ] as const)
      : weighted(random, [
          ['new', 25],
          ['triage', 30],
          ['in_progress', 40],
          ['referred', 5],
        ] as const);

function reportRow(
  random: Random,
  dataKey: DataKey,
  facts: { municipality: string; form: string; receivedAt: Date },
): unknown[] {
  const id = randomUUID();
  const named = random() < 0.4;
  const narrative = `${pick(random, reportOpenings)} ${paragraph(random, facts.form, 2 + Math.floor(random() * 3))}`;
  return [
    id,
    facts.receivedAt,
    'nl',
    weighted(random, [
      ['environment', 45],
      ['professional', 30],
      ['self', 20],
      ['other', 5],
    ] as const),
    // The portal's form list has no separate codes for these.
    facts.form === 'forced_marriage' || facts.form === 'begging' ? 'other' : facts.form,
    facts.municipality,
    random() < 0.05,
    narrative,
    named ? 'email' : 'receipt',
    dataKey.id,
    named ? hex(sealText(dataKey, inventedName(random), reportAad(id, 'contact_name'))) : null,
    named
      ? hex(
          sealText(
            dataKey,
            `melder${Math.floor(random() * 1e6)}@example.org`,
            reportAad(id, 'contact_email'),
          ),
        )
      : null,
    '2026-11',
    randomBytes(32).toString('hex'),
    facts.receivedAt,
    'in_progress',
  ];
}

const REPORT_COLUMNS: Column[] = [
  { name: 'id', type: 'uuid' },
  { name: 'received_at', type: 'timestamptz' },
  { name: 'language', type: 'text' },
  { name: 'audience', type: 'text' },
  { name: 'exploitation_forms', type: 'text', as: 'text_array' },
  { name: 'municipality', type: 'text' },
  { name: 'acute_danger', type: 'boolean' },
  { name: 'narrative', type: 'text' },
  { name: 'reply_channel', type: 'text' },
  { name: 'data_key_id', type: 'uuid' },
  { name: 'contact_name', type: 'text', as: 'bytea' },
  { name: 'contact_email', type: 'text', as: 'bytea' },
  { name: 'consent_version', type: 'text' },
  { name: 'submission_key_hash', type: 'text' },
  { name: 'last_activity_at', type: 'timestamptz' },
  { name: 'status', type: 'text' },
];

/** The rows of `count` cases and everything that belongs to them. */
function buildBatch(
  random: Random,
  ring: KeyRing,
  count: number,
  options: { notesPerCase: number; now: number; staff: SeededStaff[]; counters: Map<number, number> },
): Batch {
  const { now, staff, counters } = options;
  const advisors = staff.filter((s) => s.role === 'advisor');
  const coordinators = staff.filter((s) => s.role === 'coordinator');
  const unlinkedReports = Math.round(count * UNLINKED_REPORTS_PER_CASE);
  const { keys, rows: dataKeys } = newDataKeys(ring, count * 2 + unlinkedReports);
  const batch: Batch = {
    dataKeys,
    cases: [],
    events: [],
    persons: [],
    reports: [],
    caseReports: [],
    messages: [],
    notes: [],
    tasks: [],
  };
  const start = now - YEARS_BACK * 365 * DAY_MS;
  let nextKey = 0;
  const takeKey = () => {
    const key = keys[nextKey++];
    if (!key) throw new Error('ran out of data keys');
    return key;
  };

  for (let i = 0; i < count; i++) {
    const createdAt = between(random, start, now);
    const ageDays = (now - createdAt.getTime()) / DAY_MS;
    const form = weighted(random, FORMS_WEIGHTED);
    const forms = random() < 0.1 && form !== 'sexual' ? [form, 'sexual'] : [form];
    const municipality = weighted(random, MUNICIPALITIES_WEIGHTED);
    const status = statusByAge(random, ageDays);
    const assigned = status === 'new' && random() < 0.5 ? undefined : pick(random, advisors);
    const year = caseYear(createdAt);
    const sequence = (counters.get(year) ?? 0) + 1;
    counters.set(year, sequence);
    const caseId = randomUUID();
    const caseKey = takeKey();
    const lastChange = new Date(Math.min(now, createdAt.getTime() + random() * 120 * DAY_MS));
    const place = municipality.startsWith('GM') ? ` (${municipality})` : '';
    const title = `${fill(random, pick(random, formTexts[form]?.title ?? ['Casus']))}${place}`;
    batch.cases.push([
      caseId,
      formatCaseNumber(year, sequence),
      title,
      paragraph(random, form, 2),
      status,
      status === 'closed'
        ? pick(random, ['advice_given', 'referred', 'no_trafficking', 'victim_declined'])
        : null,
      status === 'closed' ? lastChange : null,
      weighted(random, [
        ['low', 15],
        ['normal', 60],
        ['high', 20],
        ['acute', 5],
      ] as const),
      municipality,
      forms.join(','),
      assigned?.id ?? null,
      assigned?.teamId ?? null,
      caseKey.id,
      pick(random, coordinators).id,
      createdAt,
      lastChange,
    ]);
    batch.events.push([randomUUID(), caseId, 'created', pick(random, coordinators).id, createdAt]);

    const persons = 1 + Math.floor(random() * 2);
    for (let p = 0; p < persons; p++) {
      const personId = randomUUID();
      batch.persons.push([
        personId,
        caseId,
        p === 0
          ? 'presumed_victim'
          : pick(random, ['concerned_person', 'professional', 'suspected_perpetrator']),
        hex(sealText(caseKey, inventedName(random), personAad(personId, 'name'))),
        16 + Math.floor(random() * 45),
        pick(random, ['female', 'male', 'unknown']),
        pick(random, ['NL', 'RO', 'PL', 'BG', 'NG', 'UA', 'VN', 'unknown']),
        createdAt,
      ]);
    }

    // The report the case was made from, received a few days before.
    const reportKey = takeKey();
    const receivedAt = new Date(createdAt.getTime() - random() * 5 * DAY_MS);
    const report = reportRow(random, reportKey, { municipality, form, receivedAt });
    batch.reports.push(report);
    batch.caseReports.push([report[0], caseId, assigned?.id ?? null, createdAt]);
    if (random() < 0.3) {
      batch.messages.push([
        randomUUID(),
        report[0],
        'from_reporter',
        paragraph(random, form, 1),
        receivedAt,
        null,
      ]);
    }

    const span = Math.max(1, Math.min(now, createdAt.getTime() + 180 * DAY_MS) - createdAt.getTime());
    for (let n = 0; n < options.notesPerCase; n++) {
      const body = paragraph(random, form, 2 + Math.floor(random() * 4));
      batch.notes.push([
        randomUUID(),
        caseId,
        body,
        assigned?.id ?? null,
        new Date(createdAt.getTime() + random() * span),
      ]);
    }
    const tasks = Math.floor(random() * 3);
    for (let k = 0; k < tasks; k++) {
      const due = new Date(createdAt.getTime() + (7 + random() * 60) * DAY_MS);
      const done = status === 'closed' || due.getTime() < now - 30 * DAY_MS;
      batch.tasks.push([
        randomUUID(),
        caseId,
        fill(random, pick(random, taskTitles)),
        due.toISOString().slice(0, 10),
        assigned?.id ?? null,
        assigned?.id ?? null,
        createdAt,
        done ? due : null,
        done ? (assigned?.id ?? null) : null,
      ]);
    }
  }

  // Reports that did not (yet) become a case: the inbox's newest rows, mostly.
  for (let i = 0; i < unlinkedReports; i++) {
    const receivedAt = between(random, start, now);
    batch.reports.push(
      reportRow(random, takeKey(), {
        municipality: weighted(random, MUNICIPALITIES_WEIGHTED),
        form: weighted(random, FORMS_WEIGHTED),
        receivedAt,
      }),
    );
  }
  batch.dataKeys = dataKeys.slice(0, nextKey);
  return batch;
}

async function insertBatch(trx: Transaction<DB>, batch: Batch): Promise<void> {
  const uuid = (name: string): Column => ({ name, type: 'uuid' });
  const text = (name: string): Column => ({ name, type: 'text' });
  const at = (name: string): Column => ({ name, type: 'timestamptz' });
  await bulkInsert(
    trx,
    'data_key',
    [uuid('id'), text('kek_id'), { name: 'wrapped_key', type: 'text', as: 'bytea' }],
    batch.dataKeys,
  );
  await bulkInsert(
    trx,
    'case_file',
    [
      uuid('id'),
      text('number'),
      text('title'),
      text('summary'),
      text('status'),
      text('closure_reason'),
      at('closed_at'),
      text('urgency'),
      text('municipality'),
      { name: 'exploitation_forms', type: 'text', as: 'text_array' },
      uuid('assigned_user_id'),
      uuid('team_id'),
      uuid('data_key_id'),
      uuid('created_by'),
      at('created_at'),
      at('updated_at'),
    ],
    batch.cases,
  );
  await bulkInsert(
    trx,
    'case_event',
    [uuid('id'), uuid('case_id'), text('kind'), uuid('actor_user_id'), at('at')],
    batch.events,
  );
  await bulkInsert(
    trx,
    'case_person',
    [
      uuid('id'),
      uuid('case_id'),
      text('role'),
      { name: 'name', type: 'text', as: 'bytea' },
      { name: 'age', type: 'integer' },
      text('sex'),
      text('nationality'),
      at('created_at'),
    ],
    batch.persons,
  );
  await bulkInsert(trx, 'report', REPORT_COLUMNS, batch.reports);
  await bulkInsert(
    trx,
    'case_report',
    [uuid('report_id'), uuid('case_id'), uuid('linked_by'), at('linked_at')],
    batch.caseReports,
  );
  await bulkInsert(
    trx,
    'report_message',
    [
      uuid('id'),
      uuid('report_id'),
      text('direction'),
      text('body'),
      at('created_at'),
      at('read_by_staff_at'),
    ],
    batch.messages,
  );
  await bulkInsert(
    trx,
    'case_note',
    [uuid('id'), uuid('case_id'), text('body'), uuid('author_user_id'), at('created_at')],
    batch.notes,
  );
  await bulkInsert(
    trx,
    'case_task',
    [
      uuid('id'),
      uuid('case_id'),
      text('title'),
      { name: 'due_on', type: 'date' },
      uuid('owner_user_id'),
      uuid('created_by'),
      at('created_at'),
      at('done_at'),
      uuid('done_by'),
    ],
    batch.tasks,
  );
}

/** Seeds `options.cases` cases (and all that comes with them) into a migrated database. */
export async function seedDatabase(db: Database, ring: KeyRing, options: SeedOptions): Promise<SeedSummary> {
  const started = performance.now();
  const random = seededRandom(options.seed ?? 20261128);
  const now = (options.now ?? new Date()).getTime();
  const batchSize = options.batchSize ?? 1000;
  const staff = await seedStaff(db);
  const counters = await caseCounters(db);
  const counts: Record<string, number> = {};
  for (let done = 0; done < options.cases; done += batchSize) {
    const size = Math.min(batchSize, options.cases - done);
    const batch = buildBatch(random, ring, size, {
      notesPerCase: options.notesPerCase,
      now,
      staff,
      counters,
    });
    await db.transaction().execute((trx) => insertBatch(trx, batch));
    for (const [name, rows] of Object.entries(batch) as [string, unknown[][]][]) {
      counts[name] = (counts[name] ?? 0) + rows.length;
    }
    options.onProgress?.(done + size, options.cases);
  }
  await db.transaction().execute(async (trx) => {
    for (const [year, last] of counters) {
      await trx
        .insertInto('case_number_counter')
        .values({ year, last_number: last })
        .onConflict((oc) =>
          oc.column('year').doUpdateSet({
            last_number: sql<number>`greatest(case_number_counter.last_number, excluded.last_number)`,
          }),
        )
        .execute();
    }
  });
  // Fresh statistics for the planner, and the GIN indexes' pending lists merged (bulk inserts leave
  // them long, and every search would scan them): what autovacuum would do some time later.
  await sql`vacuum analyze`.execute(db);
  return { staff, counts, seconds: (performance.now() - started) / 1000 };
}
