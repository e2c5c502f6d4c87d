import type { AccountCode } from './chart-of-accounts';
import type { ChargeLine, PostableEvent } from './source-events';

/**
 * The posting rules: which journal lines each fact of another context books (docs/accounting.md
 * has every rule with a worked example). Pure: a decoded event and what the ledger already knows
 * about it go in, balanced lines come out, in the event's own currency (never converted).
 */
export type Direction = 'debit' | 'credit';

export interface PostingLine {
  /** An account of the chart: one the rules name, or one an accountant added and posts to by hand. */
  readonly account: AccountCode | (string & {});
  readonly direction: Direction;
  readonly amountMinor: number;
  readonly currency: string;
  /** A manual entry's note on one line; the posting rules write none. */
  readonly memo?: string | null;
}

export interface Posting {
  /** The event's full type and the business id of its fact: the posting's idempotency key. */
  readonly externalRefType: string;
  readonly externalRefId: string;
  /** The day of the fact in UTC, YYYY-MM-DD. */
  readonly entryDate: string;
  readonly description: string;
  readonly lines: readonly PostingLine[];
}

/** An entry as posted: its id and lines. */
export interface PostedEntry {
  readonly id: string;
  readonly lines: PostingLine[];
}

/** What the ledger already holds that a rule needs besides the event. */
export interface PostingFacts {
  /** The reserved period's charge lines, kept from RentalReserved (needed by RentalCompleted). */
  readonly reservedLines?: readonly ChargeLine[];
  /** Where a captured payment's money was booked (needed by PaymentRefunded). */
  readonly heldAccount?: AccountCode;
}

export type PostingOutcome =
  | { readonly kind: 'post'; readonly posting: Posting }
  /** The fact moves no money (a cancellation without a fee, a job without costs). */
  | { readonly kind: 'nothing'; readonly why: string }
  /** The fact cannot be booked from what the ledger knows; a conflict the reconcile tool will show as missing. */
  | { readonly kind: 'unpostable'; readonly reasonCode: string; readonly message: string };

/** Revenue account of each rental charge type; a discount is contra-revenue, booked on the debit side. */
export const CHARGE_ACCOUNTS: Readonly<Record<string, AccountCode>> = {
  base: 'RENTAL_REVENUE',
  extra_hour: 'RENTAL_REVENUE',
  extra_day: 'EXTRA_TIME_REVENUE',
  late_fee: 'LATE_FEE_REVENUE',
  extra_km: 'EXTRA_KM_REVENUE',
  damage: 'DAMAGE_RECOVERY_REVENUE',
  cancellation_fee: 'CANCELLATION_FEE_REVENUE',
  discount: 'DISCOUNTS',
};

/** Where captured money sits until it is banked, by payment provider. */
export const PROVIDER_ACCOUNTS: Readonly<Record<string, AccountCode>> = {
  cash: 'CASH',
  card: 'CARD_CLEARING',
  transfer: 'BANK_TRANSFERS',
};

const entryDateOf = (at: Date): string => at.toISOString().slice(0, 10);

const unpostable = (reasonCode: string, message: string): PostingOutcome => ({ kind: 'unpostable', reasonCode, message });

/**
 * Adds up lines on the same account, side and currency and leaves out zero amounts, so an entry
 * reads one line per account and side.
 */
export function mergeLines(lines: readonly PostingLine[]): PostingLine[] {
  const merged = new Map<string, PostingLine>();
  for (const line of lines) {
    const key = `${line.account}|${line.direction}|${line.currency}`;
    const earlier = merged.get(key);
    merged.set(key, { ...line, amountMinor: (earlier?.amountMinor ?? 0) + line.amountMinor });
  }
  return [...merged.values()].filter((line) => line.amountMinor !== 0);
}

function outcome(externalRefType: string, externalRefId: string, at: Date, description: string, lines: readonly PostingLine[], nothingWhy: string): PostingOutcome {
  const merged = mergeLines(lines);
  const negative = merged.find((line) => line.amountMinor < 0 || !Number.isSafeInteger(line.amountMinor));
  if (negative !== undefined) return unpostable('LEDGER.INVALID_AMOUNT', `${externalRefType} ${externalRefId} carries ${negative.amountMinor} for ${negative.account}.`);
  if (merged.length === 0) return { kind: 'nothing', why: nothingWhy };
  return { kind: 'post', posting: { externalRefType, externalRefId, entryDate: entryDateOf(at), description, lines: merged } };
}

/** A charge: the customer owes it and it is earned; a discount reduces both. */
function chargeLines(line: ChargeLine, currency: string): PostingLine[] | undefined {
  const account = CHARGE_ACCOUNTS[line.type];
  if (account === undefined) return undefined;
  return line.type === 'discount'
    ? [
        { account, direction: 'debit', amountMinor: line.amountMinor, currency },
        { account: 'ACCOUNTS_RECEIVABLE', direction: 'credit', amountMinor: line.amountMinor, currency },
      ]
    : [
        { account: 'ACCOUNTS_RECEIVABLE', direction: 'debit', amountMinor: line.amountMinor, currency },
        { account, direction: 'credit', amountMinor: line.amountMinor, currency },
      ];
}

