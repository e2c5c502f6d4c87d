import type { Knex } from 'knex';
import { publishViews, runStatements } from './support/sql';

/**
 * What the gateway's accounting reads need (docs/accounting-http.md), published to its read-only
 * login: the chart of accounts, journal entries, their lines joined to the entry and the account
 * (so that balances as of a date and a period's journal come from one view), and invoice lines.
 * Two indexes serve the reads' orders: a period's entries by (entry_date, id), a customer's
 * invoices by issue time. The permission accounting.read is seeded for the accountant and the
 * auditor; its name is spelled out rather than taken from platform/access.ts, so that this
 * migration means the same whatever the declaration becomes. Every statement may run again
 * without effect.
 */
const VIEWS = ['accounts_view', 'journal_entries_view', 'journal_lines_view', 'invoice_lines_view'];
const PERMISSION = 'accounting.read';
const ROLES = ['admin', 'system', 'accountant', 'auditor'];

export async function up(knex: Knex): Promise<void> {
  await runStatements(knex, [
    `CREATE OR REPLACE VIEW accounting.accounts_view AS
      SELECT id, code, name, type, is_active FROM accounting.accounts`,
    `CREATE OR REPLACE VIEW accounting.journal_entries_view AS
      SELECT id, external_ref_type, external_ref_id, entry_date, description, reverses_entry_id, created_at
      FROM accounting.journal_entries`,
    `CREATE OR REPLACE VIEW accounting.journal_lines_view AS
      SELECT l.id, l.journal_entry_id, e.entry_date, e.external_ref_type, e.external_ref_id, e.description AS entry_description,
             e.reverses_entry_id, l.account_id, a.code AS account_code, a.name AS account_name, a.type AS account_type,
             l.direction, l.amount_cents, l.currency, l.memo, l.created_at
      FROM accounting.journal_lines l
      JOIN accounting.journal_entries e ON e.id = l.journal_entry_id
      JOIN accounting.accounts a ON a.id = l.account_id`,
    `CREATE OR REPLACE VIEW accounting.invoice_lines_view AS
      SELECT id, invoice_id, line_number, description, charge_type, quantity, unit_amount_cents, amount_cents, currency
      FROM accounting.invoice_lines`,
    'CREATE INDEX IF NOT EXISTS journal_entries_entry_date_id_idx ON accounting.journal_entries (entry_date, id)',
    'CREATE INDEX IF NOT EXISTS invoices_customer_issued_idx ON accounting.invoices (customer_id, issued_at, id) WHERE customer_id IS NOT NULL',
    ...publishViews('accounting', VIEWS),
    `INSERT INTO identity.permissions (name) VALUES ('${PERMISSION}') ON CONFLICT (name) DO NOTHING`,
    `INSERT INTO identity.role_permissions (role_id, permission_id)
      SELECT r.id, p.id FROM identity.roles r JOIN identity.permissions p ON p.name = '${PERMISSION}'
      WHERE r.name IN (${ROLES.map((role) => `'${role}'`).join(', ')})
      ON CONFLICT DO NOTHING`,
  ]);
}

export async function down(knex: Knex): Promise<void> {
  await runStatements(knex, [
    `DELETE FROM identity.role_permissions WHERE permission_id IN (SELECT id FROM identity.permissions WHERE name = '${PERMISSION}')`,
    `DELETE FROM identity.permissions WHERE name = '${PERMISSION}'`,
    'DROP INDEX IF EXISTS accounting.invoices_customer_issued_idx',
    'DROP INDEX IF EXISTS accounting.journal_entries_entry_date_id_idx',
    ...VIEWS.map((view) => `DROP VIEW IF EXISTS accounting.${view}`),
  ]);
}
