import type { Knex } from 'knex';
import { escapeLiteral } from 'pg';
import { CONTEXT_ROLES, READ_VIEWS_ROLE } from './support/sql';

/**
 * The trigger functions every context uses, and one login role per context plus the gateway's
 * read-only role. Roles belong to the cluster, not the database: creation is idempotent (another
 * database of the cluster may have made them) and rollback leaves them in place. Each role's
 * password comes from DB_PASSWORD_<ROLE> (e.g. DB_PASSWORD_FLEET_SVC) when set; a role without one
 * cannot log in with password authentication.
 */

const ROLES = [...Object.values(CONTEXT_ROLES), READ_VIEWS_ROLE];

export function passwordVariable(role: string): string {
  return `DB_PASSWORD_${role.toUpperCase()}`;
}

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE FUNCTION public.touch_row() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      NEW.updated_at := now();
      NEW.row_version := OLD.row_version + 1;
      RETURN NEW;
    END
    $$`);
  // Facts are never edited: corrections are new rows (a reversing entry, a correcting reading).
  await knex.raw(`
    CREATE FUNCTION public.reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION '%.% rows are immutable: % is not allowed', TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation', CONSTRAINT = TG_ARGV[0],
              HINT = 'Record a correcting fact instead.';
    END
    $$`);

  for (const role of ROLES) {
    await knex.raw(`
      DO $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${role}') THEN
          CREATE ROLE ${role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION;
        END IF;
      END
      $$`);
    const password = process.env[passwordVariable(role)];
    if (password !== undefined && password !== '') {
      // Utility statements take no bind parameters; the literal is escaped by the driver's rules.
      await knex.raw(`ALTER ROLE ${role} PASSWORD ${escapeLiteral(password)}`);
    }
  }
  // No service may create objects in public; PostgreSQL 15 already revokes this, older ones not.
  await knex.raw('REVOKE CREATE ON SCHEMA public FROM PUBLIC');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP FUNCTION public.reject_change()');
  await knex.raw('DROP FUNCTION public.touch_row()');
}
