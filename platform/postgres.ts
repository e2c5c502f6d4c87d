import pg from 'pg';

export interface DatabaseOptions {
  readonly url: URL;
  readonly poolSizeMax: number;
  readonly statementTimeoutMs: number;
  /** Shown in pg_stat_activity, so an operator can tell which service holds a connection. */
  readonly applicationName: string;
}

const CONNECTION_TIMEOUT_MS = 5_000;
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
