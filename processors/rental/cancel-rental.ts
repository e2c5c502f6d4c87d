import type { Acceptance, CommandContext, Decision } from '../runtime/command-handler';
import { isString, recordOf } from '../../platform/decoded';
import { cancellationFee } from './pricing';
import { checkStatus, checkText, isRejection, pricedRental, rentalNotFound, TEXT_LENGTH_MAX } from './rental-rules';
import type { Rental } from './rental-state';

/** rental.CancelRental, as decoded from Avro. */
export interface CancelRental {
  readonly rentalId: string;
  readonly reason: string;
}

export interface CancelRentalState {
  readonly rental: Rental | undefined;
}

export const RENTAL_CANCELLED = 'rental.RentalCancelled';

/**
 * Cancels a reservation (an active rental is ended by its return, never cancelled). Inside the
 * plan's cancellation window the plan's fee is charged, never more than the reserved period's price.
 */
export function decideCancelRental(state: CancelRentalState, command: CancelRental, context: CommandContext): Decision {
  const { rental } = state;
  if (rental === undefined) return rentalNotFound(command.rentalId);
  const invalid = checkStatus(rental, 'reserved', 'cancelled') ?? checkText('reason', command.reason, TEXT_LENGTH_MAX, 'RENTAL.INVALID_REASON');
  if (invalid !== undefined) return invalid;
  const priced = pricedRental(rental);
  if (isRejection(priced)) return priced;
  const feeMinor = cancellationFee(priced.terms, { startAt: rental.startAt, endAt: rental.endAt, timeZone: rental.timeZone }, context.now);
  return {
    kind: 'accepted',
    aggregateId: rental.id,
    resourcePath: `/v1/rentals/${rental.id}`,
    events: [
      {
        type: RENTAL_CANCELLED,
        aggregateType: 'rental',
        aggregateId: rental.id,
        key: rental.vehicleId,
        payload: { rentalId: rental.id, vehicleId: rental.vehicleId, feeMinor, currency: priced.currency, reason: command.reason.trim(), cancelledAt: context.now.getTime() },
      },
    ],
  };
}

export function cancellationFrom(decision: Acceptance): { feeMinor: number; currency: string; reason: string } {
  const payload = decision.events.find((event) => event.type === RENTAL_CANCELLED)?.payload;
  if (payload === undefined) throw new Error('an accepted cancellation carries its RentalCancelled event');
  return { feeMinor: payload.feeMinor as number, currency: payload.currency as string, reason: payload.reason as string };
}

export function parseCancelRental(value: unknown): CancelRental {
  const field = recordOf('CancelRental', value);
  return { rentalId: field('rentalId', isString), reason: field('reason', isString) };
}
