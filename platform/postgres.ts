import type { Logger } from './logger';
import pg from 'pg';

export interface DatabaseOptions {
  readonly url: URL;
  readonly poolSizeMax: number;
  readonly statementTimeoutMs: number;
  /** Shown in pg_stat_activity, so an operator can tell which service holds a connection. */
  readonly applicationName: string;
  /** Where knex's own warnings go (a lost connection, a slow pool); the console when not given. */
  readonly logger?: Logger;
}

const INT8_OID = 20;

/**
 * bigint columns (money in minor units, offsets, counters) become JavaScript numbers when they are
 * exact, and an error otherwise: never a silently rounded float, and never a string that a later
 * `+` would concatenate.
 */
export function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(`bigint ${text} is outside the exact range of a JavaScript number (±${Number.MAX_SAFE_INTEGER})`);
  }
  return value;
}

/** The type parsers every connection of the project uses (pass as `types` to pg or knex). */
function getTypeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
  if (oid === INT8_OID && format !== 'binary') return parseInt8;
  return pg.types.getTypeParser(oid, format ?? 'text') as (value: string) => unknown;
}

export const pgTypes = { getTypeParser };
