import type { Knex } from 'knex';
import { balanceOnNormalSide, normalSide, type Account, type AccountBalance, type TrialBalanceTotal, type JournalEntry, type Invoice, type StatementItem, type StatementTotal, type Period, type AccountRow, type BalanceRow, type InvoiceRow, type InvoiceLineRow, type JournalLineRow, type EntryRow, type StatementRow } from './accounting-read-models';
import { decodeCursor, encodeCursor, InvalidCursorError } from './cursors';

export * from './accounting-read-models';

/**
 * The accounting context's published views, read as the gateway's read-only login
 * (accounting.*_view): the chart of accounts, balances as of a day, a period's journal, invoices
 * and customers' statements. Money leaves here as integer minor units next to its currency, the
 * way the rental reads answer it; amounts of different currencies are never added together.
 */

export const JOURNAL_PAGE_SIZE_MAX = 100;
export const STATEMENT_PAGE_SIZE_MAX = 200;
/** A chart of accounts is configuration: a few hundred accounts at most, answered in one list. */
export const ACCOUNT_ROWS_MAX = 1_000;
/** One balance per account and currency; more than this means the chart is not what it should be. */
export const BALANCE_ROWS_MAX = 10_000;
/** An invoice has a handful of lines; the bound only keeps a broken one from flooding an answer. */
export const INVOICE_LINES_MAX = 1_000;

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The instant a UTC day starts, and the start of the day after a period (its exclusive end). */
const startOf = (day: string) => new Date(`${day}T00:00:00Z`);
const endOf = (day: string) => new Date(startOf(day).getTime() + 24 * 60 * 60 * 1000);

/** The (position, id) a cursor of a list of this file holds; `first` checks the position's form. */
function positionAfter(cursor: string, first: (part: string) => boolean): [string, string] {
  const [position, id] = decodeCursor(cursor, 2) ?? [];
  if (position === undefined || id === undefined || !first(position)) throw new InvalidCursorError('not a cursor of this list');
  return [position, id];
}

export class AccountingQueries {
  constructor(private readonly reader: Knex) {}

  private view(name: string) {
    return this.reader.withSchema('accounting').table(name);
  }

  async accounts(): Promise<Account[]> {
    const rows = (await this.view('accounts_view')
      .select('id', 'code', 'name', 'type', 'is_active')
      .orderBy([{ column: 'code' }, { column: 'id' }])
      .limit(ACCOUNT_ROWS_MAX)) as AccountRow[];
    return rows.map((row) => ({ id: row.id, code: row.code, name: row.name, type: row.type, normalSide: normalSide(row.type), active: row.is_active }));
  }

  /** Each account's debits, credits and balance per currency from every entry dated on or before `asOf`. */
  async balances(asOf: string): Promise<{ accounts: AccountBalance[]; trialBalance: TrialBalanceTotal[] }> {
    const rows = (await this.view('journal_lines_view')
      .select(
        'account_id',
        'account_code',
        'account_name',
        'account_type',
        'currency',
        this.reader.raw("coalesce(sum(amount_cents) FILTER (WHERE direction = 'debit'), 0)::bigint AS debits"),
        this.reader.raw("coalesce(sum(amount_cents) FILTER (WHERE direction = 'credit'), 0)::bigint AS credits"),
      )
      .where('entry_date', '<=', asOf)
      .groupBy('account_id', 'account_code', 'account_name', 'account_type', 'currency')
      .orderBy([{ column: 'account_code' }, { column: 'currency' }])
      .limit(BALANCE_ROWS_MAX + 1)) as BalanceRow[];
    if (rows.length > BALANCE_ROWS_MAX) throw new Error(`more than ${BALANCE_ROWS_MAX} account balances; the chart of accounts is larger than the balance read allows`);
    const accounts = rows.map((row) => ({
      accountId: row.account_id,
      code: row.account_code,
      name: row.account_name,
      type: row.account_type,
      normalSide: normalSide(row.account_type),
      currency: row.currency,
      debitsMinor: row.debits,
      creditsMinor: row.credits,
      balanceMinor: balanceOnNormalSide(row.account_type, row.debits, row.credits),
    }));
    const totals = new Map<string, { debits: number; credits: number }>();
    for (const account of accounts) {
      const total = totals.get(account.currency) ?? { debits: 0, credits: 0 };
      totals.set(account.currency, { debits: total.debits + account.debitsMinor, credits: total.credits + account.creditsMinor });
    }
    const trialBalance = [...totals.entries()]
      .sort(([left], [right]) => left.localeCompare(right))
      .map(([currency, total]) => ({ currency, debitsMinor: total.debits, creditsMinor: total.credits, differenceMinor: total.debits - total.credits }));
    return { accounts, trialBalance };
  }

