import { createHash } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { AuditEventTable } from '../../db/schema.ts';

/**
 * The hash chain of the audit log. Each row's hash is SHA-256 over a canonical serialisation of its
 * fields and the previous row's hash; recording and verifying share this one function.
 */

/** The `prev_hash` of the first row. */
export const GENESIS_HASH = '0'.repeat(64);

/** Bumped if the serialisation ever changes (older rows would then need the old rule). */
const FORMAT = 'baken-audit-v1';

/** JSON values that survive a round trip through jsonb unchanged (see `checkDetails`). */
export type AuditJson = string | number | boolean | null | AuditJson[] | { [key: string]: AuditJson };
export type AuditDetails = Record<string, AuditJson>;

/** The hashed fields of a row, as stored (snake case, as the database returns them). */
export type ChainedRow = Omit<Selectable<AuditEventTable>, 'hash'>;

/**
 * A fixed field order, as one JSON array (no delimiter ambiguity); the time as an ISO string with
 * milliseconds, which is exactly what a timestamptz written from a JavaScript Date holds; details as
 * JSON with sorted keys, since jsonb does not keep the order in which keys were written.
 */
export function canonicalRow(row: ChainedRow): string {
  return JSON.stringify([
    FORMAT,
    row.seq,
    row.id,
    row.at.toISOString(),
    row.actor_user_id,
    row.actor_role,
    row.action,
    row.entity_type,
    row.entity_id,
    row.reason,
    row.request_id,
    row.details === null ? null : canonicalJson(row.details),
    row.prev_hash,
  ]);
}

export function hashRow(row: ChainedRow): string {
  return createHash('sha256').update(canonicalRow(row), 'utf8').digest('hex');
}

/** JSON with object keys sorted (by UTF-16 code units, the same in every run). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('audit details: numbers must be finite');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  if (isPlainObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`;
  }
  throw new TypeError(`audit details: ${typeof value} is not a JSON value`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

/** A lone surrogate would be replaced on the way into PostgreSQL and so no longer match its hash. */
const LONE_SURROGATE = /\p{Surrogate}/u;

/** Text the database stores exactly as given: no NUL (refused by PostgreSQL), no lone surrogates. */
export function isStorableText(text: string): boolean {
  return !text.includes('\u0000') && !LONE_SURROGATE.test(text);
}

const MAX_DETAILS_CHARS = 2000;
const MAX_DEPTH = 4;

/**
 * Details are small facts about an event (a field name, a count, a format), never personal content;
 * the size limit keeps it that way. Every value must come back from jsonb exactly as written.
 */
export function checkDetails(details: AuditDetails): string {
  checkJson(details, 0);
  const json = canonicalJson(details);
  if (json.length > MAX_DETAILS_CHARS) {
    throw new TypeError(`audit details: at most ${MAX_DETAILS_CHARS} characters of JSON`);
  }
  return json;
}

function checkJson(value: unknown, depth: number): void {
  if (depth > MAX_DEPTH) throw new TypeError('audit details: nested too deeply');
  if (typeof value === 'string') {
    if (!isStorableText(value)) throw new TypeError('audit details: text with NUL or a lone surrogate');
  } else if (Array.isArray(value)) {
    for (const item of value) checkJson(item, depth + 1);
  } else if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      if (!isStorableText(key)) throw new TypeError('audit details: key with NUL or a lone surrogate');
      if (item === undefined) throw new TypeError(`audit details: "${key}" is undefined`);
      checkJson(item, depth + 1);
    }
  } else if (value !== null && typeof value !== 'boolean' && typeof value !== 'number') {
    throw new TypeError(`audit details: ${typeof value} is not a JSON value`);
  } else if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new TypeError('audit details: numbers must be finite');
  }
}
