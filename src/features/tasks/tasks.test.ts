import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { errorSummary, inputValue } from '../../test/http-client.ts';
import {
  caseAudits,
  caseStaff,
  createTestCase,
  createTestTeam,
  staffWithSession,
  type SessionStaff,
  type TestCase,
} from '../../test/cases.ts';
import { openRecipient } from '../mail/outbox.ts';
import { sendTaskReminders } from './reminders.ts';
import { calendarDateIn, centreToday, isCalendarDate } from './task-dates.ts';

/** A calendar date some days from today (negative: in the past). */
function daysFromToday(days: number): string {
  const today = new Date(`${centreToday()}T12:00:00Z`);
  return new Date(today.getTime() + days * 86_400_000).toISOString().slice(0, 10);
}

/** Task ids in the order the page lists them. */
const listedTasks = (html: string) => [...html.matchAll(/data-task-id="([^"]+)"/g)].map((m) => m[1] ?? '');

function rowOf(html: string, taskId: string): string {
  const row = new RegExp(`<tr[^>]*data-task-id="${taskId}"[^>]*>[\\s\\S]*?</tr>`).exec(html)?.[0];
  assert.ok(row, `the page lists task ${taskId}`);
  return row;
}

/** The value and label of each option of a select. */
const optionsOf = (html: string, name: string) => {
  const select = new RegExp(`<select[^>]*name="${name}"[^>]*>([\\s\\S]*?)</select>`).exec(html)?.[1] ?? '';
  return [...select.matchAll(/<option value="([^"]*)"[^>]*>([^<]*)</g)].map((m) => ({
    value: m[1],
    label: m[2],
  }));
};

