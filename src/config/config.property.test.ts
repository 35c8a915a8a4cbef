import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { loadConfig, parseKeyRing } from './config.ts';
import { hostileText } from '../test/properties.ts';

/** Variables whose values are secrets (or may carry one, as a password in a URL). */
const secretNames = [
  'BAKEN_SECRET_KEY',
  'BAKEN_ENCRYPTION_KEYS',
  'BAKEN_BACKUP_KEY',
  'BAKEN_METRICS_TOKEN',
  'SMTP_URL',
  'DATABASE_URL',
  'REDIS_URL',
] as const;
const otherNames = [
  'NODE_ENV',
  'PORT',
  'HOST',
  'PUBLIC_URL',
  'TRUST_PROXY',
  'LOG_LEVEL',
  'REGION',
  'MAIL_FROM',
  'METRICS_PORT',
  'METRICS_HOST',
  'BAKEN_INTAKE_LIMIT_PER_HOUR',
  'BAKEN_INTAKE_UNSOLVED_PER_HOUR',
  'BAKEN_INTAKE_MIN_SECONDS',
  'BAKEN_SHUTDOWN_TIMEOUT_MS',
  'BAKEN_JOB_POLL_MS',
  'BAKEN_RETENTION_REPORT_MONTHS',
  'BAKEN_RETENTION_CASE_YEARS',
  'BAKEN_RETENTION_AUDIT_YEARS',
] as const;

/** A recognisable secret: long enough that finding it in a message is no coincidence. */
const secretMarker = fc.stringMatching(/^[A-Za-z0-9]{12,20}$/).map((s) => `Zq${s}`);
const key32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('base64'));

const secretValue = (marker: string) =>
  fc.oneof(
    fc.constant(marker),
    fc.constant(`smtp://user:${marker}@mail.example.org:587`),
    fc.constant(`postgres://app:${marker}@db/baken`),
    fc.constant(`redis://:${marker}@cache:6379`),
    fc.constant(`k1:${marker}`),
    fc.constant(`k1:${marker}:${marker}`),
    fc.constant(`${marker},k2:${marker}`),
    fc.constant(`not a url ${marker}`),
    key32.map((k) => `${k}${marker}`),
  );

const plainValue = hostileText({
  maxLength: 30,
  samples: [
    'production',
    'test',
    'development',
    '0',
    '-1',
    '1.5',
    '65536',
    '3000',
    'true',
    'false',
    '1e3',
    ' ',
    'twente',
    '../x',
    'http://[',
    'https://baken.example.nl',
    '10.0.0.1, 10.0.0.2',
    '\u0000',
  ],
  more: [fc.integer().map(String)],
});

describe('configuration from hostile environments', () => {
  it('either loads or throws an Error with a message, never repeating a secret', () => {
    fc.assert(
      fc.property(
        secretMarker.chain((marker) =>
          fc.tuple(fc.constant(marker), fc.dictionary(fc.constantFrom(...secretNames), secretValue(marker))),
        ),
        fc.dictionary(fc.constantFrom(...otherNames), plainValue, { maxKeys: 6 }),
        fc.boolean(),
        ([marker, hostileSecrets], others, validKeys) => {
          const dataDir = mkdtempSync(join(tmpdir(), 'baken-config-'));
          try {
            const env: Record<string, string> = {
              ...(validKeys
                ? {
                    BAKEN_SECRET_KEY: randomBytes(32).toString('base64'),
                    BAKEN_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
                  }
                : {}),
              ...others,
              ...hostileSecrets,
              DATA_DIR: dataDir,
            };
            let config;
            try {
              config = loadConfig(env);
            } catch (error) {
              assert.ok(error instanceof Error, `threw ${String(error)}`);
              assert.ok(error.message.length > 0);
              assert.ok(!error.message.includes(marker), `the message repeats a secret: ${error.message}`);
              return;
            }
            assert.ok(['development', 'production', 'test'].includes(config.env));
            assert.ok(Number.isInteger(config.port) && config.port >= 0 && config.port <= 65535);
            assert.equal(config.secrets.secretKey.length, 32);
            assert.ok(config.secrets.encryptionKeys.length > 0);
            for (const k of config.secrets.encryptionKeys) assert.equal(k.key.length, 32);
          } finally {
            rmSync(dataDir, { recursive: true, force: true });
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('reads a key ring or says what is wrong, without the key in the message', () => {
    const entry = fc.oneof(
      fc.tuple(fc.stringMatching(/^[A-Za-z0-9_-]{1,32}$/), key32).map(([id, k]) => `${id}:${k}`),
      fc.string({ unit: 'binary', maxLength: 60 }),
      secretMarker.map((m) => `k9:${m}`),
    );
    fc.assert(
      fc.property(
        fc.array(entry, { maxLength: 4 }),
        fc.constantFrom(',', ', ', ',,'),
        (entries, separator) => {
          const value = entries.join(separator);
          let ring;
          try {
            ring = parseKeyRing(value);
          } catch (error) {
            assert.ok(error instanceof Error);
            for (const part of value.split(',')) {
              const secret = part.split(':')[1]?.trim();
              if (secret && secret.length >= 8) assert.ok(!error.message.includes(secret), error.message);
            }
            return;
          }
          assert.ok(ring.length > 0);
          assert.equal(new Set(ring.map((k) => k.id)).size, ring.length);
          for (const k of ring) {
            assert.match(k.id, /^[A-Za-z0-9_-]{1,32}$/);
            assert.equal(k.key.length, 32);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
