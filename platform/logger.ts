import { context, createContextKey, trace, type Context } from '@opentelemetry/api';
import pino from 'pino';

export type Logger = pino.Logger;
export type LogLevel = pino.LevelWithSilent;

/**
 * Paths whose values never reach a log line: credentials in headers, configuration and errors.
 * Connection URLs carry passwords, so whole URL fields are hidden rather than parsed.
 */
const REDACTED_PATHS = [
  'password',
  '*.password',
  'secret',
  '*.secret',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'databaseUrl',
  'databaseAdminUrl',
  'redisUrl',
  '*.databaseUrl',
  '*.databaseAdminUrl',
  '*.redisUrl',
];

/**
 * The JSON logger every service uses: one line per event, the service name on each, ISO times and
 * level names (not numbers) so that a reader needs no lookup table.
 */
export function createLogger(service: string, level: LogLevel, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      mixin: contextFields,
    },
    destination,
  );
}

const LOG_FIELDS = createContextKey('fleet-command-streams log fields');

/**
 * `from` with fields that every line logged within it carries: a request's correlation id, a
 * message's id and correlation id. (Fields given at the call win over these.)
 */
export function withLogFields(from: Context, fields: Readonly<Record<string, string>>): Context {
  const current = from.getValue(LOG_FIELDS) as Readonly<Record<string, string>> | undefined;
  return from.setValue(LOG_FIELDS, { ...current, ...fields });
}

/** The active context's log fields and the trace and span id of its span, if it has one. */
function contextFields(): Record<string, string> {
  const active = context.active();
  const fields = (active.getValue(LOG_FIELDS) as Readonly<Record<string, string>> | undefined) ?? {};
  const span = trace.getSpanContext(active);
  return span !== undefined && trace.isSpanContextValid(span) ? { ...fields, traceId: span.traceId, spanId: span.spanId } : { ...fields };
}
