import { parentPort } from 'node:worker_threads';
import { constants, inflateSync } from 'node:zlib';
import { PDFArray, PDFName, PDFObjectStreamParser, PDFXRefStreamParser, type PDFRawStream } from 'pdf-lib';
import { cleanPdf } from './pdf.ts';

/**
 * Worker thread that cleans one PDF (see pdf-sandbox.ts). pdf-lib decodes object and cross-reference
 * streams synchronously and without a size limit while loading: a small file can inflate to
 * gigabytes. The guard below refuses such streams. Patching pdf-lib is acceptable here because this
 * thread has its own copy of the module and does nothing else.
 */
export interface PdfWorkerInput {
  pdf: Uint8Array;
}

export interface PdfWorkerOutput {
  clean: Uint8Array | null;
}

// Structure streams of real documents decode to kilobytes, rarely a few megabytes.
const maxStructureStreamBytes = 16 * 1024 * 1024;
const flateDecode = PDFName.of('FlateDecode');
let refusedStreams = 0;

function assertBoundedDecode(stream: PDFRawStream): void {
  if (!isBoundedFlate(stream)) {
    // pdf-lib catches errors per object and carries on without it; the count fails the whole file.
    refusedStreams++;
    throw new Error('Refused to decode a structure stream');
  }
}

/** No filter, or FlateDecode that zlib inflates within the limit. Other filters do not occur in practice. */
function isBoundedFlate(stream: PDFRawStream): boolean {
  const filter = stream.dict.lookup(PDFName.of('Filter'));
  const filters = filter instanceof PDFArray ? filter.asArray().map((_, i) => filter.lookup(i)) : [filter];
  if (filters.length === 1 && filters[0] === undefined) return true;
  if (filters.length !== 1 || filters[0] !== flateDecode) return false;
  try {
    // Z_SYNC_FLUSH tolerates a truncated stream; a data error or exceeding the limit throws.
    inflateSync(stream.contents, {
      maxOutputLength: maxStructureStreamBytes,
      finishFlush: constants.Z_SYNC_FLUSH,
    });
    return true;
  } catch {
    return false;
  }
}

function installDecodeGuard(): void {
  const parseObjectStream = PDFObjectStreamParser.forStream;
  PDFObjectStreamParser.forStream = (stream, shouldWaitForTick) => {
    assertBoundedDecode(stream);
    return parseObjectStream(stream, shouldWaitForTick);
  };
  const parseXRefStream = PDFXRefStreamParser.forStream;
  PDFXRefStreamParser.forStream = (stream) => {
    assertBoundedDecode(stream);
    return parseXRefStream(stream);
  };
}

/** Jobs arrive one at a time: the pool gives a worker a new one only after it answered. */
async function handle({ pdf }: PdfWorkerInput): Promise<void> {
  const refusedBefore = refusedStreams;
  const clean = await cleanPdf(Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength));
  const output: PdfWorkerOutput = { clean: refusedStreams === refusedBefore ? (clean ?? null) : null };
  parentPort?.postMessage(output);
}

// pdf-lib warns about every malformed object; input is untrusted, so that would let anyone flood the log.
// eslint-disable-next-line no-console -- silencing, not logging
console.warn = () => undefined;
installDecodeGuard();
parentPort?.on('message', (input: PdfWorkerInput) => void handle(input));