function chargesOf(lines: readonly ChargeLine[], currency: string): PostingLine[] | string {
  const booked: PostingLine[] = [];
  for (const line of lines) {
    if (!Number.isSafeInteger(line.amountMinor) || line.amountMinor < 0) return `a ${line.type} line of ${line.amountMinor} is not a non-negative amount`;
    const lines = chargeLines(line, currency);
    if (lines === undefined) return `the charge type ${line.type} has no revenue account`;
    booked.push(...lines);
  }
  return booked;
}

/** The lines one fact books, or why it books none. */
export function postingFor(event: PostableEvent, facts: PostingFacts): PostingOutcome {
  switch (event.type) {
    case 'rental.RentalCompleted': {
      // Revenue is recognised when the rental ends: the reserved period and what the return added.
      if (event.currency === null) return { kind: 'nothing', why: 'the rental predates priced rentals' };
      if (facts.reservedLines === undefined) return unpostable('LEDGER.RESERVATION_UNKNOWN', `The ledger has not seen rental ${event.rentalId} reserved.`);
      const charges = chargesOf([...facts.reservedLines, ...event.lines], event.currency);
      if (typeof charges === 'string') return unpostable('LEDGER.UNPOSTABLE_CHARGE', charges);
      const applied = event.depositAppliedMinor ?? 0;
      const deposit: PostingLine[] = [
        { account: 'CUSTOMER_DEPOSITS', direction: 'debit', amountMinor: applied, currency: event.currency },
        { account: 'ACCOUNTS_RECEIVABLE', direction: 'credit', amountMinor: applied, currency: event.currency },
      ];
      return outcome(event.type, event.rentalId, event.completedAt, `Rental ${event.rentalId} completed`, [...charges, ...deposit], 'the rental charged nothing');
    }
    case 'rental.RentalCancelled': {
      const fee = chargeLines({ type: 'cancellation_fee', amountMinor: event.feeMinor }, event.currency)!;
      return outcome(event.type, event.rentalId, event.cancelledAt, `Rental ${event.rentalId} cancelled`, fee, 'cancelled without a fee');
    }
    case 'rental.ChargeAdded': {
      const charges = chargesOf([{ type: event.chargeType, amountMinor: event.amountMinor }], event.currency);
      if (typeof charges === 'string') return unpostable('LEDGER.UNPOSTABLE_CHARGE', charges);
      return outcome(event.type, event.chargeId, event.addedAt, `Charge ${event.chargeType} on rental ${event.rentalId}`, charges, 'a charge of nothing');
    }
    case 'rental.PaymentCaptured': {
      const held = PROVIDER_ACCOUNTS[event.provider];
      if (held === undefined) return unpostable('LEDGER.UNKNOWN_PROVIDER', `The provider ${event.provider} has no account.`);
      // A deposit is the customer's money held, not a settlement: a liability until applied or given back.
      const against: AccountCode = event.kind === 'deposit' ? 'CUSTOMER_DEPOSITS' : 'ACCOUNTS_RECEIVABLE';
      return outcome(
        event.type,
        event.paymentId,
        event.capturedAt,
        `${event.kind} captured (${event.provider}) for rental ${event.rentalId}`,
        [
          { account: held, direction: 'debit', amountMinor: event.amountMinor, currency: event.currency },
          { account: against, direction: 'credit', amountMinor: event.amountMinor, currency: event.currency },
        ],
        'a capture of nothing',
      );
    }
    case 'rental.PaymentRefunded': {
      if (facts.heldAccount === undefined) return unpostable('LEDGER.PAYMENT_UNKNOWN', `The ledger has not booked payment ${event.paymentId} as captured.`);
      const against: AccountCode = event.kind === 'deposit' ? 'CUSTOMER_DEPOSITS' : 'ACCOUNTS_RECEIVABLE';
      return outcome(
        event.type,
        event.refundId,
        event.refundedAt,
        `${event.kind} ${event.paymentId} refunded for rental ${event.rentalId}`,
        [
          { account: against, direction: 'debit', amountMinor: event.amountMinor, currency: event.currency },
          { account: facts.heldAccount, direction: 'credit', amountMinor: event.amountMinor, currency: event.currency },
        ],
        'a refund of nothing',
      );
    }
    case 'maintenance.MaintenanceCompleted': {
      if (event.currency === null) return { kind: 'nothing', why: 'the job has no costs' };
      const { currency } = event;
      const cost = (account: AccountCode, amountMinor: number | null): PostingLine[] => [
        { account, direction: 'debit', amountMinor: amountMinor ?? 0, currency },
        { account: 'ACCOUNTS_PAYABLE', direction: 'credit', amountMinor: amountMinor ?? 0, currency },
      ];
      return outcome(
        event.type,
        event.jobId,
        event.completedAt,
        `Maintenance job ${event.jobId} completed`,
        [...cost('MAINTENANCE_PARTS_EXPENSE', event.partsCostMinor), ...cost('MAINTENANCE_LABOUR_EXPENSE', event.laborCostMinor)],
        'the job cost nothing',
      );
    }
    default: {
      const unexpected: never = event;
      throw new Error(`no posting rule for ${(unexpected as PostableEvent).type}`);
    }
  }
}

/** Debits minus credits per currency: zero in every currency for a balanced entry. */
export function imbalanceByCurrency(lines: readonly PostingLine[]): Map<string, number> {
  const sums = new Map<string, number>();
  for (const line of lines) sums.set(line.currency, (sums.get(line.currency) ?? 0) + (line.direction === 'debit' ? line.amountMinor : -line.amountMinor));
  return sums;
}
