import type { Knex } from 'knex';
import type { AccountCode, AccountType } from './chart-of-accounts';
import type { DocumentKind, IssuedDocument } from './invoices';
import type { EntryToReverse, KnownAccount } from './journal-commands';
import { isUuid } from '../../platform/identifiers';
import { BatchWritesRefused } from '../runtime/command-handler';
import { entryHash } from './entry-hash';
import type { Direction, Posting, PostedEntry } from './posting-rules';
import { sameLines } from './same-lines';
import type { ChargeLine } from './source-events';

export interface JournalEntry {
  readonly id: string;
  readonly posting: Posting;
  /** The entry this one reverses, for a reversal. */
  readonly reversesEntryId?: string | null;
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

/** A rental's reservation as the ledger keeps it from RentalReserved. */
interface Reservation {
  readonly lines: ChargeLine[];
  readonly customerId: string | null;
}

interface ChainHead {
  readonly sequence: number;
  readonly hash: Buffer;
}

/** Rows a batch queued (see post and issueDocument with `defer`), as JSON for one INSERT per table. */
interface PendingWrites {
  readonly entries: Record<string, unknown>[];
  readonly lines: Record<string, unknown>[];
  readonly documents: Record<string, unknown>[];
  readonly documentLines: Record<string, unknown>[];
  /** The queued postings by external reference (`type/id`), for findPosting. */
  readonly postings: Map<string, PostedEntry & { readonly reversesEntryId: string | null }>;
}

const ENTRY_COLUMNS = `id uuid, sequence bigint, previous_hash text, entry_hash text, external_ref_type text, external_ref_id uuid, entry_date date,
  description text, reverses_entry_id uuid, correlation_id text, created_by uuid`;
const LINE_COLUMNS = 'journal_entry_id uuid, account_id uuid, direction text, amount_cents bigint, currency text, memo text';
const DOCUMENT_COLUMNS = `id uuid, kind text, year int, sequence_number int, invoice_number text, source_event_type text, source_event_id uuid, rental_id uuid,
  customer_id uuid, credited_invoice_id uuid, journal_entry_id uuid, total_cents bigint, currency text, issued_at timestamptz, created_by uuid`;
const DOCUMENT_LINE_COLUMNS = 'invoice_id uuid, line_number int, description text, charge_type text, quantity int, unit_amount_cents bigint, amount_cents bigint, currency text';
const namesOf = (columns: string) => columns.split(',').map((column) => column.trim().split(' ')[0]!);

/** Whether a database error is a refused integrity rule (SQLSTATE class 23: unique, foreign key, check). */
function isIntegrityViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('23');
}

/** The ledger's only SQL: journal entries and their lines (written once, chained), and its copy of reservations. */
export class LedgerRepository {
  private accountIds: Map<string, string> | undefined;
  /** The chain head as each open transaction left it (see chainHead). */
  private readonly heads = new WeakMap<Knex.Transaction, ChainHead>();
  /** The last document number of each year as each open transaction left it (see lastDocumentNumber). */
  private readonly documentNumbers = new WeakMap<Knex.Transaction, Map<number, number>>();
  /** Postings read ahead for each open transaction's batch (null: known not to exist). */
  private readonly readAhead = new WeakMap<Knex.Transaction, Map<string, (PostedEntry & { readonly reversesEntryId: string | null }) | null>>();
  /** Reservations read ahead for each open transaction's batch (null: known not to exist). */
  private readonly reservationsReadAhead = new WeakMap<Knex.Transaction, Map<string, Reservation | null>>();
  /** What each open transaction queued for its batch's flush. */
  private readonly pending = new WeakMap<Knex.Transaction, PendingWrites>();

