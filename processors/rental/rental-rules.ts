import { reject, type Rejection } from '../runtime/command-handler';
import type { Rental, RentalStatus } from './rental-state';

/** Limits and small checks the rental commands share. */

/** The largest amount one field may carry, in minor units (far above any rental, far below 2^53). */
export const AMOUNT_MINOR_MAX = 10_000_000_000;
/** Names, descriptions and reasons: at most this many characters after trimming. */
export const NAME_LENGTH_MAX = 100;
export const TEXT_LENGTH_MAX = 500;
/** The longest rental or quote, in days. */
export const PERIOD_DAYS_MAX = 366;
/** A reservation may start this long before the processor's clock (a request in flight), no earlier. */
export const START_TOLERANCE_MS = 5 * 60 * 1000;
/** A reported pick-up or return time may be at most this far ahead of the processor's clock. */
export const CLOCK_SKEW_MS_MAX = 5 * 60 * 1000;
/** A quote holds its price this long. */
export const QUOTE_VALIDITY_MS = 30 * 60 * 1000;
/** The earliest pick-up: this long before the reserved start. */
export const EARLY_PICKUP_MS = 60 * 60 * 1000;
/** Odometers read at most this many kilometres (as the fleet accepts them). */
export const KILOMETRES_MAX = 2_000_000_000;

const DAY_MS = 24 * 60 * 60 * 1000;
const CURRENCY_PATTERN = /^[A-Z]{3}$/;
const VEHICLE_CLASS_PATTERN = /^[a-z][a-z0-9_]{0,49}$/;

/** A trimmed text of 1 to `lengthMax` characters, or a rejection naming the field. */
export function checkText(field: string, text: string, lengthMax: number, reasonCode: string): Rejection | undefined {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed.length > lengthMax) return reject(reasonCode, `${field} must have 1 to ${lengthMax} characters.`);
  return undefined;
}

/** A positive amount (zero allowed when `zeroAllowed`) of at most AMOUNT_MINOR_MAX minor units. */
export function checkAmount(field: string, amountMinor: number, reasonCode: string, zeroAllowed = false): Rejection | undefined {
  const least = zeroAllowed ? 0 : 1;
  if (!Number.isSafeInteger(amountMinor) || amountMinor < least || amountMinor > AMOUNT_MINOR_MAX) {
    return reject(reasonCode, `${field} must be an integer of minor units from ${least} to ${AMOUNT_MINOR_MAX}.`);
  }
  return undefined;
}

export function checkCurrency(currency: string): Rejection | undefined {
  return CURRENCY_PATTERN.test(currency) ? undefined : reject('RENTAL.INVALID_CURRENCY', `Currency ${JSON.stringify(currency)} is not an ISO 4217 code of three capital letters.`);
}

export function checkVehicleClass(vehicleClass: string): Rejection | undefined {
  return VEHICLE_CLASS_PATTERN.test(vehicleClass)
    ? undefined
    : reject('RENTAL.INVALID_VEHICLE_CLASS', `Vehicle class ${JSON.stringify(vehicleClass)} must be lower-case letters, digits and _, starting with a letter, at most 50 characters.`);
}

/** A bookable period: ends after it starts, at most PERIOD_DAYS_MAX long, and not in the past. */
export function checkPeriod(startAt: Date, endAt: Date, now: Date): Rejection | undefined {
  if (Number.isNaN(startAt.getTime()) || Number.isNaN(endAt.getTime())) return reject('RENTAL.INVALID_PERIOD', 'startAt and endAt must be valid times.');
  if (endAt.getTime() <= startAt.getTime()) return reject('RENTAL.INVALID_PERIOD', 'endAt must be after startAt.');
  if (endAt.getTime() - startAt.getTime() > PERIOD_DAYS_MAX * DAY_MS) return reject('RENTAL.INVALID_PERIOD', `A rental lasts at most ${PERIOD_DAYS_MAX} days.`);
  if (startAt.getTime() < now.getTime() - START_TOLERANCE_MS) return reject('RENTAL.START_IN_PAST', `startAt ${startAt.toISOString()} is in the past.`);
  return undefined;
}

/** A time reported by a person at the counter: not further ahead than the clock skew allows. */
export function checkNotInFuture(field: string, at: Date, now: Date): Rejection | undefined {
  if (Number.isNaN(at.getTime())) return reject('RENTAL.INVALID_TIME', `${field} must be a valid time.`);
  if (at.getTime() > now.getTime() + CLOCK_SKEW_MS_MAX) return reject('RENTAL.TIME_IN_FUTURE', `${field} ${at.toISOString()} is in the future.`);
  return undefined;
}

export function checkOdometer(field: string, km: number): Rejection | undefined {
  if (!Number.isSafeInteger(km) || km < 0 || km > KILOMETRES_MAX) return reject('RENTAL.INVALID_ODOMETER', `${field} must be an integer from 0 to ${KILOMETRES_MAX}.`);
  return undefined;
}

export function rentalNotFound(rentalId: string): Rejection {
  return reject('RENTAL.RENTAL_NOT_FOUND', `There is no rental ${rentalId}.`);
}

/** The rental in `expected` status, or a rejection naming the status it is in. */
export function checkStatus(rental: Rental, expected: RentalStatus, action: string): Rejection | undefined {
  if (rental.status === expected) return undefined;
  return reject('RENTAL.INVALID_STATE', `Rental ${rental.id} is ${rental.status}; only a ${expected} rental can be ${action}.`);
}

/** The rental's currency and frozen terms, which every rental reserved by this processor has. */
export function pricedRental(rental: Rental): { currency: string; terms: NonNullable<Rental['terms']> } | Rejection {
  if (rental.currency === null || rental.terms === null) {
    return reject('RENTAL.NOT_PRICED', `Rental ${rental.id} has no frozen pricing terms; it predates priced reservations.`);
  }
  return { currency: rental.currency, terms: rental.terms };
}

export function isRejection(candidate: unknown): candidate is Rejection {
  return typeof candidate === 'object' && candidate !== null && (candidate as { kind?: unknown }).kind === 'rejected';
}
