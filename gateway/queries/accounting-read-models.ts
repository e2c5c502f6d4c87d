/**
 * What the accounting reads answer and the rows of the published views they come from: `*_cents`
 * columns become `*Minor` fields next to their currency, timestamps RFC 3339 strings, days
 * YYYY-MM-DD.
 */

export const ACCOUNT_TYPES = ['asset', 'liability', 'equity', 'revenue', 'expense'] as const;
export type AccountType = (typeof ACCOUNT_TYPES)[number];
export type Side = 'debit' | 'credit';

/** The side that increases an account of this type, and on which its balance is shown positive. */
export function normalSide(type: AccountType): Side {
  return type === 'asset' || type === 'expense' ? 'debit' : 'credit';
}

/** An account's balance on its normal side: debits − credits for debit accounts, the reverse for the others. */
export function balanceOnNormalSide(type: AccountType, debitsMinor: number, creditsMinor: number): number {
  return normalSide(type) === 'debit' ? debitsMinor - creditsMinor : creditsMinor - debitsMinor;
}

export interface Account {
  readonly id: string;
  readonly code: string;
  readonly name: string;
  readonly type: AccountType;
  readonly normalSide: Side;
  readonly active: boolean;
}

export interface AccountBalance {
  readonly accountId: string;
  readonly code: string;
  readonly name: string;
  readonly type: AccountType;
  readonly normalSide: Side;
  readonly currency: string;
  readonly debitsMinor: number;
  readonly creditsMinor: number;
  readonly balanceMinor: number;
}

/** Every posted debit and credit in one currency: the books balance when the difference is zero. */
export interface TrialBalanceTotal {
  readonly currency: string;
  readonly debitsMinor: number;
  readonly creditsMinor: number;
  readonly differenceMinor: number;
}

export interface JournalLine {
  readonly id: string;
  readonly accountId: string;
  readonly accountCode: string;
  readonly accountName: string;
  readonly direction: Side;
  readonly amountMinor: number;
  readonly currency: string;
  readonly memo: string | null;
}

export interface JournalEntry {
  readonly id: string;
  readonly entryDate: string;
  readonly externalRef: { readonly type: string; readonly id: string };
  readonly description: string | null;
  readonly reversesEntryId: string | null;
  readonly createdAt: string;
  readonly lines: JournalLine[];
}

export interface InvoiceLine {
  readonly lineNumber: number;
  readonly description: string;
  readonly chargeType: string;
  readonly quantity: number;
  readonly unitAmountMinor: number;
  readonly amountMinor: number;
  readonly currency: string;
}

export interface Invoice {
  readonly id: string;
  readonly kind: 'invoice' | 'credit_note';
  readonly invoiceNumber: string;
  readonly rentalId: string | null;
  readonly customerId: string | null;
  readonly creditedInvoiceId: string | null;
  readonly totalMinor: number;
  readonly currency: string;
  readonly issuedAt: string;
  readonly lines: InvoiceLine[];
}

/** A line of a customer's statement: a credit note counts against the customer's total. */
export interface StatementItem {
  readonly invoiceId: string;
  readonly kind: 'invoice' | 'credit_note';
  readonly invoiceNumber: string;
  readonly rentalId: string | null;
  readonly issuedAt: string;
  readonly amountMinor: number;
  readonly currency: string;
  /** The customer's total in this currency from the start of the period up to and including this line. */
  readonly runningTotalMinor: number;
}

export interface StatementTotal {
  readonly currency: string;
  readonly invoicedMinor: number;
  readonly creditedMinor: number;
  readonly totalMinor: number;
}

/** A period of whole days, both ends included, as YYYY-MM-DD (days are UTC days). */
export interface Period {
  readonly from: string;
  readonly to: string;
}

export interface AccountRow {
  id: string;
  code: string;
  name: string;
  type: AccountType;
  is_active: boolean;
}

export interface BalanceRow {
  account_id: string;
  account_code: string;
  account_name: string;
  account_type: AccountType;
  currency: string;
  debits: number;
  credits: number;
}

export interface InvoiceRow {
  id: string;
  kind: 'invoice' | 'credit_note';
  invoice_number: string;
  rental_id: string | null;
  customer_id: string | null;
  credited_invoice_id: string | null;
  total_cents: number;
  currency: string;
  issued_at: Date;
}

export interface InvoiceLineRow {
  line_number: number;
  description: string;
  charge_type: string;
  quantity: number;
  unit_amount_cents: number;
  amount_cents: number;
  currency: string;
}

export interface JournalLineRow {
  id: string;
  journal_entry_id: string;
  account_id: string;
  account_code: string;
  account_name: string;
  direction: Side;
  amount_cents: number;
  currency: string;
  memo: string | null;
}

export interface EntryRow {
  id: string;
  entry_date: string;
  external_ref_type: string;
  external_ref_id: string;
  description: string | null;
  reverses_entry_id: string | null;
  created_at: Date;
}

export interface StatementRow {
  id: string;
  kind: 'invoice' | 'credit_note';
  invoice_number: string;
  rental_id: string | null;
  issued_at: Date;
  issued_at_micros: string;
  signed_cents: number;
  currency: string;
  running_cents: number;
}
