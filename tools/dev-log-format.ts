/**
 * Turns one pino JSON line into `service | 12:34:56 INFO  message key=value …` for a terminal.
 * Lines that are not JSON (a stack trace, a tool's own output) pass through with the prefix.
 */

const HIDDEN_FIELDS = new Set(['level', 'time', 'msg', 'service', 'pid', 'hostname']);

function render(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function formatLogLine(prefix: string, line: string): string {
  let record: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return `${prefix} | ${line}`;
    record = parsed as Record<string, unknown>;
  } catch {
    return `${prefix} | ${line}`;
  }
  const time = typeof record.time === 'string' ? record.time.slice(11, 19) : '';
  const level = render(record.level ?? '').toUpperCase().padEnd(5);
  const fields = Object.entries(record)
    .filter(([key]) => !HIDDEN_FIELDS.has(key))
    .map(([key, value]) => `${key}=${render(value)}`)
    .join(' ');
  return `${prefix} | ${time} ${level} ${render(record.msg ?? '')}${fields ? `  ${fields}` : ''}`;
}
