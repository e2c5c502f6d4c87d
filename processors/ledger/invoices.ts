import type { DomainEvent } from '../runtime/command-handler';
import type { ChargeLine, PostableEvent } from './source-events';

/**
 * Invoices and credit notes: the documents the customer gets for what the ledger books. Pure: an
 * invoice is drawn from the same fact and charge lines as the posting it goes with, so what a
 * customer is invoiced is, line for line, the revenue the ledger books for them (net of discounts).
 *
 * - An invoice for every fact that charges the customer: a completed rental (the reserved period's
 *   lines and the return's), a cancellation with a fee, a charge added on its own.
 * - A credit note when such a posting is reversed: it credits the whole invoice, with its lines.
 *   A reversal of that reversal charges the lines again, on a new invoice.
 *
 * Numbers run without gaps per calendar year (UTC) of issue, one series for both kinds:
 * INV-2026-000041, CRN-2026-000042.
 */
export type DocumentKind = 'invoice' | 'credit_note';

export const INVOICE_ISSUED = 'ledger.InvoiceIssued';
export const CREDIT_NOTE_ISSUED = 'ledger.CreditNoteIssued';

export interface DocumentLine {
  readonly chargeType: string;
  readonly description: string;
  /** Negative for a discount; every other charge is non-negative. */
  readonly amountMinor: number;
}

export interface DocumentDraft {
  readonly kind: DocumentKind;
  readonly rentalId: string | null;
  readonly customerId: string | null;
  readonly currency: string;
  readonly lines: readonly DocumentLine[];
  readonly totalMinor: number;
  readonly issuedAt: Date;
  /** The invoice a credit note credits. */
  readonly creditedInvoiceId: string | null;
}

/** A document as issued: its draft, id and number. */
export interface IssuedDocument extends DocumentDraft {
  readonly id: string;
  readonly year: number;
  readonly sequenceNumber: number;
  readonly number: string;
  readonly journalEntryId: string;
  readonly sourceEventType: string;
  readonly sourceEventId: string;
}

const CHARGE_DESCRIPTIONS: Readonly<Record<string, string>> = {
  base: 'Rental, reserved period',
  extra_hour: 'Extra hours',
  extra_day: 'Extra days',
  late_fee: 'Late return fee',
  extra_km: 'Extra kilometres',
  damage: 'Damage',
  cancellation_fee: 'Cancellation fee',
  discount: 'Discount',
};

/** A document line for a charge line: its description, and a discount counted against the total. */
export function documentLine(charge: ChargeLine): DocumentLine {
  return {
    chargeType: charge.type,
    description: CHARGE_DESCRIPTIONS[charge.type] ?? charge.type,
    amountMinor: charge.type === 'discount' ? -charge.amountMinor : charge.amountMinor,
  };
}

const totalOf = (lines: readonly DocumentLine[]) => lines.reduce((sum, line) => sum + line.amountMinor, 0);

/**
 * The invoice a fact gives rise to, if it charges the customer anything: the same charge lines
 * its posting books as revenue (zero lines left out). Undefined for facts that charge nothing,
 * for payments and refunds (they settle invoices, they do not change them) and for workshop costs.
 */
export function invoiceFor(event: PostableEvent, facts: { readonly reservedLines?: readonly ChargeLine[]; readonly customerId?: string | null }): DocumentDraft | undefined {
  const draft = (rentalId: string, currency: string, charges: readonly ChargeLine[], issuedAt: Date): DocumentDraft | undefined => {
    const lines = charges.filter((charge) => charge.amountMinor !== 0).map(documentLine);
    // Nothing to charge, or discounts beyond the charges: no invoice (reconcile names the latter).
    if (lines.length === 0 || totalOf(lines) < 0) return undefined;
    return { kind: 'invoice', rentalId, customerId: facts.customerId ?? null, currency, lines, totalMinor: totalOf(lines), issuedAt, creditedInvoiceId: null };
  };
  switch (event.type) {
    case 'rental.RentalCompleted':
      if (event.currency === null || facts.reservedLines === undefined) return undefined;
      return draft(event.rentalId, event.currency, [...facts.reservedLines, ...event.lines], event.completedAt);
    case 'rental.RentalCancelled':
      return draft(event.rentalId, event.currency, [{ type: 'cancellation_fee', amountMinor: event.feeMinor }], event.cancelledAt);
    case 'rental.ChargeAdded':
      return draft(event.rentalId, event.currency, [{ type: event.chargeType, amountMinor: event.amountMinor }], event.addedAt);
    case 'rental.PaymentCaptured':
    case 'rental.PaymentRefunded':
    case 'maintenance.MaintenanceCompleted':
      return undefined;
    default: {
      const unexpected: never = event;
      throw new Error(`no invoice rule for ${(unexpected as PostableEvent).type}`);
    }
  }
}

