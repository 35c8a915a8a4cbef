import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/**
 * The encrypted backup file: a fixed header, then the dump in AES-256-GCM chunks (the STREAM
 * construction of Hoang, Reyhanitabar, Rogaway and Vizár), so a file of gigabytes is encrypted and
 * checked in constant memory, and truncation, reordering and any changed byte are detected.
 *
 *   header (58 bytes)
 *     0   8  magic "BAKEN-BK"
 *     8   1  format version (1)
 *     9   1  kind: 1 = PGlite data-dir dump (tar.gz), 2 = pg_dump custom format
 *    10   8  created at, milliseconds since the epoch, unsigned big-endian
 *    18  16  salt: the file key is HKDF-SHA256(backup key, salt), so no two files share a key
 *    34   8  nonce prefix (random)
 *    42  16  key check: also from HKDF, tells "wrong key" apart from "damaged file"
 *   chunks
 *     each: AES-256-GCM of up to 64 KiB of plaintext followed by its 16-byte tag;
 *     nonce = prefix || chunk counter (uint32 BE); AAD = the whole header || final flag (1 byte).
 *     Every chunk but the last holds exactly 64 KiB; the last one has the final flag set and holds
 *     0 to 64 KiB. A file cut at a chunk boundary ends on a chunk sealed as "not final": refused.
 *
 * The header travels as associated data with every chunk: changing the kind or the date breaks
 * every chunk's tag. Changing the salt breaks the key check.
 */

export type BackupKind = 'pglite' | 'postgres';

export interface BackupHeader {
  version: number;
  kind: BackupKind;
  createdAt: Date;
}

export const CHUNK_SIZE = 64 * 1024;
const TAG_SIZE = 16;
const SEALED_CHUNK_SIZE = CHUNK_SIZE + TAG_SIZE;
const MAGIC = Buffer.from('BAKEN-BK', 'ascii');
const VERSION = 1;
const SALT_SIZE = 16;
const PREFIX_SIZE = 8;
const KEY_CHECK_SIZE = 16;
export const HEADER_SIZE = MAGIC.length + 1 + 1 + 8 + SALT_SIZE + PREFIX_SIZE + KEY_CHECK_SIZE;
const MAX_CHUNKS = 2 ** 32;
const KINDS: Record<number, BackupKind> = { 1: 'pglite', 2: 'postgres' };
const KIND_CODES: Record<BackupKind, number> = { pglite: 1, postgres: 2 };
const HKDF_INFO = Buffer.from('baken backup v1', 'ascii');

/** A backup file that cannot be read: not a backup, another version, the wrong key, or damaged. */
export class BackupFormatError extends Error {
  readonly reason: 'not-a-backup' | 'unsupported-version' | 'wrong-key' | 'damaged';

  constructor(reason: BackupFormatError['reason'], message: string) {
    super(message);
    this.name = 'BackupFormatError';
    this.reason = reason;
  }
}

interface FileKeys {
  key: Buffer;
  keyCheck: Buffer;
}

function deriveKeys(backupKey: Buffer, salt: Buffer): FileKeys {
  if (backupKey.length !== 32) throw new Error('The backup key must be 32 bytes');
  const material = Buffer.from(hkdfSync('sha256', backupKey, salt, HKDF_INFO, 32 + KEY_CHECK_SIZE));
  return { key: material.subarray(0, 32), keyCheck: material.subarray(32) };
}

function nonce(prefix: Buffer, counter: number): Buffer {
  const value = Buffer.alloc(12);
  prefix.copy(value, 0);
  value.writeUInt32BE(counter, PREFIX_SIZE);
  return value;
}

function aad(header: Buffer, final: boolean): Buffer {
  return Buffer.concat([header, Buffer.from([final ? 1 : 0])]);
}

/** Encrypts a byte stream into the backup format. */
export class BackupEncryptStream extends Transform {
  readonly #header: Buffer;
  readonly #key: Buffer;
  readonly #prefix: Buffer;
  #counter = 0;
  #pending: Buffer = Buffer.alloc(0);
  #headerSent = false;

  constructor(options: { backupKey: Buffer; kind: BackupKind; createdAt: Date }) {
    super();
    const salt = randomBytes(SALT_SIZE);
    this.#prefix = randomBytes(PREFIX_SIZE);
    const { key, keyCheck } = deriveKeys(options.backupKey, salt);
    this.#key = key;
    const header = Buffer.alloc(HEADER_SIZE);
    let offset = MAGIC.copy(header, 0);
    offset = header.writeUInt8(VERSION, offset);
    offset = header.writeUInt8(KIND_CODES[options.kind], offset);
    offset = header.writeBigUInt64BE(BigInt(options.createdAt.getTime()), offset);
    offset += salt.copy(header, offset);
    offset += this.#prefix.copy(header, offset);
    keyCheck.copy(header, offset);
    this.#header = header;
  }

