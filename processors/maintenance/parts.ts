import { reject, type Rejection } from '../runtime/command-handler';
import { isInteger, isNullableString, isString, recordOf } from '../../platform/decoded';

/** One line of parts a job used: unitCostMinor is in minor units of currency (ISO 4217). */
export interface PartLine {
  readonly partName: string;
  readonly partNumber: string | null;
  readonly quantity: number;
  readonly unitCostMinor: number;
  readonly currency: string;
}

export const PART_LINES_MAX = 50;
const PART_NAME_LENGTH_MAX = 200;
const PART_NUMBER_LENGTH_MAX = 100;
const QUANTITY_MAX = 10_000;
/** A thousand million minor units (ten million euros) per unit: anything above is a typing error. */
export const COST_MINOR_MAX = 1_000_000_000;
const CURRENCY = /^[A-Z]{3}$/;

export function parsePartLines(recordName: string, values: readonly unknown[]): PartLine[] {
  return values.map((value) => {
    const field = recordOf(`${recordName}.parts[]`, value);
    return {
      partName: field('partName', isString),
      partNumber: field('partNumber', isNullableString),
      quantity: field('quantity', isInteger),
      unitCostMinor: field('unitCostMinor', isInteger),
      currency: field('currency', isString),
    };
  });
}

/** Whether each line is plausible; the first refusal found. */
export function checkPartLines(lines: readonly PartLine[]): Rejection | undefined {
  if (lines.length > PART_LINES_MAX) return reject('MAINTENANCE.INVALID_PARTS', `A command carries at most ${PART_LINES_MAX} part lines.`);
  for (const [index, line] of lines.entries()) {
    const name = line.partName.trim();
    if (name === '' || name.length > PART_NAME_LENGTH_MAX) return reject('MAINTENANCE.INVALID_PARTS', `Part ${index + 1}: a part name has 1 to ${PART_NAME_LENGTH_MAX} characters.`);
    if (line.partNumber !== null && (line.partNumber.trim() === '' || line.partNumber.length > PART_NUMBER_LENGTH_MAX)) {
      return reject('MAINTENANCE.INVALID_PARTS', `Part ${index + 1}: a part number has 1 to ${PART_NUMBER_LENGTH_MAX} characters.`);
    }
    if (line.quantity < 1 || line.quantity > QUANTITY_MAX) return reject('MAINTENANCE.INVALID_PARTS', `Part ${index + 1}: the quantity is from 1 to ${QUANTITY_MAX}.`);
    if (line.unitCostMinor < 0 || line.unitCostMinor > COST_MINOR_MAX) return reject('MAINTENANCE.INVALID_COST', `Part ${index + 1}: a unit cost is from 0 to ${COST_MINOR_MAX} minor units.`);
    if (!CURRENCY.test(line.currency)) return reject('MAINTENANCE.INVALID_CURRENCY', `Part ${index + 1}: ${line.currency} is not an ISO 4217 currency code.`);
  }
  return undefined;
}

export function isCurrencyCode(candidate: string): boolean {
  return CURRENCY.test(candidate);
}

/**
 * A job is costed in one currency: the currency it already has (from earlier parts or its labour),
 * else that of the first new line. Refuses a line in any other currency.
 */
export function checkOneCurrency(jobId: string, known: string | null, lines: readonly PartLine[]): Rejection | undefined {
  const currency = known ?? lines[0]?.currency ?? null;
  const other = lines.find((line) => line.currency !== currency);
  if (other === undefined) return undefined;
  return reject('MAINTENANCE.CURRENCY_MISMATCH', `Job ${jobId} is costed in ${currency ?? '?'}; a part in ${other.currency} cannot be added to it.`);
}

export function partsCostMinor(lines: readonly PartLine[]): number {
  return lines.reduce((sum, line) => sum + line.quantity * line.unitCostMinor, 0);
}

/** The lines as Avro records (trimmed names). */
export function partLinePayloads(lines: readonly PartLine[]): Record<string, unknown>[] {
  return lines.map((line) => ({ partName: line.partName.trim(), partNumber: line.partNumber?.trim() ?? null, quantity: line.quantity, unitCostMinor: line.unitCostMinor, currency: line.currency }));
}
