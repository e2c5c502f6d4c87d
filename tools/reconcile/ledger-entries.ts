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
