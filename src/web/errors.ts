/**
 * The one module of error codes. Each code has an HTTP status and a message key; error pages and
 * problem responses are built from these, never from an exception's own text.
 */
export const errorCodes = {
  bad_request: { status: 400, messageKey: 'error.bad_request' },
  csrf_invalid: { status: 403, messageKey: 'error.csrf_invalid' },
  forbidden: { status: 403, messageKey: 'error.forbidden' },
  not_found: { status: 404, messageKey: 'error.not_found' },
  payload_too_large: { status: 413, messageKey: 'error.payload_too_large' },
  unsupported_media_type: { status: 415, messageKey: 'error.unsupported_media_type' },
  rate_limited: { status: 429, messageKey: 'error.rate_limited' },
  internal: { status: 500, messageKey: 'error.internal' },
  unavailable: { status: 503, messageKey: 'error.unavailable' },
} as const;

export type ErrorCode = keyof typeof errorCodes;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;

  constructor(code: ErrorCode, detail?: string) {
    super(detail ?? code);
    this.code = code;
    this.status = errorCodes[code].status;
  }
}

/** Maps whatever was thrown (our errors, Fastify's, a plugin's) to one of our codes. */
export function classifyError(error: unknown): ErrorCode {
  if (error instanceof AppError) return error.code;
  const candidate = error as { statusCode?: unknown; code?: unknown } | null;
  const code = typeof candidate?.code === 'string' ? candidate.code : '';
  if (code === 'FST_REQ_FILE_TOO_LARGE' || code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT') {
    return 'payload_too_large';
  }
  if (code === 'FST_INVALID_MULTIPART_CONTENT_TYPE') return 'unsupported_media_type';
  const status = typeof candidate?.statusCode === 'number' ? candidate.statusCode : 500;
  const byStatus = (Object.keys(errorCodes) as ErrorCode[]).find(
    (c) => errorCodes[c].status === status && c !== 'csrf_invalid',
  );
  if (byStatus) return byStatus;
  return status >= 400 && status < 500 ? 'bad_request' : 'internal';
}
