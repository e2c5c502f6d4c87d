import type { Knex } from 'knex';
import { CHART_OF_ACCOUNTS } from '../processors/ledger/chart-of-accounts';
import { currencyCheck, runStatements } from './support/sql';

/**
 * What the ledger processor posts with: its permissions, the chart of accounts (seeded from its one declaration,
 * processors/ledger/chart-of-accounts.ts), the hash chain over journal entries, and the ledger's
 * copy of each reservation's charge lines (revenue is booked when the rental completes, and the
 * completion event carries only the lines the return added).
 *
 * The chain: every entry has a gapless `sequence`, the hash of the entry before it and its own
 * hash. Postings serialise on the one row of `accounting.chain_head`, and the unique previous
 * hash makes a fork impossible even for a writer that skips that lock. The ledger had no writer
 * before this migration, so there are no entries to chain; the migration refuses to run if there
 * are.
 */
const quoted = (value: string) => `'${value.replace(/'/g, "''")}'`;

/**
 * The ledger's permissions and their grants, for a database whose built-in roles were seeded
 * before they existed (a new one gets them from platform/access.ts in the identity migration).
 * Spelled out, so that this migration means the same whatever the declaration becomes.
 */
const LEDGER_PERMISSIONS = ['accounting.read', 'accounting.journal.post', 'accounting.accounts.manage'];
const LEDGER_GRANTS: readonly (readonly [role: string, permission: string])[] = [
  ...['admin', 'system', 'accountant'].flatMap((role) => LEDGER_PERMISSIONS.map((permission) => [role, permission] as const)),
  ['auditor', 'accounting.read'],
];

export async function up(knex: Knex): Promise<void> {
  await runStatements(knex, [
    `INSERT INTO identity.permissions (name) VALUES ${LEDGER_PERMISSIONS.map((permission) => `(${quoted(permission)})`).join(', ')} ON CONFLICT (name) DO NOTHING`,
    `INSERT INTO identity.role_permissions (role_id, permission_id)
      SELECT r.id, p.id FROM (VALUES ${LEDGER_GRANTS.map(([role, permission]) => `(${quoted(role)}, ${quoted(permission)})`).join(', ')}) AS g (role_name, permission_name)
      JOIN identity.roles r ON r.name = g.role_name
      JOIN identity.permissions p ON p.name = g.permission_name
      ON CONFLICT DO NOTHING`,
    `INSERT INTO accounting.accounts (code, name, type) VALUES
      ${CHART_OF_ACCOUNTS.map((account) => `(${quoted(account.code)}, ${quoted(account.name)}, ${quoted(account.type)})`).join(',\n      ')}
      ON CONFLICT (code) DO NOTHING`,

    `DO $$ BEGIN
      IF EXISTS (SELECT 1 FROM accounting.journal_entries) THEN
        RAISE EXCEPTION 'accounting.journal_entries has rows written before the hash chain; chain them before migrating';
      END IF;
    END $$`,
    `ALTER TABLE accounting.journal_entries
      ADD COLUMN sequence bigint NOT NULL,
      ADD COLUMN previous_hash bytea NOT NULL,
      ADD COLUMN entry_hash bytea NOT NULL,
      ADD CONSTRAINT journal_entries_sequence_key UNIQUE (sequence),
      ADD CONSTRAINT journal_entries_previous_hash_key UNIQUE (previous_hash),
      ADD CONSTRAINT journal_entries_entry_hash_key UNIQUE (entry_hash),
      ADD CONSTRAINT journal_entries_sequence_check CHECK (sequence > 0),
      ADD CONSTRAINT journal_entries_hash_length_check CHECK (octet_length(previous_hash) = 32 AND octet_length(entry_hash) = 32)`,
    `CREATE TABLE accounting.chain_head (
      singleton boolean PRIMARY KEY DEFAULT true,
      sequence bigint NOT NULL,
      entry_hash bytea NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT chain_head_singleton_check CHECK (singleton),
      CONSTRAINT chain_head_sequence_check CHECK (sequence >= 0),
      CONSTRAINT chain_head_hash_length_check CHECK (octet_length(entry_hash) = 32)
    )`,
    `INSERT INTO accounting.chain_head (singleton, sequence, entry_hash) VALUES (true, 0, '\\x${'00'.repeat(32)}'::bytea)`,
    // The head only moves forward: a posting takes the next sequence.
    `CREATE FUNCTION accounting.chain_head_forward() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.sequence <> OLD.sequence + 1 THEN
        RAISE EXCEPTION 'the chain head moves from % to %; it only moves to the next sequence', OLD.sequence, NEW.sequence
          USING ERRCODE = 'check_violation', CONSTRAINT = 'chain_head_forward';
      END IF;
      RETURN NEW;
    END
    $$`,
    `CREATE TRIGGER chain_head_forward BEFORE UPDATE ON accounting.chain_head FOR EACH ROW EXECUTE FUNCTION accounting.chain_head_forward()`,
    'REVOKE INSERT, DELETE, TRUNCATE ON accounting.chain_head FROM accounting_svc',

    `CREATE TABLE accounting.rental_reservations (
      rental_id uuid PRIMARY KEY,
      currency char(3) NOT NULL,
      lines jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      ${currencyCheck('rental_reservations_currency_check')},
      CONSTRAINT rental_reservations_lines_check CHECK (jsonb_typeof(lines) = 'array')
    )`,
  ]);
}

export async function down(knex: Knex): Promise<void> {
  const permissions = LEDGER_PERMISSIONS.map(quoted).join(', ');
  await runStatements(knex, [
    `DELETE FROM identity.role_permissions WHERE permission_id IN (SELECT id FROM identity.permissions WHERE name IN (${permissions}))`,
    `DELETE FROM identity.permissions WHERE name IN (${permissions})`,
    'DROP TABLE accounting.rental_reservations',
    'DROP TABLE accounting.chain_head',
    'DROP FUNCTION accounting.chain_head_forward()',
    `ALTER TABLE accounting.journal_entries
      DROP COLUMN sequence, DROP COLUMN previous_hash, DROP COLUMN entry_hash`,
    `DELETE FROM accounting.accounts a WHERE a.code IN (${CHART_OF_ACCOUNTS.map((account) => quoted(account.code)).join(', ')})
      AND NOT EXISTS (SELECT 1 FROM accounting.journal_lines l WHERE l.account_id = a.id)`,
  ]);
}
