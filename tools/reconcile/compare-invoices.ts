import { documentLine, invoiceFor } from '../../processors/ledger/invoices';
import { externalRefIdOf } from '../../processors/ledger/ledger-posting';
import type { SourceFact } from './source-facts';
import type { IssuedInvoice } from './ledger-entries';

export type InvoiceDiscrepancy =
  /** A posted fact that charges the customer has no invoice. */
  | { readonly kind: 'invoice_missing'; readonly externalRefType: string; readonly externalRefId: string; readonly expectedTotalMinor: number; readonly currency: string }
  /** Its invoice does not charge what the fact charges. */
  | {
      readonly kind: 'invoice_mismatched';
      readonly externalRefType: string;
      readonly externalRefId: string;
      readonly invoiceNumber: string;
      readonly expected: { readonly totalMinor: number; readonly currency: string };
      readonly invoiced: { readonly totalMinor: number; readonly currency: string };
    }
  /** An invoice for a fact that charges nothing (or that does not exist). */
  | { readonly kind: 'invoice_unexpected'; readonly externalRefType: string; readonly externalRefId: string; readonly invoiceNumber: string }
  /** A completed rental whose discounts exceed its charges: booked, but no invoice can carry a negative total. */
  | { readonly kind: 'not_invoiced'; readonly externalRefType: string; readonly externalRefId: string; readonly totalMinor: number; readonly currency: string };

const keyOf = (type: string, id: string) => `${type}/${id}`;

/**
 * The invoices against the facts: each posted fact that charges the customer has exactly one
 * invoice (the database allows no second) for what the same invoice rule draws from the fact, and
 * no invoice stands for a fact that charges nothing. Credit notes and the invoices a reversal of a
 * reversal issues follow entries, not facts, and are left to the journal comparison. `posted`: the
 * external references (`type/id`) the ledger has an entry for; an unposted fact is reported there.
 */
export function compareInvoices(facts: readonly SourceFact[], invoices: readonly IssuedInvoice[], posted: ReadonlySet<string>): InvoiceDiscrepancy[] {
  const discrepancies: InvoiceDiscrepancy[] = [];
  const bySource = new Map(invoices.filter((invoice) => invoice.kind === 'invoice').map((invoice) => [keyOf(invoice.sourceEventType, invoice.sourceEventId), invoice]));
  const expectedKeys = new Set<string>();
  for (const { event, facts: known } of facts) {
    const externalRefId = externalRefIdOf(event);
    const key = keyOf(event.type, externalRefId);
    const expected = invoiceFor(event, known);
    if (!posted.has(key)) continue;
    if (expected === undefined) {
      if (event.type === 'rental.RentalCompleted' && event.currency !== null && known.reservedLines !== undefined) {
        const totalMinor = [...known.reservedLines, ...event.lines].map(documentLine).reduce((sum, line) => sum + line.amountMinor, 0);
        if (totalMinor < 0) discrepancies.push({ kind: 'not_invoiced', externalRefType: event.type, externalRefId, totalMinor, currency: event.currency });
      }
      continue;
    }
    expectedKeys.add(key);
    const invoice = bySource.get(key);
    if (invoice === undefined) {
      discrepancies.push({ kind: 'invoice_missing', externalRefType: event.type, externalRefId, expectedTotalMinor: expected.totalMinor, currency: expected.currency });
    } else if (invoice.totalMinor !== expected.totalMinor || invoice.currency !== expected.currency) {
      discrepancies.push({
        kind: 'invoice_mismatched',
        externalRefType: event.type,
        externalRefId,
        invoiceNumber: invoice.number,
        expected: { totalMinor: expected.totalMinor, currency: expected.currency },
        invoiced: { totalMinor: invoice.totalMinor, currency: invoice.currency },
      });
    }
  }
  for (const [key, invoice] of bySource) {
    if (FACT_TYPES.has(invoice.sourceEventType) && !expectedKeys.has(key)) {
      discrepancies.push({ kind: 'invoice_unexpected', externalRefType: invoice.sourceEventType, externalRefId: invoice.sourceEventId, invoiceNumber: invoice.number });
    }
  }
  return discrepancies;
}

/** The facts invoices are drawn from; other sources (a reversal re-invoicing) are not facts. */
const FACT_TYPES: ReadonlySet<string> = new Set(['rental.RentalCompleted', 'rental.RentalCancelled', 'rental.ChargeAdded']);
