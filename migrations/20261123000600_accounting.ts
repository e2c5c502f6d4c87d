import type { Knex } from 'knex';
import {
  AUDIT_COLUMNS,
  currencyCheck,
  dropContext,
  grantContextRights,
  immutableTriggers,
  integrationTables,
  nonNegativeCheck,
  publishViews,
  runStatements,
  statusCheck,
  touchTrigger,
} from './support/sql';

/**
 * The double-entry ledger as immutable facts, and invoices. The database guarantees what the
 * books rest on: an entry balances per currency and has at least two lines (checked at commit, so
 * the lines of one entry can be inserted one by one), a source event posts at most once (its
 * external reference is unique), and posted rows are never changed: corrections are reversing
 * entries.
 */
export async function up(knex: Knex): Promise<void> {
  const statements = [
    'CREATE SCHEMA accounting',
    `CREATE TABLE accounting.accounts (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      code text NOT NULL,
      name text NOT NULL,
      type text NOT NULL,
      is_active boolean NOT NULL DEFAULT true,
      ${AUDIT_COLUMNS},
      CONSTRAINT accounts_code_key UNIQUE (code),
      CONSTRAINT accounts_code_check CHECK (code ~ '^[A-Z][A-Z0-9_]*$'),
      ${statusCheck('accounts_type_check', ['asset', 'liability', 'equity', 'revenue', 'expense'], 'type')}
    )`,
    touchTrigger('accounting.accounts'),

    `CREATE TABLE accounting.journal_entries (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      external_ref_type text NOT NULL,
      external_ref_id uuid NOT NULL,
      entry_date date NOT NULL,
      description text NULL,
      reverses_entry_id uuid NULL REFERENCES accounting.journal_entries (id),
      correlation_id text NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      created_by uuid NULL,
      CONSTRAINT journal_entries_external_ref_key UNIQUE (external_ref_type, external_ref_id),
      CONSTRAINT journal_entries_reverses_entry_key UNIQUE (reverses_entry_id),
      CONSTRAINT journal_entries_not_self_reversing CHECK (reverses_entry_id <> id)
    )`,
    'CREATE INDEX journal_entries_entry_date_idx ON accounting.journal_entries (entry_date)',
    `CREATE TABLE accounting.journal_lines (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      journal_entry_id uuid NOT NULL REFERENCES accounting.journal_entries (id),
      account_id uuid NOT NULL REFERENCES accounting.accounts (id),
      direction text NOT NULL,
      amount_cents bigint NOT NULL,
      currency char(3) NOT NULL,
      memo text NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      ${statusCheck('journal_lines_direction_check', ['debit', 'credit'], 'direction')},
      CONSTRAINT journal_lines_amount_cents_check CHECK (amount_cents > 0),
      ${currencyCheck('journal_lines_currency_check')}
    )`,
    'CREATE INDEX journal_lines_account_entry_idx ON accounting.journal_lines (account_id, journal_entry_id)',
    'CREATE INDEX journal_lines_entry_idx ON accounting.journal_lines (journal_entry_id)',

    `CREATE FUNCTION accounting.assert_entry_balanced(entry_id uuid) RETURNS void LANGUAGE plpgsql AS $$
    DECLARE
      line_count int;
      imbalance record;
    BEGIN
      SELECT count(*) INTO line_count FROM accounting.journal_lines WHERE journal_entry_id = entry_id;
      IF line_count < 2 THEN
        RAISE EXCEPTION 'journal entry % has % line(s); an entry needs at least two', entry_id, line_count
          USING ERRCODE = 'check_violation', CONSTRAINT = 'journal_entries_min_two_lines';
      END IF;
      SELECT currency,
             sum(amount_cents) FILTER (WHERE direction = 'debit') AS debits,
             sum(amount_cents) FILTER (WHERE direction = 'credit') AS credits
        INTO imbalance
        FROM accounting.journal_lines WHERE journal_entry_id = entry_id
        GROUP BY currency
        HAVING coalesce(sum(amount_cents) FILTER (WHERE direction = 'debit'), 0)
            <> coalesce(sum(amount_cents) FILTER (WHERE direction = 'credit'), 0)
        ORDER BY currency LIMIT 1;
      IF FOUND THEN
        RAISE EXCEPTION 'journal entry % does not balance in %: debits % cents, credits % cents',
          entry_id, imbalance.currency, coalesce(imbalance.debits, 0), coalesce(imbalance.credits, 0)
          USING ERRCODE = 'check_violation', CONSTRAINT = 'journal_entries_balanced';
      END IF;
    END
    $$`,
    `CREATE FUNCTION accounting.check_entry_after_entry_insert() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM accounting.assert_entry_balanced(NEW.id);
      RETURN NULL;
    END
    $$`,
    `CREATE FUNCTION accounting.check_entry_after_line_insert() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM accounting.assert_entry_balanced(NEW.journal_entry_id);
      RETURN NULL;
    END
    $$`,
    // Deferred to COMMIT: an entry and its lines are written in one transaction, in any order.
    `CREATE CONSTRAINT TRIGGER journal_entries_balanced AFTER INSERT ON accounting.journal_entries
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION accounting.check_entry_after_entry_insert()`,
    `CREATE CONSTRAINT TRIGGER journal_lines_balanced AFTER INSERT ON accounting.journal_lines
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION accounting.check_entry_after_line_insert()`,
    ...immutableTriggers('accounting.journal_entries', 'journal_entries_immutable'),
    ...immutableTriggers('accounting.journal_lines', 'journal_lines_immutable'),

    // Invoice numbers run without gaps per year: a number is taken by updating this row in the
    // issuing transaction, so a rolled-back issue gives its number back.
    `CREATE TABLE accounting.invoice_number_counters (
      year int PRIMARY KEY,
      last_number int NOT NULL DEFAULT 0,
      ${AUDIT_COLUMNS},
      CONSTRAINT invoice_number_counters_year_check CHECK (year BETWEEN 2000 AND 2200),
      CONSTRAINT invoice_number_counters_last_number_check CHECK (last_number >= 0)
    )`,
    touchTrigger('accounting.invoice_number_counters'),
    `CREATE TABLE accounting.invoices (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      kind text NOT NULL DEFAULT 'invoice',
      year int NOT NULL,
      sequence_number int NOT NULL,
      invoice_number text NOT NULL,
      source_event_type text NOT NULL,
      source_event_id uuid NOT NULL,
      rental_id uuid NULL,
      customer_id uuid NULL,
      credited_invoice_id uuid NULL REFERENCES accounting.invoices (id),
      journal_entry_id uuid NULL REFERENCES accounting.journal_entries (id),
      total_cents bigint NOT NULL,
      currency char(3) NOT NULL,
      issued_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      created_by uuid NULL,
      ${statusCheck('invoices_kind_check', ['invoice', 'credit_note'], 'kind')},
      CONSTRAINT invoices_year_sequence_key UNIQUE (year, sequence_number),
      CONSTRAINT invoices_invoice_number_key UNIQUE (invoice_number),
      CONSTRAINT invoices_source_event_key UNIQUE (source_event_type, source_event_id),
      CONSTRAINT invoices_sequence_number_check CHECK (sequence_number > 0),
      CONSTRAINT invoices_credit_note_check CHECK ((kind = 'credit_note') = (credited_invoice_id IS NOT NULL)),
      ${nonNegativeCheck('invoices', 'total_cents')},
      ${currencyCheck('invoices_currency_check')}
    )`,
    'CREATE INDEX invoices_rental_idx ON accounting.invoices (rental_id)',
    'CREATE INDEX invoices_issued_at_idx ON accounting.invoices (issued_at)',
    ...immutableTriggers('accounting.invoices', 'invoices_immutable'),
    `CREATE TABLE accounting.invoice_lines (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      invoice_id uuid NOT NULL REFERENCES accounting.invoices (id),
      line_number int NOT NULL,
      description text NOT NULL,
      charge_type text NOT NULL,
      quantity int NOT NULL DEFAULT 1,
      unit_amount_cents bigint NOT NULL,
      amount_cents bigint NOT NULL,
      currency char(3) NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT invoice_lines_number_key UNIQUE (invoice_id, line_number),
      CONSTRAINT invoice_lines_quantity_check CHECK (quantity > 0),
      ${nonNegativeCheck('invoice_lines', 'unit_amount_cents')},
      ${nonNegativeCheck('invoice_lines', 'amount_cents')},
      ${currencyCheck('invoice_lines_currency_check')}
    )`,
    ...immutableTriggers('accounting.invoice_lines', 'invoice_lines_immutable'),

    ...integrationTables('accounting'),
    `CREATE VIEW accounting.account_balances_view AS
      SELECT a.id AS account_id, a.code, a.name, a.type, l.currency,
             coalesce(sum(l.amount_cents) FILTER (WHERE l.direction = 'debit'), 0) AS debit_cents,
             coalesce(sum(l.amount_cents) FILTER (WHERE l.direction = 'credit'), 0) AS credit_cents
      FROM accounting.accounts a
      JOIN accounting.journal_lines l ON l.account_id = a.id
      GROUP BY a.id, a.code, a.name, a.type, l.currency`,
    `CREATE VIEW accounting.invoices_view AS
      SELECT id, kind, invoice_number, rental_id, customer_id, credited_invoice_id, total_cents, currency, issued_at
      FROM accounting.invoices`,
    ...grantContextRights('accounting'),
    // Belt and braces: the ledger's own login cannot even ask to change posted rows.
    'REVOKE UPDATE, DELETE, TRUNCATE ON accounting.journal_entries, accounting.journal_lines, accounting.invoices, accounting.invoice_lines FROM accounting_svc',
    ...publishViews('accounting', ['account_balances_view', 'invoices_view']),
  ];
  await runStatements(knex, statements);
}

export async function down(knex: Knex): Promise<void> {
  await runStatements(knex, dropContext('accounting'));
}
