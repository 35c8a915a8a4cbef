import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { taskFieldOrder, taskFormValues, validateTask } from './task-form.ts';
import { calendarDateIn, isCalendarDate, isOverdue } from './task-dates.ts';
import { TITLE_MAX } from './task-service.ts';
import { assertProblemsOnFields, formBody, hostileSamples, hostileText } from '../../test/properties.ts';

const hostile = hostileText({
  samples: [
    ...hostileSamples,
    '2026-02-30',
    '2026-02-28',
    '0000-01-01',
    '9999-12-31',
    '2026-1-1',
    '２０２６-０１-０１',
  ],
  more: [fc.stringMatching(/^\d{4}-\d{2}-\d{2}$/), fc.uuid()],
  overLong: [190, 400],
});
const body = formBody(['title', 'due_on', 'owner', '_csrf', 'x', '__proto__'], [hostile]);

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
        assertProblemsOnFields(result.problems, taskFieldOrder);
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
