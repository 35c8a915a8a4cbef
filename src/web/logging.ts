import pino, { type Logger } from 'pino';

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
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: redactedPaths, censor: '[redacted]' },
      base: { app: 'baken' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