  /**
   * Posts an entry and its lines and links it into the hash chain. The chain head is locked
   * FOR UPDATE, so postings take sequences one at a time (the lock lasts until the caller
   * commits); the unique external reference makes a second posting of the same fact a no-op that
   * leaves the head where it was, told apart from a posting with different lines. The database
   * checks the balance at commit.
   *
   * With `defer` the entry is queued for flush() (one statement per table for the whole batch)
   * and reported posted; a fact another transaction posted meanwhile then fails the flush, and the
   * batch runs again with each posting sent at once.
   */
  async post(transaction: Knex.Transaction, entry: JournalEntry, options: { readonly defer?: boolean } = {}): Promise<PostResult> {
    const { posting } = entry;
    const accounts = await this.accountIdsFor(transaction, posting.lines.map((line) => line.account));
    const lines = posting.lines.map((line) => {
      const accountId = accounts.get(line.account);
      if (accountId === undefined) throw new Error(`the chart of accounts has no ${line.account}; a migration or DefineAccount must add it`);
      return { accountId, direction: line.direction, amountCents: line.amountMinor, currency: line.currency, memo: line.memo ?? null };
    });
    const reversesEntryId = entry.reversesEntryId ?? null;
    const head = await this.chainHead(transaction);
    const sequence = head.sequence + 1;
    const hashed = {
      id: entry.id,
      sequence,
      externalRefType: posting.externalRefType,
      externalRefId: posting.externalRefId,
      entryDate: posting.entryDate,
      description: posting.description,
      reversesEntryId,
      lines,
    };
    const hash = entryHash(hashed, head.hash);
    if (options.defer === true) {
      const pending = this.pendingOf(transaction);
      pending.entries.push({
        id: entry.id,
        sequence,
        previous_hash: head.hash.toString('hex'),
        entry_hash: hash.toString('hex'),
        external_ref_type: posting.externalRefType,
        external_ref_id: posting.externalRefId,
        entry_date: posting.entryDate,
        description: posting.description,
        reverses_entry_id: reversesEntryId,
        correlation_id: entry.correlationId,
        created_by: entry.createdBy,
      });
      for (const line of lines) {
        pending.lines.push({ journal_entry_id: entry.id, account_id: line.accountId, direction: line.direction, amount_cents: line.amountCents, currency: line.currency, memo: line.memo });
      }
      pending.postings.set(`${posting.externalRefType}/${posting.externalRefId}`, { id: entry.id, lines: [...posting.lines], reversesEntryId });
      this.heads.set(transaction, { sequence, hash });
      return { outcome: 'posted', entryId: entry.id, sequence };
    }
    await this.flush(transaction);
    // The entry, its lines and the head's move in one round trip; a fact posted already (by a
    // transaction that raced this one) inserts nothing, so no lines follow and the head stays.
    const { rows } = await transaction.raw<{ rows: { id: string }[] }>(
      `WITH entry AS (
         INSERT INTO accounting.journal_entries
           (id, sequence, previous_hash, entry_hash, external_ref_type, external_ref_id, entry_date, description, reverses_entry_id, correlation_id, created_by)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (external_ref_type, external_ref_id) DO NOTHING
         RETURNING id
       ), lines AS (
         INSERT INTO accounting.journal_lines (journal_entry_id, account_id, direction, amount_cents, currency, memo)
         SELECT entry.id, line.account_id, line.direction, line.amount_cents, line.currency, line.memo
         FROM entry, jsonb_to_recordset(?::jsonb) AS line (account_id uuid, direction text, amount_cents bigint, currency text, memo text)
       ), head AS (
         UPDATE accounting.chain_head SET sequence = ?, entry_hash = ?, updated_at = now() WHERE EXISTS (SELECT 1 FROM entry)
       )
       SELECT id FROM entry`,
      [
        entry.id,
        sequence,
        head.hash,
        hash,
        posting.externalRefType,
        posting.externalRefId,
        posting.entryDate,
        posting.description,
        reversesEntryId,
        entry.correlationId,
        entry.createdBy,
        JSON.stringify(lines.map((line) => ({ account_id: line.accountId, direction: line.direction, amount_cents: line.amountCents, currency: line.currency, memo: line.memo }))),
        sequence,
        hash,
      ],
    );
    if (rows.length === 0) {
      // Posted before (the handler checks first, so mostly by a transaction that raced this one).
      const raced = await this.findPosting(transaction, posting.externalRefType, posting.externalRefId);
      if (raced === undefined) throw new Error(`posting ${posting.externalRefType}/${posting.externalRefId} conflicted but cannot be read back`);
      return { outcome: sameLines(raced.lines, posting.lines) ? 'already_posted' : 'conflicting_posting', entryId: raced.id };
    }
    this.heads.set(transaction, { sequence, hash });
    return { outcome: 'posted', entryId: entry.id, sequence };
  }

