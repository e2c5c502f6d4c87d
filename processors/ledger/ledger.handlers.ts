import { randomUUID } from 'node:crypto';
import { userIdOrNull } from '../../platform/identifiers';
import { reject, type CommandHandler } from '../runtime/command-handler';
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
      load: async (transaction, event) => ({
        entryId: randomUUID(),
        reservedLines: event.type === 'rental.RentalCompleted' ? await repository.reservedLines(transaction, event.rentalId) : undefined,
        heldAccount: event.type === 'rental.PaymentRefunded' ? await repository.heldAccountOf(transaction, event.paymentId) : undefined,
        postedBefore: await repository.findPosting(transaction, event.type, externalRefIdOf(event)),
      }),
      decide: decidePosting,
      apply: async (transaction, decision, _event, context) => {
        const posted = decision.events.find((event) => event.type === LEDGER_POSTED);
        if (posted === undefined) return undefined;
        const posting = postingOf(posted.payload);
        const result = await repository.post(transaction, {
          id: decision.aggregateId,
          posting,
          correlationId: context.metadata.correlationId,
          createdBy: userIdOrNull(context.metadata.actor),
        });
        switch (result.outcome) {
          case 'posted':
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
      },
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
  return [...posting, reserved];
}
