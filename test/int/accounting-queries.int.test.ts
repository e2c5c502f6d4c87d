import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { AccountingQueries, type JournalEntry } from '../../gateway/queries/accounting.queries';
import { InvalidCursorError } from '../../gateway/queries/cursors';
import { createDatabase } from '../../platform/database';
import { ScratchDatabase } from '../support/database';
import { handWrittenChainColumns, writeHandWrittenDocument, type HandWrittenLine } from '../support/ledger-fixtures';

/**
 * The gateway's accounting reads on the real PostgreSQL, as the read-only login over the
 * accounting context's published views, with a chart, entries and invoices written here as the
 * superuser: balances as of a day leave later entries out, keep currencies apart and put each
 * account on its normal side; the trial balance is zero per currency; the journal pages by
 * (entry date, id) without losing or repeating an entry; a statement's running total survives
 * paging.
 */
describe('accounting reads over the published views', () => {
  const database = new ScratchDatabase();
  let admin: Knex;
  let reader: Knex;
  let queries: AccountingQueries;
  const accounts: Record<string, string> = {};
  const customer = randomUUID();
  let invoiceNumber = 0;

  type Line = readonly [account: string, direction: 'debit' | 'credit', amountCents: number, currency: string];

  /** One balanced entry: the entry and its lines in one transaction, since the balance check runs at commit. */
  async function post(entryDate: string, lines: readonly Line[], description = 'test entry'): Promise<string> {
    const id = randomUUID();
    await admin.transaction(async (transaction) => {
      await transaction('accounting.journal_entries').insert({ id, external_ref_type: 'test', external_ref_id: randomUUID(), entry_date: entryDate, description, ...handWrittenChainColumns() });
      await transaction('accounting.journal_lines').insert(
        lines.map(([account, direction, amount_cents, currency]) => ({ journal_entry_id: id, account_id: accounts[account], direction, amount_cents, currency })),
      );
    });
    return id;
  }

  /** A document of 2027, numbered next, with one line of its total unless its lines are given. */
  async function issue(issuedAt: string, totalCents: number, currency: string, credits?: string, lines?: HandWrittenLine[]): Promise<string> {
    invoiceNumber += 1;
    return writeHandWrittenDocument(admin, {
      kind: credits === undefined ? 'invoice' : 'credit_note',
      year: 2027,
      sequenceNumber: invoiceNumber,
      currency,
      issuedAt,
      customerId: customer,
      creditedInvoiceId: credits ?? null,
      lines: lines ?? [{ description: 'Charges', chargeType: 'base', unitAmountCents: totalCents }],
    });
  }

  beforeAll(async () => {
    await database.create({ migrate: true });
    admin = database.knex();
    reader = createDatabase({ url: database.urlFor('gateway_reader'), poolSizeMax: 2, statementTimeoutMs: 10_000, applicationName: 'accounting-queries-reader' });
    queries = new AccountingQueries(reader);
    const chart = [
      ['CASH', 'Cash', 'asset'],
      ['RECEIVABLES', 'Receivables', 'asset'],
      ['RENTAL_REVENUE', 'Rental revenue', 'revenue'],
      ['DEPOSITS_HELD', 'Deposits held', 'liability'],
      ['REPAIRS', 'Repairs', 'expense'],
    ] as const;
    // The migration seeds the product's chart; these reads are checked against a chart of their own.
    await admin('accounting.accounts').delete();
    for (const [code, name, type] of chart) {
      const [row] = await admin('accounting.accounts').insert({ code, name, type }).returning<{ id: string }[]>('id');
      accounts[code] = row!.id;
    }
    await post('2027-01-10', [
      ['RECEIVABLES', 'debit', 10_000, 'EUR'],
      ['RENTAL_REVENUE', 'credit', 10_000, 'EUR'],
    ]);
    await post('2027-01-15', [
      ['CASH', 'debit', 25_000, 'EUR'],
      ['RECEIVABLES', 'credit', 10_000, 'EUR'],
      ['DEPOSITS_HELD', 'credit', 15_000, 'EUR'],
    ]);
    await post('2027-01-15', [
      ['CASH', 'debit', 7_000, 'GBP'],
      ['RENTAL_REVENUE', 'credit', 7_000, 'GBP'],
    ]);
    await post('2027-02-01', [
      ['REPAIRS', 'debit', 3_000, 'EUR'],
      ['CASH', 'credit', 3_000, 'EUR'],
    ]);
  });

  afterAll(async () => {
    await reader.destroy();
    await database.drop();
  });

  it('lists the chart with each type and its normal side', async () => {
    expect(await queries.accounts()).toEqual([
      { id: accounts.CASH, code: 'CASH', name: 'Cash', type: 'asset', normalSide: 'debit', active: true },
      { id: accounts.DEPOSITS_HELD, code: 'DEPOSITS_HELD', name: 'Deposits held', type: 'liability', normalSide: 'credit', active: true },
      { id: accounts.RECEIVABLES, code: 'RECEIVABLES', name: 'Receivables', type: 'asset', normalSide: 'debit', active: true },
      { id: accounts.RENTAL_REVENUE, code: 'RENTAL_REVENUE', name: 'Rental revenue', type: 'revenue', normalSide: 'credit', active: true },
      { id: accounts.REPAIRS, code: 'REPAIRS', name: 'Repairs', type: 'expense', normalSide: 'debit', active: true },
    ]);
  });

  it('balances as of a day leave later entries out and keep currencies apart', async () => {
    const balance = (code: string, currency: string, debitsMinor: number, creditsMinor: number, balanceMinor: number) => {
      const types: Record<string, ['asset' | 'liability' | 'revenue' | 'expense', 'debit' | 'credit', string]> = {
        CASH: ['asset', 'debit', 'Cash'],
        RECEIVABLES: ['asset', 'debit', 'Receivables'],
        RENTAL_REVENUE: ['revenue', 'credit', 'Rental revenue'],
        DEPOSITS_HELD: ['liability', 'credit', 'Deposits held'],
        REPAIRS: ['expense', 'debit', 'Repairs'],
      };
      const [type, normalSide, name] = types[code]!;
      return { accountId: accounts[code], code, name, type, normalSide, currency, debitsMinor, creditsMinor, balanceMinor };
    };
    expect(await queries.balances('2027-01-31')).toEqual({
      accounts: [
        balance('CASH', 'EUR', 25_000, 0, 25_000),
        balance('CASH', 'GBP', 7_000, 0, 7_000),
        balance('DEPOSITS_HELD', 'EUR', 0, 15_000, 15_000),
        balance('RECEIVABLES', 'EUR', 10_000, 10_000, 0),
        balance('RENTAL_REVENUE', 'EUR', 0, 10_000, 10_000),
        balance('RENTAL_REVENUE', 'GBP', 0, 7_000, 7_000),
      ],
      trialBalance: [
        { currency: 'EUR', debitsMinor: 35_000, creditsMinor: 35_000, differenceMinor: 0 },
        { currency: 'GBP', debitsMinor: 7_000, creditsMinor: 7_000, differenceMinor: 0 },
      ],
    });
    // The day itself is included: the repair of 1 February counts as of that day, not the day before.
    const february = await queries.balances('2027-02-01');
    expect(february.accounts.filter((account) => account.code === 'CASH' || account.code === 'REPAIRS')).toEqual([
      balance('CASH', 'EUR', 25_000, 3_000, 22_000),
      balance('CASH', 'GBP', 7_000, 0, 7_000),
      balance('REPAIRS', 'EUR', 3_000, 0, 3_000),
    ]);
    expect(february.trialBalance).toEqual([
      { currency: 'EUR', debitsMinor: 38_000, creditsMinor: 38_000, differenceMinor: 0 },
      { currency: 'GBP', debitsMinor: 7_000, creditsMinor: 7_000, differenceMinor: 0 },
    ]);
    expect(await queries.balances('2027-01-09')).toEqual({ accounts: [], trialBalance: [] });
  });

  it('pages a period of the journal by (entry date, id) with each entry whole, debits first', async () => {
    const seen: JournalEntry[] = [];
    let after: string | undefined;
    for (let page = 0; page < 5; page += 1) {
      const result = await queries.journal({ from: '2027-01-01', to: '2027-01-31', limit: 1, ...(after === undefined ? {} : { after }) });
      seen.push(...result.items);
      if (result.next === null) break;
      after = result.next;
    }
    expect(seen.map((entry) => entry.entryDate)).toEqual(['2027-01-10', '2027-01-15', '2027-01-15']);
    const sameDay = seen.filter((entry) => entry.entryDate === '2027-01-15').map((entry) => entry.id);
    expect(sameDay).toEqual([...sameDay].sort());
    expect(seen[1]!.lines.map((line) => [line.accountCode, line.direction, line.amountMinor, line.currency])).toEqual(
      seen[1]!.lines[0]!.currency === 'EUR'
        ? [
            ['CASH', 'debit', 25_000, 'EUR'],
            ['DEPOSITS_HELD', 'credit', 15_000, 'EUR'],
            ['RECEIVABLES', 'credit', 10_000, 'EUR'],
          ]
        : [
            ['CASH', 'debit', 7_000, 'GBP'],
            ['RENTAL_REVENUE', 'credit', 7_000, 'GBP'],
          ],
    );
    const whole = await queries.journal({ from: '2027-01-01', to: '2027-02-01', limit: 100 });
    expect(whole.items.map((entry) => entry.id)).toEqual([...seen.map((entry) => entry.id), whole.items[3]!.id]);
    expect(whole.next).toBeNull();
    await expect(queries.journal({ from: '2027-01-01', to: '2027-01-31', limit: 1, after: Buffer.from(JSON.stringify(['15 Jan', randomUUID()])).toString('base64url') })).rejects.toBeInstanceOf(
      InvalidCursorError,
    );
  });

  it("answers an invoice with its lines, and a customer's statement with a running total per currency across pages", async () => {
    const january = await issue('2027-01-10T09:00:00.123456Z', 10_000, 'EUR', undefined, [
      { description: 'Two days', chargeType: 'rental', quantity: 2, unitAmountCents: 4_000 },
      { description: 'Cleaning', chargeType: 'fee', unitAmountCents: 2_000 },
    ]);
    const pounds = await issue('2027-01-12T09:00:00Z', 7_000, 'GBP');
    const credit = await issue('2027-01-20T09:00:00.123457Z', 2_000, 'EUR', january);
    const february = await issue('2027-02-02T09:00:00Z', 5_000, 'EUR');
    await issue('2027-03-01T00:00:00Z', 9_000, 'EUR');

    expect(await queries.invoice(january)).toEqual({
      id: january,
      kind: 'invoice',
      invoiceNumber: expect.stringMatching(/^INV-2027-\d{6}$/) as string,
      rentalId: null,
      customerId: customer,
      creditedInvoiceId: null,
      totalMinor: 10_000,
      currency: 'EUR',
      issuedAt: '2027-01-10T09:00:00.123Z',
      lines: [
        { lineNumber: 1, description: 'Two days', chargeType: 'rental', quantity: 2, unitAmountMinor: 4_000, amountMinor: 8_000, currency: 'EUR' },
        { lineNumber: 2, description: 'Cleaning', chargeType: 'fee', quantity: 1, unitAmountMinor: 2_000, amountMinor: 2_000, currency: 'EUR' },
      ],
    });
    expect(await queries.invoice(randomUUID())).toBeUndefined();

    const items = [];
    let after: string | undefined;
    for (let page = 0; page < 6; page += 1) {
      const result = await queries.statement(customer, { from: '2027-01-01', to: '2027-02-28', limit: 1, ...(after === undefined ? {} : { after }) });
      expect(result.totals).toEqual([{ currency: 'EUR', invoicedMinor: 15_000, creditedMinor: 2_000, totalMinor: 13_000 }, { currency: 'GBP', invoicedMinor: 7_000, creditedMinor: 0, totalMinor: 7_000 }]);
      items.push(...result.items);
      if (result.next === null) break;
      after = result.next;
    }
    expect(items.map((item) => [item.invoiceId, item.kind, item.amountMinor, item.currency, item.runningTotalMinor])).toEqual([
      [january, 'invoice', 10_000, 'EUR', 10_000],
      [pounds, 'invoice', 7_000, 'GBP', 7_000],
      [credit, 'credit_note', -2_000, 'EUR', 8_000],
      [february, 'invoice', 5_000, 'EUR', 13_000],
    ]);
    expect(await queries.statement(randomUUID(), { from: '2027-01-01', to: '2027-02-28', limit: 10 })).toEqual({ items: [], totals: [], next: null });
  });
});