  /**
   * The chain head, locked FOR UPDATE for the rest of the transaction: read once per transaction
   * (or savepoint: each has its own object, so a rolled-back savepoint's postings are never
   * followed), then followed in memory as this transaction posts.
   */
  private async chainHead(transaction: Knex.Transaction): Promise<ChainHead> {
    const known = this.heads.get(transaction);
    if (known !== undefined) return known;
    const row: { sequence: string; entry_hash: Buffer } = await transaction.withSchema('accounting').table('chain_head').forUpdate().first('sequence', 'entry_hash');
    const head = { sequence: Number(row.sequence), hash: row.entry_hash };
    this.heads.set(transaction, head);
    return head;
  }

  async findPosting(transaction: Knex.Transaction, externalRefType: string, externalRefId: string): Promise<(PostedEntry & { readonly reversesEntryId: string | null }) | undefined> {
    const key = `${externalRefType}/${externalRefId}`;
    const queued = this.pending.get(transaction)?.postings.get(key);
    if (queued !== undefined) return queued;
    const readAhead = this.readAhead.get(transaction);
    if (readAhead?.has(key) === true) return readAhead.get(key) ?? undefined;
    return this.readEntry(transaction, { 'e.external_ref_type': externalRefType, 'e.external_ref_id': externalRefId });
  }

  /**
   * Reads the postings of many facts at once for findPosting in the same transaction: found or
   * known absent. A posting another transaction commits afterwards is not seen here; the unique
   * external reference refuses the second entry when the batch's rows are written.
   */
  async readAheadPostings(transaction: Knex.Transaction, references: readonly { readonly externalRefType: string; readonly externalRefId: string }[]): Promise<void> {
    // An id that is not a uuid cannot be posted; its own load finds that out, without failing the batch here.
    references = references.filter((reference) => isUuid(reference.externalRefId));
    if (references.length === 0) return;
    const rows: { id: string; external_ref_type: string; external_ref_id: string; reverses_entry_id: string | null; code: string; direction: Direction; amount_cents: string; currency: string; memo: string | null }[] =
      await transaction
        .from('accounting.journal_entries as e')
        .join('accounting.journal_lines as l', 'l.journal_entry_id', 'e.id')
        .join('accounting.accounts as a', 'a.id', 'l.account_id')
        .whereIn(
          ['e.external_ref_type', 'e.external_ref_id'],
          references.map((reference) => [reference.externalRefType, reference.externalRefId]),
        )
        .select('e.id', 'e.external_ref_type', 'e.external_ref_id', 'e.reverses_entry_id', 'a.code', 'l.direction', 'l.amount_cents', 'l.currency', 'l.memo');
    const found = new Map<string, PostedEntry & { readonly reversesEntryId: string | null }>();
    for (const row of rows) {
      const key = `${row.external_ref_type}/${row.external_ref_id}`;
      const entry = found.get(key) ?? { id: row.id, reversesEntryId: row.reverses_entry_id, lines: [] };
      entry.lines.push({ account: row.code, direction: row.direction, amountMinor: Number(row.amount_cents), currency: row.currency.trim(), ...(row.memo === null ? {} : { memo: row.memo }) });
      found.set(key, entry);
    }
    const known = this.readAhead.get(transaction) ?? new Map<string, (PostedEntry & { readonly reversesEntryId: string | null }) | null>();
    for (const { externalRefType, externalRefId } of references) {
      const key = `${externalRefType}/${externalRefId}`;
      known.set(key, found.get(key) ?? null);
    }
    this.readAhead.set(transaction, known);
  }

  /**
   * Sends what post and issueDocument queued in this transaction: entries, lines, the head's move,
   * documents and their lines, one statement each, in sequence and number order (the database
   * checks each document's number as the next of its year, and the head's move to the last entry).
   * A refusal by the database is a BatchWritesRefused.
   */
  async flush(transaction: Knex.Transaction): Promise<void> {
    const pending = this.pending.get(transaction);
    if (pending === undefined) return;
    this.pending.delete(transaction);
    try {
      await this.writePending(transaction, pending);
    } catch (error) {
      if (isIntegrityViolation(error)) throw new BatchWritesRefused(error);
      throw error;
    }
    // Written now: a later message of the batch about the same fact finds them as any posting.
    const known = this.readAhead.get(transaction) ?? new Map<string, (PostedEntry & { readonly reversesEntryId: string | null }) | null>();
    for (const [key, posted] of pending.postings) known.set(key, posted);
    this.readAhead.set(transaction, known);
  }

