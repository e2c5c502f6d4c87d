import { canonicalJson, contentHash } from '../../processors/reporting/canonical';
import { agingBucketOf, daysOverdue, incomeStatement, receivablesAging, trialBalance, type LedgerLine } from '../../processors/reporting/ledger-reports';
import { intersect, subtract, union, utilisation, type Interval } from '../../processors/reporting/utilisation';

/**
 * The reports as pure functions against fixtures computed by hand: a trial balance as of a day,
 * an income statement for a period, receivables by age, fleet utilisation, and the canonical text
 * and hash a snapshot is stored with.
 */
const line = (entryDate: string, accountCode: string, accountType: LedgerLine['accountType'], direction: LedgerLine['direction'], amountMinor: number, currency = 'EUR'): LedgerLine => ({
  entryDate,
  accountCode,
  accountType,
  direction,
  amountMinor,
  currency,
});

// A rental completed on 3 November (base 10,000, extra km 1,000, a 500 discount), a card payment
// on 4 November, a workshop job on 20 November, and in USD a cancellation fee on 1 December.
const journal: LedgerLine[] = [
  line('2026-11-03', 'ACCOUNTS_RECEIVABLE', 'asset', 'debit', 11_000),
  line('2026-11-03', 'RENTAL_REVENUE', 'revenue', 'credit', 10_000),
  line('2026-11-03', 'EXTRA_KM_REVENUE', 'revenue', 'credit', 1_000),
  line('2026-11-03', 'DISCOUNTS', 'revenue', 'debit', 500),
  line('2026-11-03', 'ACCOUNTS_RECEIVABLE', 'asset', 'credit', 500),
  line('2026-11-04', 'CARD_CLEARING', 'asset', 'debit', 6_000),
  line('2026-11-04', 'ACCOUNTS_RECEIVABLE', 'asset', 'credit', 6_000),
  line('2026-11-20', 'MAINTENANCE_PARTS_EXPENSE', 'expense', 'debit', 2_500),
  line('2026-11-20', 'MAINTENANCE_LABOUR_EXPENSE', 'expense', 'debit', 4_000),
  line('2026-11-20', 'ACCOUNTS_PAYABLE', 'liability', 'credit', 6_500),
  line('2026-12-01', 'ACCOUNTS_RECEIVABLE', 'asset', 'debit', 2_500, 'USD'),
  line('2026-12-01', 'CANCELLATION_FEE_REVENUE', 'revenue', 'credit', 2_500, 'USD'),
];

describe('trial balance', () => {
  it('sums each account up to the day, per currency, debits equal to credits', () => {
    const report = trialBalance(journal, '2026-11-30');
    expect(report.currencies.map((currency) => currency.currency)).toEqual(['EUR']);
    const [eur] = report.currencies;
    expect(eur!.accounts.map((account) => [account.code, account.balanceMinor])).toEqual([
      ['ACCOUNTS_PAYABLE', -6_500],
      ['ACCOUNTS_RECEIVABLE', 4_500],
      ['CARD_CLEARING', 6_000],
      ['DISCOUNTS', 500],
      ['EXTRA_KM_REVENUE', -1_000],
      ['MAINTENANCE_LABOUR_EXPENSE', 4_000],
      ['MAINTENANCE_PARTS_EXPENSE', 2_500],
      ['RENTAL_REVENUE', -10_000],
    ]);
    expect([eur!.totalDebitMinor, eur!.totalCreditMinor]).toEqual([24_000, 24_000]);
  });

  it('takes in a later day, and gives an empty report before the first entry', () => {
    expect(trialBalance(journal, '2026-12-31').currencies.map((currency) => [currency.currency, currency.totalDebitMinor])).toEqual([
      ['EUR', 24_000],
      ['USD', 2_500],
    ]);
    expect(trialBalance(journal, '2026-01-01')).toEqual({ asOf: '2026-01-01', currencies: [] });
  });
});

describe('income statement', () => {
  it('gives revenue by type, discounts against it, the workshop as expense and the net, per currency', () => {
    expect(incomeStatement(journal, { from: '2026-11-01', to: '2026-11-30' })).toEqual({
      period: { from: '2026-11-01', to: '2026-11-30' },
      currencies: [
        {
          currency: 'EUR',
          revenue: [
            { code: 'EXTRA_KM_REVENUE', amountMinor: 1_000 },
            { code: 'RENTAL_REVENUE', amountMinor: 10_000 },
          ],
          grossRevenueMinor: 11_000,
          discountsMinor: 500,
          netRevenueMinor: 10_500,
          expenses: [
            { code: 'MAINTENANCE_LABOUR_EXPENSE', amountMinor: 4_000 },
            { code: 'MAINTENANCE_PARTS_EXPENSE', amountMinor: 2_500 },
          ],
          expensesMinor: 6_500,
          netIncomeMinor: 4_000,
        },
      ],
    });
  });

  it('counts both ends of the period and nothing outside it', () => {
    const edges = incomeStatement(journal, { from: '2026-11-04', to: '2026-11-20' });
    expect(edges.currencies.map((currency) => [currency.currency, currency.netRevenueMinor, currency.expensesMinor])).toEqual([['EUR', 0, 6_500]]);
    expect(incomeStatement(journal, { from: '2027-01-01', to: '2027-12-31' }).currencies).toEqual([]);
  });
});

