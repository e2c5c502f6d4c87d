import type { Knex } from 'knex';

/**
 * SQL fragments the context migrations share, so that every table follows the same conventions:
 * UUID keys, audit columns maintained by a trigger, money as minor units with a checked currency,
 * and the per-context outbox and inbox. Not a migration itself (knex reads only the files directly
 * in migrations/).
 */

/** Runs a migration's statements in order (inside the migration's transaction). */
export async function runStatements(knex: Knex, statements: readonly string[]): Promise<void> {
  for (const statement of statements) await knex.raw(statement);
}

/** The service login of each context, and the schema it owns. */
export const CONTEXT_ROLES = {
  identity: 'identity_svc',
  fleet: 'fleet_svc',
  rental: 'rental_svc',
  maintenance: 'maintenance_svc',
  accounting: 'accounting_svc',
  reporting: 'reporting_svc',
  gateway: 'gateway_svc',
} as const;
export type ContextSchema = keyof typeof CONTEXT_ROLES;

/** The life cycle of a vehicle, owned by fleet and mirrored in the other contexts' projections. */
export { VEHICLE_STATUSES } from '../../schemas/fleet/vehicle-statuses';

/** The gateway's read-only login: SELECT on the views the contexts publish, nothing else. */
export const READ_VIEWS_ROLE = 'gateway_reader';

/** created_at/updated_at/created_by/updated_by and the optimistic-concurrency counter. */
export const AUDIT_COLUMNS = `
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid NULL,
  updated_by uuid NULL,
  row_version bigint NOT NULL DEFAULT 0`;

/** Keeps updated_at and row_version right on every UPDATE, whoever writes the row. */
export function touchTrigger(table: string): string {
  const name = table.split('.')[1];
  return `CREATE TRIGGER ${name}_touch BEFORE UPDATE ON ${table} FOR EACH ROW EXECUTE FUNCTION public.touch_row()`;
}

/** Rejects UPDATE and DELETE (and TRUNCATE) on rows that are facts: `rule` names the violation. */
export function immutableTriggers(table: string, rule: string): string[] {
  const name = table.split('.')[1];
  return [
    `CREATE TRIGGER ${name}_immutable BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION public.reject_change('${rule}')`,
    `CREATE TRIGGER ${name}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION public.reject_change('${rule}')`,
  ];
}

/** A currency column check: three upper-case letters (ISO 4217 style). */
export function currencyCheck(constraint: string, column = 'currency'): string {
  return `CONSTRAINT ${constraint} CHECK (${column} ~ '^[A-Z]{3}$')`;
}

/** An amount that must not be negative, named `<table>_<column>_check`. */
export function nonNegativeCheck(table: string, column: string): string {
  return `CONSTRAINT ${table}_${column}_check CHECK (${column} >= 0)`;
}

/** A status column check listing its values. */
export function statusCheck(constraint: string, values: readonly string[], column = 'status'): string {
  return `CONSTRAINT ${constraint} CHECK (${column} IN (${values.map((value) => `'${value}'`).join(', ')}))`;
}

/**
 * The context's transactional outbox (events waiting for the relay, ordered by `sequence`) and
 * inbox (messages already handled, with the outcome the gateway reports).
 */
export function integrationTables(schema: ContextSchema): string[] {
  return [
    `CREATE TABLE ${schema}.outbox_events (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      sequence bigserial NOT NULL,
      topic text NOT NULL,
      message_key text NOT NULL,
      aggregate_type text NOT NULL,
      aggregate_id uuid NOT NULL,
      event_type text NOT NULL,
      payload jsonb NOT NULL,
      headers jsonb NOT NULL DEFAULT '{}'::jsonb,
      occurred_at timestamptz NOT NULL DEFAULT now(),
      published_at timestamptz NULL,
      CONSTRAINT outbox_events_sequence_key UNIQUE (sequence)
    )`,
    // The relay reads unpublished rows in sequence order; once published they leave this index.
    `CREATE INDEX outbox_events_unpublished_idx ON ${schema}.outbox_events (sequence) WHERE published_at IS NULL`,
    `CREATE INDEX outbox_events_aggregate_idx ON ${schema}.outbox_events (aggregate_id, sequence)`,
    // Wakes the relay (LISTEN <schema>_outbox) as soon as the writing transaction commits.
    `CREATE TRIGGER outbox_events_notify AFTER INSERT ON ${schema}.outbox_events
      FOR EACH STATEMENT EXECUTE FUNCTION public.notify_outbox()`,
    `CREATE TABLE ${schema}.inbox_processed_messages (
      message_id text PRIMARY KEY,
      message_type text NOT NULL DEFAULT 'unknown',
      processed_at timestamptz NOT NULL DEFAULT now(),
      outcome text NOT NULL DEFAULT 'accepted',
      reason_code text NULL,
      correlation_id text NULL,
      ${statusCheck('inbox_processed_messages_outcome_check', ['accepted', 'rejected', 'ignored'], 'outcome')},
      CONSTRAINT inbox_processed_messages_reason_check CHECK ((outcome = 'rejected') = (reason_code IS NOT NULL))
    )`,
    `CREATE INDEX inbox_processed_messages_processed_at_idx ON ${schema}.inbox_processed_messages (processed_at)`,
  ];
}

/**
 * Gives the context's login rights on its own schema only: data rights on every table and
 * sequence there now, and on those later migrations (run by the same superuser) create.
 */
export function grantContextRights(schema: ContextSchema): string[] {
  const role = CONTEXT_ROLES[schema];
  return [
    `GRANT USAGE ON SCHEMA ${schema} TO ${role}`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${schema} TO ${role}`,
    `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${schema} TO ${role}`,
    `ALTER DEFAULT PRIVILEGES IN SCHEMA ${schema} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${role}`,
    `ALTER DEFAULT PRIVILEGES IN SCHEMA ${schema} GRANT USAGE, SELECT ON SEQUENCES TO ${role}`,
  ];
}

/** Publishes read views to the gateway's read-only login. */
export function publishViews(schema: ContextSchema, views: readonly string[]): string[] {
  return [`GRANT USAGE ON SCHEMA ${schema} TO ${READ_VIEWS_ROLE}`, ...views.map((view) => `GRANT SELECT ON ${schema}.${view} TO ${READ_VIEWS_ROLE}`)];
}

/** Undoes a context migration: the schema with everything in it, and the default privileges. */
export function dropContext(schema: ContextSchema): string[] {
  const role = CONTEXT_ROLES[schema];
  return [
    `ALTER DEFAULT PRIVILEGES IN SCHEMA ${schema} REVOKE ALL ON TABLES FROM ${role}`,
    `ALTER DEFAULT PRIVILEGES IN SCHEMA ${schema} REVOKE ALL ON SEQUENCES FROM ${role}`,
    `DROP SCHEMA ${schema} CASCADE`,
  ];
}