describe('tasks in a case', () => {
  let t: TestApp;
  let advisor: SessionStaff;
  let colleague: SessionStaff;
  let coordinator: SessionStaff;
  let outsider: SessionStaff;
  let theCase: TestCase;
  let base = '';

  before(async () => {
    t = await createTestApp();
    ({ advisor, coordinator, outsider } = await caseStaff(t));
    colleague = await staffWithSession(t, 'advisor', { displayName: 'Cees Collega' });
    await staffWithSession(t, 'admin', { displayName: 'Anne Beheer' });
    const team = await createTestTeam(t, [advisor.user.id, colleague.user.id]);
    theCase = await createTestCase(t, { assignedUserId: advisor.user.id, teamId: team });
    base = `/beheer/casussen/${theCase.id}/taken`;
  });
  after(() => t.close());

  const tasks = () =>
    t.database.db.selectFrom('case_task').selectAll().where('case_id', '=', theCase.id).execute();
  const audits = (action: string) => caseAudits(t, theCase.id, action);

  async function addTask(client: SessionStaff['client'], fields: Record<string, string>) {
    const page = await client.get(base);
    assert.equal(page.statusCode, 200);
    return client.postForm(base, { _csrf: inputValue(page.body, '_csrf'), ...fields });
  }

  it('offers as owners only staff who may open the case, the signed-in user first chosen', async () => {
    const readsBefore = (await audits('case.tasks_read')).length;
    const page = await advisor.client.get(base);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, new RegExp(`Casus ${theCase.number}: Taken`));
    assert.match(page.body, /aria-current="page"[^>]*>Taken</);
    const owners = optionsOf(page.body, 'owner');
    assert.deepEqual(owners.map((o) => o.label).sort(), ['Ada Adviseur', 'Cees Collega', 'Cor Coördinator']);
    assert.match(page.body, new RegExp(`<option value="${advisor.user.id}" selected`));
    assert.equal((await audits('case.tasks_read')).length, readsBefore + 1);
  });

  it('adds tasks, lists open ones by due date with overdue ones named, and done ones last', async () => {
    const overdue = await addTask(advisor.client, {
      title: 'Terugbellen over opvang',
      due_on: daysFromToday(-2),
      owner: advisor.user.id,
    });
    assert.equal(overdue.statusCode, 303);
    assert.equal(overdue.headers.location, `${base}?toegevoegd`);
    await addTask(advisor.client, { title: 'Zonder datum', owner: colleague.user.id });
    await addTask(advisor.client, { title: 'Morgen', due_on: daysFromToday(1), owner: coordinator.user.id });
    await addTask(advisor.client, { title: 'Vandaag', due_on: daysFromToday(0), owner: advisor.user.id });
    const rows = await tasks();
    assert.equal(rows.length, 4);
    const byTitle = (title: string) => rows.find((r) => r.title === title)?.id ?? '';
    assert.equal(rows.find((r) => r.title === 'Morgen')?.owner_user_id, coordinator.user.id);
    assert.equal(rows.find((r) => r.title === 'Morgen')?.due_on, daysFromToday(1));
    assert.equal((await audits('case.task_added')).length, 4);

    const page = await advisor.client.get(`${base}?toegevoegd`);
    assert.match(page.body, /De taak is toegevoegd/);
    assert.deepEqual(listedTasks(page.body), [
      byTitle('Terugbellen over opvang'),
      byTitle('Vandaag'),
      byTitle('Morgen'),
      byTitle('Zonder datum'),
    ]);
    assert.match(
      rowOf(page.body, byTitle('Terugbellen over opvang')),
      /<strong[^>]*data-overdue[^>]*>Te laat</,
    );
    assert.match(rowOf(page.body, byTitle('Vandaag')), /data-due-today[^>]*>Vandaag</);
    assert.doesNotMatch(rowOf(page.body, byTitle('Morgen')), /Te laat/);
    assert.match(rowOf(page.body, byTitle('Zonder datum')), /Cees Collega[\s\S]*Geen datum/);

    // Done: listed after the open ones, with who and when; and open again.
    const done = await advisor.client.postForm(`${base}/${byTitle('Terugbellen over opvang')}/afgerond`, {
      _csrf: inputValue(page.body, '_csrf'),
    });
    assert.equal(done.statusCode, 303);
    assert.equal(done.headers.location, `${base}?afgerond`);
    const afterDone = await advisor.client.get(base);
    assert.equal(listedTasks(afterDone.body).at(-1), byTitle('Terugbellen over opvang'));
    const doneRow = rowOf(afterDone.body, byTitle('Terugbellen over opvang'));
    assert.match(doneRow, /data-done="yes"/);
    assert.match(doneRow, /Afgerond door Ada Adviseur op/);
    assert.doesNotMatch(doneRow, /Te laat/, 'a done task is not overdue');
    assert.equal((await audits('case.task_done')).length, 1);

    const reopened = await advisor.client.postForm(`${base}/${byTitle('Terugbellen over opvang')}/heropend`, {
      _csrf: inputValue(afterDone.body, '_csrf'),
    });
    assert.equal(reopened.headers.location, `${base}?heropend`);
    const row = (await tasks()).find((r) => r.title === 'Terugbellen over opvang');
    assert.equal(row?.done_at, null);
    assert.equal((await audits('case.task_updated')).length, 1);
  });

  it('refuses a task without title, with an impossible date or an owner outside the case, keeping the input', async () => {
    const count = (await tasks()).length;
    const refused = await addTask(advisor.client, {
      title: '',
      due_on: '2026-02-30',
      owner: advisor.user.id,
    });
    assert.equal(refused.statusCode, 400);
    assert.deepEqual(errorSummary(refused.body), [
      'Beschrijf de taak.',
      'Vul een bestaande datum in als jaar-maand-dag, bijvoorbeeld 2026-12-31.',
    ]);
    assert.equal(inputValue(refused.body, 'due_on'), '2026-02-30');

    const tooLong = await addTask(advisor.client, { title: 'x'.repeat(201), owner: advisor.user.id });
    assert.deepEqual(errorSummary(tooLong.body), [
      'Deze beschrijving is te lang. Gebruik maximaal 200 tekens.',
    ]);

    const foreignOwner = await addTask(advisor.client, { title: 'Geldige taak', owner: outsider.user.id });
    assert.equal(foreignOwner.statusCode, 400);
    assert.deepEqual(errorSummary(foreignOwner.body), [
      'Deze medewerker mag deze casus niet openen. Kies iemand anders.',
    ]);
    assert.equal(inputValue(foreignOwner.body, 'title'), 'Geldige taak');
    assert.equal((await tasks()).length, count);
  });

  it('lists my own open tasks across the cases I may open, overdue ones named', async () => {
    const second = await createTestCase(t, { assignedUserId: advisor.user.id });
    const elsewhere = await createTestCase(t, { assignedUserId: coordinator.user.id });
    const insert = (caseId: string, title: string, dueOn: string | null, done = false) =>
      t.database.db
        .insertInto('case_task')
        .values({
          id: randomUUID(),
          case_id: caseId,
          title,
          due_on: dueOn,
          owner_user_id: advisor.user.id,
          done_at: done ? new Date() : null,
        })
        .execute();
    await insert(second.id, 'Tweede casus, te laat', daysFromToday(-5));
    await insert(second.id, 'Al gedaan', daysFromToday(-5), true);
    // A task of mine in a case I can no longer open (reassigned) is not shown.
    await insert(elsewhere.id, 'Niet meer mijn casus', daysFromToday(-1));

    const page = await advisor.client.get('/beheer/taken');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<h1[^>]*>Mijn taken<\/h1>/);
    assert.match(page.body, /Tweede casus, te laat/);
    assert.match(page.body, /Terugbellen over opvang/);
    assert.match(page.body, /Vandaag/);
    assert.doesNotMatch(page.body, /Al gedaan|Niet meer mijn casus|Zonder datum|Morgen/);
    assert.match(
      page.body,
      new RegExp(`href="/beheer/casussen/${second.id}/taken"[^>]*>Casus ${second.number}<`),
    );
    const overdueRow =
      /<tr[^>]*>(?:(?!<\/tr>)[\s\S])*Tweede casus, te laat[\s\S]*?<\/tr>/.exec(page.body)?.[0] ?? '';
    assert.match(overdueRow, /Te laat/);
    const reads = await t.database.db
      .selectFrom('audit_event')
      .select('entity_id')
      .where('action', '=', 'case.tasks_read')
      .where('actor_user_id', '=', advisor.user.id)
      .where('request_id', 'is not', null)
      .orderBy('seq', 'desc')
      .limit(2)
      .execute();
    assert.deepEqual(reads.map((r) => r.entity_id).sort(), [theCase.id, second.id].sort());

    const admin = await staffWithSession(t, 'admin');
    const refused = await admin.client.get('/beheer/taken');
    assert.equal(refused.statusCode, 403);
  });

  it('lets nobody without access to the case read or change its tasks', async () => {
    const [task] = await tasks();
    assert.ok(task);
    const before = await tasks();
    const read = await outsider.client.get(base);
    assert.equal(read.statusCode, 303);
    assert.equal(read.headers.location, `/beheer/casussen/${theCase.id}/toegang`);
    for (const path of [base, `${base}/${task.id}/afgerond`, `${base}/${task.id}/heropend`]) {
      const write = await outsider.client.postForm(path, { title: 'Indringer', owner: outsider.user.id });
      assert.equal(write.statusCode, 303, path);
      assert.equal(write.headers.location, `/beheer/casussen/${theCase.id}/toegang`, path);
    }
    assert.deepEqual(await tasks(), before);
    const missing = await outsider.client.get(`/beheer/casussen/${randomUUID()}/taken`);
    assert.equal(missing.statusCode, 403);
    const traces = await t.database.db
      .selectFrom('audit_event')
      .select('action')
      .where('actor_user_id', '=', outsider.user.id)
      .execute();
    assert.deepEqual(traces, []);
  });
});

