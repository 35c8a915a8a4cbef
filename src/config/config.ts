import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { loadRegion, type Region } from './region.ts';

/**
 * The one place that reads the environment. Production refuses to start without explicit
 * secrets and a PostgreSQL URL; development generates secrets into the data dir once.
 */
export interface Config {
  env: 'development' | 'production' | 'test';
  host: string;
  port: number;
  /** Absolute URL used in links printed to the console (setup link). */
  publicUrl: string;
  dataDir: string;
  /** Unset means embedded PGlite in `dataDir/pglite`. */
  databaseUrl: string | undefined;
  /** Trust X-Forwarded-For from these proxies (addresses/CIDRs), or all (true); for rate limits only. */
  trustProxy: boolean | string[];
  /** Shared per-source throttle counters for several instances (web/source-throttle.ts); unset: memory. */
  redisUrl: string | undefined;
  logLevel: string;
  secrets: Secrets;
  region: Region;
  intake: IntakeLimits;
  throttles: {
    receiptLogin: ThrottleLimits;
    intakeSubmission: ThrottleLimits;
    staffLogin: ThrottleLimits;
    /** Per account (the address typed at sign-in), whatever the source. */
    staffLoginAccount: ThrottleLimits;
    /** Reports sent without a solved proof of work (the no-JavaScript path), per source. */
    intakeUnsolved: ThrottleLimits;
  };
  mail: MailConfig;
  metrics: MetricsConfig;
  /** SIGTERM/SIGINT: how long in-flight requests and a running job get before connections are cut. */
  shutdownTimeoutMs: number;
  /** How often each process looks for due scheduled jobs (features/jobs). */
  jobPollMs: number;
  retention: RetentionRules;
}

/**
 * How long records are kept (AVG storage limitation; features/retention). Attachments, messages,
 * receipts and mailbox sessions go with their report; persons, notes, tasks and events with their case.
 */
export interface RetentionRules {
  /** A report that never became a case: deleted this many months after its last activity (6). */
  reportMonths: number;
  /** A closed case: deleted this many years after closure, leaving anonymised statistics (5). */
  caseYears: number;
  /** Audit rows (no case content): pruned this many years after they were written (7). At least 1:
   * the database refuses a pruning anchor on rows younger than a year (harden-audit-anchor migration). */
  auditYears: number;
}

function retentionFrom(env: Env): RetentionRules {
  return {
    reportMonths: positiveInteger('BAKEN_RETENTION_REPORT_MONTHS', env.BAKEN_RETENTION_REPORT_MONTHS ?? '6'),
    caseYears: positiveInteger('BAKEN_RETENTION_CASE_YEARS', env.BAKEN_RETENTION_CASE_YEARS ?? '5'),
    auditYears: positiveInteger('BAKEN_RETENTION_AUDIT_YEARS', env.BAKEN_RETENTION_AUDIT_YEARS ?? '7'),
  };
}

/**
 * Prometheus metrics (features/observability). On the public port `/metrics` answers only with the
 * bearer token; with `port` set, a second listener on `host` serves it (for a scraper on the same
 * host or network). With neither, metrics are not served at all.
 */
export interface MetricsConfig {
  token: string | undefined;
  port: number | undefined;
  host: string;
}

/** Outgoing e-mail (invitations, reset links). Without an SMTP URL, mail is printed on the console. */
export interface MailConfig {
  /** `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://…:465`; unset outside production. */
  smtpUrl: string | undefined;
  /** The From header, e.g. `Baken Twente <baken@meldpunt.example.nl>`. */
  from: string;
}

/** Per-source limits on guessable endpoints (see web/source-throttle.ts). */
export interface ThrottleLimits {
  /** Attempts allowed in one window; further ones are refused until the window ends. */
  maxAttempts: number;
  /** Attempts after which each further one is slowed down, doubling from `baseDelayMs`. */
  slowAfter: number;
  baseDelayMs: number;
  maxDelayMs: number;
  windowMs: number;
}

