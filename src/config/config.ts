import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
  };
  mail: MailConfig;
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
}

export interface IntakeLimits {
  maxFiles: number;
  maxFileBytes: number;
  maxNarrativeChars: number;
  maxMessageChars: number;
  consentVersion: string;
}

export const defaultIntakeLimits: IntakeLimits = {
  maxFiles: 5,
  maxFileBytes: 10 * 1024 * 1024,
  maxNarrativeChars: 20_000,
  maxMessageChars: 10_000,
  consentVersion: '2026-11',
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
  };
}

function positiveInteger(name: string, value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new Error(`${name} must be a positive whole number`);
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

  const publicUrl = (env.PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/+$/, '');
  return {
    env: nodeEnv,
    host,
    port,
    publicUrl,
    dataDir,
    databaseUrl,
    trustProxy: parseTrustProxy(env.TRUST_PROXY, nodeEnv),
    logLevel: env.LOG_LEVEL ?? (nodeEnv === 'test' ? 'silent' : 'info'),
    secrets: loadSecrets(env, dataDir),
    region: loadRegion(env.REGION ?? 'twente'),
    intake: defaultIntakeLimits,
    throttles: throttlesFrom(env),
    mail: parseMail(env, publicUrl),
  };
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
function loadSecrets(env: Env, dataDir: string): Secrets {
  const fromEnv = { secretKey: env.BAKEN_SECRET_KEY, encryptionKeys: env.BAKEN_ENCRYPTION_KEYS };
  const generated =
    fromEnv.secretKey && fromEnv.encryptionKeys ? undefined : readOrCreateSecretsFile(dataDir);
  return {
    secretKey: decodeKey('BAKEN_SECRET_KEY', fromEnv.secretKey ?? generated?.secretKey ?? ''),
    encryptionKeys: parseKeyRing(fromEnv.encryptionKeys ?? generated?.encryptionKeys ?? ''),
  };
}

interface SecretsFile {
  secretKey: string;
  encryptionKeys: string;
}

function readOrCreateSecretsFile(dataDir: string): SecretsFile {
  const file = join(dataDir, 'secrets.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as SecretsFile;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const secrets: SecretsFile = {
    secretKey: randomBytes(32).toString('base64'),
    encryptionKeys: `k1:${randomBytes(32).toString('base64')}`,
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
      const [id, key] = entry.split(':');
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