describe('task reminders', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it('queues one mail per owner without case content, marks the tasks and never reminds twice', async () => {
    const ada = await staffWithSession(t, 'advisor', { email: 'ada@example.org' });
    const cor = await staffWithSession(t, 'coordinator', { email: 'cor@example.org' });
    const theCase = await createTestCase(t, { assignedUserId: ada.user.id, title: 'Kas in Enschede' });
    const add = async (title: string, owner: string, dueOn: string | null, done = false) => {
      const id = randomUUID();
      await t.database.db
        .insertInto('case_task')
        .values({
          id,
          case_id: theCase.id,
          title,
          due_on: dueOn,
          owner_user_id: owner,
          done_at: done ? new Date() : null,
        })
        .execute();
      return id;
    };
    const due = [
      await add('Bel Ioana terug', ada.user.id, daysFromToday(-3)),
      await add('Verslag voor de politie', ada.user.id, daysFromToday(0)),
      await add('Opvang regelen', cor.user.id, daysFromToday(-1)),
    ];
    const notDue = [
      await add('Later', ada.user.id, daysFromToday(2)),
      await add('Geen datum', ada.user.id, null),
      await add('Al gedaan', cor.user.id, daysFromToday(-1), true),
    ];
    const settings = { rootKey: t.config.secrets.secretKey, publicUrl: 'https://baken.example.nl' };

    // Two runs at once (as two processes would): each reminder goes out once.
    const [first, second] = await Promise.all([
      sendTaskReminders(t.database.db, settings),
      sendTaskReminders(t.database.db, settings),
    ]);
    assert.equal(first + second, 2);
    const mails = await t.database.db.selectFrom('mail_outbox').selectAll().execute();
    assert.equal(mails.length, 2);
    const byRecipient = new Map(
      mails.map((mail) => [
        openRecipient(t.config.secrets.secretKey, mail.id, mail.recipient as Buffer),
        mail,
      ]),
    );
    assert.deepEqual([...byRecipient.keys()].sort(), ['ada@example.org', 'cor@example.org']);
    const toAda = byRecipient.get('ada@example.org');
    assert.ok(toAda);
    assert.equal(toAda.kind, 'task_reminder');
    assert.match(toAda.body ?? '', /U heeft 2 taken die uiterlijk vandaag af moeten/);
    assert.match(toAda.body ?? '', /You have 2 tasks due today or earlier/);
    assert.match(toAda.body ?? '', /https:\/\/baken\.example\.nl\/beheer\/taken/);
    assert.match(byRecipient.get('cor@example.org')?.body ?? '', /U heeft 1 taak die/);
    for (const mail of mails) {
      const text = `${mail.subject}\n${mail.body ?? ''}`;
      for (const secret of [theCase.number, theCase.id, 'Kas in Enschede', 'Ioana', 'politie', 'Opvang']) {
        assert.ok(!text.includes(secret), `the mail does not contain "${secret}"`);
      }
    }
    const rows = await t.database.db.selectFrom('case_task').select(['id', 'reminded_at']).execute();
    for (const id of due) assert.notEqual(rows.find((r) => r.id === id)?.reminded_at, null);
    for (const id of notDue) assert.equal(rows.find((r) => r.id === id)?.reminded_at, null);

    assert.equal(await sendTaskReminders(t.database.db, settings), 0, 'never twice');
    assert.equal((await t.database.db.selectFrom('mail_outbox').select('id').execute()).length, 2);

    // A day later the task due then is reminded, on its own.
    const tomorrow = new Date(Date.now() + 2 * 86_400_000 + 60_000);
    assert.equal(await sendTaskReminders(t.database.db, settings, tomorrow), 1);
  });
});

