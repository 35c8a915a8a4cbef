import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import fc from 'fast-check';
import {
  BackupDecryptStream,
  BackupEncryptStream,
  BackupFormatError,
  CHUNK_SIZE,
  HEADER_SIZE,
  type BackupHeader,
  type BackupKind,
} from './backup-format.ts';

const key = randomBytes(32);
const createdAt = new Date('2026-11-28T21:00:00.000Z');

/** Feeds `pieces` one by one, so the chunking code sees many different write sizes. */
async function run(stream: NodeJS.ReadWriteStream, pieces: Buffer[]): Promise<Buffer> {
  const output: Buffer[] = [];
  await pipeline(
    Readable.from(pieces),
    stream,
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        output.push(chunk);
        callback();
      },
    }),
  );
  return Buffer.concat(output);
}

function split(data: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((cut) => cut % (data.length + 1)))].sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let start = 0;
  for (const point of [...points, data.length]) {
    if (point > start) pieces.push(data.subarray(start, point));
    start = Math.max(start, point);
  }
  return pieces;
}

const encrypt = (plain: Buffer, kind: BackupKind = 'postgres', cuts: number[] = []) =>
  run(new BackupEncryptStream({ backupKey: key, kind, createdAt }), split(plain, cuts));

async function decrypt(
  sealed: Buffer,
  backupKey = key,
  cuts: number[] = [],
): Promise<{ plain: Buffer; header: BackupHeader | undefined }> {
  const stream = new BackupDecryptStream({ backupKey });
  const plain = await run(stream, split(sealed, cuts));
  return { plain, header: stream.header };
}

const sizeArbitrary = fc.oneof(
  fc.constantFrom(0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 2 * CHUNK_SIZE, 2 * CHUNK_SIZE + 1),
  fc.integer({ min: 0, max: 3 * CHUNK_SIZE + 17 }),
);
const cutsArbitrary = fc.array(fc.nat(), { maxLength: 6 });

function isFormatError(error: unknown): boolean {
  return error instanceof BackupFormatError;
}

describe('backup file format', () => {
  it('round-trips any size, however the bytes arrive, and keeps the header', async () => {
    await fc.assert(
      fc.asyncProperty(
        sizeArbitrary,
        cutsArbitrary,
        cutsArbitrary,
        fc.constantFrom<BackupKind>('pglite', 'postgres'),
        async (size, writeCuts, readCuts, kind) => {
          const plain = randomBytes(size);
          const sealed = await encrypt(plain, kind, writeCuts);
          const chunks = Math.max(1, Math.ceil(size / CHUNK_SIZE));
          assert.equal(sealed.length, HEADER_SIZE + size + chunks * 16);
          const result = await decrypt(sealed, key, readCuts);
          assert.ok(result.plain.equals(plain));
          assert.deepEqual(result.header, { version: 1, kind, createdAt });
        },
      ),
      { numRuns: 60 },
    );
  });

  it('refuses a file with any byte changed', async () => {
    await fc.assert(
      fc.asyncProperty(
        sizeArbitrary,
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        async (size, position, mask) => {
          const sealed = await encrypt(randomBytes(size));
          const index = position % sealed.length;
          sealed[index] = (sealed[index] ?? 0) ^ mask;
          await assert.rejects(decrypt(sealed), isFormatError);
        },
      ),
      { numRuns: 80 },
    );
  });

  it('refuses a file cut short anywhere, or with bytes added', async () => {
    await fc.assert(
      fc.asyncProperty(sizeArbitrary, fc.nat(), async (size, position) => {
        const sealed = await encrypt(randomBytes(size));
        await assert.rejects(decrypt(sealed.subarray(0, position % sealed.length)), isFormatError);
      }),
      { numRuns: 60 },
    );
    const sealed = await encrypt(randomBytes(2 * CHUNK_SIZE));
    // Cut exactly after the first chunk: what is left is a complete, valid chunk, but not the last.
    const firstChunkEnd = HEADER_SIZE + CHUNK_SIZE + 16;
    await assert.rejects(decrypt(sealed.subarray(0, firstChunkEnd)), /incomplete/);
    await assert.rejects(decrypt(Buffer.concat([sealed, Buffer.from([0])])), isFormatError);
    const twoFiles = Buffer.concat([sealed, await encrypt(Buffer.alloc(0))]);
    await assert.rejects(decrypt(twoFiles), isFormatError);
  });

  it('refuses reordered chunks and chunks from another file', async () => {
    const plain = randomBytes(3 * CHUNK_SIZE + 10);
    const sealed = await encrypt(plain);
    const size = CHUNK_SIZE + 16;
    const chunk = (file: Buffer, n: number) =>
      file.subarray(HEADER_SIZE + n * size, HEADER_SIZE + (n + 1) * size);
    const header = sealed.subarray(0, HEADER_SIZE);
    const rest = sealed.subarray(HEADER_SIZE + 3 * size);
    const swapped = Buffer.concat([header, chunk(sealed, 1), chunk(sealed, 0), chunk(sealed, 2), rest]);
    await assert.rejects(decrypt(swapped), /chunk 1 does not verify/);

    const other = await encrypt(plain);
    const spliced = Buffer.concat([header, chunk(other, 0), sealed.subarray(HEADER_SIZE + size)]);
    await assert.rejects(decrypt(spliced), isFormatError);
  });

  it('tells a wrong key and a file that is not a backup apart from damage', async () => {
    const sealed = await encrypt(randomBytes(100));
    await assert.rejects(
      decrypt(sealed, randomBytes(32)),
      (error: unknown) => error instanceof BackupFormatError && error.reason === 'wrong-key',
    );
    await assert.rejects(
      decrypt(Buffer.from('PGDMP custom archive, not encrypted'.repeat(3))),
      (error: unknown) => error instanceof BackupFormatError && error.reason === 'not-a-backup',
    );
    const future = Buffer.from(sealed);
    future[8] = 2;
    await assert.rejects(
      decrypt(future),
      (error: unknown) => error instanceof BackupFormatError && error.reason === 'unsupported-version',
    );
  });
});
