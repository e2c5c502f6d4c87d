import { CHART_OF_ACCOUNTS } from '../../processors/ledger/chart-of-accounts';
import { decidePosting, postingOf } from '../../processors/ledger/ledger-posting';
import { imbalanceByCurrency, postingFor, type PostingFacts, type PostingLine, type PostingOutcome } from '../../processors/ledger/posting-rules';
import type { PostableEvent } from '../../processors/ledger/source-events';

/**
 * The posting rules, one row per rule and case: the event and what the ledger knows go in, the
 * journal lines (or why there are none) come out. Every posting balances per currency and names
 * only accounts of the chart.
 */
const at = new Date('2026-11-20T22:30:00Z');
const rentalId = '00000000-0000-4000-8000-000000000001';
const paymentId = '00000000-0000-4000-8000-000000000002';
const refundId = '00000000-0000-4000-8000-000000000003';
const chargeId = '00000000-0000-4000-8000-000000000004';
const jobId = '00000000-0000-4000-8000-000000000005';

const dr = (account: PostingLine['account'], amountMinor: number, currency = 'EUR'): PostingLine => ({ account, direction: 'debit', amountMinor, currency });
const cr = (account: PostingLine['account'], amountMinor: number, currency = 'EUR'): PostingLine => ({ account, direction: 'credit', amountMinor, currency });
const posted = (externalRefType: string, externalRefId: string, description: string, lines: PostingLine[]): PostingOutcome => ({
  kind: 'post',
  posting: { externalRefType, externalRefId, entryDate: '2026-11-20', description, lines },
});

const completed = (overrides: Partial<Extract<PostableEvent, { type: 'rental.RentalCompleted' }>> = {}): PostableEvent => ({
  type: 'rental.RentalCompleted',
  rentalId,
  completedAt: at,
  lines: [
    { type: 'extra_day', amountMinor: 4_500 },
    { type: 'late_fee', amountMinor: 1_000 },
    { type: 'extra_km', amountMinor: 600 },
    { type: 'damage', amountMinor: 20_000 },
  ],
  currency: 'EUR',
  depositAppliedMinor: 30_000,
  ...overrides,
});
const reserved: PostingFacts = { reservedLines: [{ type: 'base', amountMinor: 13_500 }, { type: 'extra_hour', amountMinor: 1_000 }] };

