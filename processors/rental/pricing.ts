import { addLocalDays, checkTimeZone, countLocalDays } from './local-time';

/**
 * The rental context's pricing: pure functions of a pricing plan's terms, the reserved period
 * and what happened at return. Money is integer minor units of the terms' currency and every
 * result is checked to be a safe integer: an amount that would not be exact throws a RangeError
 * instead of being returned. docs/pricing.md states each rule with a worked example.
 */

export interface PricingTerms {
  readonly currency: string; // ISO 4217, e.g. 'EUR'
  readonly dailyRateMinor: number;
  readonly hourlyRateMinor: number; // 0: a started partial day costs a full day
  readonly includedKmPerDay: number; // km allowance per charged day
  readonly extraKmPriceMinor: number; // 0: unlimited km
  readonly lateFeePerHourMinor: number;
  readonly lateGraceMinutes: number;
  readonly cancellationFeeMinor: number;
  readonly cancellationWindowHours: number;
  readonly depositMinor: number; // 0: no deposit
}

export type ChargeType = 'base' | 'extra_day' | 'extra_hour' | 'extra_km' | 'late_fee' | 'damage' | 'cancellation_fee' | 'discount';

export interface ChargeLine {
  readonly type: ChargeType;
  /** For people, integers only: '3 days × 4500'; a capped line says so. */
  readonly description: string;
  /** A positive integer. */
  readonly quantity: number;
  readonly unitAmountMinor: number;
  /** quantity × unitAmountMinor, except on a capped line. */
  readonly amountMinor: number;
}

export interface PriceBreakdown {
  readonly currency: string;
  readonly lines: readonly ChargeLine[];
  /** The sum of the lines, discounts subtracted. */
  readonly totalMinor: number;
  /** The days the km allowance is computed from. */
  readonly chargedDays: number;
}

/** The reserved period; timeZone is the IANA zone of the pick-up location. */
export interface RentalPeriod {
  readonly startAt: Date;
  readonly endAt: Date;
  readonly timeZone: string;
}

export interface Damage {
  readonly description: string;
  readonly amountMinor: number;
}

