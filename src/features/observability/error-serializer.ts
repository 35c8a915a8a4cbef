/**
 * The `err` serializer of every logger: an error is logged as its kind and where it came from, never
 * with the values that caused it. Errors from `pg` carry the offending row or key in `detail`
 * ("Key (email)=(…) already exists"), the statement in `where`/`internalQuery`, and the value itself
 * in some messages ('invalid input syntax for type uuid: "…"'); a report's narrative or a contact's
 * e-mail address must not reach the log that way. So we keep a short allow-list of fields and scrub
 * quoted text and value-like tokens out of the message and the stack's first line.
 */

export interface SanitisedError {
  type: string;
  message: string;
  stack?: string;
  /** A library's error code, not under `code` (redacted everywhere as a receipt code) (PostgreSQL SQLSTATE, Node's ERR_…, Fastify's FST_…). */
  errorCode?: string;
  statusCode?: number;
  /** Schema names from a PostgreSQL error: which table/column/constraint, not which value. */
  table?: string;
  column?: string;
  constraint?: string;
  routine?: string;
  cause?: SanitisedError;
  errors?: SanitisedError[];
}

const MAX_MESSAGE = 500;
const MAX_STACK_FRAMES = 30;
const MAX_DEPTH = 3;
const MAX_NESTED = 5;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$.]{0,62}$/;
const CODE = /^[A-Za-z0-9_.-]{1,40}$/;
/** Quoted text is a value unless a schema word names it ('constraint "report_pkey"'). */
const SCHEMA_WORDS =
  /(?:constraint|relation|table|column|index|type|function|schema|database|role|sequence|operator|trigger|extension|view|routine|key|parameter)\s*$/i;

/** Shapes that are values whatever surrounds them. */
const VALUE_PATTERNS: [RegExp, string][] = [
  [/[^\s@"'<>()]+@[^\s@"'<>()]+\.[^\s@"'<>()]+/g, '[email]'],
  [/\b(?:\d{1,3}\.){3}\d{1,3}\b/g, '[address]'],
  [/\b(?:[0-9a-f]{1,4}:){2,7}[0-9a-f]{0,4}\b/gi, '[address]'],
  // Phone numbers, receipt codes, long ids: six or more digits, with separators between them.
  [/\+?\d(?:[\s-]?\d){5,}/g, '[number]'],
];

/** A message with quoted values and value-shaped tokens replaced; schema names stay. */
export function scrubMessage(message: string): string {
  let text = message.length > MAX_MESSAGE * 4 ? message.slice(0, MAX_MESSAGE * 4) : message;
  // Double-, single- and backquoted segments; unterminated quotes run to the end of the line.
  // (A quote right after a letter is an apostrophe: "can't".)
  text = text.replace(
    /(?<![A-Za-z0-9])(["'`])((?:(?!\1)[^\n])*)(\1|$)/gm,
    (match, quote: string, inner: string, close: string, offset: number, whole: string) => {
      const before = whole.slice(Math.max(0, offset - 24), offset);
      if (close === quote && IDENTIFIER.test(inner) && SCHEMA_WORDS.test(before)) return match;
      return `${quote}[value]${close ? quote : ''}`;
    },
  );
  // Key (column)=(value) as in some messages and every detail.
  text = text.replace(/\)=\([^\n]*?\)(?=\s|$|\.)/g, ')=([value])');
  for (const [pattern, replacement] of VALUE_PATTERNS) text = text.replace(pattern, replacement);
  // After a colon, PostgreSQL and many libraries put the offending input unquoted.
  text = text.replace(/(invalid input (?:syntax|value)[^:\n]*:)[^\n]*/gi, '$1 [value]');
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}…` : text;
}

/** The stack's frames (file paths and line numbers), with its first line rebuilt from the scrubbed message. */
function scrubStack(stack: unknown, head: string): string | undefined {
  if (typeof stack !== 'string') return undefined;
  const frames = stack
    .split('\n')
    .filter((line) => /^\s+at\s/.test(line))
    .slice(0, MAX_STACK_FRAMES)
    // A frame names functions and files; `eval` frames and anonymous sources may quote code, so
    // quoted parts are scrubbed there too.
    .map((line) => line.replace(/(["'`])[^\n]*?\1/g, '$1[value]$1'));
  return [head, ...frames].join('\n');
}

function stringField(value: unknown, pattern: RegExp): string | undefined {
  return typeof value === 'string' && pattern.test(value) ? value : undefined;
}

function typeOf(error: object): string {
  const name = (error as { name?: unknown }).name;
  if (typeof name === 'string' && IDENTIFIER.test(name)) return name;
  const constructorName = (error as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof constructorName === 'string' && IDENTIFIER.test(constructorName) ? constructorName : 'Error';
}

export function sanitiseError(error: unknown, depth = 0): SanitisedError {
  if (typeof error !== 'object' || error === null) {
    // A thrown string or number could be anything; only its kind is safe to say.
    return { type: typeof error, message: '[non-error value]' };
  }
  const source = error as Record<string, unknown>;
  const type = typeOf(error);
  const message = scrubMessage(typeof source.message === 'string' ? source.message : '');
  const result: SanitisedError = { type, message };
  const stack = scrubStack(source.stack, message ? `${type}: ${message}` : type);
  if (stack !== undefined) result.stack = stack;
  const code = stringField(source.code, CODE);
  if (code !== undefined) result.errorCode = code;
  if (typeof source.statusCode === 'number' && Number.isInteger(source.statusCode)) {
    result.statusCode = source.statusCode;
  }
  for (const field of ['table', 'column', 'constraint', 'routine'] as const) {
    const value = stringField(source[field], IDENTIFIER);
    if (value !== undefined) result[field] = value;
  }
  if (depth < MAX_DEPTH) {
    if (source.cause !== undefined) result.cause = sanitiseError(source.cause, depth + 1);
    if (Array.isArray(source.errors)) {
      result.errors = source.errors.slice(0, MAX_NESTED).map((nested) => sanitiseError(nested, depth + 1));
    }
  }
  return result;
}
