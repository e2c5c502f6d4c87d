import { postingFor } from '../../processors/ledger/posting-rules';
import type { PaymentCaptured } from '../../processors/ledger/source-events';
import { compareLedger } from '../../tools/reconcile/compare';
import type { LedgerEntry } from '../../tools/reconcile/ledger-entries';
import type { SourceFact } from '../../tools/reconcile/source-facts';

/**
 * The reconcile comparison on facts and entries built by hand: the accountant's own entries are
 * never unexpected, a fact's entry that stands reversed is named, and a reversal that was itself
 * reversed puts the fact back.
 */
const paymentId = '6c1d0000-0000-4000-8000-000000000001';
const captured: PaymentCaptured = {
  type: 'rental.PaymentCaptured',
  paymentId,
  rentalId: '6c1d0000-0000-4000-8000-0000000000ff',
  kind: 'rental',
  provider: 'card',
  amountMinor: 5000,
  currency: 'EUR',
  capturedAt: new Date('2026-11-20T10:00:00Z'),
};
const facts: SourceFact[] = [{ event: captured, facts: {} }];
const outcome = postingFor(captured, {});
const factLines = outcome.kind === 'post' ? outcome.posting.lines : [];
const mirrored = factLines.map((line) => ({ ...line, direction: line.direction === 'debit' ? ('credit' as const) : ('debit' as const) }));

const entry = (id: string, externalRefType: string, externalRefId: string, lines: LedgerEntry['lines'], reversesEntryId: string | null = null): [string, LedgerEntry] => [
  `${externalRefType}/${externalRefId}`,
  { id, externalRefType, externalRefId, lines, reversesEntryId },
];
const factEntry = entry('e-fact', 'rental.PaymentCaptured', paymentId, [...factLines]);
const manual = entry('e-manual', 'ledger.PostManualJournalEntry', 'e-manual', [...mirrored]);
const firstReversal = entry('e-r1', 'ledger.ReverseJournalEntry', 'e-r1', [...mirrored], 'e-fact');
const secondReversal = entry('e-r2', 'ledger.ReverseJournalEntry', 'e-r2', [...factLines], 'e-r1');

describe('reconcile', () => {
  it('finds a fact and its entry in agreement, and a manual entry is no discrepancy', () => {
    expect(compareLedger(facts, new Map([factEntry, manual]))).toEqual([]);
  });

  it("names a fact's entry that a reversal took back", () => {
    expect(compareLedger(facts, new Map([factEntry, firstReversal]))).toEqual([{ kind: 'reversed', externalRefType: 'rental.PaymentCaptured', externalRefId: paymentId, entryId: 'e-fact', reversalId: 'e-r1' }]);
  });

  it('finds the fact carried again once the reversal is reversed', () => {
    expect(compareLedger(facts, new Map([factEntry, firstReversal, secondReversal]))).toEqual([]);
  });

  it('still calls an entry under a fact reference that books nothing unexpected', () => {
    const stray = entry('e-stray', 'rental.PaymentCaptured', '6c1d0000-0000-4000-8000-000000000099', [...factLines]);
    expect(compareLedger(facts, new Map([factEntry, stray]))).toMatchObject([{ kind: 'unexpected', entryId: 'e-stray' }]);
  });
});
