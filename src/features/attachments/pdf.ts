import {
  PDFArray,
  PDFDict,
  PDFDocument,
  PDFName,
  PDFRef,
  PDFStream,
  type PDFContext,
  type PDFObject,
} from 'pdf-lib';

/**
 * Makes a copy of an uploaded PDF without document metadata: the Info dictionary (author, title,
 * creator tool, dates), every XMP stream (which repeats those and often adds editing history) and
 * application private data. pdf-lib writes a fresh file from the parsed objects, so bytes appended
 * after the PDF (polyglots) and earlier revisions of incremental updates are not carried over.
 */
const metadataKeys = ['Metadata', 'PieceInfo', 'LastModified'].map((key) => PDFName.of(key));

/** Returns undefined when pdf-lib cannot load the file: corrupt, or encrypted (which it cannot read). */
export async function cleanPdf(data: Buffer): Promise<Buffer | undefined> {
  try {
    const document = await PDFDocument.load(data, { updateMetadata: false });
    if (document.getPageCount() < 1) return undefined;
    removeMetadata(document.context);
    const saved = await document.save({
      useObjectStreams: false,
      addDefaultPage: false,
      // Regenerating form appearances would change the content and embed fonts.
      updateFieldAppearances: false,
    });
    return Buffer.from(saved);
  } catch {
    // Deliberately not logged: the error could quote file content.
    return undefined;
  }
}

function removeMetadata(context: PDFContext): void {
  context.trailerInfo.Info = undefined;
  // The file identifier is derived from e.g. the path and time of creation, and links copies.
  context.trailerInfo.ID = undefined;
  for (const [, object] of context.enumerateIndirectObjects()) {
    forEachDirectDict(object, (dict) => {
      for (const key of metadataKeys) dict.delete(key);
    });
  }
  dropUnreachableObjects(context);
}

/**
 * pdf-lib writes every object it parsed, also ones nothing refers to any more: the Info dictionary
 * and XMP streams just detached, and stale objects from earlier revisions.
 */
function dropUnreachableObjects(context: PDFContext): void {
  const reachable = reachableRefs(context);
  for (const [ref] of context.enumerateIndirectObjects()) {
    if (!reachable.has(ref)) context.delete(ref);
  }
}

function reachableRefs(context: PDFContext): Set<PDFRef> {
  const reachable = new Set<PDFRef>(); // PDFRef.of interns, so identity comparison works
  const pending: PDFObject[] = context.trailerInfo.Root ? [context.trailerInfo.Root] : [];
  for (let object = pending.pop(); object; object = pending.pop()) {
    if (object instanceof PDFRef) {
      if (reachable.has(object)) continue;
      reachable.add(object);
      const target = context.lookup(object);
      if (target) pending.push(target);
    } else {
      for (const child of directChildren(object)) pending.push(child);
    }
  }
  return reachable;
}

/** Visits a dictionary and the dictionaries nested directly in it (not those behind references). */
function forEachDirectDict(root: PDFObject, visit: (dict: PDFDict) => void): void {
  const pending = [root];
  for (let object = pending.pop(); object; object = pending.pop()) {
    if (object instanceof PDFDict) visit(object);
    if (object instanceof PDFStream) visit(object.dict);
    for (const child of directChildren(object)) {
      if (!(child instanceof PDFRef)) pending.push(child);
    }
  }
}

function directChildren(object: PDFObject): PDFObject[] {
  if (object instanceof PDFDict) return object.values();
  if (object instanceof PDFArray) return object.asArray();
  if (object instanceof PDFStream) return object.dict.values();
  return [];
}
