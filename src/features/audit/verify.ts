import { sql } from 'kysely';
import type { Database } from '../../db/database.ts';
import { GENESIS_HASH, hashRow } from './chain.ts';

export type AuditVerification =
  | {
      ok: true;
      /** Rows checked. */
      count: number;
      /** The newest row's seq and hash (null when empty): worth noting down elsewhere, since removing
       * the newest rows leaves no trace in the chain itself. */
      lastSeq: number | null;
      lastHash: string;
      /** Where the chain starts after old rows were pruned (features/retention): the last pruned row,
       * and when it was written (null for anchors made before the database recorded that). */
      anchor?: AuditAnchor;
    }
  | {
      ok: false;
      /** Rows found intact before the first broken one. */
      count: number;
      /** The first row that is missing, altered, or no longer linked to the one before it. */
      firstBrokenSeq: number;
      reason: string;
    };

const DEFAULT_BATCH_SIZE = 1000;

/** A row's seq and hash as an earlier verification printed them. */
export interface AuditCheckpoint {
  seq: number;
  hash: string;
}

export interface AuditAnchor extends AuditCheckpoint {
  anchoredAt: Date | null;
}

/** `<seq>:<hash>`, as `audit:verify --expect` takes it. */
export function parseCheckpoint(text: string): AuditCheckpoint | undefined {
  const match = /^([1-9][0-9]{0,15}):([0-9a-f]{64})$/.exec(text.trim());
  if (!match?.[1] || !match[2]) return undefined;
  const seq = Number(match[1]);
  return Number.isSafeInteger(seq) ? { seq, hash: match[2] } : undefined;
}

/**
 * Walks the whole log in seq order, a batch at a time (memory stays bounded for millions of rows):
 * seq must count up from 1 without gaps (a deleted row leaves one), each `prev_hash` must be the
 * hash of the row before, and each row's hash must match its recomputed fields.
 *
 * `expect`: a seq and hash noted down from an earlier run. The row must still be there with that hash,
 * which shows the removal of the newest rows, and a rewrite of the chain, since that run. A checkpoint
 * at or before the pruning anchor can only be compared with the anchor itself.
 *
 * After old rows were pruned (retention), the walk starts from the latest `audit_anchor` (the seq and
 * hash of the last pruned row) instead of the genesis hash: the first remaining row must follow it.
 * Pruning can only delete rows up to an anchor (a trigger), and anchors only name rows that existed.
 */
export async function verifyAuditChain(
  db: Database,
  options: { batchSize?: number; expect?: AuditCheckpoint } = {},
): Promise<AuditVerification> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const expect = options.expect;
  let count = 0;
  const anchorRow = await db
    .selectFrom('audit_anchor')
    .select(['seq', 'hash', 'anchored_at'])
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  const anchor: AuditAnchor | undefined = anchorRow
    ? { seq: anchorRow.seq, hash: anchorRow.hash, anchoredAt: anchorRow.anchored_at }
    : undefined;
  let previous: AuditCheckpoint = anchor ?? { seq: 0, hash: GENESIS_HASH };
  const broken = (firstBrokenSeq: number, reason: string): AuditVerification => ({
    ok: false,
    count,
    firstBrokenSeq,
    reason,
  });

  for (;;) {
    const rows = await db
      .selectFrom('audit_event')
      .selectAll()
      // A JavaScript Date keeps milliseconds only; a time changed by microseconds shows up here.
      .select(sql<boolean>`date_trunc('milliseconds', at) = at`.as('at_whole_ms'))
      .where('seq', '>', previous.seq)
      .orderBy('seq')
      .limit(batchSize)
      .execute();
    for (const row of rows) {
      const expectedSeq = previous.seq + 1;
      if (row.seq !== expectedSeq) {
        const missing = row.seq - 1 === expectedSeq ? `${expectedSeq}` : `${expectedSeq} to ${row.seq - 1}`;
        return broken(expectedSeq, `row ${missing} missing (deleted) before row ${row.seq}`);
      }
      if (row.prev_hash !== previous.hash) {
        return broken(
          row.seq,
          previous.seq === 0
            ? 'the first row does not start the chain'
            : previous === anchor
              ? `prev_hash does not match the anchor of the pruned rows (row ${previous.seq})`
              : `prev_hash does not match the hash of row ${previous.seq}`,
        );
      }
      let recomputed: string;
      try {
        recomputed = hashRow(row);
      } catch {
        recomputed = '';
      }
      if (!row.at_whole_ms || recomputed !== row.hash) {
        return broken(row.seq, 'the row was changed after it was written (hash mismatch)');
      }
      if (expect && row.seq === expect.seq && row.hash !== expect.hash) {
        return broken(row.seq, `the hash differs from the one noted down for row ${expect.seq}`);
      }
      count += 1;
      previous = { seq: row.seq, hash: row.hash };
    }
    if (rows.length < batchSize) break;
  }
  if (anchor && expect && expect.seq === anchor.seq && expect.hash !== anchor.hash) {
    return broken(expect.seq, `the anchor's hash differs from the one noted down for row ${expect.seq}`);
  }
  if (expect && previous.seq < expect.seq) {
    const missing =
      previous.seq + 1 === expect.seq ? `${expect.seq}` : `${previous.seq + 1} to ${expect.seq}`;
    return broken(previous.seq + 1, `row ${missing} missing (deleted): row ${expect.seq} was noted down`);
  }
  return {
    ok: true,
    count,
    lastSeq: previous.seq === 0 ? null : previous.seq,
    lastHash: previous.hash,
    ...(anchor ? { anchor } : {}),
  };
}

/**
 * What `audit:verify` prints for an intact log. With an anchor, also when its row was written: a
 * pruning point less than the retention period ago deserves a look.
 */
export function intactLine(result: AuditVerification & { ok: true }): string {
  if (result.lastSeq === null) return 'audit log intact: no events yet';
  const anchor = result.anchor
    ? `; pruned up to ${result.anchor.seq}:${result.anchor.hash}, a row written ` +
      (result.anchor.anchoredAt?.toISOString() ?? 'at an unrecorded time')
    : '';
  return `audit log intact: ${result.count} events; checkpoint ${result.lastSeq}:${result.lastHash}${anchor}`;
}
