import type { Knex } from 'knex';
import type { AccountCode } from './chart-of-accounts';
import { entryHash } from './entry-hash';
import type { Direction, Posting, PostedEntry } from './posting-rules';
import { sameLines } from './same-lines';
import type { ChargeLine } from './source-events';

export interface JournalEntry {
  readonly id: string;
  readonly posting: Posting;
  readonly correlationId: string | null;
  readonly createdBy: string | null;
}

/**
 * 'already_posted': the same fact was posted before with the same lines (a redelivery, a replay).
 * 'conflicting_posting': it was posted before with different lines, which is a bug upstream.
 */
export type PostResult =
  | { readonly outcome: 'posted'; readonly entryId: string; readonly sequence: number }
  | { readonly outcome: 'already_posted'; readonly entryId: string }
  | { readonly outcome: 'conflicting_posting'; readonly entryId: string };

/** The ledger's only SQL: journal entries and their lines (written once, chained), and its copy of reservations. */
export class LedgerRepository {
  private accountIds: Map<AccountCode, string> | undefined;

  /**
   * Posts an entry and its lines and links it into the hash chain. The chain head is locked
   * FOR UPDATE, so postings take sequences one at a time (the lock lasts until the caller
   * commits); the unique external reference makes a second posting of the same fact a no-op that
   * leaves the head where it was, told apart from a posting with different lines. The database
   * checks the balance at commit.
   */
  async post(transaction: Knex.Transaction, entry: JournalEntry): Promise<PostResult> {
    const { posting } = entry;
    const accounts = await this.accounts(transaction);
    const lines = posting.lines.map((line) => {
      const accountId = accounts.get(line.account);
      if (accountId === undefined) throw new Error(`the chart of accounts has no ${line.account}; a migration must seed it`);
      return { accountId, direction: line.direction, amountCents: line.amountMinor, currency: line.currency, memo: null };
    });
    const head: { sequence: string; entry_hash: Buffer } = await transaction.withSchema('accounting').table('chain_head').forUpdate().first('sequence', 'entry_hash');
    const sequence = Number(head.sequence) + 1;
    const hashed = {
      id: entry.id,
      sequence,
      externalRefType: posting.externalRefType,
      externalRefId: posting.externalRefId,
      entryDate: posting.entryDate,
      description: posting.description,
      reversesEntryId: null,
      lines,
    };
    const hash = entryHash(hashed, head.entry_hash);
    const inserted: { id: string }[] = await transaction
      .withSchema('accounting')
      .table('journal_entries')
      .insert({
        id: entry.id,
        sequence,
        previous_hash: head.entry_hash,
        entry_hash: hash,
        external_ref_type: posting.externalRefType,
        external_ref_id: posting.externalRefId,
        entry_date: posting.entryDate,
        description: posting.description,
        reverses_entry_id: null,
        correlation_id: entry.correlationId,
        created_by: entry.createdBy,
      })
      .onConflict(['external_ref_type', 'external_ref_id'])
      .ignore()
      .returning('id');
    if (inserted.length === 0) {
      // Posted before (the handler checks first, so mostly by a transaction that raced this one).
      const raced = await this.findPosting(transaction, posting.externalRefType, posting.externalRefId);
      if (raced === undefined) throw new Error(`posting ${posting.externalRefType}/${posting.externalRefId} conflicted but cannot be read back`);
      return { outcome: sameLines(raced.lines, posting.lines) ? 'already_posted' : 'conflicting_posting', entryId: raced.id };
    }
    await transaction
      .withSchema('accounting')
      .table('journal_lines')
      .insert(lines.map((line) => ({ journal_entry_id: entry.id, account_id: line.accountId, direction: line.direction, amount_cents: line.amountCents, currency: line.currency })));
    await transaction.withSchema('accounting').table('chain_head').update({ sequence, entry_hash: hash, updated_at: transaction.fn.now() });
    return { outcome: 'posted', entryId: entry.id, sequence };
  }

  async findPosting(transaction: Knex.Transaction, externalRefType: string, externalRefId: string): Promise<PostedEntry | undefined> {
    const rows: { id: string; code: AccountCode | null; direction: Direction | null; amount_cents: string | null; currency: string | null }[] = await transaction
      .from('accounting.journal_entries as e')
      .leftJoin('accounting.journal_lines as l', 'l.journal_entry_id', 'e.id')
      .leftJoin('accounting.accounts as a', 'a.id', 'l.account_id')
      .select('e.id', 'a.code', 'l.direction', 'l.amount_cents', 'l.currency')
      .where({ 'e.external_ref_type': externalRefType, 'e.external_ref_id': externalRefId });
    const first = rows[0];
    if (first === undefined) return undefined;
    return {
      id: first.id,
      lines: rows
        .filter((row) => row.code !== null)
        .map((row) => ({ account: row.code!, direction: row.direction!, amountMinor: Number(row.amount_cents), currency: row.currency! })),
    };
  }

  /** Keeps a reservation's charge lines for its completion; a second copy of the same reservation changes nothing. */
  async recordReservation(transaction: Knex.Transaction, reservation: { rentalId: string; currency: string; lines: readonly ChargeLine[] }): Promise<void> {
    await transaction
      .withSchema('accounting')
      .table('rental_reservations')
      .insert({ rental_id: reservation.rentalId, currency: reservation.currency, lines: JSON.stringify(reservation.lines) })
      .onConflict('rental_id')
      .ignore();
  }

  async reservedLines(transaction: Knex.Transaction, rentalId: string): Promise<ChargeLine[] | undefined> {
    const row: { lines: ChargeLine[] } | undefined = await transaction.withSchema('accounting').table('rental_reservations').where('rental_id', rentalId).first('lines');
    return row?.lines;
  }

  /** The account a captured payment's money was booked to (the debit of its PaymentCaptured entry). */
  async heldAccountOf(transaction: Knex.Transaction, paymentId: string): Promise<AccountCode | undefined> {
    const captured = await this.findPosting(transaction, 'rental.PaymentCaptured', paymentId);
    return captured?.lines.find((line) => line.direction === 'debit')?.account;
  }

  private async accounts(transaction: Knex.Transaction): Promise<Map<AccountCode, string>> {
    if (this.accountIds === undefined) {
      const rows: { id: string; code: AccountCode }[] = await transaction.withSchema('accounting').table('accounts').select('id', 'code');
      this.accountIds = new Map(rows.map((row) => [row.code, row.id]));
    }
    return this.accountIds;
  }
}
