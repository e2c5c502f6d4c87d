import pg from 'pg';

export interface DatabaseOptions {
  readonly url: URL;
  readonly poolSizeMax: number;
  readonly statementTimeoutMs: number;
  /** Shown in pg_stat_activity, so an operator can tell which service holds a connection. */
  readonly applicationName: string;
}

const CONNECTION_TIMEOUT_MS = 5_000;
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

const IDLE_TIMEOUT_MS = 30_000;

/** A pool of PostgreSQL connections with bounded size, connect time and statement time. */
export function createPool(options: DatabaseOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.url.toString(),
    max: options.poolSizeMax,
    connectionTimeoutMillis: CONNECTION_TIMEOUT_MS,
    idleTimeoutMillis: IDLE_TIMEOUT_MS,
    statement_timeout: options.statementTimeoutMs,
    application_name: options.applicationName,
    types: pgTypes,
  });
  // An idle client that loses its server emits 'error' on the pool; without a listener that
  // would crash the process. The next checkout reconnects, so it only needs to be absorbed here.
  pool.on('error', () => undefined);
  return pool;
}

/**
 * Runs `work` inside one transaction on one checked-out client: COMMIT when it resolves, ROLLBACK
 * when it throws (and the error propagates), the client released in every case.
 */
export async function withTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    try {
      await client.query('ROLLBACK');
    } catch {
      // The connection itself failed; it must not go back into the pool.
      broken = true;
    }
    throw error;
  } finally {
    client.release(broken);
  }
}
