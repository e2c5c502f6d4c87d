import { reject, type CommandContext, type Decision, type DomainEvent } from '../runtime/command-handler';
import type { AccountCode } from './chart-of-accounts';
import { postingFor, type Direction, type Posting, type PostedEntry, type PostingFacts } from './posting-rules';
import type { PostableEvent } from './source-events';
import { documentEvent, invoiceFor, issue } from './invoices';
import { sameLines } from './same-lines';

export const LEDGER_POSTED = 'ledger.LedgerPosted';

export interface PostingState extends PostingFacts {
  /** The id the entry gets if it is posted now. */
  readonly entryId: string;
  /** The entry already posted for the same fact, if any. */
  readonly postedBefore: PostedEntry | undefined;
  /** The rental's customer, named on its invoice. */
  readonly customerId?: string | null;
  /** For a fact that is invoiced: the id its invoice gets and the last number of its year so far. */
  readonly invoice?: { readonly id: string; readonly lastNumber: number };
}

/** The business id of the fact an event carries: the second half of its posting's idempotency key. */
export function externalRefIdOf(event: PostableEvent): string {
  switch (event.type) {
    case 'rental.RentalCompleted':
    case 'rental.RentalCancelled':
      return event.rentalId;
    case 'rental.ChargeAdded':
      return event.chargeId;
    case 'rental.PaymentCaptured':
      return event.paymentId;
    case 'rental.PaymentRefunded':
      return event.refundId;
    case 'maintenance.MaintenanceCompleted':
      return event.jobId;
    default: {
      const unexpected: never = event;
      throw new Error(`no external reference for ${(unexpected as PostableEvent).type}`);
    }
  }
}

/**
 * Whether to post a fact: not when it moves no money, not again when the same lines are posted
 * (a redelivery under another message id, a re-publish), and never with other lines than the
 * posting already made, which is a conflict to look into. An accepted posting publishes
 * LedgerPosted with everything the entry holds.
 */
export function decidePosting(state: PostingState, event: PostableEvent, _context: CommandContext): Decision {
  const outcome = postingFor(event, state);
  const aggregateId = state.postedBefore?.id ?? state.entryId;
  const nothingToDo: Decision = { kind: 'accepted', aggregateId, events: [], resourcePath: null };
  switch (outcome.kind) {
    case 'nothing':
      return nothingToDo;
    case 'unpostable':
      return reject(outcome.reasonCode, outcome.message);
    case 'post':
      break;
    default: {
      const unexpected: never = outcome;
      throw new Error(`unexpected posting outcome ${String(unexpected)}`);
    }
  }
  const { posting } = outcome;
  if (state.postedBefore !== undefined) {
    if (sameLines(state.postedBefore.lines, posting.lines)) return nothingToDo;
    return reject('LEDGER.CONFLICTING_POSTING', `${posting.externalRefType} ${posting.externalRefId} is posted as entry ${state.postedBefore.id} with other lines.`);
  }
  const events = [ledgerPostedEvent(state.entryId, posting, null)];
  const invoice = invoiceFor(event, { ...state });
  if (invoice !== undefined && state.invoice !== undefined) {
    events.push(
      documentEvent(issue(invoice, { id: state.invoice.id, lastNumber: state.invoice.lastNumber, journalEntryId: state.entryId, sourceEventType: posting.externalRefType, sourceEventId: posting.externalRefId })),
    );
  }
  return { kind: 'accepted', aggregateId: state.entryId, resourcePath: null, events };
}

/** LedgerPosted for an entry about to be posted: everything the entry holds, and its totals per currency. */
export function ledgerPostedEvent(entryId: string, posting: Posting, reversesEntryId: string | null): DomainEvent {
  const totals = new Map<string, number>();
  for (const line of posting.lines) if (line.direction === 'debit') totals.set(line.currency, (totals.get(line.currency) ?? 0) + line.amountMinor);
  return {
    type: LEDGER_POSTED,
    aggregateType: 'journal_entry',
    aggregateId: entryId,
    payload: {
      entryId,
      externalRefType: posting.externalRefType,
      externalRefId: posting.externalRefId,
      entryDate: posting.entryDate,
      description: posting.description,
      reversesEntryId,
      lines: posting.lines.map((line) => ({ accountCode: line.account, direction: line.direction, amountMinor: line.amountMinor, currency: line.currency, memo: line.memo ?? null })),
      totals: [...totals].sort(([left], [right]) => left.localeCompare(right)).map(([currency, amountMinor]) => ({ currency, amountMinor })),
    },
  };
}

/** The posting a LedgerPosted payload describes, and the entry it reverses, for the repository to write. */
export function postingOf(payload: Record<string, unknown>): Posting & { readonly reversesEntryId: string | null } {
  const lines = payload.lines as { accountCode: AccountCode; direction: Direction; amountMinor: number; currency: string; memo: string | null }[];
  return {
    reversesEntryId: (payload.reversesEntryId as string | null | undefined) ?? null,
    externalRefType: payload.externalRefType as string,
    externalRefId: payload.externalRefId as string,
    entryDate: payload.entryDate as string,
    description: payload.description as string,
    lines: lines.map((line) => ({ account: line.accountCode, direction: line.direction, amountMinor: line.amountMinor, currency: line.currency, ...(line.memo === null ? {} : { memo: line.memo }) })),
  };
}
