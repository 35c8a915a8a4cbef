import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { caseStatuses, closureReasons } from '../../db/schema.ts';
import { can, roles } from '../../web/policy.ts';
import { applyWorkflow, plainMovesFrom, type WorkflowAction, type WorkflowState } from './workflow.ts';

const status = fc.constantFrom(...caseStatuses);
const role = fc.constantFrom(...roles);
const state: fc.Arbitrary<WorkflowState> = fc.record({ status, closurePending: fc.boolean() });
const action: fc.Arbitrary<WorkflowAction> = fc.oneof(
  status.map((to) => ({ kind: 'move' as const, to })),
  fc.constantFrom(...closureReasons).map((reason) => ({ kind: 'request_closure' as const, reason })),
  fc.constantFrom(...closureReasons).map((reason) => ({ kind: 'close' as const, reason })),
  fc.constantFrom(
    { kind: 'approve_closure' as const },
    { kind: 'reject_closure' as const },
    { kind: 'reopen' as const },
  ),
);

describe('the case workflow', () => {
  it('only closes a case by a coordinator’s decision', () => {
    fc.assert(
      fc.property(role, state, action, (r, s, a) => {
        const next = applyWorkflow(r, s, a);
        if (next?.status === 'closed' && s.status !== 'closed') {
          assert.ok(can(r, 'cases.close.approve'));
          assert.ok(a.kind === 'approve_closure' || a.kind === 'close');
        }
      }),
    );
  });

  it('moves only one allowed step at a time, never into or out of "closed"', () => {
    fc.assert(
      fc.property(role, state, status, (r, s, to) => {
        const next = applyWorkflow(r, s, { kind: 'move', to });
        if (!next) return;
        assert.ok(can(r, 'cases.edit'));
        assert.ok(plainMovesFrom(s.status).includes(to));
        assert.notEqual(to, 'closed');
        assert.notEqual(s.status, 'closed');
      }),
    );
  });

  it('leaves a closed case closed except for a coordinator reopening it', () => {
    fc.assert(
      fc.property(role, fc.boolean(), action, (r, pending, a) => {
        const next = applyWorkflow(r, { status: 'closed', closurePending: pending }, a);
        if (next === undefined) return;
        assert.equal(a.kind, 'reopen');
        assert.ok(can(r, 'cases.close.approve'));
        assert.deepEqual(next, { status: 'in_progress', closurePending: false });
      }),
    );
  });

  it('decides on a closure request only when one is pending, and only one at a time', () => {
    fc.assert(
      fc.property(role, state, action, (r, s, a) => {
        const next = applyWorkflow(r, s, a);
        if (!next) return;
        if (a.kind === 'approve_closure' || a.kind === 'reject_closure') assert.ok(s.closurePending);
        if (a.kind === 'request_closure') {
          assert.ok(!s.closurePending);
          assert.ok(next.closurePending);
        }
      }),
    );
  });

  it('never lets an advisor reach "closed", whatever they try', () => {
    fc.assert(
      fc.property(fc.array(action, { maxLength: 40 }), (actions) => {
        let current: WorkflowState = { status: 'new', closurePending: false };
        for (const a of actions) current = applyWorkflow('advisor', current, a) ?? current;
        assert.notEqual(current.status, 'closed');
      }),
    );
  });

  it('lets nobody without case permissions change anything', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('admin' as const, 'partner' as const, 'statistics' as const),
        state,
        action,
        (r, s, a) => {
          assert.equal(applyWorkflow(r, s, a), undefined);
        },
      ),
    );
  });

  it('walks the whole road: new → triage → in progress → referred → requested → closed', () => {
    let s: WorkflowState | undefined = { status: 'new', closurePending: false };
    for (const to of ['triage', 'in_progress', 'referred'] as const)
      s = s && applyWorkflow('advisor', s, { kind: 'move', to });
    s = s && applyWorkflow('advisor', s, { kind: 'request_closure', reason: 'referred' });
    assert.deepEqual(s, { status: 'referred', closurePending: true });
    assert.equal(applyWorkflow('advisor', s, { kind: 'approve_closure' }), undefined);
    assert.deepEqual(applyWorkflow('coordinator', s, { kind: 'approve_closure' }), {
      status: 'closed',
      closurePending: false,
    });
  });
});
