import { randomUUID } from 'node:crypto';
import { problemType } from '../../gateway/middleware/problem';
import { SystemHarness } from '../support/system';
import { handWrittenChainColumns, writeHandWrittenDocument } from '../support/ledger-fixtures';

/**
 * The ledger's reads through HTTP, over entries and an invoice written as the accounting context
 * would: who may read them (accounting.read: the accountant and the auditor, not a rental agent),
 * the answers' shapes, and the 400 problem documents that name the parameter for every bad date,
 * period, cursor and id, never a 500.
 */
const harness = new SystemHarness();

describe('ledger reads through the gateway', () => {
  const customer = randomUUID();
  let invoiceId: string;
  let cash: string;
  let revenue: string;

  beforeAll(async () => {
    await harness.start();
    const admin = harness.database.knex();
    const account = async (code: string, name: string, type: string) =>
      (await admin('accounting.accounts').insert({ code, name, type }).returning<{ id: string }[]>('id'))[0]!.id;
    cash = await account('E2E_CASH', 'Cash', 'asset');
    revenue = await account('E2E_REVENUE', 'Rental revenue', 'revenue');
    await admin.transaction(async (transaction) => {
      const [entry] = await transaction('accounting.journal_entries')
        .insert({ external_ref_type: 'test', external_ref_id: randomUUID(), entry_date: '2027-03-05', description: 'Rental charges', ...handWrittenChainColumns() })
        .returning<{ id: string }[]>('id');
      await transaction('accounting.journal_lines').insert([
        { journal_entry_id: entry!.id, account_id: cash, direction: 'debit', amount_cents: 12_000, currency: 'EUR' },
        { journal_entry_id: entry!.id, account_id: revenue, direction: 'credit', amount_cents: 12_000, currency: 'EUR' },
      ]);
    });
    invoiceId = await writeHandWrittenDocument(admin, {
      year: 2027,
      sequenceNumber: 1,
      currency: 'EUR',
      issuedAt: '2027-03-05T10:00:00Z',
      customerId: customer,
      lines: [{ description: 'Rental charges', chargeType: 'base', unitAmountCents: 12_000 }],
    });
  });

  afterAll(() => harness.stop());

  const routes = () => [
    '/v1/accounting/accounts',
    '/v1/accounting/balances?asOf=2027-03-31',
    '/v1/accounting/journal?from=2027-03-01&to=2027-03-31',
    `/v1/accounting/invoices/${invoiceId}`,
    `/v1/accounting/statements/${customer}?from=2027-03-01&to=2027-03-31`,
  ];

  it('answers the accountant and the auditor, and refuses a rental agent with 403', async () => {
    for (const route of routes()) {
      expect((await harness.get(route, { roles: ['accountant'] })).status).toBe(200);
      expect((await harness.get(route, { roles: ['auditor'] })).status).toBe(200);
      const refused = await harness.get(route, { roles: ['rental_agent'] });
      expect({ status: refused.status, type: refused.body.type }).toEqual({ status: 403, type: problemType('forbidden') });
    }
  });

  it('answers balances with the trial balance, the journal, the invoice and the statement', async () => {
    const balances = await harness.get('/v1/accounting/balances?asOf=2027-03-31', { roles: ['accountant'] });
    expect(balances.body).toEqual({
      asOf: '2027-03-31',
      accounts: [
        { accountId: cash, code: 'E2E_CASH', name: 'Cash', type: 'asset', normalSide: 'debit', currency: 'EUR', debitsMinor: 12_000, creditsMinor: 0, balanceMinor: 12_000 },
        { accountId: revenue, code: 'E2E_REVENUE', name: 'Rental revenue', type: 'revenue', normalSide: 'credit', currency: 'EUR', debitsMinor: 0, creditsMinor: 12_000, balanceMinor: 12_000 },
      ],
      trialBalance: [{ currency: 'EUR', debitsMinor: 12_000, creditsMinor: 12_000, differenceMinor: 0 }],
    });
    expect((await harness.get('/v1/accounting/balances?asOf=2027-03-04', { roles: ['accountant'] })).body).toEqual({ asOf: '2027-03-04', accounts: [], trialBalance: [] });
    const journal = await harness.get('/v1/accounting/journal?from=2027-03-01&to=2027-03-31', { roles: ['auditor'] });
    expect(journal.body).toMatchObject({ from: '2027-03-01', to: '2027-03-31', links: { next: null } });
    expect((journal.body.items as { entryDate: string; lines: unknown[] }[]).map((entry) => [entry.entryDate, entry.lines.length])).toEqual([['2027-03-05', 2]]);
    const invoice = await harness.get(`/v1/accounting/invoices/${invoiceId}`, { roles: ['accountant'] });
    expect(invoice.body).toEqual({
      id: invoiceId,
      kind: 'invoice',
      invoiceNumber: 'INV-2027-000001',
      rentalId: null,
      customerId: customer,
      creditedInvoiceId: null,
      totalMinor: 12_000,
      currency: 'EUR',
      issuedAt: '2027-03-05T10:00:00.000Z',
      lines: [{ lineNumber: 1, description: 'Rental charges', chargeType: 'base', quantity: 1, unitAmountMinor: 12_000, amountMinor: 12_000, currency: 'EUR' }],
      links: { self: `/v1/accounting/invoices/${invoiceId}`, credited: null, rental: null },
    });
    const statement = await harness.get(`/v1/accounting/statements/${customer}?from=2027-03-01&to=2027-03-31`, { roles: ['accountant'] });
    expect(statement.body).toEqual({
      customerId: customer,
      from: '2027-03-01',
      to: '2027-03-31',
      items: [
        { invoiceId, kind: 'invoice', invoiceNumber: 'INV-2027-000001', rentalId: null, issuedAt: '2027-03-05T10:00:00.000Z', amountMinor: 12_000, currency: 'EUR', runningTotalMinor: 12_000 },
      ],
      totals: [{ currency: 'EUR', invoicedMinor: 12_000, creditedMinor: 0, totalMinor: 12_000 }],
      links: { next: null },
    });
  });

  it('answers 404 for an unknown invoice', async () => {
    const unknown = randomUUID();
    const answer = await harness.get(`/v1/accounting/invoices/${unknown}`, { roles: ['accountant'] });
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({
      type: problemType('invoice-not-found'),
      title: 'No such invoice',
      status: 404,
      detail: `There is no invoice or credit note ${unknown}.`,
      instance: `/v1/accounting/invoices/${unknown}`,
      correlationId: expect.any(String) as string,
    });
  });

  it('answers 400 naming the parameter for bad dates, periods, cursors and ids', async () => {
    const bad = await harness.get('/v1/accounting/balances?asOf=2027-02-30', { roles: ['accountant'] });
    expect(bad.body).toEqual({
      type: problemType('validation-failed'),
      title: 'Invalid query',
      status: 400,
      detail: 'asOf must be a date as YYYY-MM-DD, e.g. 2026-11-23.',
      errors: [{ field: 'asOf', message: 'must be a date as YYYY-MM-DD, e.g. 2026-11-23' }],
      instance: '/v1/accounting/balances',
      correlationId: expect.any(String) as string,
    });
    const field = async (route: string) => {
      const answer = await harness.get(route, { roles: ['auditor'] });
      return { status: answer.status, fields: ((answer.body.errors ?? []) as { field: string }[]).map((error) => error.field) };
    };
    const statement = `/v1/accounting/statements/${customer}`;
    const cases: [string, string][] = [
      ['/v1/accounting/balances?asOf=31.03.2027', 'asOf'],
      ['/v1/accounting/balances?asOf=0000-01-01', 'asOf'],
      ['/v1/accounting/balances?asOf=2027-03-01&asOf=2027-03-02', 'asOf'],
      ['/v1/accounting/balances?at=2027-03-01', 'at'],
      ['/v1/accounting/accounts?type=asset', 'type'],
      ['/v1/accounting/journal?to=2027-03-31', 'from'],
      ['/v1/accounting/journal?from=2027-03-01', 'to'],
      ['/v1/accounting/journal?from=2027-03-01T00:00:00Z&to=2027-03-31', 'from'],
      ['/v1/accounting/journal?from=2027-03-31&to=2027-03-01', 'to'],
      ['/v1/accounting/journal?from=2027-01-01&to=2028-01-02', 'to'],
      ['/v1/accounting/journal?from=2027-03-01&to=2027-03-31&limit=101', 'limit'],
      ['/v1/accounting/journal?from=2027-03-01&to=2027-03-31&after=forged', 'after'],
      [`${statement}?from=2027-03-01&to=2027-03-31&after=${Buffer.from(JSON.stringify(['yesterday', randomUUID()])).toString('base64url')}`, 'after'],
      [`${statement}?from=2027-03-01&to=2027-13-01`, 'to'],
      [`${statement}?from=2027-03-01&to=2027-03-31&limit=0`, 'limit'],
      ['/v1/accounting/statements/not-a-customer?from=2027-03-01&to=2027-03-31', 'customerId'],
      ['/v1/accounting/invoices/42', 'invoiceId'],
    ];
    for (const [route, name] of cases) expect({ route, ...(await field(route)) }).toEqual({ route, status: 400, fields: [name] });
    // A leap year's whole year is 366 days, the longest period allowed.
    expect((await field('/v1/accounting/journal?from=2028-01-01&to=2028-12-31')).status).toBe(200);
  });
});
