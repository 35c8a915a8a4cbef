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
 * Makes a copy of an uploaded PDF for staff: without document metadata, and without active content
 * that would run, open or fetch something when the copy is opened (so also no call-back to whoever
 * made the file). pdf-lib writes a fresh file from the parsed objects, so bytes appended after the PDF
 * (polyglots) and earlier revisions of incremental updates are not carried over either. Page content
 * is copied as it is.
 *
 * Metadata: the Info dictionary (author, title, creator tool, dates), every XMP stream (which repeats
 * those and often adds editing history) and application private data.
 */
const metadataKeys = ['Metadata', 'PieceInfo', 'LastModified'].map((key) => PDFName.of(key));

/**
 * Active content, removed wherever these keys appear (none has another meaning in the specification):
 * the action on opening; additional actions (catalog, pages, annotations, form fields: on open, close,
 * focus, keystroke, …); a link's parent URI action; document scripts; scripts of JavaScript and
 * rendition actions; attachments (name tree, file specifications, associated files, portfolios);
 * slide shows and media; XML forms (XFA: scripted, can submit); the base URI.
 */
const activeKeys = [
  'OpenAction',
  'AA',
  'PA',
  'JavaScript',
  'JS',
  'EmbeddedFiles',
  'EF',
  'RF',
  'AF',
  'Collection',
  'AlternatePresentations',
  'Renditions',
  'XFA',
  'NeedsRendering',
  'URI',
].map((key) => PDFName.of(key));

/** Stream keys naming data outside the file, which a viewer could go and fetch. */
const externalStreamKeys = ['F', 'FFilter', 'FDecodeParms'].map((key) => PDFName.of(key));

/** Every action type of PDF 2.0 and Adobe's extensions; only navigation within the file is kept. */
const actionTypes = new Set(
  [
    'GoTo',
    'GoToR',
    'GoToE',
    'GoToDp',
    'Launch',
    'Thread',
    'URI',
    'Sound',
    'Movie',
    'Hide',
    'Named',
    'SubmitForm',
    'ResetForm',
    'ImportData',
    'JavaScript',
    'SetOCGState',
    'Rendition',
    'Trans',
    'GoTo3DView',
    'RichMediaExecute',
  ].map((type) => PDFName.of(type)),
);
// Other named actions run arbitrary menu items (print, save as, …) in some viewers.
const safeNamedActions = new Set(
  ['NextPage', 'PrevPage', 'FirstPage', 'LastPage'].map((action) => PDFName.of(action)),
);
/** Keys that trigger the action (or chain of actions) they refer to, outside `activeKeys`. */
const actionKeys = ['A', 'Next'].map((key) => PDFName.of(key));

/** Annotations that play media, embed files or scripted 3D/Flash content: dropped whole. */
const riskyAnnotationTypes = new Set(
  ['FileAttachment', 'Sound', 'Movie', 'Screen', 'RichMedia', '3D'].map((type) => PDFName.of(type)),
);

const names = {
  A: PDFName.of('A'),
  Action: PDFName.of('Action'),
  Annots: PDFName.of('Annots'),
  Dest: PDFName.of('Dest'),
  EmbeddedFile: PDFName.of('EmbeddedFile'),
  Form: PDFName.of('Form'),
  GoTo: PDFName.of('GoTo'),
  Link: PDFName.of('Link'),
  N: PDFName.of('N'),
  Named: PDFName.of('Named'),
  Next: PDFName.of('Next'),
  Ref: PDFName.of('Ref'),
  S: PDFName.of('S'),
  Subtype: PDFName.of('Subtype'),
  Type: PDFName.of('Type'),
};

/** Returns undefined when pdf-lib cannot load the file: corrupt, or encrypted (which it cannot read). */
export async function cleanPdf(data: Buffer): Promise<Buffer | undefined> {
  try {
    const document = await PDFDocument.load(data, { updateMetadata: false });
    if (document.getPageCount() < 1) return undefined;
    removeMetadata(document.context);
    removeActiveContent(document.context);
    dropUnreachableObjects(document.context);
    const saved = await document.save({
      // Every dictionary then appears uncompressed in the file, none hidden in an object stream.
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
}

/**
 * Looks at every dictionary, wherever it is referenced from: actions can also be reached through
 * chains (/Next), name trees and form fields. A risky action is emptied in place, so that nothing
 * referring to it can still trigger it; the references are then removed too.
 */
function removeActiveContent(context: PDFContext): void {
  for (const [ref, object] of context.enumerateIndirectObjects()) {
    if (object instanceof PDFStream) {
      if (object.dict.lookup(names.Type) === names.EmbeddedFile) {
        context.delete(ref);
        continue;
      }
      for (const key of externalStreamKeys) object.dict.delete(key);
      // A reference XObject names a page of another file to show instead of its own content.
      if (object.dict.lookup(names.Subtype) === names.Form) object.dict.delete(names.Ref);
    }
    forEachDirectDict(object, (dict) => {
      if (isRiskyAction(dict)) for (const key of dict.keys()) dict.delete(key);
      for (const key of activeKeys) dict.delete(key);
    });
  }
  for (const [, object] of context.enumerateIndirectObjects()) {
    forEachDirectDict(object, (dict) => {
      for (const key of actionKeys) dropEmptyActions(dict, key);
      const annotations = dict.lookup(names.Annots);
      if (annotations instanceof PDFArray) dropRiskyAnnotations(annotations);
    });
  }
}

function isRiskyAction(dict: PDFDict): boolean {
  const type = dict.lookup(names.S);
  const isAction =
    dict.lookup(names.Type) === names.Action || (type instanceof PDFName && actionTypes.has(type));
  if (!isAction || type === names.GoTo) return false;
  const named = dict.lookup(names.N);
  return !(type === names.Named && named instanceof PDFName && safeNamedActions.has(named));
}

const isEmptyDict = (object: PDFObject | undefined): boolean =>
  object instanceof PDFDict && object.keys().length === 0;

function dropEmptyActions(dict: PDFDict, key: PDFName): void {
  const value = dict.lookup(key);
  if (isEmptyDict(value)) {
    dict.delete(key);
  } else if (value instanceof PDFArray && key === names.Next) {
    for (let i = value.size() - 1; i >= 0; i--) if (isEmptyDict(value.lookup(i))) value.remove(i);
  }
}

/** Links are kept only when they lead somewhere in the file; their actions were emptied otherwise. */
function dropRiskyAnnotations(annotations: PDFArray): void {
  for (let i = annotations.size() - 1; i >= 0; i--) {
    const annotation = annotations.lookup(i);
    if (!(annotation instanceof PDFDict) || isRiskyAnnotation(annotation)) annotations.remove(i);
  }
}

function isRiskyAnnotation(annotation: PDFDict): boolean {
  const subtype = annotation.lookup(names.Subtype);
  if (subtype === names.Link) {
    const action = annotation.lookup(names.A); // not necessarily detached yet
    return !annotation.has(names.Dest) && !(action instanceof PDFDict && !isEmptyDict(action));
  }
  return subtype instanceof PDFName && riskyAnnotationTypes.has(subtype);
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
