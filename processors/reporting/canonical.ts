import { createHash } from 'node:crypto';

/**
 * A report's bytes: JSON with object keys sorted and no whitespace, so that the same result is
 * always the same text (the database's jsonb keeps neither key order nor spacing, so the hash is
 * taken over this text, never over what is read back). Only what JSON can carry is accepted: a
 * non-finite number, undefined, a function or a bigint is a bug in the report, not a value.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`a report cannot hold the number ${value}`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const entries = Object.entries(value as Record<string, unknown>).sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
    return `{${entries.map(([key, field]) => `${JSON.stringify(key)}:${canonicalJson(field)}`).join(',')}}`;
  }
  throw new TypeError(`a report cannot hold ${typeof value === 'object' ? Object.prototype.toString.call(value) : typeof value}`);
}

/** SHA-256 of the canonical text, lower-case hex: what reporting.report_snapshots.content_hash holds. */
export function contentHash(value: unknown): string {
  return hashOfText(canonicalJson(value));
}

/** SHA-256 of a canonical text already made. */
export function hashOfText(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