export interface Secrets {
  /** Root key for keyed hashes (receipt look-up, CSRF, cookies); sub-keys are derived per purpose. */
  secretKey: Buffer;
  /** Key-encryption keys by id; the first is the active one, the rest still decrypt. */
  encryptionKeys: { id: string; key: Buffer }[];
  /**
   * Encrypts backup files (`npm run backup`); the app itself never uses it. Unset in production
   * without BAKEN_BACKUP_KEY, where the backup commands then refuse to run.
   */
  backupKey?: Buffer | undefined;
}

export interface IntakeLimits {
  maxFiles: number;
  maxFileBytes: number;
  maxNarrativeChars: number;
  maxMessageChars: number;
  consentVersion: string;
  /**
   * A report without a solved proof of work is accepted only this long after its form was issued
   * (a person needs longer to fill it in; a script that skips the work must wait).
   */
  unsolvedMinAgeMs: number;
  /**
   * ...and only this long: otherwise a script could collect forms, wait once and then send them all
   * without the work. Older forms are given back with a fresh key (wait, then send again).
   */
  unsolvedMaxAgeMs: number;
}

export const defaultIntakeLimits: IntakeLimits = {
  maxFiles: 5,
  maxFileBytes: 10 * 1024 * 1024,
  maxNarrativeChars: 20_000,
  maxMessageChars: 10_000,
  consentVersion: '2026-11',
  unsolvedMinAgeMs: 15_000,
  unsolvedMaxAgeMs: 2 * 60 * 60 * 1000,
};

const HOUR = 60 * 60 * 1000;

/**
 * Receipt logins: failed ones are slowed after 3 (doubling from 0.5 s to 8 s) and refused after 20 an
 * hour. Reports and reporter messages: 30 an hour from one source, more than any person needs. Staff
 * sign-in steps (password or second factor) from one source: as receipt logins.
 */
function throttlesFrom(env: Env): Config['throttles'] {
  return {
    receiptLogin: { maxAttempts: 20, slowAfter: 3, baseDelayMs: 500, maxDelayMs: 8000, windowMs: HOUR },
    staffLogin: { maxAttempts: 20, slowAfter: 3, baseDelayMs: 500, maxDelayMs: 8000, windowMs: HOUR },
    // Ten failures in a row lock an account; before that, each failure after the third doubles the wait.
    staffLoginAccount: { maxAttempts: 30, slowAfter: 3, baseDelayMs: 500, maxDelayMs: 8000, windowMs: HOUR },
    intakeSubmission: {
      maxAttempts: positiveInteger('BAKEN_INTAKE_LIMIT_PER_HOUR', env.BAKEN_INTAKE_LIMIT_PER_HOUR ?? '30'),
      slowAfter: Number.MAX_SAFE_INTEGER,
      baseDelayMs: 0,
      maxDelayMs: 0,
      windowMs: HOUR,
    },
    intakeUnsolved: {
      maxAttempts: positiveInteger(
        'BAKEN_INTAKE_UNSOLVED_PER_HOUR',
        env.BAKEN_INTAKE_UNSOLVED_PER_HOUR ?? '10',
      ),
      slowAfter: Number.MAX_SAFE_INTEGER,
      baseDelayMs: 0,
      maxDelayMs: 0,
      windowMs: HOUR,
    },
  };
}

function positiveInteger(name: string, value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new Error(`${name} must be a positive whole number`);
  return number;
}