  /** The entries dated within `period`, with their lines, by (entry date, id) a page at a time. */
  async journal(filter: Period & { after?: string; limit: number }): Promise<{ items: JournalEntry[]; next: string | null }> {
    const limit = Math.min(Math.max(filter.limit, 1), JOURNAL_PAGE_SIZE_MAX);
    const query = this.view('journal_entries_view')
      .select(this.entryColumns())
      .whereBetween('entry_date', [filter.from, filter.to])
      .orderBy([{ column: 'journal_entries_view.entry_date' }, { column: 'id' }])
      .limit(limit + 1);
    if (filter.after !== undefined) {
      const [entryDate, id] = positionAfter(filter.after, (part) => DAY.test(part) && !Number.isNaN(startOf(part).getTime()));
      void query.whereRaw('(journal_entries_view.entry_date, id) > (?::date, ?::uuid)', [entryDate, id]);
    }
    const rows = (await query) as EntryRow[];
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: await this.withLines(page),
      next: rows.length > limit && last !== undefined ? encodeCursor([last.entry_date, last.id]) : null,
    };
  }

  /** One entry with its lines and the entry that reversed it, or undefined. */
  async entry(entryId: string): Promise<(JournalEntry & { reversedBy: string | null }) | undefined> {
    const rows = (await this.view('journal_entries_view').select(this.entryColumns()).where('id', entryId)) as EntryRow[];
    const [entry] = await this.withLines(rows);
    if (entry === undefined) return undefined;
    const reversal: { id: string } | undefined = await this.view('journal_entries_view').where('reverses_entry_id', entryId).first('id');
    return { ...entry, reversedBy: reversal?.id ?? null };
  }

  private entryColumns() {
    return ['id', this.reader.raw("to_char(entry_date, 'YYYY-MM-DD') AS entry_date"), 'external_ref_type', 'external_ref_id', 'description', 'reverses_entry_id', 'created_at'];
  }

  /** Entries as answered, each with its lines: debits before credits, the way a journal is written. */
  private async withLines(entries: readonly EntryRow[]): Promise<JournalEntry[]> {
    const lines =
      entries.length === 0
        ? []
        : ((await this.view('journal_lines_view')
            .select('id', 'journal_entry_id', 'account_id', 'account_code', 'account_name', 'direction', 'amount_cents', 'currency', 'memo')
            .whereIn(
              'journal_entry_id',
              entries.map((row) => row.id),
            )
            .orderBy([{ column: 'journal_entry_id' }, { column: 'direction', order: 'desc' }, { column: 'account_code' }, { column: 'id' }])) as JournalLineRow[]);
    const linesOf = new Map<string, JournalLineRow[]>();
    for (const line of lines) linesOf.set(line.journal_entry_id, [...(linesOf.get(line.journal_entry_id) ?? []), line]);
    return entries.map((row) => ({
      id: row.id,
      entryDate: row.entry_date,
      externalRef: { type: row.external_ref_type, id: row.external_ref_id },
      description: row.description,
      reversesEntryId: row.reverses_entry_id,
      createdAt: row.created_at.toISOString(),
      lines: (linesOf.get(row.id) ?? []).map((line) => ({
        id: line.id,
        accountId: line.account_id,
        accountCode: line.account_code,
        accountName: line.account_name,
        direction: line.direction,
        amountMinor: line.amount_cents,
        currency: line.currency,
        memo: line.memo,
      })),
    }));
  }

  async invoice(invoiceId: string): Promise<Invoice | undefined> {
    const row = (await this.view('invoices_view')
      .select('id', 'kind', 'invoice_number', 'rental_id', 'customer_id', 'credited_invoice_id', 'total_cents', 'currency', 'issued_at')
      .where('id', invoiceId)
      .first()) as InvoiceRow | undefined;
    if (row === undefined) return undefined;
    const lines = (await this.view('invoice_lines_view')
      .select('line_number', 'description', 'charge_type', 'quantity', 'unit_amount_cents', 'amount_cents', 'currency')
      .where('invoice_id', invoiceId)
      .orderBy('line_number')
      .limit(INVOICE_LINES_MAX)) as InvoiceLineRow[];
    return {
      id: row.id,
      kind: row.kind,
      invoiceNumber: row.invoice_number,
      rentalId: row.rental_id,
      customerId: row.customer_id,
      creditedInvoiceId: row.credited_invoice_id,
      totalMinor: row.total_cents,
      currency: row.currency,
      issuedAt: row.issued_at.toISOString(),
      lines: lines.map((line) => ({
        lineNumber: line.line_number,
        description: line.description,
        chargeType: line.charge_type,
        quantity: line.quantity,
        unitAmountMinor: line.unit_amount_cents,
        amountMinor: line.amount_cents,
        currency: line.currency,
      })),
    };
  }

  /**
   * A customer's invoices and credit notes issued within `period`, by (issue time, id) a page at a
   * time. The running total is computed over the whole period before the page is cut, so that every
   * page carries the same running totals as one long list would; the totals cover the whole period.
   */
  async statement(customerId: string, filter: Period & { after?: string; limit: number }): Promise<{ items: StatementItem[]; totals: StatementTotal[]; next: string | null }> {
    const limit = Math.min(Math.max(filter.limit, 1), STATEMENT_PAGE_SIZE_MAX);
    const inPeriod = [customerId, startOf(filter.from), endOf(filter.to)];
    const bindings: Knex.RawBinding[] = [...inPeriod];
    let after = '';
    if (filter.after !== undefined) {
      const [issuedAtMicros, id] = positionAfter(filter.after, (part) => /^-?\d{1,18}$/.test(part));
      // Microseconds as an interval from the epoch: exact, where a float of seconds would round.
      after = "WHERE (issued_at, id) > (timestamptz 'epoch' + (?::bigint * interval '1 microsecond'), ?::uuid)";
      bindings.push(issuedAtMicros, id);
    }
    bindings.push(limit + 1);
    const signed = "CASE WHEN kind = 'credit_note' THEN -total_cents ELSE total_cents END";
    const period = 'FROM accounting.invoices_view WHERE customer_id = ? AND issued_at >= ? AND issued_at < ?';
    const result: { rows: StatementRow[] } = await this.reader.raw(
      `SELECT * FROM (
         SELECT id, kind, invoice_number, rental_id, issued_at, currency, ${signed} AS signed_cents,
                (extract(epoch FROM issued_at) * 1000000)::bigint::text AS issued_at_micros,
                (sum(${signed}) OVER (PARTITION BY currency ORDER BY issued_at, id))::bigint AS running_cents
         ${period}
       ) statement ${after} ORDER BY issued_at, id LIMIT ?`,
      bindings,
    );
    const totals: { rows: { currency: string; invoiced: number; credited: number }[] } = await this.reader.raw(
      `SELECT currency,
              coalesce(sum(total_cents) FILTER (WHERE kind = 'invoice'), 0)::bigint AS invoiced,
              coalesce(sum(total_cents) FILTER (WHERE kind = 'credit_note'), 0)::bigint AS credited
       ${period} GROUP BY currency ORDER BY currency`,
      inPeriod,
    );
    const page = result.rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map((row) => ({
        invoiceId: row.id,
        kind: row.kind,
        invoiceNumber: row.invoice_number,
        rentalId: row.rental_id,
        issuedAt: row.issued_at.toISOString(),
        amountMinor: row.signed_cents,
        currency: row.currency,
        runningTotalMinor: row.running_cents,
      })),
      totals: totals.rows.map((row) => ({ currency: row.currency, invoicedMinor: row.invoiced, creditedMinor: row.credited, totalMinor: row.invoiced - row.credited })),
      next: result.rows.length > limit && last !== undefined ? encodeCursor([last.issued_at_micros, last.id]) : null,
    };
  }
}
