/**
 * knex configuration for the migrations in migrations/. Migrations run as the PostgreSQL superuser
 * (DATABASE_ADMIN_URL): they create schemas, extensions and the per-context roles, which the
 * services' own logins may not.
 */
import type { Knex } from 'knex';
import path from 'node:path';
import { loadConfig } from './platform/config/load';
import { databaseAdminVariables } from './platform/config/variables';
import { pgTypes } from './platform/postgres';

export const MIGRATIONS_TABLE = 'knex_migrations';
export const MIGRATIONS_SCHEMA = 'public';

export function knexConfig(environment: NodeJS.ProcessEnv = process.env): Knex.Config {
  const { databaseAdminUrl } = loadConfig(databaseAdminVariables, environment);
  return {
    client: 'pg',
    connection: {
      connectionString: databaseAdminUrl.toString(),
      application_name: 'fleet-migrations',
      types: pgTypes as Knex.PgConnectionConfig['types'],
    },
    pool: { min: 0, max: 2 },
    migrations: {
      directory: path.join(__dirname, 'migrations'),
      tableName: MIGRATIONS_TABLE,
      schemaName: MIGRATIONS_SCHEMA,
      loadExtensions: ['.ts'],
      // Each migration runs in its own transaction, and knex's lock table (knex_migrations_lock)
      // keeps two concurrent `migrate` runs from applying the same migration twice.
      disableTransactions: false,
    },
  };
}

export default knexConfig;