function wholeNumber(name: string, value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) throw new Error(`${name} must be a whole number, 0 or more`);
  return number;
}

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env): Config {
  const nodeEnv = parseNodeEnv(env.NODE_ENV);
  const dataDir = resolve(env.DATA_DIR ?? 'data');
  const port = parsePort(env.PORT ?? '3000');
  const host = env.HOST ?? (nodeEnv === 'production' ? '0.0.0.0' : '127.0.0.1');
  const databaseUrl = env.DATABASE_URL?.trim() || undefined;

  if (nodeEnv === 'production') {
    const missing = [
      'DATABASE_URL',
      'BAKEN_SECRET_KEY',
      'BAKEN_ENCRYPTION_KEYS',
      'PUBLIC_URL',
      'SMTP_URL',
    ].filter((name) => !env[name]?.trim());
    if (missing.length > 0) {
      throw new Error(
        `Refusing to start in production without: ${missing.join(', ')} (see README, Configuration)`,
      );
    }
  }

  const publicUrl = parsePublicUrl(env.PUBLIC_URL ?? `http://localhost:${port}`);
  return {
    env: nodeEnv,
    host,
    port,
    publicUrl,
    dataDir,
    databaseUrl,
    trustProxy: parseTrustProxy(env.TRUST_PROXY, nodeEnv),
    logLevel: env.LOG_LEVEL ?? (nodeEnv === 'test' ? 'silent' : 'info'),
    secrets: loadSecrets(env, dataDir, nodeEnv),
    region: loadRegion(env.REGION ?? 'twente'),
    redisUrl: env.REDIS_URL?.trim() || undefined,
    intake: {
      ...defaultIntakeLimits,
      unsolvedMinAgeMs: 1000 * wholeNumber('BAKEN_INTAKE_MIN_SECONDS', env.BAKEN_INTAKE_MIN_SECONDS ?? '15'),
    },
    throttles: throttlesFrom(env),
    mail: parseMail(env, publicUrl),
    metrics: parseMetrics(env),
    shutdownTimeoutMs: positiveInteger('BAKEN_SHUTDOWN_TIMEOUT_MS', env.BAKEN_SHUTDOWN_TIMEOUT_MS ?? '10000'),
    jobPollMs: positiveInteger('BAKEN_JOB_POLL_MS', env.BAKEN_JOB_POLL_MS ?? '30000'),
    retention: retentionFrom(env),
  };
}

function parseMetrics(env: Env): MetricsConfig {
  const token = env.BAKEN_METRICS_TOKEN?.trim() || undefined;
  // A short token can be guessed by a scraper of the public site; 32 characters is a random base64 of 24 bytes.
  if (token !== undefined && token.length < 32)
    throw new Error('BAKEN_METRICS_TOKEN must be at least 32 characters');
  const rawPort = env.METRICS_PORT?.trim();
  const host = env.METRICS_HOST?.trim() || '127.0.0.1';
  // Beyond the host itself, the metrics listener must ask for the token like the public port does.
  if (rawPort && !token && !['127.0.0.1', '::1', 'localhost'].includes(host))
    throw new Error('METRICS_HOST other than 127.0.0.1 needs BAKEN_METRICS_TOKEN as well');
  return { token, port: rawPort ? parsePort(rawPort) : undefined, host };
}

function parseMail(env: Env, publicUrl: string): MailConfig {
  const smtpUrl = env.SMTP_URL?.trim() || undefined;
  if (smtpUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(smtpUrl);
    } catch {
      // The value may hold a password: never repeat it in the message.
      throw new Error('SMTP_URL is not a URL; use smtp://user:password@host:587 or smtps://…');
    }
    if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
      throw new Error('SMTP_URL must start with smtp:// or smtps://');
    }
  }
  const host = new URL(publicUrl).hostname;
  return { smtpUrl, from: env.MAIL_FROM?.trim() || `Baken <baken@${host}>` };
}

/** An absolute http(s) URL without a trailing slash; links in mail and passkeys depend on it. */
function parsePublicUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error('PUBLIC_URL is not a URL; use e.g. https://meldpunt.example.nl');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error('PUBLIC_URL must start with https:// (or http:// outside production)');
  }
  return value.replace(/\/+$/, '');
}

function parseNodeEnv(value: string | undefined): Config['env'] {
  if (value === 'production' || value === 'test') return value;
  return 'development';
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`Invalid PORT "${value}"`);
  return port;
}

