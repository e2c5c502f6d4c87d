import { randomUUID } from 'node:crypto';
import { userIdOrNull } from '../../platform/identifiers';
import type { Knex } from 'knex';
import { reject, type Acceptance, type CommandContext, type CommandHandler, type Rejection } from '../runtime/command-handler';
import { documentOf, invoiceFor, isDocumentEvent, numberingYearOf, type IssuedDocument } from './invoices';
import {
  ACCOUNT_DEFINED,
  decideDefineAccount,
  decidePostManualJournalEntry,
  decideReverseJournalEntry,
  MANUAL_ENTRY,
  parseDefineAccount,
  parsePostManualJournalEntry,
  parseReverseJournalEntry,
  REVERSAL,
  type DefineAccount,
  type DefineAccountState,
  type ManualEntryState,
  type PostManualJournalEntry,
  type ReversalState,
  type ReverseJournalEntry,
} from './journal-commands';
import { decidePosting, externalRefIdOf, LEDGER_POSTED, postingOf, type PostingState } from './ledger-posting';
import type { LedgerRepository } from './ledger.repository';
import {
  parseChargeAdded,
  parseMaintenanceCompleted,
  parsePaymentCaptured,
  parsePaymentRefunded,
  parseRentalCancelled,
  parseRentalCompleted,
  parseRentalReserved,
  type PostableEvent,
  type RentalReserved,
} from './source-events';

/**
 * The facts the ledger books, each with its parser. Other types on the subscribed topics have no
 * handler: the runtime acknowledges them as ignored without decoding them.
 */
const POSTED_EVENTS: readonly { readonly type: PostableEvent['type']; readonly parse: (value: unknown) => PostableEvent }[] = [
  { type: 'rental.RentalCompleted', parse: parseRentalCompleted },
  { type: 'rental.RentalCancelled', parse: parseRentalCancelled },
  { type: 'rental.ChargeAdded', parse: parseChargeAdded },
  { type: 'rental.PaymentCaptured', parse: parsePaymentCaptured },
  { type: 'rental.PaymentRefunded', parse: parsePaymentRefunded },
  { type: 'maintenance.MaintenanceCompleted', parse: parseMaintenanceCompleted },
];

/** Wires the posting rules to the repository: one handler per fact of another context the ledger follows. */
export function ledgerHandlers(repository: LedgerRepository): CommandHandler[] {
  const posting = POSTED_EVENTS.map(
    ({ type, parse }): CommandHandler<PostableEvent, PostingState> => ({
      commandType: type,
      source: 'event',
      parse,
      load: async (transaction, event) => {
        const reservation = event.type === 'rental.RentalCompleted' ? await repository.reservation(transaction, event.rentalId) : undefined;
        const invoiced = event.type === 'rental.RentalCancelled' || event.type === 'rental.ChargeAdded';
        const customerId = reservation?.customerId ?? (invoiced ? await repository.customerOf(transaction, event.rentalId) : null);
        const postedBefore = await repository.findPosting(transaction, event.type, externalRefIdOf(event));
        const facts = { reservedLines: reservation?.lines, customerId };
        const invoice = postedBefore === undefined ? invoiceFor(event, facts) : undefined;
        return {
          entryId: randomUUID(),
          ...facts,
          heldAccount: event.type === 'rental.PaymentRefunded' ? await repository.heldAccountOf(transaction, event.paymentId) : undefined,
          postedBefore,
          invoice: invoice === undefined ? undefined : { id: randomUUID(), lastNumber: await repository.lastDocumentNumber(transaction, numberingYearOf(invoice.issuedAt)) },
        };
      },
      decide: decidePosting,
      apply: (transaction, decision, _event, context) => postDecided(repository, transaction, decision, context),
    }),
  );
  const reserved: CommandHandler<RentalReserved, undefined> = {
    commandType: 'rental.RentalReserved',
    source: 'event',
    parse: parseRentalReserved,
    load: () => Promise.resolve(undefined),
    decide: (_state, event) => ({ kind: 'accepted', aggregateId: event.rentalId, events: [], resourcePath: null }),
    apply: async (transaction, _decision, event) => {
      await repository.recordReservation(transaction, event);
      return undefined;
    },
  };
  // Every handler sends the batch's queued entries and documents through the one repository.
  const beforeCommit = (transaction: Knex.Transaction) => repository.flush(transaction);
  // What the batch's facts load, read in one statement each for all of them: their earlier
  // postings (and, for a refund, its payment's), and the reservations of their rentals.
  const prepare = async (transaction: Knex.Transaction, commands: readonly unknown[]) => {
    const events = commands as PostableEvent[];
    await repository.readAheadPostings(transaction, [
      ...events.map((event) => ({ externalRefType: event.type, externalRefId: externalRefIdOf(event) })),
      ...events.flatMap((event) => (event.type === 'rental.PaymentRefunded' ? [{ externalRefType: 'rental.PaymentCaptured', externalRefId: event.paymentId }] : [])),
    ]);
    await repository.readAheadReservations(
      transaction,
      events.flatMap((event) => (event.type === 'rental.RentalCompleted' || event.type === 'rental.RentalCancelled' || event.type === 'rental.ChargeAdded' ? [event.rentalId] : [])),
    );
  };
  return [...posting.map((handler) => ({ ...handler, prepare })), reserved, ...journalCommandHandlers(repository)].map((handler) => ({ ...handler, beforeCommit }));
}

