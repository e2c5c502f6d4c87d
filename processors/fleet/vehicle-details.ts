import { reject, type Rejection } from '../runtime/command-handler';

/** The rules for a vehicle's descriptive fields, shared by registering and updating a vehicle. */
export const VIN_PATTERN = /^[A-HJ-NPR-Z0-9]{17}$/;
export const FIRST_MODEL_YEAR = 1900;
const TEXT_LENGTH_MAX = 100;

export function checkVin(vin: string): Rejection | undefined {
  return VIN_PATTERN.test(vin) ? undefined : reject('FLEET.INVALID_VIN', 'A VIN has 17 characters: digits and capital letters except I, O and Q.');
}

/** A model year from 1900 up to next year (next year's models are sold from autumn on). */
export function checkModelYear(year: number, now: Date): Rejection | undefined {
  const latestYear = now.getUTCFullYear() + 1;
  return year < FIRST_MODEL_YEAR || year > latestYear
    ? reject('FLEET.INVALID_YEAR', `The model year must be between ${FIRST_MODEL_YEAR} and ${latestYear}.`)
    : undefined;
}

/** Make, model, variant and class: not blank, at most 100 characters. */
export function checkText(field: string, value: string): Rejection | undefined {
  const trimmed = value.trim();
  return trimmed === '' || trimmed.length > TEXT_LENGTH_MAX
    ? reject('FLEET.INVALID_VEHICLE_DETAILS', `The ${field} has 1 to ${TEXT_LENGTH_MAX} characters.`)
    : undefined;
}
