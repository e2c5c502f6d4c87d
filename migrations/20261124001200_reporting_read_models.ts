import type { Knex } from 'knex';
import { ACCOUNT_TYPES, CHART_OF_ACCOUNTS } from '../processors/ledger/chart-of-accounts';
import { ROLE_PERMISSIONS } from '../platform/access';
import { currencyCheck, runStatements, statusCheck } from './support/sql';

/** The facts reporting keeps of the other contexts (reporting.facts.kind); see docs/reporting.md. */
export const FACT_KINDS = [
  'vehicle_registered',
  'vehicle_class_changed',
  'vehicle_decommissioned',
  'odometer_recorded',
  'odometer_voided',
  'rental_reserved',
  'rental_activated',
  'rental_completed',
  'rental_reference',
  'maintenance_started',
  'maintenance_completed',
  'maintenance_cancelled',
] as const;

const quoted = (value: string) => `'${value.replace(/'/g, "''")}'`;

const PERMISSIONS_OF_REPORTING = ['reports.generate', 'reports.read'];
/** The built-in roles' grants of the reporting permissions, as platform/access.ts declares them. */
const REPORTING_GRANTS = Object.entries(ROLE_PERMISSIONS).flatMap(([role, permissions]) =>
  permissions.filter((permission) => PERMISSIONS_OF_REPORTING.includes(permission)).map((permission) => [role, permission] as const),
);

/** Every read-model row says where in which stream it was read, so a report can stop at a watermark. */
const POSITION_COLUMNS = `
  source_topic text NOT NULL,
  source_partition integer NOT NULL CHECK (source_partition >= 0),
  source_offset bigint NOT NULL CHECK (source_offset >= 0)`;

/**
 * The reporting context's read models: its own copies of the journal, the chart of accounts and
 * the facts of fleet, rental and maintenance it reports on, each row with the stream position it
 * came from, and the last position applied per source topic partition (the watermark a report is
 * computed up to). Rows are only ever added; a report at a watermark reads the rows at or before
 * it, so generating it again later, or after the read models were rebuilt from the topics, gives
 * the same rows and the same bytes.
 */
export async function up(knex: Knex): Promise<void> {
  await runStatements(knex, [
    `CREATE TABLE reporting.accounts (
      code text PRIMARY KEY,
      type text NOT NULL,
      source_topic text NULL,
      source_partition integer NULL,
      source_offset bigint NULL,
      ${statusCheck('accounts_type_check', ACCOUNT_TYPES, 'type')}
    )`,
    `INSERT INTO reporting.accounts (code, type) VALUES ${CHART_OF_ACCOUNTS.map((account) => `(${quoted(account.code)}, ${quoted(account.type)})`).join(', ')}`,
    `CREATE TABLE reporting.journal_lines (
      entry_id uuid NOT NULL,
      line_number integer NOT NULL CHECK (line_number >= 1),
      entry_date date NOT NULL,
      account_code text NOT NULL,
      direction text NOT NULL,
      amount_minor bigint NOT NULL CHECK (amount_minor > 0),
      currency text NOT NULL,
      external_ref_type text NOT NULL,
      external_ref_id uuid NOT NULL,
      ${POSITION_COLUMNS},
      PRIMARY KEY (entry_id, line_number),
      ${statusCheck('journal_lines_direction_check', ['debit', 'credit'], 'direction')},
      ${currencyCheck('journal_lines_currency_check')}
    )`,
    // Period reports read a date range of lines; the covering columns spare them the table.
    `CREATE INDEX journal_lines_date_idx ON reporting.journal_lines (entry_date)
      INCLUDE (account_code, direction, amount_minor, currency, source_partition, source_offset)`,
    'CREATE INDEX journal_lines_ref_idx ON reporting.journal_lines (external_ref_id)',
    `CREATE TABLE reporting.facts (
      kind text NOT NULL,
      subject_id uuid NOT NULL,
      revision bigint NOT NULL DEFAULT 0,
      vehicle_id uuid NULL,
      rental_id uuid NULL,
      customer_id uuid NULL,
      at timestamptz NULL,
      amount_minor bigint NULL,
      currency text NULL,
      reading_km integer NULL CHECK (reading_km >= 0),
      vehicle_class text NULL,
      replaces_id uuid NULL,
      ${POSITION_COLUMNS},
      PRIMARY KEY (kind, subject_id, revision),
      ${statusCheck('facts_kind_check', FACT_KINDS, 'kind')},
      CONSTRAINT facts_currency_check CHECK (currency IS NULL OR currency ~ '^[A-Z]{3}$')
    )`,
    'CREATE INDEX facts_vehicle_idx ON reporting.facts (vehicle_id, kind) WHERE vehicle_id IS NOT NULL',
    'CREATE INDEX facts_rental_idx ON reporting.facts (rental_id, kind) WHERE rental_id IS NOT NULL',
    `CREATE TABLE reporting.source_positions (
      topic text NOT NULL,
      partition integer NOT NULL CHECK (partition >= 0),
      last_offset bigint NOT NULL CHECK (last_offset >= 0),
      PRIMARY KEY (topic, partition)
    )`,
    // The schema's default privileges give reporting_svc its rights on these tables (a grant on
    // every table here would give back those report_snapshots must not have). The read models
    // grow; nothing rewrites what was read (the watermark only moves forward).
    'REVOKE UPDATE, DELETE, TRUNCATE ON reporting.journal_lines, reporting.facts, reporting.accounts FROM reporting_svc',
    `INSERT INTO identity.permissions (name) VALUES ${PERMISSIONS_OF_REPORTING.map((permission) => `(${quoted(permission)})`).join(', ')} ON CONFLICT (name) DO NOTHING`,
    `INSERT INTO identity.role_permissions (role_id, permission_id)
      SELECT r.id, p.id FROM (VALUES ${REPORTING_GRANTS.map(([role, permission]) => `(${quoted(role)}, ${quoted(permission)})`).join(', ')}) AS g (role_name, permission_name)
      JOIN identity.roles r ON r.name = g.role_name
      JOIN identity.permissions p ON p.name = g.permission_name
      ON CONFLICT DO NOTHING`,
  ]);
}

export async function down(knex: Knex): Promise<void> {
  const permissions = PERMISSIONS_OF_REPORTING.map(quoted).join(', ');
  await runStatements(knex, [
    `DELETE FROM identity.role_permissions WHERE permission_id IN (SELECT id FROM identity.permissions WHERE name IN (${permissions}))`,
    `DELETE FROM identity.permissions WHERE name IN (${permissions})`,
    'DROP TABLE reporting.source_positions',
    'DROP TABLE reporting.facts',
    'DROP TABLE reporting.journal_lines',
    'DROP TABLE reporting.accounts',
  ]);
}
