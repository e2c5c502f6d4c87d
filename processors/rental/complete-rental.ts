import { reject, type Acceptance, type CommandContext, type Decision } from '../runtime/command-handler';
import { dateOf, isArray, isInteger, isNullableString, isString, recordOf } from '../../platform/decoded';
import { checkReturnFacts, finalPrice, quotePrice, totalOf, type ChargeLine, type Damage } from './pricing';
import { checkNotInFuture, checkOdometer, checkStatus, isRejection, pricedRental, rentalNotFound } from './rental-rules';
import type { RentalWithAccount } from './activate-rental';

/** rental.CompleteRental, as decoded from Avro. */
export interface CompleteRental {
  readonly rentalId: string;
  readonly odometerInKm: number;
  readonly returnedAt: Date;
  readonly damages: readonly Damage[];
  readonly currency: string | null;
}

export const RENTAL_COMPLETED = 'rental.RentalCompleted';

/** How a captured deposit settles a rental: what it pays of what is still owed, and what goes back. */
export function depositSplit(owedMinor: number, depositHeldMinor: number): { appliedMinor: number; releasedMinor: number } {
  const appliedMinor = Math.min(depositHeldMinor, Math.max(0, owedMinor));
  return { appliedMinor, releasedMinor: depositHeldMinor - appliedMinor };
}

/**
 * The return: an active rental becomes completed. The final price adds to the reserved period's
 * lines whatever the return brings (extra days, late fee, extra kilometres, damages); those new
 * lines become charges. The captured deposit pays what is still owed (all charges less captured
 * payments) and the rest of it is released. The vehicle now stands at the destination.
 */
export function decideCompleteRental(state: RentalWithAccount, command: CompleteRental, context: CommandContext): Decision {
  const { rental, account } = state;
  if (rental === undefined) return rentalNotFound(command.rentalId);
  const invalid = checkStatus(rental, 'active', 'completed') ?? checkOdometer('odometerInKm', command.odometerInKm) ?? checkNotInFuture('returnedAt', command.returnedAt, context.now);
  if (invalid !== undefined) return invalid;
  const priced = pricedRental(rental);
  if (isRejection(priced)) return priced;
  if (command.currency !== null && command.currency !== priced.currency) {
    return reject('RENTAL.CURRENCY_MISMATCH', `Rental ${rental.id} is in ${priced.currency}; the damages are in ${command.currency}.`);
  }
  const odometerOutKm = rental.odometerOutKm ?? 0;
  if (command.odometerInKm < odometerOutKm) return reject('RENTAL.ODOMETER_BELOW_PICKUP', `odometerInKm ${command.odometerInKm} is below the ${odometerOutKm} km read at pick-up.`);
  if (rental.pickedUpAt !== null && command.returnedAt.getTime() < rental.pickedUpAt.getTime()) {
    return reject('RENTAL.RETURN_BEFORE_PICKUP', `returnedAt is before the pick-up at ${rental.pickedUpAt.toISOString()}.`);
  }
  const facts = { returnedAt: command.returnedAt, odometerOutKm, odometerInKm: command.odometerInKm, damages: command.damages };
  const factsProblem = checkReturnFacts(facts);
  if (factsProblem !== undefined) return reject('RENTAL.INVALID_DAMAGES', factsProblem);
  const period = { startAt: rental.startAt, endAt: rental.endAt, timeZone: rental.timeZone };
  let lines: readonly ChargeLine[];
  try {
    // finalPrice repeats the reserved period's lines first; what follows them is what the return adds.
    lines = finalPrice(priced.terms, period, facts).lines.slice(quotePrice(priced.terms, period).lines.length);
  } catch (error) {
    if (error instanceof RangeError) return reject('RENTAL.PRICE_OUT_OF_RANGE', `The return cannot be priced: ${error.message}.`);
    throw error;
  }
  const totalMinor = account.chargesTotalMinor + totalOf(lines);
  const deposit = depositSplit(totalMinor - account.paidMinor, account.depositHeldMinor);
  return {
    kind: 'accepted',
    aggregateId: rental.id,
    resourcePath: `/v1/rentals/${rental.id}`,
    events: [
      {
        type: RENTAL_COMPLETED,
        aggregateType: 'rental',
        aggregateId: rental.id,
        key: rental.vehicleId,
        payload: {
          rentalId: rental.id,
          vehicleId: rental.vehicleId,
          completedAt: command.returnedAt.getTime(),
          odometerInKm: command.odometerInKm,
          lines,
          totalMinor,
          currency: priced.currency,
          depositAppliedMinor: deposit.appliedMinor,
          depositReleasedMinor: deposit.releasedMinor,
          destinationLocationId: rental.destinationLocationId,
        },
      },
    ],
  };
}

/** What an accepted CompleteRental stores, read back from its RentalCompleted event. */
export function completionFrom(decision: Acceptance): { lines: readonly ChargeLine[]; currency: string; depositAppliedMinor: number; depositReleasedMinor: number; destinationLocationId: string; vehicleId: string } {
  const payload = decision.events.find((event) => event.type === RENTAL_COMPLETED)?.payload;
  if (payload === undefined) throw new Error('an accepted completion carries its RentalCompleted event');
  return {
    lines: payload.lines as ChargeLine[],
    currency: payload.currency as string,
    depositAppliedMinor: payload.depositAppliedMinor as number,
    depositReleasedMinor: payload.depositReleasedMinor as number,
    destinationLocationId: payload.destinationLocationId as string,
    vehicleId: payload.vehicleId as string,
  };
}

export function parseCompleteRental(value: unknown): CompleteRental {
  const field = recordOf('CompleteRental', value);
  const damages = field('damages', isArray).map((damage, index) => {
    const damageField = recordOf(`CompleteRental.damages[${index}]`, damage);
    return { description: damageField('description', isString), amountMinor: damageField('amountMinor', isInteger) };
  });
  return {
    rentalId: field('rentalId', isString),
    odometerInKm: field('odometerInKm', isInteger),
    returnedAt: dateOf(field('returnedAt', isInteger)),
    damages,
    currency: field('currency', isNullableString),
  };
}
