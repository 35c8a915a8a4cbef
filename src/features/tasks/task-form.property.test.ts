import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { taskFieldOrder, taskFormValues, validateTask } from './task-form.ts';
import { calendarDateIn, isCalendarDate, isOverdue } from './task-dates.ts';
import { TITLE_MAX } from './task-service.ts';

const hostile = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '2026-02-30',
    '2026-02-28',
    '0000-01-01',
    '9999-12-31',
    '2026-1-1',
    '２０２６-０１-０１',
    '<script>',
    "'; --",
    '\uD800',
  ),
  fc.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
  fc.uuid(),
  fc.integer({ min: 190, max: 400 }).map((n) => 'x'.repeat(n)),
);
const body = fc.dictionary(
  fc.constantFrom('title', 'due_on', 'owner', '_csrf', 'x', '__proto__'),
  fc.oneof(hostile, fc.array(hostile, { maxLength: 3 })),
);

describe('the task form, hostile input', () => {
  it('gives a task of the declared shape, or problems on its own fields', () => {
    fc.assert(
      fc.property(body, (raw) => {
        const values = taskFormValues(raw);
        for (const [key, value] of Object.entries(values)) {
          assert.ok((taskFieldOrder as readonly string[]).includes(key));
          assert.equal(typeof value, 'string');
        }
        const result = validateTask(values);
        if (result.ok) {
          assert.ok(result.task.title.length >= 1 && result.task.title.length <= TITLE_MAX);
          if (result.task.dueOn !== null) assert.ok(isCalendarDate(result.task.dueOn));
          assert.equal(typeof result.task.ownerId, 'string');
          return;
        }
        assert.ok(result.problems.length > 0);
        for (const p of result.problems)
          assert.ok((taskFieldOrder as readonly string[]).includes(p.field), p.field);
      }),
      { numRuns: 500 },
    );
  });

  it('writes every instant as a calendar date in any zone, and compares dates as dates', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('2000-01-02T00:00:00Z'),
          max: new Date('2999-12-30T00:00:00Z'),
          noInvalidDate: true,
        }),
        fc.constantFrom('Europe/Amsterdam', 'UTC', 'Pacific/Kiritimati', 'America/Adak'),
        (instant, zone) => {
          const day = calendarDateIn(zone, instant);
          assert.ok(isCalendarDate(day), day);
          const next = calendarDateIn(zone, new Date(instant.getTime() + 36 * 60 * 60 * 1000));
          assert.ok(isOverdue(day, next));
          assert.ok(!isOverdue(day, day));
          assert.ok(!isOverdue(null, next));
        },
      ),
      { numRuns: 300 },
    );
  });
});
