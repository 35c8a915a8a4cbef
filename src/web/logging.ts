import pino, { type Logger } from 'pino';
import { sanitiseError, scrubMessage } from '../features/observability/error-serializer.ts';

/**
 * Logs carry no client IPs, user agents, form bodies or personal fields. Request lines are written by
 * our own hook (see app.ts) with only method, route pattern, status and timing; these redaction paths
 * are a second net for anything that slips into a log call.
 */
export const redactedPaths = [
  'req.headers',
  'req.remoteAddress',
  'req.remotePort',
  'req.ip',
  'req.ips',
  'req.body',
  'body',
  'headers',
  'ip',
  '*.narrative',
  '*.email',
  '*.phone',
  '*.name',
  '*.body',
  '*.receipt',
  '*.code',
  '*.password',
  '*.contact_name',
  '*.contact_email',
  '*.contact_phone',
  '*.safe_contact_hints',
  '*.contact',
  '*.display_name',
  '*.displayName',
  '*.q',
  '*.token',
  '*.cookie',
  '*.authorization',
  '*.ip',
  '*.remoteAddress',
  // The same at the top level of a log call: `log.info({ email })` is as easy to write.
  'narrative',
  'email',
  'phone',
  'receipt',
  'password',
  'contact_name',
  'contact_email',
  'contact_phone',
  'safe_contact_hints',
  'display_name',
  'displayName',
  'q',
  'token',
  'cookie',
  'authorization',
  'remoteAddress',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: redactedPaths, censor: '[redacted]' },
      // Errors (ours, pg's, Kysely's) are logged by kind and origin, never with the values in them.
      serializers: { err: sanitiseError, error: sanitiseError },
      hooks: {
        // Without a message of its own, pino would use the error's message as the line's `msg`, values
        // and all: give it the scrubbed one instead.
        logMethod(args, method) {
          const [first, second] = args as unknown[];
          if (typeof second === 'string') return method.apply(this, args);
          const error =
            first instanceof Error
              ? first
              : typeof first === 'object' && first !== null
                ? [(first as { err?: unknown }).err, (first as { error?: unknown }).error].find(
                    (value) => value instanceof Error,
                  )
                : undefined;
          if (!(error instanceof Error)) return method.apply(this, args);
          const fields = first instanceof Error ? { err: first } : (first as object);
          return method.apply(this, [fields, scrubMessage(error.message)]);
        },
      },
      base: { app: 'baken' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