  private async writePending(transaction: Knex.Transaction, pending: PendingWrites): Promise<void> {
    const insert = async (table: string, columns: string, rows: readonly Record<string, unknown>[], select: string, order: string) => {
      if (rows.length === 0) return;
      await transaction.raw(`INSERT INTO accounting.${table} (${namesOf(columns).join(', ')}) SELECT ${select} FROM jsonb_to_recordset(?::jsonb) AS row (${columns}) ORDER BY ${order}`, [JSON.stringify(rows)]);
    };
    const entryNames = namesOf(ENTRY_COLUMNS).map((name) => (name.endsWith('_hash') ? `decode(${name}, 'hex')` : name));
    await insert('journal_entries', ENTRY_COLUMNS, pending.entries, entryNames.join(', '), 'sequence');
    await insert('journal_lines', LINE_COLUMNS, pending.lines, namesOf(LINE_COLUMNS).join(', '), 'journal_entry_id');
    // The head this transaction follows is the last queued entry's (see post).
    const head = this.heads.get(transaction);
    if (pending.entries.length > 0 && head !== undefined) {
      await transaction.raw('UPDATE accounting.chain_head SET sequence = ?, entry_hash = ?, updated_at = now()', [head.sequence, head.hash]);
    }
    await insert('invoices', DOCUMENT_COLUMNS, pending.documents, namesOf(DOCUMENT_COLUMNS).join(', '), 'year, sequence_number');
    await insert('invoice_lines', DOCUMENT_LINE_COLUMNS, pending.documentLines, namesOf(DOCUMENT_LINE_COLUMNS).join(', '), 'invoice_id, line_number');
  }

  private pendingOf(transaction: Knex.Transaction): PendingWrites {
    const known = this.pending.get(transaction);
    if (known !== undefined) return known;
    const created: PendingWrites = { entries: [], lines: [], documents: [], documentLines: [], postings: new Map() };
    this.pending.set(transaction, created);
    return created;
  }

  /** An entry by id, with its lines and the entry that reversed it, if any. */
  async entryToReverse(transaction: Knex.Transaction, entryId: string): Promise<EntryToReverse | undefined> {
    const entry = await this.readEntry(transaction, { 'e.id': entryId });
    if (entry === undefined) return undefined;
    const reversal: { id: string } | undefined = await transaction.withSchema('accounting').table('journal_entries').where('reverses_entry_id', entryId).first('id');
    return { ...entry, reversedBy: reversal?.id };
  }

  private async readEntry(transaction: Knex.Transaction, where: Record<string, string>): Promise<(PostedEntry & { reversesEntryId: string | null; description: string | null }) | undefined> {
    const rows: {
      id: string;
      description: string | null;
      reverses_entry_id: string | null;
      code: string | null;
      direction: Direction | null;
      amount_cents: string | null;
      currency: string | null;
      memo: string | null;
    }[] = await transaction
      .from('accounting.journal_entries as e')
      .leftJoin('accounting.journal_lines as l', 'l.journal_entry_id', 'e.id')
      .leftJoin('accounting.accounts as a', 'a.id', 'l.account_id')
      .select('e.id', 'e.description', 'e.reverses_entry_id', 'a.code', 'l.direction', 'l.amount_cents', 'l.currency', 'l.memo')
      .where(where);
    const first = rows[0];
    if (first === undefined) return undefined;
    return {
      id: first.id,
      description: first.description,
      reversesEntryId: first.reverses_entry_id,
      lines: rows
        .filter((row) => row.code !== null)
        .map((row) => ({ account: row.code!, direction: row.direction!, amountMinor: Number(row.amount_cents), currency: row.currency!, ...(row.memo === null ? {} : { memo: row.memo }) })),
    };
  }

  /** The accounts of the chart among `codes`, by code. */
  async accountsNamed(transaction: Knex.Transaction, codes: readonly string[]): Promise<Map<string, KnownAccount>> {
    const rows: { id: string; code: string; name: string; type: AccountType; is_active: boolean }[] = await transaction
      .withSchema('accounting')
      .table('accounts')
      .whereIn('code', [...new Set(codes)])
      .select('id', 'code', 'name', 'type', 'is_active');
    return new Map(rows.map((row) => [row.code, { id: row.id, code: row.code, name: row.name, type: row.type, active: row.is_active }]));
  }