const cases: [name: string, event: PostableEvent, facts: PostingFacts, expected: PostingOutcome][] = [
  [
    'a completion recognises the reserved period and what the return added, and applies the deposit',
    completed(),
    reserved,
    posted('rental.RentalCompleted', rentalId, `Rental ${rentalId} completed`, [
      dr('ACCOUNTS_RECEIVABLE', 40_600),
      cr('RENTAL_REVENUE', 14_500),
      cr('EXTRA_TIME_REVENUE', 4_500),
      cr('LATE_FEE_REVENUE', 1_000),
      cr('EXTRA_KM_REVENUE', 600),
      cr('DAMAGE_RECOVERY_REVENUE', 20_000),
      dr('CUSTOMER_DEPOSITS', 30_000),
      cr('ACCOUNTS_RECEIVABLE', 30_000),
    ]),
  ],
  [
    'a discount on the reservation is contra-revenue, and no deposit applied books no deposit line',
    completed({ lines: [], depositAppliedMinor: 0 }),
    { reservedLines: [{ type: 'base', amountMinor: 10_000 }, { type: 'discount', amountMinor: 1_500 }] },
    posted('rental.RentalCompleted', rentalId, `Rental ${rentalId} completed`, [dr('ACCOUNTS_RECEIVABLE', 10_000), cr('RENTAL_REVENUE', 10_000), dr('DISCOUNTS', 1_500), cr('ACCOUNTS_RECEIVABLE', 1_500)]),
  ],
  ['a completion the ledger saw no reservation for cannot be booked', completed(), {}, { kind: 'unpostable', reasonCode: 'LEDGER.RESERVATION_UNKNOWN', message: `The ledger has not seen rental ${rentalId} reserved.` }],
  ['a completion from before priced rentals books nothing', completed({ currency: null, depositAppliedMinor: null }), reserved, { kind: 'nothing', why: 'the rental predates priced rentals' }],
  [
    'a charge type without an account cannot be booked',
    completed({ lines: [{ type: 'fuel', amountMinor: 100 }] }),
    reserved,
    { kind: 'unpostable', reasonCode: 'LEDGER.UNPOSTABLE_CHARGE', message: 'the charge type fuel has no revenue account' },
  ],
  [
    'a cancellation fee is receivable and earned',
    { type: 'rental.RentalCancelled', rentalId, feeMinor: 5_000, currency: 'USD', cancelledAt: at },
    {},
    posted('rental.RentalCancelled', rentalId, `Rental ${rentalId} cancelled`, [dr('ACCOUNTS_RECEIVABLE', 5_000, 'USD'), cr('CANCELLATION_FEE_REVENUE', 5_000, 'USD')]),
  ],
  ['a cancellation without a fee books nothing', { type: 'rental.RentalCancelled', rentalId, feeMinor: 0, currency: 'EUR', cancelledAt: at }, {}, { kind: 'nothing', why: 'cancelled without a fee' }],
  [
    'a damage charged by hand is receivable and recovery revenue',
    { type: 'rental.ChargeAdded', chargeId, rentalId, chargeType: 'damage', amountMinor: 7_000, currency: 'EUR', addedAt: at },
    {},
    posted('rental.ChargeAdded', chargeId, `Charge damage on rental ${rentalId}`, [dr('ACCOUNTS_RECEIVABLE', 7_000), cr('DAMAGE_RECOVERY_REVENUE', 7_000)]),
  ],
  [
    'a goodwill discount reduces what is owed',
    { type: 'rental.ChargeAdded', chargeId, rentalId, chargeType: 'discount', amountMinor: 2_000, currency: 'EUR', addedAt: at },
    {},
    posted('rental.ChargeAdded', chargeId, `Charge discount on rental ${rentalId}`, [dr('DISCOUNTS', 2_000), cr('ACCOUNTS_RECEIVABLE', 2_000)]),
  ],
  [
    'a captured deposit is money held for the customer',
    { type: 'rental.PaymentCaptured', paymentId, rentalId, kind: 'deposit', provider: 'card', amountMinor: 30_000, currency: 'EUR', capturedAt: at },
    {},
    posted('rental.PaymentCaptured', paymentId, `deposit captured (card) for rental ${rentalId}`, [dr('CARD_CLEARING', 30_000), cr('CUSTOMER_DEPOSITS', 30_000)]),
  ],
  [
    'a captured payment settles what the customer owes',
    { type: 'rental.PaymentCaptured', paymentId, rentalId, kind: 'payment', provider: 'cash', amountMinor: 10_600, currency: 'EUR', capturedAt: at },
    {},
    posted('rental.PaymentCaptured', paymentId, `payment captured (cash) for rental ${rentalId}`, [dr('CASH', 10_600), cr('ACCOUNTS_RECEIVABLE', 10_600)]),
  ],
  [
    'a payment by an unknown provider cannot be booked',
    { type: 'rental.PaymentCaptured', paymentId, rentalId, kind: 'payment', provider: 'barter', amountMinor: 1, currency: 'EUR', capturedAt: at },
    {},
    { kind: 'unpostable', reasonCode: 'LEDGER.UNKNOWN_PROVIDER', message: 'The provider barter has no account.' },
  ],
  [
    'a released deposit leaves the account it was captured to',
    { type: 'rental.PaymentRefunded', refundId, paymentId, rentalId, kind: 'deposit', amountMinor: 20_000, currency: 'EUR', refundedAt: at },
    { heldAccount: 'CARD_CLEARING' },
    posted('rental.PaymentRefunded', refundId, `deposit ${paymentId} refunded for rental ${rentalId}`, [dr('CUSTOMER_DEPOSITS', 20_000), cr('CARD_CLEARING', 20_000)]),
  ],
  [
    'a refunded payment is owed back by the customer again',
    { type: 'rental.PaymentRefunded', refundId, paymentId, rentalId, kind: 'payment', amountMinor: 500, currency: 'EUR', refundedAt: at },
    { heldAccount: 'BANK_TRANSFERS' },
    posted('rental.PaymentRefunded', refundId, `payment ${paymentId} refunded for rental ${rentalId}`, [dr('ACCOUNTS_RECEIVABLE', 500), cr('BANK_TRANSFERS', 500)]),
  ],
  [
    'a refund of a payment the ledger never booked cannot be booked',
    { type: 'rental.PaymentRefunded', refundId, paymentId, rentalId, kind: 'payment', amountMinor: 500, currency: 'EUR', refundedAt: at },
    {},
    { kind: 'unpostable', reasonCode: 'LEDGER.PAYMENT_UNKNOWN', message: `The ledger has not booked payment ${paymentId} as captured.` },
  ],
  [
    'a completed job owes the workshop its parts and labour',
    { type: 'maintenance.MaintenanceCompleted', jobId, completedAt: at, laborCostMinor: 8_000, partsCostMinor: 12_500, currency: 'EUR' },
    {},
    posted('maintenance.MaintenanceCompleted', jobId, `Maintenance job ${jobId} completed`, [
      dr('MAINTENANCE_PARTS_EXPENSE', 12_500),
      cr('ACCOUNTS_PAYABLE', 20_500),
      dr('MAINTENANCE_LABOUR_EXPENSE', 8_000),
    ]),
  ],
  [
    'a job with labour only books labour',
    { type: 'maintenance.MaintenanceCompleted', jobId, completedAt: at, laborCostMinor: 8_000, partsCostMinor: 0, currency: 'EUR' },
    {},
    posted('maintenance.MaintenanceCompleted', jobId, `Maintenance job ${jobId} completed`, [cr('ACCOUNTS_PAYABLE', 8_000), dr('MAINTENANCE_LABOUR_EXPENSE', 8_000)]),
  ],
  ['a job without costs books nothing', { type: 'maintenance.MaintenanceCompleted', jobId, completedAt: at, laborCostMinor: null, partsCostMinor: null, currency: null }, {}, { kind: 'nothing', why: 'the job has no costs' }],
  [
    'a negative cost cannot be booked',
    { type: 'maintenance.MaintenanceCompleted', jobId, completedAt: at, laborCostMinor: -1, partsCostMinor: 0, currency: 'EUR' },
    {},
    { kind: 'unpostable', reasonCode: 'LEDGER.INVALID_AMOUNT', message: `maintenance.MaintenanceCompleted ${jobId} carries -1 for ACCOUNTS_PAYABLE.` },
  ],
];

