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
    await knex.raw(`
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
      await knex.raw(`ALTER ROLE ${role} PASSWORD ${escapeLiteral(password)}`);
    }
  }
}
