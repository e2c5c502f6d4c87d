import { isUuid } from '../../platform/identifiers';

/** Keyset pagination's positions, shared by the paged reads. */

/** A position in a keyset-paginated list, opaque to clients (base64url of its parts). */
export function encodeCursor(parts: readonly string[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

/** The parts of a cursor, or undefined when it is not one of ours: `count` strings, the last an id. */
export function decodeCursor(cursor: string, count: number): string[] | undefined {
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(cursor)) return undefined;
  try {
    const parts: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(parts) || parts.length !== count || !parts.every((part): part is string => typeof part === 'string')) return undefined;
    // Every cursor ends with the row's id, the tie-breaker of its order.
    return isUuid(parts.at(-1)!) ? parts : undefined;
  } catch {
    return undefined;
  }
}

/** A cursor that this list never handed out (the route answers 400 naming `after`). */
export class InvalidCursorError extends Error {}