  #sendHeader(): void {
    if (this.#headerSent) return;
    this.#headerSent = true;
    this.push(this.#header);
  }

  #seal(plaintext: Buffer, final: boolean): Buffer {
    if (this.#counter >= MAX_CHUNKS) throw new Error('Backup too large for the file format');
    const cipher = createCipheriv('aes-256-gcm', this.#key, nonce(this.#prefix, this.#counter));
    this.#counter += 1;
    cipher.setAAD(aad(this.#header, final));
    return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.#sendHeader();
      this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
      // Strictly more than one chunk: a full chunk at the very end must be sealed as the final one.
      while (this.#pending.length > CHUNK_SIZE) {
        this.push(this.#seal(this.#pending.subarray(0, CHUNK_SIZE), false));
        this.#pending = this.#pending.subarray(CHUNK_SIZE);
      }
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.#sendHeader();
      this.push(this.#seal(this.#pending, true));
      this.#pending = Buffer.alloc(0);
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }
}

/** Reads the header; throws BackupFormatError for anything that is not a version-1 backup. */
export function parseHeader(header: Buffer): BackupHeader {
  if (header.length < HEADER_SIZE || !header.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new BackupFormatError('not-a-backup', 'This is not a Baken backup file');
  }
  const version = header.readUInt8(MAGIC.length);
  if (version !== VERSION) {
    throw new BackupFormatError(
      'unsupported-version',
      `This backup file has format version ${version}; this Baken reads version ${VERSION}`,
    );
  }
  const kind = KINDS[header.readUInt8(MAGIC.length + 1)];
  if (!kind) throw new BackupFormatError('damaged', 'The backup file is damaged (unknown kind)');
  const createdAt = new Date(Number(header.readBigUInt64BE(MAGIC.length + 2)));
  return { version, kind, createdAt };
}

/**
 * Decrypts the backup format. Plaintext is passed on only after its chunk's tag is verified; the
 * stream fails (BackupFormatError) on a wrong key, a changed byte, reordered chunks, a missing end
 * or bytes after the end. A consumer that must not act on a partial stream (a restore) should read
 * the whole file once first (`verifyBackup`), or be able to undo on error.
 */
export class BackupDecryptStream extends Transform {
  readonly #backupKey: Buffer;
  readonly #onHeader: ((header: BackupHeader) => void) | undefined;
  #header: Buffer | undefined;
  #key: Buffer | undefined;
  #prefix: Buffer | undefined;
  #counter = 0;
  #pending: Buffer = Buffer.alloc(0);
  #parsed: BackupHeader | undefined;

  constructor(options: { backupKey: Buffer; onHeader?: (header: BackupHeader) => void }) {
    super();
    this.#backupKey = options.backupKey;
    this.#onHeader = options.onHeader;
  }

  /** Set once the header has been read and the key checked. */
  get header(): BackupHeader | undefined {
    return this.#parsed;
  }

  #readHeader(): void {
    const header = Buffer.from(this.#pending.subarray(0, HEADER_SIZE));
    this.#parsed = parseHeader(header);
    const saltStart = MAGIC.length + 10;
    const salt = header.subarray(saltStart, saltStart + SALT_SIZE);
    const { key, keyCheck } = deriveKeys(this.#backupKey, salt);
    const stored = header.subarray(saltStart + SALT_SIZE + PREFIX_SIZE, HEADER_SIZE);
    if (!timingSafeEqual(keyCheck, stored)) {
      throw new BackupFormatError(
        'wrong-key',
        'The backup key does not fit this file (another BAKEN_BACKUP_KEY, or a damaged header)',
      );
    }
    this.#header = header;
    this.#key = key;
    this.#prefix = header.subarray(saltStart + SALT_SIZE, saltStart + SALT_SIZE + PREFIX_SIZE);
    this.#pending = this.#pending.subarray(HEADER_SIZE);
    this.#onHeader?.(this.#parsed);
  }

  #open(sealed: Buffer, final: boolean): Buffer {
    if (!this.#key || !this.#prefix || !this.#header) throw new Error('header not read');
    if (this.#counter >= MAX_CHUNKS) throw new BackupFormatError('damaged', 'The backup file is damaged');
    const decipher = createDecipheriv('aes-256-gcm', this.#key, nonce(this.#prefix, this.#counter));
    this.#counter += 1;
    decipher.setAAD(aad(this.#header, final));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_SIZE));
    const plaintext = decipher.update(sealed.subarray(0, sealed.length - TAG_SIZE));
    try {
      return Buffer.concat([plaintext, decipher.final()]);
    } catch {
      throw new BackupFormatError(
        'damaged',
        final
          ? 'The backup file is damaged or incomplete (its end does not verify)'
          : `The backup file is damaged (chunk ${this.#counter} does not verify)`,
      );
    }
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
      if (!this.#header) {
        if (this.#pending.length < HEADER_SIZE) return callback();
        this.#readHeader();
      }
      // Hold back the last chunk until the input ends: only then is it known to be the final one.
      while (this.#pending.length > SEALED_CHUNK_SIZE) {
        this.push(this.#open(this.#pending.subarray(0, SEALED_CHUNK_SIZE), false));
        this.#pending = this.#pending.subarray(SEALED_CHUNK_SIZE);
      }
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      if (!this.#header) {
        // Too short for a header: a cut-off backup if it starts like one, else something else.
        const start = this.#pending.subarray(0, MAGIC.length);
        if (start.length > 0 && MAGIC.subarray(0, start.length).equals(start)) {
          throw new BackupFormatError('damaged', 'The backup file is incomplete');
        }
        throw new BackupFormatError('not-a-backup', 'This is not a Baken backup file');
      }
      if (this.#pending.length < TAG_SIZE) {
        throw new BackupFormatError('damaged', 'The backup file is damaged or incomplete');
      }
      this.push(this.#open(this.#pending, true));
      this.#pending = Buffer.alloc(0);
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }
}