/**
 * Writes the entry a decision's LedgerPosted describes. A second posting of the same reference is
 * refused by the database's unique key (a transaction that raced this one), and told apart from a
 * posting of the same reference with other lines.
 */
async function postDecided(repository: LedgerRepository, transaction: Knex.Transaction, decision: Acceptance, context: CommandContext): Promise<Rejection | undefined> {
  const posted = decision.events.find((event) => event.type === LEDGER_POSTED);
  if (posted === undefined) return undefined;
  const { reversesEntryId, ...posting } = postingOf(posted.payload);
  // In a batch the rows are queued and sent together before the commit (LedgerRepository.flush).
  const defer = context.deferWrites === true;
  const result = await repository.post(
    transaction,
    { id: posted.aggregateId, posting, reversesEntryId, correlationId: context.metadata.correlationId, createdBy: userIdOrNull(context.metadata.actor) },
    { defer },
  );
  switch (result.outcome) {
    case 'posted':
      for (const document of decision.events.filter(isDocumentEvent)) await repository.issueDocument(transaction, documentOf(document), userIdOrNull(context.metadata.actor), { defer });
      return undefined;
    case 'already_posted':
      return reject('LEDGER.ALREADY_POSTED', `${posting.externalRefType} ${posting.externalRefId} is posted already as entry ${result.entryId}.`);
    case 'conflicting_posting':
      return reject('LEDGER.CONFLICTING_POSTING', `${posting.externalRefType} ${posting.externalRefId} is posted as entry ${result.entryId} with other lines.`);
    default: {
      const unexpected: never = result;
      throw new Error(`unexpected posting outcome ${String(unexpected)}`);
    }
  }
}

/** What a reversal's document needs: the id it gets, when it is issued, and the last number of that year. */
async function documentNumbering(repository: LedgerRepository, transaction: Knex.Transaction, reversed: IssuedDocument) {
  const issuedAt = new Date();
  return { reversed, id: randomUUID(), issuedAt, lastNumber: await repository.lastDocumentNumber(transaction, numberingYearOf(issuedAt)) };
}

/** The accountant's commands on ledger.commands: manual entries, reversals, new accounts. */
function journalCommandHandlers(repository: LedgerRepository): CommandHandler[] {
  const manualEntry: CommandHandler<PostManualJournalEntry, ManualEntryState> = {
    commandType: MANUAL_ENTRY,
    parse: parsePostManualJournalEntry,
    load: async (transaction, command) => ({
      accounts: await repository.accountsNamed(
        transaction,
        command.lines.map((line) => line.accountCode),
      ),
      postedBefore: await repository.findPosting(transaction, MANUAL_ENTRY, command.entryId),
    }),
    decide: decidePostManualJournalEntry,
    apply: (transaction, decision, _command, context) => postDecided(repository, transaction, decision, context),
  };
  const reversal: CommandHandler<ReverseJournalEntry, ReversalState> = {
    commandType: REVERSAL,
    parse: parseReverseJournalEntry,
    load: async (transaction, command) => {
      // The entry to reverse, and its document, may be among the rows this batch has queued.
      await repository.flush(transaction);
      const original = await repository.entryToReverse(transaction, command.entryId);
      const postedBefore = await repository.findPosting(transaction, REVERSAL, command.reversalId);
      const reversedDocument = original === undefined || postedBefore !== undefined ? undefined : await repository.documentOfEntry(transaction, original.id);
      return {
        original,
        postedBefore,
        document:
          reversedDocument === undefined
            ? undefined
            : await documentNumbering(repository, transaction, reversedDocument),
      };
    },
    decide: decideReverseJournalEntry,
    // Reversals of one entry are keyed by it (one partition, one at a time); should two race anyway,
    // the one-reversal key refuses the second, its batch is handled again and then finds the first.
    apply: (transaction, decision, _command, context) => postDecided(repository, transaction, decision, context),
  };
  const defineAccount: CommandHandler<DefineAccount, DefineAccountState> = {
    commandType: 'ledger.DefineAccount',
    parse: parseDefineAccount,
    load: async (transaction, command) => ({ existing: (await repository.accountsNamed(transaction, [command.code])).get(command.code) }),
    decide: decideDefineAccount,
    apply: async (transaction, decision, command, context) => {
      if (!decision.events.some((event) => event.type === ACCOUNT_DEFINED)) return undefined;
      const defined = await repository.defineAccount(transaction, { id: command.accountId, code: command.code, name: command.name.trim(), type: command.type, createdBy: userIdOrNull(context.metadata.actor) });
      return defined === 'defined' ? undefined : reject('LEDGER.ACCOUNT_CODE_TAKEN', `Account ${command.code} was defined by another command in the meantime.`);
    },
  };
  return [manualEntry, reversal, defineAccount] as CommandHandler[];
}
