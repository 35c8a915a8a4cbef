import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { Database } from './database.ts';

export const migrationsDir = join(import.meta.dirname, '..', '..', 'migrations');

/** Plain SQL files named `<timestamp>_<what>.sql`, applied in name order, each in its own transaction. */
export function listMigrations(dir = migrationsDir): { name: string; sql: string }[] {
  return readdirSync(dir)
    .filter((file) => /^\d{14}_[a-z0-9-]+\.sql$/.test(file))
    .sort()
    .map((file) => ({ name: file.replace(/\.sql$/, ''), sql: readFileSync(join(dir, file), 'utf8') }));
}

// Any constant works; it only has to be the same for every app process sharing the database.
const MIGRATION_LOCK_ID = 7_326_001;

/**
 * Applies pending migrations. Several processes starting at once serialise on an advisory lock,
 * so each migration runs exactly once.
 */
export async function migrate(db: Database, dir = migrationsDir): Promise<string[]> {
  const migrations = listMigrations(dir);
  return db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK_ID})`.execute(conn);
    try {
      await sql`create table if not exists schema_migration (
        name text primary key,
        applied_at timestamptz not null default now()
      )`.execute(conn);
      const done = new Set(
        (await sql<{ name: string }>`select name from schema_migration`.execute(conn)).rows.map(
          (r) => r.name,
        ),
      );
      const applied: string[] = [];
      for (const migration of migrations.filter((m) => !done.has(m.name))) {
        await conn.transaction().execute(async (trx) => {
          await sql.raw(migration.sql).execute(trx);
          await sql`insert into schema_migration (name) values (${migration.name})`.execute(trx);
        });
        applied.push(migration.name);
      }
      return applied;
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`.execute(conn);
    }
  });
}

/** Names of migrations that exist on disk but are not applied (for readiness checks). */
export async function pendingMigrations(db: Database, dir = migrationsDir): Promise<string[]> {
  const done = new Set(
    (await sql<{ name: string }>`select name from schema_migration`.execute(db)).rows.map((r) => r.name),
  );
  return listMigrations(dir)
    .map((m) => m.name)
    .filter((name) => !done.has(name));
}