describe('posting rules', () => {
  it.each(cases)('%s', (_name, event, facts, expected) => {
    expect(postingFor(event, facts)).toEqual(expected);
  });

  it.each(cases.filter(([, , , expected]) => expected.kind === 'post'))('%s: balances in every currency and names accounts of the chart', (_name, event, facts) => {
    const outcome = postingFor(event, facts);
    if (outcome.kind !== 'post') throw new Error('expected a posting');
    expect([...imbalanceByCurrency(outcome.posting.lines).values()].every((sum) => sum === 0)).toBe(true);
    const codes: readonly string[] = CHART_OF_ACCOUNTS.map((account) => account.code);
    expect(outcome.posting.lines.every((line) => codes.includes(line.account) && line.amountMinor > 0)).toBe(true);
  });

  it('dates an entry by the UTC day of its fact', () => {
    const outcome = postingFor({ type: 'rental.RentalCancelled', rentalId, feeMinor: 1, currency: 'EUR', cancelledAt: new Date('2026-11-20T23:59:59.999Z') }, {});
    expect(outcome.kind === 'post' && outcome.posting.entryDate).toBe('2026-11-20');
  });
});

describe('deciding a posting', () => {
  const context = { metadata: {} as never, now: at };
  const event: PostableEvent = { type: 'rental.ChargeAdded', chargeId, rentalId, chargeType: 'late_fee', amountMinor: 900, currency: 'EUR', addedAt: at };
  const entryId = '00000000-0000-4000-8000-0000000000ee';

  it('publishes LedgerPosted with the entry, from which the same posting is read back', () => {
    const decision = decidePosting({ entryId, postedBefore: undefined }, event, context);
    expect(decision).toEqual({
      kind: 'accepted',
      aggregateId: entryId,
      resourcePath: null,
      events: [
        {
          type: 'ledger.LedgerPosted',
          aggregateType: 'journal_entry',
          aggregateId: entryId,
          payload: {
            entryId,
            externalRefType: 'rental.ChargeAdded',
            externalRefId: chargeId,
            entryDate: '2026-11-20',
            description: `Charge late_fee on rental ${rentalId}`,
            reversesEntryId: null,
            lines: [
              { accountCode: 'ACCOUNTS_RECEIVABLE', direction: 'debit', amountMinor: 900, currency: 'EUR', memo: null },
              { accountCode: 'LATE_FEE_REVENUE', direction: 'credit', amountMinor: 900, currency: 'EUR', memo: null },
            ],
            totals: [{ currency: 'EUR', amountMinor: 900 }],
          },
        },
      ],
    });
    const outcome = postingFor(event, {});
    expect(decision.kind === 'accepted' && postingOf(decision.events[0]!.payload)).toEqual(outcome.kind === 'post' && { ...outcome.posting, reversesEntryId: null });
  });

  it('posts nothing again for a fact posted with the same lines, and calls other lines a conflict', () => {
    const lines: PostingLine[] = [dr('ACCOUNTS_RECEIVABLE', 900), cr('LATE_FEE_REVENUE', 900)];
    expect(decidePosting({ entryId, postedBefore: { id: 'earlier', lines: [...lines].reverse() } }, event, context)).toEqual({ kind: 'accepted', aggregateId: 'earlier', events: [], resourcePath: null });
    expect(decidePosting({ entryId, postedBefore: { id: 'earlier', lines: [dr('ACCOUNTS_RECEIVABLE', 800), cr('LATE_FEE_REVENUE', 800)] } }, event, context)).toMatchObject({
      kind: 'rejected',
      reasonCode: 'LEDGER.CONFLICTING_POSTING',
    });
  });
});
