import { documentEvent, documentForReversal, documentNumber, documentOf, invoiceFor, issue, type IssuedDocument } from '../../processors/ledger/invoices';
import { postingFor } from '../../processors/ledger/posting-rules';
import type { PostableEvent } from '../../processors/ledger/source-events';

/**
 * Invoices and credit notes as pure rules: which facts are invoiced and with which lines, that an
 * invoice charges exactly the revenue its posting books, how documents are numbered, and what a
 * reversal issues.
 */
const rentalId = '7d2e0000-0000-4000-8000-000000000001';
const customerId = '7d2e0000-0000-4000-8000-0000000000cc';
const at = new Date('2026-11-20T15:00:00Z');

const completed = (lines: { type: string; amountMinor: number }[], depositAppliedMinor: number | null = null): PostableEvent => ({
  type: 'rental.RentalCompleted',
  rentalId,
  completedAt: at,
  lines,
  currency: 'EUR',
  depositAppliedMinor,
});
const reserved = [
  { type: 'base', amountMinor: 12_000 },
  { type: 'discount', amountMinor: 1_500 },
];

/** Revenue the posting books, net of discounts (credits minus debits on revenue accounts). */
function bookedRevenue(event: PostableEvent, facts: { reservedLines?: typeof reserved }): number {
  const outcome = postingFor(event, facts);
  if (outcome.kind !== 'post') return 0;
  return outcome.posting.lines
    .filter((line) => line.account.endsWith('_REVENUE') || line.account === 'DISCOUNTS')
    .reduce((sum, line) => sum + (line.direction === 'credit' ? line.amountMinor : -line.amountMinor), 0);
}

describe('an invoice', () => {
  it('lists a completed rental by charge, the reserved period and the return, a discount counted against the total, and no zero line', () => {
    const event = completed([
      { type: 'late_fee', amountMinor: 3_000 },
      { type: 'extra_km', amountMinor: 0 },
    ]);
    expect(invoiceFor(event, { reservedLines: reserved, customerId })).toEqual({
      kind: 'invoice',
      rentalId,
      customerId,
      currency: 'EUR',
      lines: [
        { chargeType: 'base', description: 'Rental, reserved period', amountMinor: 12_000 },
        { chargeType: 'discount', description: 'Discount', amountMinor: -1_500 },
        { chargeType: 'late_fee', description: 'Late return fee', amountMinor: 3_000 },
      ],
      totalMinor: 13_500,
      issuedAt: at,
      creditedInvoiceId: null,
    });
  });

  it.each<[string, PostableEvent, { reservedLines?: typeof reserved }]>([
    ['a completed rental with a deposit applied', completed([{ type: 'damage', amountMinor: 9_000 }], 5_000), { reservedLines: reserved }],
    ['a cancellation with a fee', { type: 'rental.RentalCancelled', rentalId, feeMinor: 2_500, currency: 'USD', cancelledAt: at }, {}],
    ['a charge added on its own', { type: 'rental.ChargeAdded', chargeId: rentalId, rentalId, chargeType: 'damage', amountMinor: 800, currency: 'EUR', addedAt: at }, {}],
  ])('charges exactly the revenue its posting books: %s', (_case, event, facts) => {
    const invoice = invoiceFor(event, facts);
    expect(invoice?.totalMinor).toBe(bookedRevenue(event, facts));
    expect(invoice?.totalMinor).toBeGreaterThan(0);
  });

  it.each<[string, PostableEvent, { reservedLines?: typeof reserved }]>([
    ['a cancellation without a fee', { type: 'rental.RentalCancelled', rentalId, feeMinor: 0, currency: 'EUR', cancelledAt: at }, {}],
    ['a rental that predates pricing', { ...completed([]), currency: null } as PostableEvent, { reservedLines: reserved }],
    ['a rental the ledger never saw reserved', completed([]), {}],
    ['discounts beyond the charges', completed([]), { reservedLines: [{ type: 'base', amountMinor: 100 }, { type: 'discount', amountMinor: 200 }] }],
    ['a payment', { type: 'rental.PaymentCaptured', paymentId: rentalId, rentalId, kind: 'rental', provider: 'card', amountMinor: 100, currency: 'EUR', capturedAt: at }, {}],
    ['a refund', { type: 'rental.PaymentRefunded', refundId: rentalId, paymentId: rentalId, rentalId, kind: 'rental', amountMinor: 100, currency: 'EUR', refundedAt: at }, {}],
    ['a workshop job', { type: 'maintenance.MaintenanceCompleted', jobId: rentalId, completedAt: at, laborCostMinor: 100, partsCostMinor: 0, currency: 'EUR' }, {}],
  ])('is not issued for %s', (_case, event, facts) => {
    expect(invoiceFor(event, facts)).toBeUndefined();
  });
});

describe('document numbers', () => {
  it('run per year with the kind as prefix and six digits', () => {
    expect(documentNumber('invoice', 2026, 42)).toBe('INV-2026-000042');
    expect(documentNumber('credit_note', 2027, 1)).toBe('CRN-2027-000001');
  });

  it('take the next number of the year of issue (UTC), and the event carries the document whole', () => {
    const draft = invoiceFor(completed([]), { reservedLines: reserved, customerId })!;
    const newYearsEve = { ...draft, issuedAt: new Date('2026-12-31T23:30:00-02:00') };
    const issued = issue(newYearsEve, { id: 'doc-1', lastNumber: 0, journalEntryId: 'entry-1', sourceEventType: 'rental.RentalCompleted', sourceEventId: rentalId });
    expect(issued).toMatchObject({ year: 2027, sequenceNumber: 1, number: 'INV-2027-000001' });
    const event = documentEvent(issued);
    expect(event).toMatchObject({ type: 'ledger.InvoiceIssued', aggregateId: 'doc-1', payload: { number: 'INV-2027-000001', totalMinor: 10_500, lines: [{ lineNumber: 1 }, { lineNumber: 2 }] } });
    expect(documentOf(event)).toEqual(issued);
  });
});

describe('a reversal of an invoiced posting', () => {
  const invoice: IssuedDocument = issue(invoiceFor(completed([]), { reservedLines: reserved, customerId })!, {
    id: 'invoice-1',
    lastNumber: 9,
    journalEntryId: 'entry-1',
    sourceEventType: 'rental.RentalCompleted',
    sourceEventId: rentalId,
  });
  const later = new Date('2027-01-05T10:00:00Z');

  it('credits the whole invoice with its lines', () => {
    const credit = documentForReversal(invoice, later);
    expect(credit).toEqual({ kind: 'credit_note', rentalId, customerId, currency: 'EUR', lines: invoice.lines, totalMinor: 10_500, issuedAt: later, creditedInvoiceId: 'invoice-1' });
    expect(documentEvent(issue(credit, { id: 'credit-1', lastNumber: 0, journalEntryId: 'entry-2', sourceEventType: 'ledger.ReverseJournalEntry', sourceEventId: 'entry-2' })).type).toBe('ledger.CreditNoteIssued');
  });

  it('of a credit note charges the lines again on a new invoice', () => {
    const credit = issue(documentForReversal(invoice, later), { id: 'credit-1', lastNumber: 0, journalEntryId: 'entry-2', sourceEventType: 'ledger.ReverseJournalEntry', sourceEventId: 'entry-2' });
    const again = documentForReversal(credit, later);
    expect(again).toMatchObject({ kind: 'invoice', creditedInvoiceId: null, lines: invoice.lines, totalMinor: invoice.totalMinor });
  });
});