function parseTrustProxy(value: string | undefined, nodeEnv: Config['env']): boolean | string[] {
  if (!value || value === 'false') return false;
  if (value === 'true') {
    // Trusting every hop lets any client choose its own address and escape per-source limits.
    if (nodeEnv === 'production')
      throw new Error('TRUST_PROXY=true is refused in production: list the proxy addresses');
    return true;
  }
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
}

/**
 * Secrets come from the environment. Outside production, missing secrets are generated once into
 * `<dataDir>/secrets.json` (mode 0600) so that a fresh clone starts with two commands.
 */
function loadSecrets(env: Env, dataDir: string, nodeEnv: Config['env']): Secrets {
  const fromEnv = {
    secretKey: env.BAKEN_SECRET_KEY,
    encryptionKeys: env.BAKEN_ENCRYPTION_KEYS,
    backupKey: env.BAKEN_BACKUP_KEY?.trim() || undefined,
  };
  // Production never reads or writes the file: there the backup key is only for the backup
  // commands, which refuse to run without it.
  const complete =
    fromEnv.secretKey && fromEnv.encryptionKeys && (fromEnv.backupKey || nodeEnv === 'production');
  const generated = complete ? undefined : readOrCreateSecretsFile(dataDir);
  const backupKey = fromEnv.backupKey ?? generated?.backupKey;
  return {
    secretKey: decodeKey('BAKEN_SECRET_KEY', fromEnv.secretKey ?? generated?.secretKey ?? ''),
    encryptionKeys: parseKeyRing(fromEnv.encryptionKeys ?? generated?.encryptionKeys ?? ''),
    backupKey: backupKey === undefined ? undefined : decodeKey('BAKEN_BACKUP_KEY', backupKey),
  };
}

interface SecretsFile {
  secretKey: string;
  encryptionKeys: string;
  /** Absent in files written before backups existed; added on the next start. */
  backupKey?: string;
}

function readOrCreateSecretsFile(dataDir: string): SecretsFile {
  const file = join(dataDir, 'secrets.json');
  if (existsSync(file)) {
    const existing = JSON.parse(readFileSync(file, 'utf8')) as SecretsFile;
    if (existing.backupKey) return existing;
    const upgraded: SecretsFile = { ...existing, backupKey: randomBytes(32).toString('base64') };
    // Write aside and rename, so a crash never leaves a half-written file with the other keys in it.
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(upgraded, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
    renameSync(temporary, file);
    return upgraded;
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const secrets: SecretsFile = {
    secretKey: randomBytes(32).toString('base64'),
    encryptionKeys: `k1:${randomBytes(32).toString('base64')}`,
    backupKey: randomBytes(32).toString('base64'),
  };
  writeFileSync(file, JSON.stringify(secrets, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return secrets;
}

function decodeKey(name: string, base64: string): Buffer {
  const key = Buffer.from(base64, 'base64');
  if (key.length !== 32) throw new Error(`${name} must be 32 bytes, base64-encoded`);
  return key;
}

/** `id:base64key,id2:base64key`: the first key encrypts, all keys decrypt (rotation). */
export function parseKeyRing(value: string): Secrets['encryptionKeys'] {
  const ring = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const [id, key, ...rest] = entry.split(':');
      if (rest.length > 0) throw new Error('BAKEN_ENCRYPTION_KEYS must look like "k2:<base64>,k1:<base64>"');
      if (!id || !key || !/^[A-Za-z0-9_-]{1,32}$/.test(id)) {
        throw new Error('BAKEN_ENCRYPTION_KEYS must look like "k2:<base64>,k1:<base64>"');
      }
      return { id, key: decodeKey(`BAKEN_ENCRYPTION_KEYS (${id})`, key) };
    });
  if (ring.length === 0) throw new Error('BAKEN_ENCRYPTION_KEYS is empty');
  if (new Set(ring.map((k) => k.id)).size !== ring.length)
    throw new Error('BAKEN_ENCRYPTION_KEYS has duplicate ids');
  return ring;
}
