import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { libpqConnection, toolEnvironment } from './backup-service.ts';

describe('what pg_dump and pg_restore are given', () => {
  it('no Baken key, database URL, mail or Redis URL; the rest of the environment as it is', () => {
    const env = toolEnvironment({
      PATH: '/usr/bin',
      LANG: 'C.UTF-8',
      BAKEN_SECRET_KEY: 'root',
      BAKEN_ENCRYPTION_KEYS: 'k1:x',
      BAKEN_BACKUP_KEY: 'b',
      DATABASE_URL: 'postgres://u:secret@h/db',
      SMTP_URL: 'smtp://u:p@h',
      REDIS_URL: 'redis://:p@h',
    });
    assert.deepEqual(env, { PATH: '/usr/bin', LANG: 'C.UTF-8' });
  });

  it('the password only in PGPASSWORD, never in the connection string', () => {
    const connection = libpqConnection('postgres://baken:s%3Acret@db.internal:5432/baken?sslmode=require');
    assert.equal(connection.env.PGPASSWORD, 's:cret');
    assert.ok(!connection.dbname.includes('cret'), connection.dbname);
    assert.match(connection.dbname, /sslmode=require/);
  });
});