  /** Adds an account to the chart; the unique code is the last word if two definitions race. */
  async defineAccount(transaction: Knex.Transaction, account: { id: string; code: string; name: string; type: AccountType; createdBy: string | null }): Promise<'defined' | 'code_taken'> {
    const inserted: unknown[] = await transaction
      .withSchema('accounting')
      .table('accounts')
      .insert({ id: account.id, code: account.code, name: account.name, type: account.type, created_by: account.createdBy, updated_by: account.createdBy })
      .onConflict('code')
      .ignore()
      .returning('id');
    return inserted.length === 1 ? 'defined' : 'code_taken';
  }

  /** Keeps a reservation's charge lines for its completion; a second copy of the same reservation changes nothing. */
  async recordReservation(transaction: Knex.Transaction, reservation: { rentalId: string; customerId: string | null; currency: string; lines: readonly ChargeLine[] }): Promise<void> {
    const inserted: unknown[] = await transaction
      .withSchema('accounting')
      .table('rental_reservations')
      .insert({ rental_id: reservation.rentalId, customer_id: reservation.customerId, currency: reservation.currency, lines: JSON.stringify(reservation.lines) })
      .onConflict('rental_id')
      .ignore()
      .returning('rental_id');
    // A reservation read ahead as absent exists now (the first one kept stays, as in the table).
    if (inserted.length > 0) this.reservationsReadAhead.get(transaction)?.set(reservation.rentalId, { lines: [...reservation.lines], customerId: reservation.customerId });
  }

  /** The reservation's charge lines and customer, as kept from RentalReserved. */
  async reservation(transaction: Knex.Transaction, rentalId: string): Promise<Reservation | undefined> {
    const readAhead = this.reservationsReadAhead.get(transaction);
    if (readAhead?.has(rentalId) === true) return readAhead.get(rentalId) ?? undefined;
    const row: { lines: ChargeLine[]; customer_id: string | null } | undefined = await transaction.withSchema('accounting').table('rental_reservations').where('rental_id', rentalId).first('lines', 'customer_id');
    return row === undefined ? undefined : { lines: row.lines, customerId: row.customer_id };
  }

  /** Reads the reservations of many rentals at once for reservation() in the same transaction: found or known absent. */
  async readAheadReservations(transaction: Knex.Transaction, rentalIds: readonly string[]): Promise<void> {
    const ids = [...new Set(rentalIds.filter(isUuid))];
    if (ids.length === 0) return;
    const rows: { rental_id: string; lines: ChargeLine[]; customer_id: string | null }[] = await transaction.withSchema('accounting').table('rental_reservations').whereIn('rental_id', ids).select('rental_id', 'lines', 'customer_id');
    const known = this.reservationsReadAhead.get(transaction) ?? new Map<string, Reservation | null>();
    for (const id of ids) known.set(id, null);
    for (const row of rows) known.set(row.rental_id, { lines: row.lines, customerId: row.customer_id });
    this.reservationsReadAhead.set(transaction, known);
  }

  /** A rental's customer, as kept from its reservation. */
  async customerOf(transaction: Knex.Transaction, rentalId: string): Promise<string | null> {
    return (await this.reservation(transaction, rentalId))?.customerId ?? null;
  }

  /**
   * The last document number of `year` so far. It takes the chain head's lock first, the one every
   * posting takes: a number read under it stays the last until this transaction commits or rolls
   * back, and the two locks are always taken in the same order. Once this transaction has issued a
   * document of the year, the number it issued is the last (no statement needed).
   */
  async lastDocumentNumber(transaction: Knex.Transaction, year: number): Promise<number> {
    await this.chainHead(transaction);
    const known = this.documentNumbers.get(transaction)?.get(year);
    if (known !== undefined) return known;
    const row: { last_number: number } | undefined = await transaction.withSchema('accounting').table('invoice_number_counters').where('year', year).first('last_number');
    return row?.last_number ?? 0;
  }