export interface ReturnFacts {
  readonly returnedAt: Date;
  readonly odometerOutKm: number;
  readonly odometerInKm: number;
  readonly damages: readonly Damage[];
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
/** The longest damage description a line carries; longer text belongs in the damage report. */
export const DAMAGE_DESCRIPTION_LENGTH_MAX = 500;
/** More damage lines than this on one rental is a mistake upstream, not a return. */
export const DAMAGES_COUNT_MAX = 100;

const TERM_AMOUNTS = [
  'dailyRateMinor',
  'hourlyRateMinor',
  'includedKmPerDay',
  'extraKmPriceMinor',
  'lateFeePerHourMinor',
  'lateGraceMinutes',
  'cancellationFeeMinor',
  'cancellationWindowHours',
  'depositMinor',
] as const satisfies readonly (keyof PricingTerms)[];

function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

/** `value` when it is a safe integer; otherwise a RangeError naming what overflowed. */
function safe(value: number, what: string): number {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${what} is out of the safe integer range`);
  return value;
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

function line(type: ChargeType, quantity: number, unitAmountMinor: number, unitName: [string, string]): ChargeLine {
  return {
    type,
    description: `${plural(quantity, ...unitName)} × ${unitAmountMinor}`,
    quantity,
    unitAmountMinor,
    amountMinor: safe(quantity * unitAmountMinor, `${type} amount`),
  };
}

/** The total of `lines`: discounts subtracted, every other line added. */
export function totalOf(lines: readonly ChargeLine[]): number {
  return lines.reduce((total, charge) => safe(charge.type === 'discount' ? total - charge.amountMinor : total + charge.amountMinor, 'total'), 0);
}

/** Validates terms (non-negative safe integers, currency shape); returns a message or undefined. */
export function checkTerms(terms: PricingTerms): string | undefined {
  if (typeof terms !== 'object' || terms === null) return 'terms must be an object';
  if (typeof terms.currency !== 'string' || !/^[A-Z]{3}$/.test(terms.currency)) return 'currency must be an ISO 4217 code of three capital letters';
  for (const name of TERM_AMOUNTS) {
    if (!isCount(terms[name])) return `${name} must be a non-negative safe integer`;
  }
  return undefined;
}

/** Validates a period (valid dates, end after start, a known zone); returns a message or undefined. */
export function checkPeriod(period: RentalPeriod): string | undefined {
  if (!(period.startAt instanceof Date) || Number.isNaN(period.startAt.getTime())) return 'startAt must be a valid date';
  if (!(period.endAt instanceof Date) || Number.isNaN(period.endAt.getTime())) return 'endAt must be a valid date';
  if (period.endAt.getTime() <= period.startAt.getTime()) return 'endAt must be after startAt';
  return checkTimeZone(period.timeZone);
}

/** Validates return facts (a valid date, odometer readings that do not go back, damages); returns a message or undefined. */
export function checkReturnFacts(facts: ReturnFacts): string | undefined {
  if (!(facts.returnedAt instanceof Date) || Number.isNaN(facts.returnedAt.getTime())) return 'returnedAt must be a valid date';
  if (!isCount(facts.odometerOutKm)) return 'odometerOutKm must be a non-negative safe integer';
  if (!isCount(facts.odometerInKm)) return 'odometerInKm must be a non-negative safe integer';
  if (facts.odometerInKm < facts.odometerOutKm) return 'odometerInKm must not be below odometerOutKm';
  // Not Array.isArray in the condition itself: that guard would widen the damages to any[].
  const isList: (value: unknown) => boolean = Array.isArray;
  if (!isList(facts.damages)) return 'damages must be a list';
  if (facts.damages.length > DAMAGES_COUNT_MAX) return `at most ${DAMAGES_COUNT_MAX} damages per return`;
  for (const [index, damage] of facts.damages.entries()) {
    if (typeof damage.description !== 'string' || damage.description.trim().length === 0) return `damages[${index}].description must not be empty`;
    if (damage.description.length > DAMAGE_DESCRIPTION_LENGTH_MAX) return `damages[${index}].description must be at most ${DAMAGE_DESCRIPTION_LENGTH_MAX} characters`;
    if (!isCount(damage.amountMinor)) return `damages[${index}].amountMinor must be a non-negative safe integer`;
  }
  return undefined;
}

function assertValid(message: string | undefined): void {
  if (message !== undefined) throw new RangeError(message);
}

function assertTermsAndPeriod(terms: PricingTerms, period: RentalPeriod): void {
  assertValid(checkTerms(terms));
  assertValid(checkPeriod(period));
}

interface DayCount {
  /** Whole local days that fit. */
  readonly fullDays: number;
  /** What is left after them, in milliseconds. */
  readonly remainderMs: number;
}

function countDays(from: Date, until: Date, timeZone: string): DayCount {
  const fullDays = countLocalDays(from, until, timeZone);
  return { fullDays, remainderMs: until.getTime() - addLocalDays(from, fullDays, timeZone).getTime() };
}

/** Started hours in `ms`: ceil(ms / 1 h). */
function startedHours(ms: number): number {
  return Math.ceil(ms / HOUR_MS);
}

/** The price of a rental for its reserved period (quote and base charge). */
export function quotePrice(terms: PricingTerms, period: RentalPeriod): PriceBreakdown {
  assertTermsAndPeriod(terms, period);
  const { fullDays, remainderMs } = countDays(period.startAt, period.endAt, period.timeZone);
  let baseDays = fullDays;
  let extraHours = 0;
  if (remainderMs > 0) {
    const hours = startedHours(remainderMs);
    // The hours cost no more than a day: at the cap, or with no hourly rate, they are one more day.
    if (terms.hourlyRateMinor === 0 || safe(hours * terms.hourlyRateMinor, 'extra hours amount') >= terms.dailyRateMinor) baseDays += 1;
    else extraHours = hours;
  }
  const lines: ChargeLine[] = [];
  if (baseDays > 0) lines.push(line('base', baseDays, terms.dailyRateMinor, ['day', 'days']));
  if (extraHours > 0) lines.push(line('extra_hour', extraHours, terms.hourlyRateMinor, ['hour', 'hours']));
  return { currency: terms.currency, lines, totalMinor: totalOf(lines), chargedDays: fullDays + (remainderMs > 0 ? 1 : 0) };
}

/** The extra days and late fee of a return after the end of the period beyond the grace. */
function lateLines(terms: PricingTerms, period: RentalPeriod, returnedAt: Date): { readonly lines: ChargeLine[]; readonly extraDays: number } {
  const graceMs = safe(terms.lateGraceMinutes * MINUTE_MS, 'late grace');
  const lateMs = returnedAt.getTime() - period.endAt.getTime();
  if (lateMs <= graceMs) return { lines: [], extraDays: 0 };
  const { fullDays: extraDays, remainderMs } = countDays(period.endAt, returnedAt, period.timeZone);
  const lines: ChargeLine[] = [];
  if (extraDays > 0) lines.push(line('extra_day', extraDays, terms.dailyRateMinor, ['extra day', 'extra days']));
  if (remainderMs > graceMs && terms.lateFeePerHourMinor > 0) {
    const hours = startedHours(remainderMs - graceMs);
    const uncapped = line('late_fee', hours, terms.lateFeePerHourMinor, ['late hour', 'late hours']);
    lines.push(
      uncapped.amountMinor > terms.dailyRateMinor
        ? { ...uncapped, description: `${uncapped.description}, capped at the daily rate ${terms.dailyRateMinor}`, amountMinor: terms.dailyRateMinor }
        : uncapped,
    );
  }
  return { lines, extraDays };
}

/** The final charges at return: the base lines of quotePrice plus extra days, late fee, extra km and damages. */
export function finalPrice(terms: PricingTerms, period: RentalPeriod, facts: ReturnFacts): PriceBreakdown {
  assertTermsAndPeriod(terms, period);
  if (isCount(facts.odometerOutKm) && isCount(facts.odometerInKm) && facts.odometerInKm < facts.odometerOutKm) {
    throw new RangeError('the odometer went back: odometerInKm is below odometerOutKm');
  }
  assertValid(checkReturnFacts(facts));
  const quote = quotePrice(terms, period);
  // An early return is not refunded: the reserved period stays charged, and nothing is added.
  const late = lateLines(terms, period, facts.returnedAt);
  const chargedDays = safe(quote.chargedDays + late.extraDays, 'charged days');
  const lines: ChargeLine[] = [...quote.lines, ...late.lines];
  if (terms.extraKmPriceMinor > 0) {
    const drivenKm = facts.odometerInKm - facts.odometerOutKm;
    const allowanceKm = safe(terms.includedKmPerDay * chargedDays, 'km allowance');
    const extraKm = Math.max(0, drivenKm - allowanceKm);
    if (extraKm > 0) lines.push(line('extra_km', extraKm, terms.extraKmPriceMinor, ['extra km', 'extra km']));
  }
  for (const damage of facts.damages) {
    lines.push({ type: 'damage', description: damage.description, quantity: 1, unitAmountMinor: damage.amountMinor, amountMinor: damage.amountMinor });
  }
  return { currency: terms.currency, lines, totalMinor: totalOf(lines), chargedDays };
}

/**
 * The fee for cancelling at `cancelledAt` (0 outside the window). The window is measured in
 * elapsed hours before the start and stays open after it (a no-show pays the fee); the fee is
 * never more than the quote for the period.
 */
export function cancellationFee(terms: PricingTerms, period: RentalPeriod, cancelledAt: Date): number {
  assertTermsAndPeriod(terms, period);
  if (!(cancelledAt instanceof Date) || Number.isNaN(cancelledAt.getTime())) throw new RangeError('cancelledAt must be a valid date');
  const windowOpensAt = period.startAt.getTime() - safe(terms.cancellationWindowHours * HOUR_MS, 'cancellation window');
  if (cancelledAt.getTime() < windowOpensAt) return 0;
  return Math.min(terms.cancellationFeeMinor, quotePrice(terms, period).totalMinor);
}

/** When a rental still out becomes overdue: its end plus the grace period. */
export function overdueAt(terms: PricingTerms, period: RentalPeriod): Date {
  assertTermsAndPeriod(terms, period);
  const overdue = new Date(safe(period.endAt.getTime() + terms.lateGraceMinutes * MINUTE_MS, 'overdue time'));
  if (Number.isNaN(overdue.getTime())) throw new RangeError('the overdue time is out of the date range');
  return overdue;
}
