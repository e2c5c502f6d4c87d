import type { Context } from 'koa';
import { ProblemError } from '../middleware/problem';
import { InvalidCursorError } from '../queries/cursors';

/** Checks on a read route's query string: each failure is a 400 naming the parameter, never a 500. */

export const PAGE_SIZE_DEFAULT = 50;

export function invalidQuery(field: string, message: string): ProblemError {
  return new ProblemError(400, 'validation-failed', 'Invalid query', `${field} ${message}.`, { errors: [{ field, message }] });
}

/** Refuses parameters the route does not know (a misspelt filter must not silently widen a read). */
export function onlyKnownParameters(ctx: Context, known: ReadonlySet<string>): void {
  const unknown = Object.keys(ctx.query).filter((name) => !known.has(name));
  if (unknown.length > 0) throw invalidQuery(unknown[0]!, 'is not a known query parameter');
}

/** A parameter given at most once. */
export function single(ctx: Context, name: string): string | undefined {
  const value = ctx.query[name];
  if (Array.isArray(value)) throw invalidQuery(name, 'must be given once');
  return value;
}

/** A page size from 1 to `max`, `PAGE_SIZE_DEFAULT` when absent. */
export function pageLimit(ctx: Context, max: number): number {
  const text = single(ctx, 'limit');
  const limit = text === undefined ? Math.min(PAGE_SIZE_DEFAULT, max) : Number(text);
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > max) throw invalidQuery('limit', `must be an integer from 1 to ${max}`);
  return limit;
}

/** An RFC 3339 date-time with its offset (a time without one would be read in the server's zone). */
export function timestampParameter(ctx: Context, name: string): Date | undefined {
  const text = single(ctx, name);
  if (text === undefined) return undefined;
  const at = new Date(text);
  if (Number.isNaN(at.getTime()) || !/^\d{4}-\d{2}-\d{2}T[^ ]*(Z|[+-]\d{2}:\d{2})$/i.test(text)) {
    throw invalidQuery(name, 'must be a date-time with its offset, e.g. 2026-11-23T09:30:00Z');
  }
  return at;
}

/** A calendar day as YYYY-MM-DD (a real one: 2026-02-30 is refused), or undefined when absent. */
export function dayParameter(ctx: Context, name: string): string | undefined {
  const text = single(ctx, name);
  if (text === undefined) return undefined;
  const day = /^\d{4}-\d{2}-\d{2}$/.test(text) ? new Date(`${text}T00:00:00Z`) : undefined;
  // Year 0000 parses in JavaScript but is no date in PostgreSQL.
  if (day === undefined || Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== text || day.getUTCFullYear() < 1) {
    throw invalidQuery(name, 'must be a date as YYYY-MM-DD, e.g. 2026-11-23');
  }
  return text;
}

/** The `after` cursor: any string the list handed out; a forged one is refused when the query reads it. */
export function cursorParameter(ctx: Context): string | undefined {
  const after = single(ctx, 'after');
  if (after !== undefined && (after.length === 0 || after.length > 400)) throw invalidQuery('after', 'must be the cursor of a links.next');
  return after;
}

/** Runs a paged read, turning a cursor the list never handed out into a 400 naming `after`. */
export async function paged<Page>(read: () => Promise<Page>): Promise<Page> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof InvalidCursorError) throw invalidQuery('after', 'must be the cursor of a links.next');
    throw error;
  }
}

/** The link to the next page: the same query with the new cursor. */
export function nextLink(ctx: Context, path: string, cursor: string | null): string | null {
  if (cursor === null) return null;
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(ctx.query)) if (name !== 'after' && typeof value === 'string') query.set(name, value);
  query.set('after', cursor);
  return `${path}?${query.toString()}`;
}
