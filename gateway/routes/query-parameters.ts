import type { Context } from 'koa';
import { ProblemError } from '../middleware/problem';

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
