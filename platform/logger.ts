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
    },
    destination,
  );
}
