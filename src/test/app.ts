import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Writable } from 'node:stream';
import { buildApp } from '../app.ts';
import { loadConfig, type Config } from '../config/config.ts';
import type { DatabaseHandle } from '../db/database.ts';
import { createLogger } from '../web/logging.ts';
import { createTestDatabase } from './database.ts';

export interface TestApp {
  app: FastifyInstance;
  database: DatabaseHandle;
  config: Config;
  /** Every log line written while the app ran, parsed (for asserting what is never logged). */
  logLines: Record<string, unknown>[];
  close(): Promise<void>;
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'baken-test-')),
    BAKEN_SECRET_KEY: randomBytes(32).toString('base64'),
    BAKEN_ENCRYPTION_KEYS: `t1:${randomBytes(32).toString('base64')}`,
    // Tests post the report form without running its proof of work, at once: the no-JavaScript path
    // with no waiting (features/intake/proof-of-work.test.ts tests the real minimum age and limit).
    BAKEN_INTAKE_MIN_SECONDS: '0',
    BAKEN_INTAKE_UNSOLVED_PER_HOUR: '1000',
    ...overrides,
  });
}

/** An app on a fresh database whose logs are captured instead of printed. */
export async function createTestApp(
  options: { env?: Record<string, string>; configure?: (config: Config) => void } = {},
): Promise<TestApp> {
  const config = testConfig(options.env);
  // Sign-in pauses grow to seconds after a few failures; tests that are about them set their own.
  for (const limits of [config.throttles.staffLogin, config.throttles.staffLoginAccount]) {
    limits.baseDelayMs = 0;
    limits.maxDelayMs = 0;
  }
  options.configure?.(config);
  const database = await createTestDatabase();
  const logLines: Record<string, unknown>[] = [];
  const sink = jsonLineSink(logLines);
  const logger = createLogger('info', sink);
  const app = await buildApp({ config, db: database.db, logger });
  await app.ready();
  return {
    app,
    database,
    config,
    logLines,
    close: async () => {
      await app.close();
      await database.close();
      rmSync(config.dataDir, { recursive: true, force: true });
    },
  };
}

/** A log destination that parses each JSON line into `lines` (for asserting what is never logged). */
export function jsonLineSink(lines: Record<string, unknown>[]): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      callback();
    },
  });
}
