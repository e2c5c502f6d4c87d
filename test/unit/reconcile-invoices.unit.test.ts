import type { ChargeAdded, RentalCompleted } from '../../processors/ledger/source-events';
import { compareInvoices } from '../../tools/reconcile/compare-invoices';
import type { IssuedInvoice } from '../../tools/reconcile/ledger-entries';
import type { SourceFact } from '../../tools/reconcile/source-facts';

/**
 * The invoice half of reconcile, on facts and invoices built by hand: a posted fact that charges
 * the customer has one invoice for exactly what it charges; one missing, one for another amount,
 * one for a fact that charges nothing, and a rental whose discounts exceed its charges are named.
 */
const rentalId = '7a1d0000-0000-4000-8000-000000000001';
const chargeId = '7a1d0000-0000-4000-8000-000000000002';
const completed: RentalCompleted = {
  type: 'rental.RentalCompleted',
  rentalId,
  completedAt: new Date('2026-11-20T10:00:00Z'),
  lines: [{ type: 'extra_km', amountMinor: 1_000 }],
  currency: 'EUR',
  depositAppliedMinor: null,
};
const charge: ChargeAdded = { type: 'rental.ChargeAdded', chargeId, rentalId, chargeType: 'damage', amountMinor: 4_000, currency: 'EUR', addedAt: new Date('2026-11-20T11:00:00Z') };
const discount: ChargeAdded = { ...charge, chargeId: '7a1d0000-0000-4000-8000-000000000003', chargeType: 'discount', amountMinor: 500 };
const facts: SourceFact[] = [
  { event: completed, facts: { reservedLines: [{ type: 'base', amountMinor: 9_800 }, { type: 'discount', amountMinor: 800 }] } },
  { event: charge, facts: {} },
  { event: discount, facts: {} },
];
const posted = new Set([`rental.RentalCompleted/${rentalId}`, `rental.ChargeAdded/${chargeId}`, `rental.ChargeAdded/${discount.chargeId}`]);
const invoice = (number: string, sourceEventType: string, sourceEventId: string, totalMinor: number): IssuedInvoice => ({ kind: 'invoice', number, sourceEventType, sourceEventId, totalMinor, currency: 'EUR' });
const rentalInvoice = invoice('INV-2026-000001', 'rental.RentalCompleted', rentalId, 9_800 - 800 + 1_000);
const chargeInvoice = invoice('INV-2026-000002', 'rental.ChargeAdded', chargeId, 4_000);

describe('reconcile, invoices', () => {
  it('finds each charging fact invoiced once for what it charges, and a discount charge on its own not invoiced', () => {
    expect(compareInvoices(facts, [rentalInvoice, chargeInvoice], posted)).toEqual([]);
  });

  it('names a missing invoice, one for another amount, and one for a fact that charges nothing', () => {
    const stray = invoice('INV-2026-000003', 'rental.ChargeAdded', discount.chargeId, 500);
    expect(compareInvoices(facts, [{ ...rentalInvoice, totalMinor: 9_800 }, stray], posted)).toEqual([
      { kind: 'invoice_mismatched', externalRefType: 'rental.RentalCompleted', externalRefId: rentalId, invoiceNumber: 'INV-2026-000001', expected: { totalMinor: 10_000, currency: 'EUR' }, invoiced: { totalMinor: 9_800, currency: 'EUR' } },
      { kind: 'invoice_missing', externalRefType: 'rental.ChargeAdded', externalRefId: chargeId, expectedTotalMinor: 4_000, currency: 'EUR' },
      { kind: 'invoice_unexpected', externalRefType: 'rental.ChargeAdded', externalRefId: discount.chargeId, invoiceNumber: 'INV-2026-000003' },
    ]);
  });

  it('leaves a fact the ledger has not posted to the journal comparison', () => {
    expect(compareInvoices(facts, [rentalInvoice], new Set([`rental.RentalCompleted/${rentalId}`]))).toEqual([]);
  });

  it('names a completed rental whose discounts exceed its charges: booked, never invoiced', () => {
    const generous: SourceFact = { event: { ...completed, lines: [] }, facts: { reservedLines: [{ type: 'base', amountMinor: 1_000 }, { type: 'discount', amountMinor: 1_500 }] } };
    expect(compareInvoices([generous], [], posted)).toEqual([{ kind: 'not_invoiced', externalRefType: 'rental.RentalCompleted', externalRefId: rentalId, totalMinor: -500, currency: 'EUR' }]);
  });

  it('leaves credit notes and the invoices a reversal issues to the journal comparison', () => {
    const creditNote: IssuedInvoice = { ...chargeInvoice, kind: 'credit_note', number: 'CRN-2026-000004' };
    const reinvoiced = invoice('INV-2026-000005', 'ledger.ReverseJournalEntry', '7a1d0000-0000-4000-8000-000000000009', 4_000);
    expect(compareInvoices(facts, [rentalInvoice, chargeInvoice, creditNote, reinvoiced], posted)).toEqual([]);
  });
});
