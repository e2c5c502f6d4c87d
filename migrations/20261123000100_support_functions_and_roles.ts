import type { Knex } from 'knex';
import { ensureServiceRoles } from './support/roles';

/**
 * The trigger functions every context uses, and one login role per context plus the gateway's
 * read-only role. Roles belong to the cluster, not the database: creation is idempotent (another
 * database of the cluster may have made them), `npm run migrate` repeats it on every run (see
 * support/roles.ts) and rollback leaves them in place.
 */

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

  // NOTIFY is delivered at commit, so a relay woken by it finds the rows.
  await knex.raw(`
    CREATE FUNCTION public.notify_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify(TG_TABLE_SCHEMA || '_outbox', '');
      RETURN NULL;
    END
    $$`);
  await ensureServiceRoles(knex);
  // No service may create objects in public; PostgreSQL 15 already revokes this, older ones not.
  await knex.raw('REVOKE CREATE ON SCHEMA public FROM PUBLIC');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP FUNCTION public.notify_outbox()');
  await knex.raw('DROP FUNCTION public.reject_change()');
  await knex.raw('DROP FUNCTION public.touch_row()');
}
