import type { Knex } from 'knex';
import { escapeLiteral } from 'pg';
import { CONTEXT_ROLES, READ_VIEWS_ROLE } from './sql';

/** Every database login the product uses: one per context and the gateway's read-only one. */
export const SERVICE_ROLES: readonly string[] = [...Object.values(CONTEXT_ROLES), READ_VIEWS_ROLE];

export function passwordVariable(role: string): string {
  return `DB_PASSWORD_${role.toUpperCase()}`;
}

/**
 * Creates the logins that do not exist yet and sets the password of each whose DB_PASSWORD_<ROLE>
 * is given. Roles belong to the cluster, so this is idempotent and runs on every
 * `npm run migrate` (not only once inside a migration): a rotated password or a role added to the
 * list takes effect on the next run.
 */
export async function ensureServiceRoles(
  knex: Knex,
  environment: NodeJS.ProcessEnv = process.env,
  roles: readonly string[] = SERVICE_ROLES,
): Promise<void> {
  for (const role of roles) {
    if (!/^[a-z][a-z0-9_]{0,62}$/.test(role)) throw new Error(`not a valid role name: ${JSON.stringify(role)}`);
    await racingOtherMigrations(knex, `
      DO $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${role}') THEN
          CREATE ROLE ${role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION;
        END IF;
      END
      $$`);
    const password = environment[passwordVariable(role)];
    if (password !== undefined && password !== '') {
      // Utility statements take no bind parameters; the literal is escaped by the driver's rules.
      await racingOtherMigrations(knex, `ALTER ROLE ${role} PASSWORD ${escapeLiteral(password)}`);
    }
  }
}

/** What PostgreSQL says when two sessions change the same role at once, or create it twice. */
const CONCURRENT_ROLE_CHANGE = new Set(['XX000', '23505', '42710']);
const ATTEMPTS_MAX = 10;

/**
 * Runs a role statement in a savepoint (or a transaction of its own), again when another session
 * changed the same role at the same moment. Roles belong to the whole cluster, so migrations of
 * different databases (parallel test databases, several deployments sharing a server) can race.
 */
async function racingOtherMigrations(knex: Knex, statement: string): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await knex.transaction(async (savepoint) => {
        await savepoint.raw(statement);
      });
      return;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (attempt >= ATTEMPTS_MAX || typeof code !== 'string' || !CONCURRENT_ROLE_CHANGE.has(code)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
    }
  }
}
