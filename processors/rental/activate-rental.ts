import { reject, type CommandContext, type Decision } from '../runtime/command-handler';
import { dateOf, isInteger, isString, recordOf } from '../../platform/decoded';
import { checkNotInFuture, checkOdometer, checkStatus, EARLY_PICKUP_MS, rentalNotFound } from './rental-rules';
import type { Rental, RentalAccount } from './rental-state';

/** rental.ActivateRental, as decoded from Avro. */
export interface ActivateRental {
  readonly rentalId: string;
  readonly odometerOutKm: number;
  readonly activatedAt: Date;
}

export interface RentalWithAccount {
  readonly rental: Rental | undefined;
  readonly account: RentalAccount;
}

export const RENTAL_ACTIVATED = 'rental.RentalActivated';

/**
 * The pick-up: a reserved rental becomes active. Not earlier than EARLY_PICKUP_MS before its start,
 * and only with the required deposit captured (and not refunded).
 */
export function decideActivateRental(state: RentalWithAccount, command: ActivateRental, context: CommandContext): Decision {
  const { rental, account } = state;
  if (rental === undefined) return rentalNotFound(command.rentalId);
  const invalid = checkStatus(rental, 'reserved', 'activated') ?? checkOdometer('odometerOutKm', command.odometerOutKm) ?? checkNotInFuture('activatedAt', command.activatedAt, context.now);
  if (invalid !== undefined) return invalid;
  if (command.activatedAt.getTime() < rental.startAt.getTime() - EARLY_PICKUP_MS) {
    return reject('RENTAL.TOO_EARLY', `Rental ${rental.id} starts at ${rental.startAt.toISOString()}; pick-up opens ${EARLY_PICKUP_MS / 60_000} minutes before.`);
  }
  if (account.depositHeldMinor < rental.depositRequiredMinor) {
    return reject('RENTAL.DEPOSIT_NOT_HELD', `Rental ${rental.id} needs a captured deposit of ${rental.depositRequiredMinor}; ${account.depositHeldMinor} is held.`);
  }
  return {
    kind: 'accepted',
    aggregateId: rental.id,
    resourcePath: `/v1/rentals/${rental.id}`,
    events: [
      {
        type: RENTAL_ACTIVATED,
        aggregateType: 'rental',
        aggregateId: rental.id,
        key: rental.vehicleId,
        payload: { rentalId: rental.id, vehicleId: rental.vehicleId, activatedAt: command.activatedAt.getTime(), odometerOutKm: command.odometerOutKm },
      },
    ],
  };
}

export function parseActivateRental(value: unknown): ActivateRental {
  const field = recordOf('ActivateRental', value);
  return { rentalId: field('rentalId', isString), odometerOutKm: field('odometerOutKm', isInteger), activatedAt: dateOf(field('activatedAt', isInteger)) };
}
