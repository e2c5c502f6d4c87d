import type { Knex } from 'knex';
import type { AccountCode } from '../../processors/ledger/chart-of-accounts';
import type { Direction, PostedEntry } from '../../processors/ledger/posting-rules';

export type LedgerEntry = PostedEntry & {
  readonly externalRefType: string;
  readonly externalRefId: string;
  /** The entry this one reverses, for a reversal. */
  readonly reversesEntryId: string | null;
};

/** Every journal entry with its lines, by external reference (`type/id`). */
export async function readLedgerEntries(database: Knex): Promise<Map<string, LedgerEntry>> {
  const rows: { id: string; external_ref_type: string; external_ref_id: string; reverses_entry_id: string | null; code: AccountCode; direction: Direction; amount_cents: string; currency: string }[] = await database(
    'accounting.journal_entries as e',
  )
    .join('accounting.journal_lines as l', 'l.journal_entry_id', 'e.id')
    .join('accounting.accounts as a', 'a.id', 'l.account_id')
    .select('e.id', 'e.external_ref_type', 'e.external_ref_id', 'e.reverses_entry_id', 'a.code', 'l.direction', 'l.amount_cents', 'l.currency');
  const entries = new Map<string, { id: string; externalRefType: string; externalRefId: string; reversesEntryId: string | null; lines: PostedEntry['lines'] }>();
  for (const row of rows) {
    const key = `${row.external_ref_type}/${row.external_ref_id}`;
    const entry = entries.get(key) ?? { id: row.id, externalRefType: row.external_ref_type, externalRefId: row.external_ref_id, reversesEntryId: row.reverses_entry_id, lines: [] };
    entry.lines.push({ account: row.code, direction: row.direction, amountMinor: Number(row.amount_cents), currency: row.currency.trim() });
    entries.set(key, entry);
  }
  return entries;
}

/** An invoice or credit note as issued: what the invoice comparison needs of it. */
export interface IssuedInvoice {
  readonly kind: 'invoice' | 'credit_note';
  readonly number: string;
  readonly sourceEventType: string;
  readonly sourceEventId: string;
  readonly totalMinor: number;
  readonly currency: string;
}

/** Every invoice and credit note issued. */
export async function readInvoices(database: Knex): Promise<IssuedInvoice[]> {
  const rows: { kind: 'invoice' | 'credit_note'; invoice_number: string; source_event_type: string; source_event_id: string; total_cents: string; currency: string }[] = await database('accounting.invoices').select(
    'kind',
    'invoice_number',
    'source_event_type',
    'source_event_id',
    'total_cents',
    'currency',
  );
  return rows.map((row) => ({ kind: row.kind, number: row.invoice_number, sourceEventType: row.source_event_type, sourceEventId: row.source_event_id, totalMinor: Number(row.total_cents), currency: row.currency.trim() }));
}