describe('receivables aging', () => {
  it('puts each open amount in the bucket of its days overdue, per currency and customer', () => {
    const items = [
      { customerId: 'c-1', documentNumber: 'INV-2026-000001', dueDate: '2026-12-10', outstandingMinor: 1_000, currency: 'EUR' },
      { customerId: 'c-1', documentNumber: 'INV-2026-000002', dueDate: '2026-11-30', outstandingMinor: 2_000, currency: 'EUR' },
      { customerId: 'c-2', documentNumber: 'INV-2026-000003', dueDate: '2026-10-31', outstandingMinor: 3_000, currency: 'EUR' },
      { customerId: null, documentNumber: 'INV-2026-000004', dueDate: '2026-08-01', outstandingMinor: 4_000, currency: 'EUR' },
      { customerId: 'c-2', documentNumber: 'INV-2026-000005', dueDate: '2026-09-01', outstandingMinor: 0, currency: 'EUR' },
      { customerId: 'c-3', documentNumber: 'INV-2026-000006', dueDate: '2026-09-11', outstandingMinor: 500, currency: 'USD' },
    ];
    const report = receivablesAging(items, '2026-12-10');
    expect(report.currencies.map((currency) => [currency.currency, currency.buckets, currency.totalMinor])).toEqual([
      ['EUR', { current: 1_000, '1-30': 2_000, '31-60': 3_000, '61-90': 0, 'over-90': 4_000 }, 10_000],
      ['USD', { current: 0, '1-30': 0, '31-60': 0, '61-90': 500, 'over-90': 0 }, 500],
    ]);
    expect(report.currencies[0]!.customers.map((customer) => [customer.customerId, customer.totalMinor])).toEqual([
      ['c-1', 3_000],
      ['c-2', 3_000],
      [null, 4_000],
    ]);
  });

  it('draws the bucket edges at 0, 30, 60 and 90 days', () => {
    expect([0, 1, 30, 31, 60, 61, 90, 91, -5].map(agingBucketOf)).toEqual(['current', '1-30', '1-30', '31-60', '31-60', '61-90', '61-90', 'over-90', 'current']);
    expect(daysOverdue('2026-02-27', '2026-03-01')).toBe(2);
    expect(daysOverdue('2026-03-28', '2026-03-30')).toBe(2);
  });
});

describe('fleet utilisation', () => {
  const HOUR = 3_600_000;
  const at = (hours: number) => Date.UTC(2026, 10, 1) + hours * HOUR;
  const span = (from: number, to: number): Interval => ({ start: at(from), end: at(to) });

  it('merges, cuts and intersects intervals', () => {
    expect(union([span(5, 8), span(0, 2), span(2, 3), span(7, 9), span(4, 4)])).toEqual([span(0, 3), span(5, 9)]);
    expect(subtract([span(0, 10)], [span(2, 3), span(5, 7), span(9, 12)])).toEqual([span(0, 2), span(3, 5), span(7, 9)]);
    expect(intersect([span(0, 4), span(6, 10)], [span(3, 7)])).toEqual([span(3, 4), span(6, 7)]);
  });

  it('divides rented hours by available hours, out of the workshop and in service only', () => {
    // A 100-hour period. Vehicle a: in service throughout, 10 hours in the workshop, rented 0–30
    // and 40–60 (a rental overlapping the workshop window counts for its available part).
    // Vehicle b: decommissioned at hour 50, rented 45–80. Vehicle c: registered after the period.
    const report = utilisation(
      span(0, 100),
      [
        { vehicleId: 'b', vehicleClass: 'van', inServiceFrom: at(-100), inServiceUntil: at(50) },
        { vehicleId: 'a', vehicleClass: 'compact', inServiceFrom: at(-100), inServiceUntil: null },
        { vehicleId: 'c', vehicleClass: 'compact', inServiceFrom: at(200), inServiceUntil: null },
      ],
      new Map([
        ['a', [span(0, 30), span(40, 60)]],
        ['b', [span(45, 80)]],
      ]),
      new Map([['a', [span(25, 35)]]]),
    );
    expect(report.vehicles).toEqual([
      { vehicleId: 'a', vehicleClass: 'compact', availableMs: 90 * HOUR, rentedMs: 45 * HOUR, utilisationBp: 5_000 },
      { vehicleId: 'b', vehicleClass: 'van', availableMs: 50 * HOUR, rentedMs: 5 * HOUR, utilisationBp: 1_000 },
      { vehicleId: 'c', vehicleClass: 'compact', availableMs: 0, rentedMs: 0, utilisationBp: null },
    ]);
    expect(report.overall).toEqual({ availableMs: 140 * HOUR, rentedMs: 50 * HOUR, utilisationBp: 3_571 });
  });
});

describe('canonical text and content hash', () => {
  it('writes keys in order and no spaces, so equal reports are equal bytes', () => {
    const left = { b: [1, { z: null, a: 'x' }], a: true };
    const right = { a: true, b: [1, { a: 'x', z: null }] };
    expect(canonicalJson(left)).toBe('{"a":true,"b":[1,{"a":"x","z":null}]}');
    expect(contentHash(left)).toBe(contentHash(right));
    expect(contentHash(left)).toMatch(/^[0-9a-f]{64}$/);
    expect(contentHash({ a: 1 })).not.toBe(contentHash({ a: 2 }));
  });

  it('refuses what JSON cannot carry the same way twice', () => {
    expect(() => canonicalJson({ amount: Number.NaN })).toThrow(/cannot hold the number NaN/);
    expect(() => canonicalJson({ at: new Date(0) })).toThrow(/Date/);
    expect(() => canonicalJson({ missing: undefined })).toThrow(TypeError);
  });
});
