import knex, { type Knex } from 'knex';
import type { Logger } from './logger';
import { pgTypes, type DatabaseOptions } from './postgres';

/**
 * The knex instance a context's repository runs on: the context's own login, bounded pool and
 * statement time, and the project's bigint parsing. Repositories take a `Knex.Transaction` from
 * their caller, so that one message's effects commit or roll back together.
 */
export function createDatabase(options: DatabaseOptions): Knex {
  return knex({
    client: 'pg',
    connection: {
      connectionString: options.url.toString(),
      application_name: options.applicationName,
      statement_timeout: options.statementTimeoutMs,
      types: pgTypes as Knex.PgConnectionConfig['types'],
    },
    pool: { min: 0, max: options.poolSizeMax },
    acquireConnectionTimeout: 10_000,
    ...(options.logger === undefined ? {} : { log: knexLog(options.logger.child({ component: 'knex' })) }),
  });
}

/** knex's messages as structured log lines instead of console output. */
function knexLog(logger: Logger): Knex.Logger {
  const text = (message: unknown) => (message instanceof Error ? message.message : String(message));
  return {
    warn: (message: unknown) => logger.warn(text(message)),
    error: (message: unknown) => logger.error(text(message)),
    deprecate: (method: string, alternative: string) => logger.warn({ method, alternative }, 'deprecated knex call'),
    debug: (message: unknown) => logger.debug({ detail: message }, 'knex'),
  };
}
