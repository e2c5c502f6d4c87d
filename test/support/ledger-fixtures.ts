import type { Knex } from 'knex';
import { randomBytes, randomUUID } from 'node:crypto';

let sequence = 0;

/**
 * Hash-chain columns for a journal entry a read test writes by hand: a fresh sequence and random
 * hashes, unique as the constraints ask. Such entries do not form a verifiable chain; tests of the
 * chain itself post through the ledger (test/int/db/ledger-postings.int.test.ts).
 */
export function handWrittenChainColumns(): { sequence: number; previous_hash: Buffer; entry_hash: Buffer } {
  sequence += 1;
  return { sequence, previous_hash: randomBytes(32), entry_hash: randomBytes(32) };
}

export interface HandWrittenLine {
  readonly description: string;
  readonly chargeType: string;
  readonly quantity?: number;
  readonly unitAmountCents: number;
}

/**
 * Writes an invoice or credit note and its lines in one transaction, as the ledger issues them:
 * the database checks at commit that the total is the sum of the lines, and takes the number only
 * if it is the next of its year. Returns the document's id.
 */
export async function writeHandWrittenDocument(
  database: Knex,
  document: { kind?: 'invoice' | 'credit_note'; year: number; sequenceNumber: number; currency: string; issuedAt: string; customerId?: string | null; creditedInvoiceId?: string | null; lines: readonly HandWrittenLine[] },
): Promise<string> {
  const id = randomUUID();
  const kind = document.kind ?? 'invoice';
  const lines = document.lines.map((line, index) => ({
    invoice_id: id,
    line_number: index + 1,
    description: line.description,
    charge_type: line.chargeType,
    quantity: line.quantity ?? 1,
    unit_amount_cents: line.unitAmountCents,
    amount_cents: (line.quantity ?? 1) * line.unitAmountCents,
    currency: document.currency,
  }));
  await database.transaction(async (transaction) => {
    await transaction('accounting.invoices').insert({
      id,
      kind,
      year: document.year,
      sequence_number: document.sequenceNumber,
      invoice_number: `${kind === 'invoice' ? 'INV' : 'CRN'}-${document.year}-${String(document.sequenceNumber).padStart(6, '0')}`,
      source_event_type: 'test',
      source_event_id: randomUUID(),
      customer_id: document.customerId ?? null,
      credited_invoice_id: document.creditedInvoiceId ?? null,
      total_cents: lines.reduce((sum, line) => sum + line.amount_cents, 0),
      currency: document.currency,
      issued_at: document.issuedAt,
    });
    await transaction('accounting.invoice_lines').insert(lines);
  });
  return id;
}
