import knex, { type Knex } from 'knex';
import pg from 'pg';
import { knexConfig } from '../../knexfile';
import { pgTypes } from '../../platform/postgres';
import { uniqueName } from './names';
import { stackEnv } from './stack-env';

/** What a failed statement tells: the SQLSTATE and the constraint (or trigger rule) it names. */
export interface SqlFailure {
  readonly code: string | undefined;
  readonly constraint: string | undefined;
  readonly message: string;
}

/** Awaits a statement that must fail and returns how it failed (fails the test if it succeeds). */
export async function sqlFailure(statement: Promise<unknown>): Promise<SqlFailure> {
  try {
    await statement;
  } catch (error) {
    const databaseError = error as pg.DatabaseError;
    return { code: databaseError.code, constraint: databaseError.constraint, message: databaseError.message };
  }
  throw new Error('the statement succeeded, but it should have been refused');
}

/** The URL of `base` with another login: a context role, with its password from DB_PASSWORD_<ROLE>. */
export function roleUrl(base: URL, role: string): URL {
  const password = process.env[`DB_PASSWORD_${role.toUpperCase()}`];
  if (!password) throw new Error(`DB_PASSWORD_${role.toUpperCase()} is not set; run the tests with 'npm test'`);
  const url = new URL(base);
  url.username = role;
  url.password = password;
  return url;
}

export function databaseUrl(base: URL, database: string): URL {
  const url = new URL(base);
  url.pathname = `/${database}`;
  return url;
}

export function poolFor(url: URL): pg.Pool {
  return new pg.Pool({ connectionString: url.toString(), max: 2, types: pgTypes });
}

/**
 * A database of its own for one test file, created empty and dropped afterwards, so that tests
 * which fill tables or roll every migration back never touch the shared development database.
 */
export class ScratchDatabase {
  readonly name = uniqueName('fleet_test').replace(/-/g, '_');
  readonly adminUrl: URL;
  private readonly serverAdminUrl: URL;
  private migrator: Knex | undefined;

  /** On the stack's PostgreSQL, or on another server given by its administrator URL. */
  constructor(serverAdminUrl: URL = stackEnv().databaseAdminUrl) {
    this.serverAdminUrl = serverAdminUrl;
    this.adminUrl = databaseUrl(serverAdminUrl, this.name);
  }

  async create(options: { migrate: boolean }): Promise<void> {
    const admin = new pg.Client({ connectionString: this.serverAdminUrl.toString() });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${this.name}`);
    } finally {
      await admin.end();
    }
    if (options.migrate) await this.knex().migrate.latest();
  }

  /** knex on the scratch database as the superuser, with the project's migrations. */
  knex(): Knex {
    this.migrator ??= knex(knexConfig({ DATABASE_ADMIN_URL: this.adminUrl.toString() }));
    return this.migrator;
  }

  /** A connection URL for a context login (or the read-only one) on this database. */
  urlFor(role: string): URL {
    return roleUrl(this.adminUrl, role);
  }

  async drop(): Promise<void> {
    await this.migrator?.destroy();
    const admin = new pg.Client({ connectionString: this.serverAdminUrl.toString() });
    await admin.connect();
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${this.name} WITH (FORCE)`);
    } finally {
      await admin.end();
    }
  }
}
