import { createHash } from 'node:crypto';
import { fileTypeFromBuffer } from 'file-type';
import { sanitiseFileName } from './file-name.ts';
import { reencodeImage, type ImageFormat } from './images.ts';
import { cleanPdfIsolated } from './pdf-sandbox.ts';

export interface IncomingFile {
  fileName: string;
  data: Buffer;
}

export type AttachmentRejection = 'type_not_allowed' | 'too_large' | 'empty' | 'unreadable';

export interface ProcessedFile {
  /** Sanitised display name; its extension matches the detected type. */
  fileName: string;
  /** Detected from the content, never from the name or the client's content type. */
  mediaType: string;
  sizeBytes: number;
  /**
   * Hex SHA-256 of the original bytes, so staff can show a file is unaltered since upload. Stored
   * encrypted like the file itself: it identifies the file to anyone who has a copy.
   */
  sha256: string;
  original: Buffer;
  cleanMediaType: string;
  /** Copy without metadata (or, for a PDF, active content): the one staff see. */
  clean: Buffer;
}

export type ProcessResult = { ok: true; file: ProcessedFile } | { ok: false; reason: AttachmentRejection };

type CleanResult = { ok: true; data: Buffer } | { ok: false; reason: AttachmentRejection };

interface AllowedType {
  mediaType: string;
  /** Preferred extension first. */
  extensions: readonly [string, ...string[]];
  clean: (data: Buffer) => Promise<CleanResult>;
}

const image =
  (format: ImageFormat) =>
  (data: Buffer): Promise<CleanResult> =>
    reencodeImage(data, format);

async function pdf(data: Buffer): Promise<CleanResult> {
  const clean = await cleanPdfIsolated(data);
  return clean ? { ok: true, data: clean } : { ok: false, reason: 'unreadable' };
}

// Each clean copy keeps the original's type, so there is one media type per entry. Not allowed on
// purpose: SVG and HTML (scripts), HEIC (sharp's prebuilt binaries cannot decode it), TIFF, APNG
// (sharp would keep only one frame), office documents and anything else.
const allowedTypes: readonly AllowedType[] = [
  { mediaType: 'image/jpeg', extensions: ['jpg', 'jpeg', 'jpe', 'jfif'], clean: image('jpeg') },
  { mediaType: 'image/png', extensions: ['png'], clean: image('png') },
  { mediaType: 'image/webp', extensions: ['webp'], clean: image('webp') },
  { mediaType: 'image/gif', extensions: ['gif'], clean: image('gif') },
  { mediaType: 'application/pdf', extensions: ['pdf'], clean: pdf },
];

export const allowedMediaTypes: readonly string[] = Object.freeze(allowedTypes.map((type) => type.mediaType));

/**
 * Checks one upload and makes the copy staff will see. Never throws for bad input: every problem
 * with the file is a rejection the form can explain.
 */
export async function processUpload(file: IncomingFile, maxBytes: number): Promise<ProcessResult> {
  const { data } = file;
  if (data.length === 0) return { ok: false, reason: 'empty' };
  if (data.length > maxBytes) return { ok: false, reason: 'too_large' };

  const type = await detectType(data);
  if (!type) return { ok: false, reason: 'type_not_allowed' };

  const clean = await type.clean(data);
  if (!clean.ok) return clean;

  return {
    ok: true,
    file: {
      fileName: sanitiseFileName(file.fileName, type.extensions),
      mediaType: type.mediaType,
      sizeBytes: data.length,
      sha256: createHash('sha256').update(data).digest('hex'),
      original: data,
      cleanMediaType: type.mediaType,
      clean: clean.data,
    },
  };
}

async function detectType(data: Buffer): Promise<AllowedType | undefined> {
  try {
    const detected = await fileTypeFromBuffer(data);
    return allowedTypes.find((type) => type.mediaType === detected?.mime);
  } catch {
    return undefined; // a detector choking on odd input means the type is not one we accept
  }
}
