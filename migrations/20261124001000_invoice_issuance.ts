import type { Knex } from 'knex';
import { runStatements } from './support/sql';

/**
 * What the ledger needs to issue invoices and credit notes, and what the database guarantees of
 * them:
 *
 * - the customer of each reservation, kept with the ledger's copy of its charge lines (invoices
 *   name the customer; the completion event does not);
 * - a discount is a line of its own with a negative amount (every other charge is non-negative),
 *   and a line's amount is its quantity times its unit amount;
 * - numbers run without gaps per year: an invoice or credit note must take exactly the next number
 *   of its year's counter, which its insert advances (so a rolled-back issue gives its number back,
 *   and no writer can skip or reuse one);
 * - checked at commit: a document has lines, its total is the sum of its lines in its own currency,
 *   and the credit notes of an invoice never credit more than it charged.
 */
export async function up(knex: Knex): Promise<void> {
  await runStatements(knex, [
    'ALTER TABLE accounting.rental_reservations ADD COLUMN customer_id uuid NULL',

    `ALTER TABLE accounting.invoice_lines
      DROP CONSTRAINT invoice_lines_unit_amount_cents_check,
      DROP CONSTRAINT invoice_lines_amount_cents_check,
      ADD CONSTRAINT invoice_lines_sign_check CHECK (
        CASE WHEN charge_type = 'discount' THEN amount_cents <= 0 AND unit_amount_cents <= 0
             ELSE amount_cents >= 0 AND unit_amount_cents >= 0 END),
      ADD CONSTRAINT invoice_lines_amount_check CHECK (amount_cents = quantity * unit_amount_cents)`,
    `ALTER TABLE accounting.invoices
      ADD CONSTRAINT invoices_number_format_check CHECK (
        invoice_number = (CASE kind WHEN 'invoice' THEN 'INV-' ELSE 'CRN-' END) || year || '-' || lpad(sequence_number::text, 6, '0'))`,

    `CREATE FUNCTION accounting.take_invoice_number() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.sequence_number = 1 THEN
        INSERT INTO accounting.invoice_number_counters (year, last_number) VALUES (NEW.year, 1) ON CONFLICT (year) DO NOTHING;
        IF FOUND THEN
          RETURN NEW;
        END IF;
      END IF;
      UPDATE accounting.invoice_number_counters SET last_number = NEW.sequence_number
        WHERE year = NEW.year AND last_number = NEW.sequence_number - 1;
      IF NOT FOUND THEN
        RAISE EXCEPTION 'document number % of % is not the next number of its year', NEW.sequence_number, NEW.year
          USING ERRCODE = 'check_violation', CONSTRAINT = 'invoices_gapless_number';
      END IF;
      RETURN NEW;
    END
    $$`,
    `CREATE TRIGGER invoices_gapless_number BEFORE INSERT ON accounting.invoices FOR EACH ROW EXECUTE FUNCTION accounting.take_invoice_number()`,

    `CREATE FUNCTION accounting.assert_invoice_consistent(document_id uuid) RETURNS void LANGUAGE plpgsql AS $$
    DECLARE
      document record;
      line_count int;
      line_total bigint;
      other_currencies int;
      credited bigint;
      charged bigint;
    BEGIN
      SELECT id, kind, total_cents, currency, credited_invoice_id INTO document FROM accounting.invoices WHERE id = document_id;
      SELECT count(*), coalesce(sum(amount_cents), 0), count(*) FILTER (WHERE currency <> document.currency)
        INTO line_count, line_total, other_currencies
        FROM accounting.invoice_lines WHERE invoice_id = document_id;
      IF line_count = 0 THEN
        RAISE EXCEPTION 'document % has no lines', document_id USING ERRCODE = 'check_violation', CONSTRAINT = 'invoices_lines_total';
      END IF;
      IF line_total <> document.total_cents OR other_currencies > 0 THEN
        RAISE EXCEPTION 'document % totals % %, its lines % (% in another currency)', document_id, document.total_cents, document.currency, line_total, other_currencies
          USING ERRCODE = 'check_violation', CONSTRAINT = 'invoices_lines_total';
      END IF;
      IF document.kind = 'credit_note' THEN
        SELECT total_cents INTO charged FROM accounting.invoices WHERE id = document.credited_invoice_id AND kind = 'invoice' AND currency = document.currency;
        SELECT coalesce(sum(total_cents), 0) INTO credited FROM accounting.invoices WHERE credited_invoice_id = document.credited_invoice_id;
        IF charged IS NULL OR credited > charged THEN
          RAISE EXCEPTION 'credit notes of % credit % %, more than it charged (%)', document.credited_invoice_id, credited, document.currency, coalesce(charged::text, 'nothing in that currency')
            USING ERRCODE = 'check_violation', CONSTRAINT = 'invoices_credit_within_invoice';
        END IF;
      END IF;
    END
    $$`,
    `CREATE FUNCTION accounting.check_invoice_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM accounting.assert_invoice_consistent(NEW.id);
      RETURN NULL;
    END
    $$`,
    `CREATE FUNCTION accounting.check_invoice_after_line_insert() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM accounting.assert_invoice_consistent(NEW.invoice_id);
      RETURN NULL;
    END
    $$`,
    // Deferred to COMMIT, like the journal's balance: a document and its lines are inserted one statement at a time.
    `CREATE CONSTRAINT TRIGGER invoices_consistent AFTER INSERT ON accounting.invoices
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION accounting.check_invoice_after_insert()`,
    `CREATE CONSTRAINT TRIGGER invoice_lines_consistent AFTER INSERT ON accounting.invoice_lines
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION accounting.check_invoice_after_line_insert()`,
    'CREATE INDEX invoices_journal_entry_idx ON accounting.invoices (journal_entry_id)',
    'CREATE INDEX invoices_credited_invoice_idx ON accounting.invoices (credited_invoice_id) WHERE credited_invoice_id IS NOT NULL',
  ]);
}

export async function down(knex: Knex): Promise<void> {
  await runStatements(knex, [
    'DROP INDEX accounting.invoices_credited_invoice_idx',
    'DROP INDEX accounting.invoices_journal_entry_idx',
    'DROP TRIGGER invoice_lines_consistent ON accounting.invoice_lines',
    'DROP TRIGGER invoices_consistent ON accounting.invoices',
    'DROP FUNCTION accounting.check_invoice_after_line_insert()',
    'DROP FUNCTION accounting.check_invoice_after_insert()',
    'DROP FUNCTION accounting.assert_invoice_consistent(uuid)',
    'DROP TRIGGER invoices_gapless_number ON accounting.invoices',
    'DROP FUNCTION accounting.take_invoice_number()',
    'ALTER TABLE accounting.invoices DROP CONSTRAINT invoices_number_format_check',
    `ALTER TABLE accounting.invoice_lines
      DROP CONSTRAINT invoice_lines_amount_check,
      DROP CONSTRAINT invoice_lines_sign_check,
      ADD CONSTRAINT invoice_lines_unit_amount_cents_check CHECK (unit_amount_cents >= 0),
      ADD CONSTRAINT invoice_lines_amount_cents_check CHECK (amount_cents >= 0)`,
    'ALTER TABLE accounting.rental_reservations DROP COLUMN customer_id',
  ]);
}
