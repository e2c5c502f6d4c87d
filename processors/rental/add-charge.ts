import { reject, type CommandContext, type Decision } from '../runtime/command-handler';
import { isInteger, isString, recordOf } from '../../platform/decoded';
import type { ChargeType } from './pricing';
import { checkAmount, checkText, isRejection, pricedRental, rentalNotFound, TEXT_LENGTH_MAX } from './rental-rules';
import type { RentalWithAccount } from './activate-rental';

/** rental.AddCharge, as decoded from Avro. */
export interface AddCharge {
  readonly chargeId: string;
  readonly rentalId: string;
  readonly type: string;
  readonly description: string;
  readonly quantity: number;
  readonly amountMinor: number;
  readonly currency: string;
}

export interface AddChargeState extends RentalWithAccount {
  readonly chargeExists: boolean;
}

/** The charge types a person may add; the others come from the price rules only. */
export const MANUAL_CHARGE_TYPES: readonly ChargeType[] = ['base', 'extra_day', 'late_fee', 'damage', 'discount'];
export const QUANTITY_MAX = 100_000;
export const CHARGE_ADDED = 'rental.ChargeAdded';

/**
 * Adds a charge line by hand: a damage found after the return, a goodwill discount. Lines are never
 * changed or removed; a correction is another line. A discount may not take the total below zero.
 */
export function decideAddCharge(state: AddChargeState, command: AddCharge, context: CommandContext): Decision {
  const { rental, account } = state;
  if (rental === undefined) return rentalNotFound(command.rentalId);
  if (state.chargeExists) return reject('RENTAL.CHARGE_ALREADY_ADDED', `Charge ${command.chargeId} exists already.`);
  if (!(MANUAL_CHARGE_TYPES as readonly string[]).includes(command.type)) return reject('RENTAL.INVALID_CHARGE', `type must be one of ${MANUAL_CHARGE_TYPES.join(', ')}.`);
  const invalid = checkText('description', command.description, TEXT_LENGTH_MAX, 'RENTAL.INVALID_CHARGE') ?? checkAmount('amountMinor', command.amountMinor, 'RENTAL.INVALID_CHARGE');
  if (invalid !== undefined) return invalid;
  if (!Number.isSafeInteger(command.quantity) || command.quantity < 1 || command.quantity > QUANTITY_MAX) return reject('RENTAL.INVALID_CHARGE', `quantity must be an integer from 1 to ${QUANTITY_MAX}.`);
  const priced = pricedRental(rental);
  if (isRejection(priced)) return priced;
  if (command.currency !== priced.currency) return reject('RENTAL.CURRENCY_MISMATCH', `Rental ${rental.id} is in ${priced.currency}, not ${command.currency}.`);
  if (command.type === 'discount' && command.amountMinor > account.chargesTotalMinor) {
    return reject('RENTAL.DISCOUNT_EXCEEDS_TOTAL', `A discount of ${command.amountMinor} is more than the ${account.chargesTotalMinor} charged.`);
  }
  return {
    kind: 'accepted',
    aggregateId: rental.id,
    resourcePath: `/v1/rentals/${rental.id}`,
    events: [
      {
        type: CHARGE_ADDED,
        aggregateType: 'rental',
        aggregateId: rental.id,
        payload: {
          chargeId: command.chargeId,
          rentalId: rental.id,
          type: command.type,
          description: command.description.trim(),
          quantity: command.quantity,
          amountMinor: command.amountMinor,
          currency: priced.currency,
          addedAt: context.now.getTime(),
        },
      },
    ],
  };
}

export function parseAddCharge(value: unknown): AddCharge {
  const field = recordOf('AddCharge', value);
  return {
    chargeId: field('chargeId', isString),
    rentalId: field('rentalId', isString),
    type: field('type', isString),
    description: field('description', isString),
    quantity: field('quantity', isInteger),
    amountMinor: field('amountMinor', isInteger),
    currency: field('currency', isString),
  };
}
