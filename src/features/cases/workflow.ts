import type { CaseStatus, ClosureReason } from '../../db/schema.ts';
import { can, type Role } from '../../web/policy.ts';

/**
 * The status workflow of a case: new → triage → in progress → referred → closed.
 *
 * Plain moves (anyone who may edit the case): one step forward, or one step back where work turns
 * out to need redoing: triage → new (put back in the queue, e.g. triaged too early), in progress →
 * triage (reassess), referred → in progress (the partner sends it back). Skipping steps is not
 * allowed, so each case passes triage once.
 *
 * Closing is never a plain move: an advisor asks for it with a reason, a coordinator approves (or
 * rejects, which leaves the status as it was). A coordinator may also close directly, and reopen a
 * closed case (it goes back to "in progress").
 */
const plainMoves: Readonly<Record<CaseStatus, readonly CaseStatus[]>> = {
  new: ['triage'],
  triage: ['in_progress', 'new'],
  in_progress: ['referred', 'triage'],
  referred: ['in_progress'],
  closed: [],
};

/** The facts about a case that decide what may happen to its status. */
export interface WorkflowState {
  status: CaseStatus;
  /** A closure request is waiting for a coordinator. */
  closurePending: boolean;
}

export type WorkflowAction =
  | { kind: 'move'; to: CaseStatus }
  | { kind: 'request_closure'; reason: ClosureReason }
  | { kind: 'approve_closure' }
  | { kind: 'reject_closure' }
  | { kind: 'close'; reason: ClosureReason }
  | { kind: 'reopen' };

/** The statuses a plain move may go to from `status`. */
export const plainMovesFrom = (status: CaseStatus): readonly CaseStatus[] => plainMoves[status];

/**
 * The one place that decides whether an action is allowed; routes call it before every change and
 * the service applies the result. Returns the state afterwards, or undefined when not allowed.
 */
export function applyWorkflow(
  role: Role,
  state: WorkflowState,
  action: WorkflowAction,
): WorkflowState | undefined {
  const open = state.status !== 'closed';
  switch (action.kind) {
    case 'move':
      if (!can(role, 'cases.edit') || !plainMoves[state.status].includes(action.to)) return undefined;
      return { status: action.to, closurePending: state.closurePending };
    case 'request_closure':
      if (!can(role, 'cases.close.request') || !open || state.closurePending) return undefined;
      return { status: state.status, closurePending: true };
    case 'approve_closure':
      if (!can(role, 'cases.close.approve') || !open || !state.closurePending) return undefined;
      return { status: 'closed', closurePending: false };
    case 'reject_closure':
      if (!can(role, 'cases.close.approve') || !open || !state.closurePending) return undefined;
      return { status: state.status, closurePending: false };
    case 'close':
      if (!can(role, 'cases.close.approve') || !open) return undefined;
      return { status: 'closed', closurePending: false };
    case 'reopen':
      if (!can(role, 'cases.close.approve') || open) return undefined;
      return { status: 'in_progress', closurePending: false };
  }
}