/**
 * The document a reversal of a posting gives rise to: a credit note of the whole invoice when the
 * reversed entry issued one; when it issued a credit note (a reversal reversed), a new invoice
 * charging the credited lines again.
 */
export function documentForReversal(reversed: IssuedDocument, issuedAt: Date): DocumentDraft {
  return {
    kind: reversed.kind === 'invoice' ? 'credit_note' : 'invoice',
    rentalId: reversed.rentalId,
    customerId: reversed.customerId,
    currency: reversed.currency,
    lines: reversed.lines,
    totalMinor: reversed.totalMinor,
    issuedAt,
    creditedInvoiceId: reversed.kind === 'invoice' ? reversed.id : null,
  };
}

/** A document's number: its kind's prefix, the year and the six-digit place in the year's series. */
export function documentNumber(kind: DocumentKind, year: number, sequenceNumber: number): string {
  return `${kind === 'invoice' ? 'INV' : 'CRN'}-${year}-${String(sequenceNumber).padStart(6, '0')}`;
}

/** The calendar year (UTC) a document issued at `at` is numbered in. */
export const numberingYearOf = (at: Date) => at.getUTCFullYear();

/** The document issued with the next number of its year, given the year's last number so far. */
export function issue(
  draft: DocumentDraft,
  numbering: { readonly id: string; readonly lastNumber: number; readonly journalEntryId: string; readonly sourceEventType: string; readonly sourceEventId: string },
): IssuedDocument {
  const year = numberingYearOf(draft.issuedAt);
  const sequenceNumber = numbering.lastNumber + 1;
  return {
    ...draft,
    id: numbering.id,
    year,
    sequenceNumber,
    number: documentNumber(draft.kind, year, sequenceNumber),
    journalEntryId: numbering.journalEntryId,
    sourceEventType: numbering.sourceEventType,
    sourceEventId: numbering.sourceEventId,
  };
}

/** InvoiceIssued or CreditNoteIssued for a document, carrying everything the document holds. */
export function documentEvent(document: IssuedDocument): DomainEvent {
  return {
    type: document.kind === 'invoice' ? INVOICE_ISSUED : CREDIT_NOTE_ISSUED,
    aggregateType: document.kind,
    aggregateId: document.id,
    payload: {
      documentId: document.id,
      number: document.number,
      year: document.year,
      sequenceNumber: document.sequenceNumber,
      rentalId: document.rentalId,
      customerId: document.customerId,
      creditedInvoiceId: document.creditedInvoiceId,
      journalEntryId: document.journalEntryId,
      sourceEventType: document.sourceEventType,
      sourceEventId: document.sourceEventId,
      currency: document.currency,
      totalMinor: document.totalMinor,
      issuedAt: document.issuedAt.getTime(),
      lines: document.lines.map((line, index) => ({ lineNumber: index + 1, chargeType: line.chargeType, description: line.description, amountMinor: line.amountMinor })),
    },
  };
}

/** The document a InvoiceIssued or CreditNoteIssued payload describes, for the repository to write. */
export function documentOf(event: DomainEvent): IssuedDocument {
  const payload = event.payload as {
    documentId: string;
    number: string;
    year: number;
    sequenceNumber: number;
    rentalId: string | null;
    customerId: string | null;
    creditedInvoiceId: string | null;
    journalEntryId: string;
    sourceEventType: string;
    sourceEventId: string;
    currency: string;
    totalMinor: number;
    issuedAt: number;
    lines: { chargeType: string; description: string; amountMinor: number }[];
  };
  return {
    kind: event.type === INVOICE_ISSUED ? 'invoice' : 'credit_note',
    id: payload.documentId,
    number: payload.number,
    year: payload.year,
    sequenceNumber: payload.sequenceNumber,
    rentalId: payload.rentalId,
    customerId: payload.customerId,
    creditedInvoiceId: payload.creditedInvoiceId,
    journalEntryId: payload.journalEntryId,
    sourceEventType: payload.sourceEventType,
    sourceEventId: payload.sourceEventId,
    currency: payload.currency,
    totalMinor: payload.totalMinor,
    issuedAt: new Date(payload.issuedAt),
    lines: payload.lines.map((line) => ({ chargeType: line.chargeType, description: line.description, amountMinor: line.amountMinor })),
  };
}

export const isDocumentEvent = (event: DomainEvent) => event.type === INVOICE_ISSUED || event.type === CREDIT_NOTE_ISSUED;
