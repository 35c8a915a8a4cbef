import { PGlite, types } from '@electric-sql/pglite';

/**
 * A `pg.Pool` look-alike over one PGlite instance, so Kysely's PostgresDialect runs unchanged on the
 * embedded database. PGlite has a single connection: `connect()` hands it to one caller at a time and
 * queues the rest, which keeps a transaction's statements together.
 */
export class PGlitePool {
  readonly #db: PGlite;
  #busy = false;
  readonly #waiting: (() => void)[] = [];

  constructor(db: PGlite) {
    this.#db = db;
  }

  get pglite(): PGlite {
    return this.#db;
  }

  async connect(): Promise<PGliteClient> {
    if (this.#busy) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#busy = true;
    await this.#db.waitReady;
    let released = false;
    return {
      query: (sql, parameters) => runQuery(this.#db, sql, parameters),
      release: () => {
        if (released) return;
        released = true;
        const next = this.#waiting.shift();
        if (next) next();
        else this.#busy = false;
      },
    };
  }

  async query(sql: string, parameters?: readonly unknown[]): Promise<QueryResult> {
    const client = await this.connect();
    try {
      return await client.query(sql, parameters);
    } finally {
      client.release();
    }
  }

  async end(): Promise<void> {
    const client = await this.connect();
    try {
      if (!this.#db.closed) await this.#db.close();
    } finally {
      client.release();
    }
  }
}

export interface PGliteClient {
  query(sql: string, parameters?: readonly unknown[]): Promise<QueryResult>;
  release(): void;
}

interface QueryResult {
  rows: Record<string, unknown>[];
  rowCount: number;
  command: string;
}

async function runQuery(db: PGlite, sql: string, parameters?: readonly unknown[]): Promise<QueryResult> {
  // Like pg, a query without parameters goes over the simple protocol, which allows several
  // statements (migrations); the last statement's result is the one returned.
  const result =
    parameters && parameters.length > 0
      ? await db.query<Record<string, unknown>>(sql, [...parameters])
      : ((await db.exec(sql)).at(-1) ?? { rows: [], affectedRows: 0 });
  const affected = result.affectedRows ?? 0;
  return {
    rows: result.rows as Record<string, unknown>[],
    rowCount: affected || result.rows.length,
    command: commandOf(sql, affected),
  };
}

/** Kysely reads `command` to decide whether `rowCount` means "affected rows". */
function commandOf(sql: string, affectedRows: number): string {
  const keyword = /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase() ?? '';
  if (keyword === 'WITH') return affectedRows > 0 ? 'UPDATE' : 'SELECT';
  return keyword;
}

/** The same JavaScript types as our `pg` settings: int8 as number, date as string, bytea as Buffer. */
export const pgliteParsers = {
  [types.INT8]: (value: string) => Number(value),
  [types.DATE]: (value: string) => value,
  [types.BYTEA]: (value: string | Uint8Array) =>
    typeof value === 'string' ? Buffer.from(value.slice(2), 'hex') : Buffer.from(value),
};
