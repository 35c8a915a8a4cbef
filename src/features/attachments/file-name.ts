/**
 * Display names for uploaded files. The name a reporter's device sends is untrusted: it may carry a
 * path, control or bidi characters (to disguise `exe` as `jpg`), or an extension that does not match
 * the content. Staff only ever see the name produced here, next to a type detected from the bytes.
 */
const maxLength = 200;
const fallbackStem = 'attachment';

// Control, format (bidi overrides, zero-width) and line/paragraph separator characters.
const invisibleCharacters = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;
// Reserved on Windows and awkward in Content-Disposition; staff may save files locally.
const reservedCharacters = /["*:<>?|]/g;
const plausibleExtension = /^[\p{L}\p{N}]{1,10}$/u;

/**
 * `extensions` lists the extensions that fit the detected type, the preferred one first. A matching
 * extension the reporter used (e.g. `JPEG`) is kept; any other is replaced.
 */
export function sanitiseFileName(raw: string, extensions: readonly [string, ...string[]]): string {
  const name = cleanCharacters(lastPathSegment(raw));
  const { stem, extension } = splitExtension(name);
  const finalExtension =
    extension !== undefined && extensions.includes(extension.toLowerCase()) ? extension : extensions[0];
  const shortStem = truncate(stem, maxLength - finalExtension.length - 1);
  return `${shortStem || fallbackStem}.${finalExtension}`;
}

function lastPathSegment(raw: string): string {
  // Both separators: some browsers and apps send Windows paths.
  return raw.split(/[/\\]/).pop() ?? '';
}

function cleanCharacters(name: string): string {
  // A UTF-8 round trip replaces lone surrogates, which would break encoding the name later.
  const wellFormed = Buffer.from(name, 'utf8').toString('utf8');
  return trimEdges(
    wellFormed
      .normalize('NFC')
      .replace(invisibleCharacters, '')
      .replace(reservedCharacters, '_')
      .replace(/\s+/gu, ' '),
  );
}

function splitExtension(name: string): { stem: string; extension: string | undefined } {
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 ? name.slice(dot + 1) : '';
  if (!plausibleExtension.test(extension)) return { stem: name, extension: undefined };
  return { stem: trimEdges(name.slice(0, dot)), extension };
}

/** Leading dots hide files on Unix; trailing dots and spaces are dropped by Windows. */
function trimEdges(text: string): string {
  return text.replace(/^[\s.]+|[\s.]+$/gu, '');
}

/** Cuts at a code point boundary, so no half surrogate pair is left behind. */
function truncate(text: string, limit: number): string {
  if (text.length <= limit) return text;
  let result = '';
  for (const codePoint of text) {
    if (result.length + codePoint.length > limit) break;
    result += codePoint;
  }
  return trimEdges(result);
}
