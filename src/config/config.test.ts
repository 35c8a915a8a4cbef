import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, parseKeyRing } from './config.ts';
import { loadRegion } from './region.ts';

const key = () => randomBytes(32).toString('base64');

describe('configuration', () => {
  it('refuses to start in production without explicit secrets, database and public URL', () => {
    assert.throws(
      () => loadConfig({ NODE_ENV: 'production', DATA_DIR: mkdtempSync(join(tmpdir(), 'baken-')) }),
      /DATABASE_URL, BAKEN_SECRET_KEY, BAKEN_ENCRYPTION_KEYS, PUBLIC_URL, SMTP_URL/,
    );
    const config = loadConfig({
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://db/baken',
      BAKEN_SECRET_KEY: key(),
      BAKEN_ENCRYPTION_KEYS: `k2:${key()},k1:${key()}`,
      PUBLIC_URL: 'https://meldpunt.example.org/',
      SMTP_URL: 'smtps://baken:secret@mail.example.org:465',
    });
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.mail.smtpUrl, 'smtps://baken:secret@mail.example.org:465');
    assert.equal(config.mail.from, 'Baken <baken@meldpunt.example.org>');
    assert.equal(config.publicUrl, 'https://meldpunt.example.org');
    assert.deepEqual(
      config.secrets.encryptionKeys.map((k) => k.id),
      ['k2', 'k1'],
    );
  });

  it('generates secrets once into the data dir, readable only by the owner', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'baken-'));
    const first = loadConfig({ DATA_DIR: dataDir });
    const file = join(dataDir, 'secrets.json');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const second = loadConfig({ DATA_DIR: dataDir });
    assert.deepEqual(second.secrets, first.secrets);
    assert.ok(readFileSync(file, 'utf8').includes(first.secrets.secretKey.toString('base64')));
  });

  it('rejects malformed keys and key rings', () => {
    assert.throws(() => parseKeyRing(''), /empty/);
    assert.throws(() => parseKeyRing('k1'), /must look like/);
    assert.throws(() => parseKeyRing(`k1:${randomBytes(16).toString('base64')}`), /32 bytes/);
    assert.throws(() => parseKeyRing(`k1:${key()},k1:${key()}`), /duplicate/);
    assert.throws(
      () => loadConfig({ DATA_DIR: mkdtempSync(join(tmpdir(), 'b-')), PORT: 'abc' }),
      /Invalid PORT/,
    );
  });

  it('reads the mail settings and refuses an SMTP URL that is not smtp:// or smtps://', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'baken-'));
    const embedded = loadConfig({ DATA_DIR: dataDir });
    assert.equal(embedded.mail.smtpUrl, undefined, 'no SMTP outside production: the console outbox');
    const configured = loadConfig({
      DATA_DIR: dataDir,
      SMTP_URL: 'smtp://user:pw@127.0.0.1:2525',
      MAIL_FROM: 'Meldpunt <noreply@example.nl>',
    });
    assert.equal(configured.mail.from, 'Meldpunt <noreply@example.nl>');
    assert.throws(() => loadConfig({ DATA_DIR: dataDir, SMTP_URL: 'http://mail.example.org' }), /smtp:\/\//);
    assert.throws(
      () => loadConfig({ DATA_DIR: dataDir, SMTP_URL: 'smtp://user:hunter2@' }),
      (error: Error) => !error.message.includes('hunter2'),
    );
  });

  it('loads a region from its own file, and validates it', () => {
    const twente = loadRegion('twente');
    assert.equal(twente.municipalities.length, 14);
    assert.ok(twente.municipalities.some((m) => m.code === 'GM0153' && m.name === 'Enschede'));
    const dir = mkdtempSync(join(tmpdir(), 'regions-'));
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'broken.json'),
      JSON.stringify({ ...twente, id: 'broken', municipalities: [{ code: 'X', name: 'Y' }] }),
    );
    assert.throws(() => loadRegion('broken', dir), /municipalities/);
    assert.throws(() => loadRegion('../etc/passwd', dir), /Invalid REGION/);
  });
});