describe('due dates', () => {
  it('accepts every real date written YYYY-MM-DD', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('2000-01-01T00:00:00Z'),
          max: new Date('2999-12-31T00:00:00Z'),
          noInvalidDate: true,
        }),
        (date) => {
          assert.ok(isCalendarDate(date.toISOString().slice(0, 10)));
        },
      ),
    );
  });

  it('refuses days a month does not have, and anything not written YYYY-MM-DD', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2000, max: 2999 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 31 }),
        (year, month, day) => {
          const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
          const text = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
          assert.equal(isCalendarDate(text), day <= daysInMonth, text);
        },
      ),
    );
    fc.assert(
      fc.property(fc.string(), (text) => {
        if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) assert.equal(isCalendarDate(text), false);
      }),
    );
    for (const text of [
      '2026-2-3',
      '26-02-03',
      '2026-00-10',
      '2026-13-01',
      '2026-01-00',
      '1999-12-31',
      ' 2026-01-01',
    ]) {
      assert.equal(isCalendarDate(text), false, text);
    }
  });

  it('takes "today" in the Netherlands, not in the server’s zone', () => {
    assert.equal(calendarDateIn('Europe/Amsterdam', new Date('2026-11-28T23:30:00Z')), '2026-11-29');
    assert.equal(calendarDateIn('Europe/Amsterdam', new Date('2026-07-01T21:59:00Z')), '2026-07-01');
    assert.equal(calendarDateIn('Europe/Amsterdam', new Date('2026-07-01T22:00:00Z')), '2026-07-02');
  });
});
