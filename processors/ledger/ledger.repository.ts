import type { Knex } from 'knex';

export type Direction = 'debit' | 'credit';

export interface JournalLine {
  readonly accountId: string;
  readonly direction: Direction;
  readonly amountCents: number;
  readonly currency: string;
}

export interface JournalEntry {
  readonly id: string;
  /** The source event's type and id: the idempotency key of the posting. */
  readonly externalRefType: string;
  readonly externalRefId: string;
  readonly entryDate: string;
  readonly description: string | null;
  readonly reversesEntryId: string | null;
  readonly correlationId: string | null;
  readonly createdBy: string | null;
  readonly lines: readonly JournalLine[];
}

/**
 * 'already_posted': the same source event was posted before with the same lines (a redelivery).
 * 'conflicting_posting': it was posted before with different lines, which is a bug upstream.
 */
export type PostResult =
  | { readonly outcome: 'posted'; readonly entryId: string }
  | { readonly outcome: 'already_posted'; readonly entryId: string }
  | { readonly outcome: 'conflicting_posting'; readonly entryId: string };

function lineKey(line: JournalLine): string {
  return `${line.accountId}|${line.direction}|${line.amountCents}|${line.currency}`;
}

function sameLines(left: readonly JournalLine[], right: readonly JournalLine[]): boolean {
  const sortedLeft = left.map(lineKey).sort();
  const sortedRight = right.map(lineKey).sort();
  return sortedLeft.length === sortedRight.length && sortedLeft.every((key, index) => key === sortedRight[index]);
}

/** The ledger's only SQL: journal entries and their lines, written once. */
export class LedgerRepository {
  /**
   * Posts an entry and its lines. The unique external reference makes a second posting of the
   * same source event a no-op, told apart from a posting with different lines; the balance is
   * checked by the database when the caller commits.
   */
  async post(transaction: Knex.Transaction, entry: JournalEntry): Promise<PostResult> {
    const inserted: { id: string }[] = await transaction
      .withSchema('accounting')
      .table('journal_entries')
      .insert({
        id: entry.id,
        external_ref_type: entry.externalRefType,
        external_ref_id: entry.externalRefId,
        entry_date: entry.entryDate,
        description: entry.description,
        reverses_entry_id: entry.reversesEntryId,
        correlation_id: entry.correlationId,
        created_by: entry.createdBy,
      })
      .onConflict(['external_ref_type', 'external_ref_id'])
      .ignore()
      .returning('id');
    if (inserted.length === 1) {
      await transaction
        .withSchema('accounting')
        .table('journal_lines')
        .insert(
          entry.lines.map((line) => ({
            journal_entry_id: entry.id,
            account_id: line.accountId,
            direction: line.direction,
            amount_cents: line.amountCents,
            currency: line.currency,
          })),
        );
      return { outcome: 'posted', entryId: entry.id };
    }
    const existing = await this.findByExternalRef(transaction, entry.externalRefType, entry.externalRefId);
    if (existing === undefined) throw new Error(`posting ${entry.externalRefType}/${entry.externalRefId} conflicted but cannot be read back`);
    return { outcome: sameLines(existing.lines, entry.lines) ? 'already_posted' : 'conflicting_posting', entryId: existing.id };
  }

  async findByExternalRef(
    transaction: Knex.Transaction,
    externalRefType: string,
    externalRefId: string,
  ): Promise<{ id: string; lines: JournalLine[] } | undefined> {
    const rows: { id: string; account_id: string | null; direction: Direction | null; amount_cents: number | null; currency: string | null }[] =
      await transaction
        .from('accounting.journal_entries as e')
        .leftJoin('accounting.journal_lines as l', 'l.journal_entry_id', 'e.id')
        .select('e.id', 'l.account_id', 'l.direction', 'l.amount_cents', 'l.currency')
        .where({ 'e.external_ref_type': externalRefType, 'e.external_ref_id': externalRefId });
    const first = rows[0];
    if (first === undefined) return undefined;
    return {
      id: first.id,
      lines: rows
        .filter((row) => row.account_id !== null)
        .map((row) => ({ accountId: row.account_id!, direction: row.direction!, amountCents: row.amount_cents!, currency: row.currency! })),
    };
  }
}