  /** Writes an issued invoice or credit note and its lines; the database checks its number and total. */
  async issueDocument(transaction: Knex.Transaction, document: IssuedDocument, createdBy: string | null, options: { readonly defer?: boolean } = {}): Promise<void> {
    const numbers = this.documentNumbers.get(transaction) ?? new Map<number, number>();
    numbers.set(document.year, document.sequenceNumber);
    this.documentNumbers.set(transaction, numbers);
    const lines = document.lines.map((line, index) => ({
      invoice_id: document.id,
      line_number: index + 1,
      description: line.description,
      charge_type: line.chargeType,
      quantity: 1,
      unit_amount_cents: line.amountMinor,
      amount_cents: line.amountMinor,
      currency: document.currency,
    }));
    const row = {
      id: document.id,
      kind: document.kind,
      year: document.year,
      sequence_number: document.sequenceNumber,
      invoice_number: document.number,
      source_event_type: document.sourceEventType,
      source_event_id: document.sourceEventId,
      rental_id: document.rentalId,
      customer_id: document.customerId,
      credited_invoice_id: document.creditedInvoiceId,
      journal_entry_id: document.journalEntryId,
      total_cents: document.totalMinor,
      currency: document.currency,
      issued_at: document.issuedAt,
      created_by: createdBy,
    };
    if (options.defer === true) {
      const pending = this.pendingOf(transaction);
      pending.documents.push({ ...row, issued_at: document.issuedAt.toISOString() });
      pending.documentLines.push(...lines);
      return;
    }
    await this.flush(transaction);
    await transaction.withSchema('accounting').table('invoices').insert(row);
    await transaction.withSchema('accounting').table('invoice_lines').insert(lines);
  }

  /** The invoice or credit note issued with a journal entry, if any. */
  async documentOfEntry(transaction: Knex.Transaction, journalEntryId: string): Promise<IssuedDocument | undefined> {
    const row:
      | {
          id: string;
          kind: DocumentKind;
          year: number;
          sequence_number: number;
          invoice_number: string;
          source_event_type: string;
          source_event_id: string;
          rental_id: string | null;
          customer_id: string | null;
          credited_invoice_id: string | null;
          total_cents: string;
          currency: string;
          issued_at: Date;
        }
      | undefined = await transaction.withSchema('accounting').table('invoices').where('journal_entry_id', journalEntryId).first();
    if (row === undefined) return undefined;
    const lines: { charge_type: string; description: string; amount_cents: string }[] = await transaction
      .withSchema('accounting')
      .table('invoice_lines')
      .where('invoice_id', row.id)
      .orderBy('line_number')
      .select('charge_type', 'description', 'amount_cents');
    return {
      id: row.id,
      kind: row.kind,
      year: row.year,
      sequenceNumber: row.sequence_number,
      number: row.invoice_number,
      sourceEventType: row.source_event_type,
      sourceEventId: row.source_event_id,
      rentalId: row.rental_id,
      customerId: row.customer_id,
      creditedInvoiceId: row.credited_invoice_id,
      journalEntryId,
      totalMinor: Number(row.total_cents),
      currency: row.currency.trim(),
      issuedAt: row.issued_at,
      lines: lines.map((line) => ({ chargeType: line.charge_type, description: line.description, amountMinor: Number(line.amount_cents) })),
    };
  }

  /** The account a captured payment's money was booked to (the debit of its PaymentCaptured entry). */
  async heldAccountOf(transaction: Knex.Transaction, paymentId: string): Promise<AccountCode | undefined> {
    const captured = await this.findPosting(transaction, 'rental.PaymentCaptured', paymentId);
    return captured?.lines.find((line) => line.direction === 'debit')?.account as AccountCode | undefined;
  }

  /**
   * Account ids by code, cached: the chart only grows, so a code missing from the cache means an
   * account added since it was read (here or by another instance), and the chart is read again.
   */
  private async accountIdsFor(transaction: Knex.Transaction, codes: readonly string[]): Promise<Map<string, string>> {
    if (this.accountIds === undefined || codes.some((code) => !this.accountIds!.has(code))) {
      const rows: { id: string; code: string }[] = await transaction.withSchema('accounting').table('accounts').select('id', 'code');
      this.accountIds = new Map(rows.map((row) => [row.code, row.id]));
    }
    return this.accountIds;
  }
}
