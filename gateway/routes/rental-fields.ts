import { ProblemError } from '../middleware/problem';
import type { FieldError, FieldSpec } from '../validation';

/** Field rules the rental routes share: bounds on money, distances, texts and rental windows. */

/** The largest amount one field may carry, in minor units (ten billion: far above any rental, far below 2^53). */
export const AMOUNT_MINOR_MAX = 10_000_000_000;
/** The largest odometer reading accepted, as the fleet accepts it. */
export const KILOMETRES_MAX = 2_000_000_000;
/** The longest rental or quote window, in days (a leap year). */
export const WINDOW_DAYS_MAX = 366;
/** The most damage lines one return may report. */
export const DAMAGES_MAX = 50;

export const VEHICLE_CLASS_PATTERN = /^[a-z][a-z0-9_]*$/;
export const CURRENCY: FieldSpec = { type: 'string', lengthMax: 3, pattern: /^[A-Z]{3}$/ };
export const DESCRIPTION: FieldSpec = { type: 'string', lengthMax: 500 };
export const REASON: FieldSpec = { type: 'string', lengthMax: 500 };
/** A client-chosen id for a new thing; the gateway picks one when it is left out. */
export const optionalId: FieldSpec = { type: 'uuid', optional: true };

const DAY_MS = 24 * 60 * 60 * 1000;

/** A 400 naming one field, in the same shape as validateBody's. */
export function invalidField(field: string, message: string, extra: readonly FieldError[] = []): ProblemError {
  const errors = [{ field, message }, ...extra];
  return new ProblemError(400, 'validation-failed', 'Invalid request body', `${errors.length} field(s) are invalid.`, { errors });
}

/** Epoch milliseconds of a timestamp validateBody has already checked (Avro timestamp-millis). */
export function millisOf(timestamp: string): number {
  return Date.parse(timestamp);
}

/** A rental window: the end after the start and at most WINDOW_DAYS_MAX long, as epoch milliseconds. */
export function windowOf(startAt: string, endAt: string): { startAt: number; endAt: number } {
  const start = millisOf(startAt);
  const end = millisOf(endAt);
  if (end <= start) throw invalidField('endAt', 'must be after startAt');
  if (end - start > WINDOW_DAYS_MAX * DAY_MS) throw invalidField('endAt', `must be at most ${WINDOW_DAYS_MAX} days after startAt`);
  return { startAt: start, endAt: end };
}
