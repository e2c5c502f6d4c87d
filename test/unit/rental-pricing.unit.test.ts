import {
  cancellationFee,
  checkPeriod,
  checkReturnFacts,
  checkTerms,
  finalPrice,
  overdueAt,
  quotePrice,
  type ChargeLine,
  type PriceBreakdown,
  type PricingTerms,
  type RentalPeriod,
  type ReturnFacts,
} from '../../processors/rental/pricing';
import { addLocalDays } from '../../processors/rental/local-time';

/**
 * The pricing rules of docs/pricing.md, one table row per case. Every expected breakdown is
 * worked out by hand in the row (the comment shows the arithmetic), never by the code under test.
 */

const terms: PricingTerms = {
  currency: 'EUR',
  dailyRateMinor: 4500,
  hourlyRateMinor: 1000,
  includedKmPerDay: 200,
  extraKmPriceMinor: 25,
  lateFeePerHourMinor: 1500,
  lateGraceMinutes: 30,
  cancellationFeeMinor: 2000,
  cancellationWindowHours: 24,
  depositMinor: 30000,
};
/** Hours cheap enough that 24 of them stay under the daily rate: shows whether a day was counted. */
const cheapHours: PricingTerms = { ...terms, hourlyRateMinor: 100 };

const at = (iso: string) => new Date(iso);
const period = (startAt: string, endAt: string, timeZone = 'UTC'): RentalPeriod => ({ startAt: at(startAt), endAt: at(endAt), timeZone });
const base = (days: number): ChargeLine => ({ type: 'base', description: `${days} ${days === 1 ? 'day' : 'days'} × 4500`, quantity: days, unitAmountMinor: 4500, amountMinor: days * 4500 });
const hours = (count: number, rate: number): ChargeLine => ({
  type: 'extra_hour',
  description: `${count} ${count === 1 ? 'hour' : 'hours'} × ${rate}`,
  quantity: count,
  unitAmountMinor: rate,
  amountMinor: count * rate,
});
const breakdown = (lines: ChargeLine[], totalMinor: number, chargedDays: number): PriceBreakdown => ({ currency: 'EUR', lines, totalMinor, chargedDays });

/** Every amount of a breakdown is a safe integer and the quantities are positive. */
function expectIntegers(result: PriceBreakdown): void {
  expect(Number.isSafeInteger(result.totalMinor)).toBe(true);
  expect(Number.isSafeInteger(result.chargedDays)).toBe(true);
  for (const charge of result.lines) {
    expect(Number.isSafeInteger(charge.quantity) && charge.quantity > 0).toBe(true);
    expect(Number.isSafeInteger(charge.unitAmountMinor)).toBe(true);
    expect(Number.isSafeInteger(charge.amountMinor)).toBe(true);
  }
}

describe('quotePrice', () => {
  const rows: { name: string; terms: PricingTerms; period: RentalPeriod; expected: PriceBreakdown }[] = [
    // Shorter than a day: started hours at the hourly rate while they cost less than a day.
    { name: '1 second is one started hour', terms, period: period('2026-06-01T10:00:00Z', '2026-06-01T10:00:01Z'), expected: breakdown([hours(1, 1000)], 1000, 1) },
    { name: '1 hour', terms, period: period('2026-06-01T10:00Z', '2026-06-01T11:00Z'), expected: breakdown([hours(1, 1000)], 1000, 1) },
    { name: '3 hours (no zero-day base line)', terms, period: period('2026-06-01T10:00Z', '2026-06-01T13:00Z'), expected: breakdown([hours(3, 1000)], 3000, 1) },
    { name: '4 hours: 4000 stays under the daily 4500', terms, period: period('2026-06-01T10:00Z', '2026-06-01T14:00Z'), expected: breakdown([hours(4, 1000)], 4000, 1) },
    // 4 h 30 min → 5 started hours → 5000 >= 4500: the cap is reached, one day.
    { name: '4 h 30 min reaches the cap and is a day', terms, period: period('2026-06-01T10:00Z', '2026-06-01T14:30Z'), expected: breakdown([base(1)], 4500, 1) },
    // 5 × 900 = 4500 = the daily rate exactly: the cap is reached.
    {
      name: 'hours costing exactly the daily rate are a day',
      terms: { ...terms, hourlyRateMinor: 900 },
      period: period('2026-06-01T10:00Z', '2026-06-01T15:00Z'),
      expected: breakdown([base(1)], 4500, 1),
    },
    { name: '23 hours is a day by the cap', terms, period: period('2026-06-01T10:00Z', '2026-06-02T09:00Z'), expected: breakdown([base(1)], 4500, 1) },
    { name: '23 hours at 100 an hour: 2300 under the cap', terms: cheapHours, period: period('2026-06-01T10:00Z', '2026-06-02T09:00Z'), expected: breakdown([hours(23, 100)], 2300, 1) },
    { name: '24 hours is one day', terms, period: period('2026-06-01T10:00Z', '2026-06-02T10:00Z'), expected: breakdown([base(1)], 4500, 1) },
    // 1 day + 1 hour: 4500 + 1000.
    { name: '25 hours is a day and an hour', terms, period: period('2026-06-01T10:00Z', '2026-06-02T11:00Z'), expected: breakdown([base(1), hours(1, 1000)], 5500, 2) },
    // 3 × 4500 + 2 × 1000 = 15500; chargedDays 3 + 1.
    { name: '3 days 2 hours with an hourly rate', terms, period: period('2026-06-01T10:00Z', '2026-06-04T12:00Z'), expected: breakdown([base(3), hours(2, 1000)], 15500, 4) },
    // 4 × 4500 = 18000.
    {
      name: '3 days 2 hours without an hourly rate is 4 days',
      terms: { ...terms, hourlyRateMinor: 0 },
      period: period('2026-06-01T10:00Z', '2026-06-04T12:00Z'),
      expected: breakdown([base(4)], 18000, 4),
    },
    { name: '3 days 1 minute', terms, period: period('2026-06-01T10:00Z', '2026-06-04T10:01Z'), expected: breakdown([base(3), hours(1, 1000)], 14500, 4) },
    // 3 days + 6 h → 6000 >= 4500 → 4 days.
    { name: '3 days 6 hours reaches the cap: 4 days', terms, period: period('2026-06-01T10:00Z', '2026-06-04T16:00Z'), expected: breakdown([base(4)], 18000, 4) },
    {
      name: 'a free daily rate still gives the quote a line',
      terms: { ...terms, dailyRateMinor: 0 },
      period: period('2026-06-01T10:00Z', '2026-06-01T13:00Z'),
      expected: { currency: 'EUR', lines: [{ type: 'base', description: '1 day × 0', quantity: 1, unitAmountMinor: 0, amountMinor: 0 }], totalMinor: 0, chargedDays: 1 },
    },
    {
      name: 'another currency: every line in it',
      terms: { ...terms, currency: 'JPY', dailyRateMinor: 9000, hourlyRateMinor: 1200 },
      period: period('2026-06-01T10:00Z', '2026-06-03T12:00Z', 'Asia/Tokyo'),
      // 2 × 9000 + 2 × 1200 = 20400.
      expected: {
        currency: 'JPY',
        lines: [
          { type: 'base', description: '2 days × 9000', quantity: 2, unitAmountMinor: 9000, amountMinor: 18000 },
          { type: 'extra_hour', description: '2 hours × 1200', quantity: 2, unitAmountMinor: 1200, amountMinor: 2400 },
        ],
        totalMinor: 20400,
        chargedDays: 3,
      },
    },

    // Europe/Berlin springs forward on 2026-03-29 at 02:00 CET (01:00Z): that day has 23 hours.
    // 10:00 CET = 09:00Z on the 28th; 10:00 CEST = 08:00Z on the 29th.
    { name: 'Berlin spring-forward: the 23-hour day is one day', terms: cheapHours, period: period('2026-03-28T09:00Z', '2026-03-29T08:00Z', 'Europe/Berlin'), expected: breakdown([base(1)], 4500, 1) },
    // 24 elapsed hours = the 23-hour day + 1 hour: 4500 + 100.
    {
      name: 'Berlin spring-forward: 24 elapsed hours are a day and an hour',
      terms: cheapHours,
      period: period('2026-03-28T09:00Z', '2026-03-29T09:00Z', 'Europe/Berlin'),
      expected: breakdown([base(1), hours(1, 100)], 4600, 2),
    },
    // Fall-back on 2026-10-25 at 03:00 CEST (01:00Z): that day has 25 hours.
    // 10:00 CEST = 08:00Z on the 24th; 10:00 CET = 09:00Z on the 25th.
    { name: 'Berlin fall-back: the 25-hour day is one day', terms: cheapHours, period: period('2026-10-24T08:00Z', '2026-10-25T09:00Z', 'Europe/Berlin'), expected: breakdown([base(1)], 4500, 1) },
    // 24 elapsed hours do not fill the 25-hour day: 24 started hours × 100 = 2400.
    { name: 'Berlin fall-back: 24 elapsed hours are not yet a day', terms: cheapHours, period: period('2026-10-24T08:00Z', '2026-10-25T08:00Z', 'Europe/Berlin'), expected: breakdown([hours(24, 100)], 2400, 1) },
    // America/New_York springs forward on 2026-03-08 at 02:00 EST (07:00Z).
    // 12:00 EST = 17:00Z on the 7th; 12:00 EDT = 16:00Z on the 8th.
    { name: 'New York spring-forward: the 23-hour day is one day', terms: cheapHours, period: period('2026-03-07T17:00Z', '2026-03-08T16:00Z', 'America/New_York'), expected: breakdown([base(1)], 4500, 1) },
    // 22 elapsed hours: 22 × 100 = 2200.
    { name: 'New York spring-forward: 22 hours are hours', terms: cheapHours, period: period('2026-03-07T17:00Z', '2026-03-08T15:00Z', 'America/New_York'), expected: breakdown([hours(22, 100)], 2200, 1) },
    // Fall-back on 2026-11-01 at 02:00 EDT (06:00Z). 12:00 EDT = 16:00Z on Oct 31; 12:00 EST = 17:00Z on Nov 1.
    { name: 'New York fall-back: the 25-hour day is one day', terms: cheapHours, period: period('2026-10-31T16:00Z', '2026-11-01T17:00Z', 'America/New_York'), expected: breakdown([base(1)], 4500, 1) },
    { name: 'New York fall-back: 24 elapsed hours are not yet a day', terms: cheapHours, period: period('2026-10-31T16:00Z', '2026-11-01T16:00Z', 'America/New_York'), expected: breakdown([hours(24, 100)], 2400, 1) },
    // The same elapsed hours in a zone without DST are a day.
    { name: 'UTC: 24 hours on 2026-10-25 are a day', terms: cheapHours, period: period('2026-10-24T08:00Z', '2026-10-25T08:00Z', 'UTC'), expected: breakdown([base(1)], 4500, 1) },
    // Asia/Kolkata is UTC+05:30: 09:00 IST on 06-01 = 03:30Z; 11:30 IST on 06-03 = 06:00Z.
    // 2 days + 2 h 30 min → 3 started hours: 9000 + 3000.
    { name: 'Kolkata (UTC+05:30): 2 days and 2 h 30 min', terms, period: period('2026-06-01T03:30Z', '2026-06-03T06:00Z', 'Asia/Kolkata'), expected: breakdown([base(2), hours(3, 1000)], 12000, 3) },
    // Across New Year: 18:00 CET on 2026-12-31 (17:00Z) to 20:00 CET on 2027-01-02 (19:00Z): 2 days 2 h.
    { name: 'across New Year in Berlin', terms, period: period('2026-12-31T17:00Z', '2027-01-02T19:00Z', 'Europe/Berlin'), expected: breakdown([base(2), hours(2, 1000)], 11000, 3) },
    // A start at 02:30 on 03-28 in Berlin (01:30Z): 02:30 on 03-29 does not exist, so the day ends at
    // the earliest instant at or after it, 03:00 CEST (01:00Z): a 23.5-hour day.
    { name: 'a day ending in the spring-forward gap ends when the clocks jump', terms: cheapHours, period: period('2026-03-28T01:30Z', '2026-03-29T01:00Z', 'Europe/Berlin'), expected: breakdown([base(1)], 4500, 1) },
    // One minute short of that: 23 h 29 min → 24 started hours × 100.
    { name: 'one minute before the jump is not a day yet', terms: cheapHours, period: period('2026-03-28T01:30Z', '2026-03-29T00:59Z', 'Europe/Berlin'), expected: breakdown([hours(24, 100)], 2400, 1) },
    // A start at 02:30 CEST on 10-24 (00:30Z): 02:30 on 10-25 comes twice; the day ends at the first (00:30Z).
    { name: 'a day ending at a repeated wall time ends at its first occurrence', terms: cheapHours, period: period('2026-10-24T00:30Z', '2026-10-25T00:30Z', 'Europe/Berlin'), expected: breakdown([base(1)], 4500, 1) },
    // ... so the second 02:30 (01:30Z) is a day and an hour: 4500 + 100.
    {
      name: 'the second occurrence of a repeated wall time is an hour more',
      terms: cheapHours,
      period: period('2026-10-24T00:30Z', '2026-10-25T01:30Z', 'Europe/Berlin'),
      expected: breakdown([base(1), hours(1, 100)], 4600, 2),
    },
    // A long rental: 2026-01-01 to 2027-01-01 in Berlin is 365 local days through both changes.
    { name: 'a year in Berlin is 365 days', terms, period: period('2025-12-31T23:00Z', '2026-12-31T23:00Z', 'Europe/Berlin'), expected: breakdown([base(365)], 1642500, 365) },
  ];

  it.each(rows)('$name', ({ terms: rowTerms, period: rowPeriod, expected }) => {
    const result = quotePrice(rowTerms, rowPeriod);
    expect(result).toEqual(expected);
    expectIntegers(result);
  });

  it.each([
    ['an end equal to the start', period('2026-06-01T10:00Z', '2026-06-01T10:00Z'), 'endAt must be after startAt'],
    ['an end before the start', period('2026-06-02T10:00Z', '2026-06-01T10:00Z'), 'endAt must be after startAt'],
    ['an invalid start', { startAt: new Date(Number.NaN), endAt: at('2026-06-01T10:00Z'), timeZone: 'UTC' }, 'startAt must be a valid date'],
    ['an unknown zone', period('2026-06-01T10:00Z', '2026-06-02T10:00Z', 'Europe/Atlantis'), 'timeZone "Europe/Atlantis" is not a known IANA time zone'],
  ])('refuses %s with a RangeError', (_name, badPeriod, message) => {
    expect(() => quotePrice(terms, badPeriod)).toThrow(new RangeError(message));
    expect(checkPeriod(badPeriod)).toBe(message);
  });

  it('refuses invalid terms with the message of checkTerms', () => {
    expect(() => quotePrice({ ...terms, dailyRateMinor: -1 }, period('2026-06-01T10:00Z', '2026-06-02T10:00Z'))).toThrow(
      new RangeError('dailyRateMinor must be a non-negative safe integer'),
    );
  });
});

describe('finalPrice', () => {
  // Reserved 3 days: base 3 × 4500 = 13500, chargedDays 3, allowance 3 × 200 = 600 km.
  const reserved = period('2026-06-01T10:00Z', '2026-06-04T10:00Z');
  const facts = (returnedAt: string, drivenKm: number, damages: ReturnFacts['damages'] = []): ReturnFacts => ({
    returnedAt: at(returnedAt),
    odometerOutKm: 12000,
    odometerInKm: 12000 + drivenKm,
    damages,
  });
  const extraDays = (count: number): ChargeLine => ({
    type: 'extra_day',
    description: `${count} ${count === 1 ? 'extra day' : 'extra days'} × 4500`,
    quantity: count,
    unitAmountMinor: 4500,
    amountMinor: count * 4500,
  });
  const lateHours = (count: number): ChargeLine => ({
    type: 'late_fee',
    description: `${count} ${count === 1 ? 'late hour' : 'late hours'} × 1500`,
    quantity: count,
    unitAmountMinor: 1500,
    amountMinor: count * 1500,
  });
  const extraKm = (count: number): ChargeLine => ({ type: 'extra_km', description: `${count} extra km × 25`, quantity: count, unitAmountMinor: 25, amountMinor: count * 25 });

  const rows: { name: string; terms: PricingTerms; period: RentalPeriod; facts: ReturnFacts; expected: PriceBreakdown }[] = [
    { name: 'on time, within the allowance', terms, period: reserved, facts: facts('2026-06-04T10:00Z', 500), expected: breakdown([base(3)], 13500, 3) },
    { name: 'early return: no refund', terms, period: reserved, facts: facts('2026-06-02T10:00Z', 100), expected: breakdown([base(3)], 13500, 3) },
    { name: 'late by exactly the grace: nothing added', terms, period: reserved, facts: facts('2026-06-04T10:30:00Z', 500), expected: breakdown([base(3)], 13500, 3) },
    // 30 min 1 s late: 1 s past the grace → 1 started hour × 1500.
    { name: 'one second past the grace: one late hour', terms, period: reserved, facts: facts('2026-06-04T10:30:01Z', 500), expected: breakdown([base(3), lateHours(1)], 15000, 3) },
    // 2 h late: 1 h 30 min past the grace → 2 hours × 1500 = 3000; km 700 − 600 = 100 × 25 = 2500; chargedDays stays 3.
    { name: 'late hours do not grow the allowance', terms, period: reserved, facts: facts('2026-06-04T12:00Z', 700), expected: breakdown([base(3), lateHours(2), extraKm(100)], 19000, 3) },
    // 6 h late: 5 h 30 min past the grace → 6 hours × 1500 = 9000, capped at 4500.
    {
      name: 'the late fee is capped at one daily rate',
      terms,
      period: reserved,
      facts: facts('2026-06-04T16:00Z', 500),
      expected: breakdown(
        [base(3), { type: 'late_fee', description: '6 late hours × 1500, capped at the daily rate 4500', quantity: 6, unitAmountMinor: 1500, amountMinor: 4500 }],
        18000,
        3,
      ),
    },
    // 1 day 3 h late: 1 extra day + 3 h, 2 h 30 min past the grace → 3 × 1500; 13500 + 4500 + 4500.
    { name: 'an extra day and late hours', terms, period: reserved, facts: facts('2026-06-05T13:00Z', 500), expected: breakdown([base(3), extraDays(1), lateHours(3)], 22500, 4) },
    // 2 days 20 min late: the 20 min are within the grace.
    { name: 'extra days, the rest within the grace', terms, period: reserved, facts: facts('2026-06-06T10:20Z', 500), expected: breakdown([base(3), extraDays(2)], 22500, 5) },
    // Exactly 1 day late: chargedDays 4 → allowance 800; 1000 − 800 = 200 km × 25 = 5000.
    { name: 'extra days grow the allowance', terms, period: reserved, facts: facts('2026-06-05T10:00Z', 1000), expected: breakdown([base(3), extraDays(1), extraKm(200)], 23000, 4) },
    { name: 'driven exactly the allowance: no km line', terms, period: reserved, facts: facts('2026-06-04T10:00Z', 600), expected: breakdown([base(3)], 13500, 3) },
    { name: 'one km past the allowance', terms, period: reserved, facts: facts('2026-06-04T10:00Z', 601), expected: breakdown([base(3), extraKm(1)], 13525, 3) },
    {
      name: 'unlimited km: no km line however far',
      terms: { ...terms, extraKmPriceMinor: 0 },
      period: reserved,
      facts: facts('2026-06-04T10:00Z', 100000),
      expected: breakdown([base(3)], 13500, 3),
    },
    // No km included: every km is charged, 50 × 25.
    { name: 'no km included', terms: { ...terms, includedKmPerDay: 0 }, period: reserved, facts: facts('2026-06-04T10:00Z', 50), expected: breakdown([base(3), extraKm(50)], 14750, 3) },
    // A partial day counts for the allowance: 1 day 3 h → chargedDays 2 → 400 km; 450 − 400 = 50 × 25 = 1250; 4500 + 3000 + 1250.
    {
      name: 'a charged partial day brings its km allowance',
      terms,
      period: period('2026-06-01T10:00Z', '2026-06-02T13:00Z'),
      facts: facts('2026-06-02T13:00Z', 450),
      expected: breakdown([base(1), hours(3, 1000), extraKm(50)], 8750, 2),
    },
    // 13500 + 12000 + 35000.
    {
      name: 'damages, one line each',
      terms,
      period: reserved,
      facts: facts('2026-06-04T10:00Z', 500, [
        { description: 'Scratch on the rear bumper', amountMinor: 12000 },
        { description: 'Cracked windscreen', amountMinor: 35000 },
      ]),
      expected: breakdown(
        [
          base(3),
          { type: 'damage', description: 'Scratch on the rear bumper', quantity: 1, unitAmountMinor: 12000, amountMinor: 12000 },
          { type: 'damage', description: 'Cracked windscreen', quantity: 1, unitAmountMinor: 35000, amountMinor: 35000 },
        ],
        60500,
        3,
      ),
    },
    // No grace: 1 ms late is one started hour.
    { name: 'no grace: a millisecond late is an hour', terms: { ...terms, lateGraceMinutes: 0 }, period: reserved, facts: facts('2026-06-04T10:00:00.001Z', 0), expected: breakdown([base(3), lateHours(1)], 15000, 3) },
    // A grace of a whole day: exactly one day late is still within it ...
    { name: 'a one-day grace covers a return exactly a day late', terms: { ...terms, lateGraceMinutes: 1440 }, period: reserved, facts: facts('2026-06-05T10:00Z', 0), expected: breakdown([base(3)], 13500, 3) },
    // ... and one second more is past it: the day is an extra day, the second is within the grace again.
    {
      name: 'a second past a one-day grace is an extra day',
      terms: { ...terms, lateGraceMinutes: 1440 },
      period: reserved,
      facts: facts('2026-06-05T10:00:01Z', 0),
      expected: breakdown([base(3), extraDays(1)], 18000, 4),
    },
    { name: 'no late fee: no late line', terms: { ...terms, lateFeePerHourMinor: 0 }, period: reserved, facts: facts('2026-06-04T13:00Z', 0), expected: breakdown([base(3)], 13500, 3) },
    // Berlin: the period ends 10:00 CET on 03-28 (09:00Z); returned 10:00 CEST on 03-29 (08:00Z), 23 h later: one extra day.
    {
      name: 'an extra day over the spring-forward night is 23 hours',
      terms,
      period: period('2026-03-25T09:00Z', '2026-03-28T09:00Z', 'Europe/Berlin'),
      facts: facts('2026-03-29T08:00Z', 0),
      expected: breakdown([base(3), extraDays(1)], 18000, 4),
    },
    // New York: the period ends 12:00 EDT on 10-31 (16:00Z); returned 16:00Z on 11-01, 24 h later but 11:00 EST:
    // no extra day; 24 h − 30 min grace → 24 started hours × 1500 = 36000, capped at 4500.
    {
      name: 'late over the fall-back night: 24 hours are not yet an extra day',
      terms,
      period: period('2026-10-28T16:00Z', '2026-10-31T16:00Z', 'America/New_York'),
      facts: facts('2026-11-01T16:00Z', 0),
      expected: breakdown(
        [base(3), { type: 'late_fee', description: '24 late hours × 1500, capped at the daily rate 4500', quantity: 24, unitAmountMinor: 1500, amountMinor: 4500 }],
        18000,
        3,
      ),
    },
  ];

  it.each(rows)('$name', ({ terms: rowTerms, period: rowPeriod, facts: rowFacts, expected }) => {
    const result = finalPrice(rowTerms, rowPeriod, rowFacts);
    expect(result).toEqual(expected);
    expectIntegers(result);
  });

  it('throws a RangeError when the odometer went back', () => {
    expect(() => finalPrice(terms, reserved, { ...facts('2026-06-04T10:00Z', 0), odometerInKm: 11999 })).toThrow(RangeError);
  });

  it.each([
    ['an invalid return time', { ...facts('2026-06-04T10:00Z', 0), returnedAt: new Date(Number.NaN) }, 'returnedAt must be a valid date'],
    ['a fractional odometer', { ...facts('2026-06-04T10:00Z', 0), odometerInKm: 12000.5 }, 'odometerInKm must be a non-negative safe integer'],
    ['a negative damage', facts('2026-06-04T10:00Z', 0, [{ description: 'Dent', amountMinor: -1 }]), 'damages[0].amountMinor must be a non-negative safe integer'],
    ['a blank damage description', facts('2026-06-04T10:00Z', 0, [{ description: '  ', amountMinor: 100 }]), 'damages[0].description must not be empty'],
  ])('refuses %s with the message of checkReturnFacts', (_name, badFacts, message) => {
    expect(checkReturnFacts(badFacts)).toBe(message);
    expect(() => finalPrice(terms, reserved, badFacts)).toThrow(new RangeError(message));
  });
});

describe('cancellationFee', () => {
  // Starts 2026-06-10T10:00Z; the 24-hour window opens 2026-06-09T10:00Z. The quote is 3 × 4500 = 13500.
  const reserved = period('2026-06-10T10:00Z', '2026-06-13T10:00Z');
  const rows: { name: string; terms: PricingTerms; period: RentalPeriod; cancelledAt: string; expected: number }[] = [
    { name: 'two days before: outside the window', terms, period: reserved, cancelledAt: '2026-06-08T10:00:00Z', expected: 0 },
    { name: 'a millisecond before the window opens', terms, period: reserved, cancelledAt: '2026-06-09T09:59:59.999Z', expected: 0 },
    { name: 'exactly when the window opens', terms, period: reserved, cancelledAt: '2026-06-09T10:00:00Z', expected: 2000 },
    { name: 'an hour before the start', terms, period: reserved, cancelledAt: '2026-06-10T09:00:00Z', expected: 2000 },
    { name: 'after the start (no-show)', terms, period: reserved, cancelledAt: '2026-06-10T12:00:00Z', expected: 2000 },
    { name: 'no window: at the start', terms: { ...terms, cancellationWindowHours: 0 }, period: reserved, cancelledAt: '2026-06-10T10:00:00Z', expected: 2000 },
    { name: 'no window: a millisecond before the start', terms: { ...terms, cancellationWindowHours: 0 }, period: reserved, cancelledAt: '2026-06-10T09:59:59.999Z', expected: 0 },
    // A 3-hour rental is quoted 3 × 1000 = 3000: the 50000 fee is cut to that.
    { name: 'never more than the quote', terms: { ...terms, cancellationFeeMinor: 50000 }, period: period('2026-06-10T10:00Z', '2026-06-10T13:00Z'), cancelledAt: '2026-06-10T09:00Z', expected: 3000 },
    { name: 'no fee in the terms', terms: { ...terms, cancellationFeeMinor: 0 }, period: reserved, cancelledAt: '2026-06-10T09:00Z', expected: 0 },
  ];

  it.each(rows)('$name', ({ terms: rowTerms, period: rowPeriod, cancelledAt, expected }) => {
    const fee = cancellationFee(rowTerms, rowPeriod, at(cancelledAt));
    expect(fee).toBe(expected);
    expect(Number.isSafeInteger(fee)).toBe(true);
  });

  it('refuses an invalid cancellation time', () => {
    expect(() => cancellationFee(terms, reserved, new Date(Number.NaN))).toThrow(new RangeError('cancelledAt must be a valid date'));
  });
});

describe('overdueAt', () => {
  it.each([
    ['the end plus 30 minutes of grace', terms, '2026-06-04T10:30:00.000Z'],
    ['the end itself without grace', { ...terms, lateGraceMinutes: 0 }, '2026-06-04T10:00:00.000Z'],
    ['the end plus a day of grace', { ...terms, lateGraceMinutes: 1440 }, '2026-06-05T10:00:00.000Z'],
  ])('is %s', (_name, rowTerms, expected) => {
    expect(overdueAt(rowTerms, period('2026-06-01T10:00Z', '2026-06-04T10:00Z')).toISOString()).toBe(expected);
  });
});

describe('checkTerms', () => {
  it('accepts valid terms, zeros included', () => {
    expect(checkTerms(terms)).toBeUndefined();
    expect(checkTerms({ ...terms, dailyRateMinor: 0, hourlyRateMinor: 0, extraKmPriceMinor: 0, depositMinor: 0, lateGraceMinutes: 0 })).toBeUndefined();
  });

  it.each([
    ['a lower-case currency', { ...terms, currency: 'eur' }, 'currency must be an ISO 4217 code of three capital letters'],
    ['a four-letter currency', { ...terms, currency: 'EURO' }, 'currency must be an ISO 4217 code of three capital letters'],
    ['a negative daily rate', { ...terms, dailyRateMinor: -1 }, 'dailyRateMinor must be a non-negative safe integer'],
    ['a fractional hourly rate', { ...terms, hourlyRateMinor: 10.5 }, 'hourlyRateMinor must be a non-negative safe integer'],
    ['a NaN km price', { ...terms, extraKmPriceMinor: Number.NaN }, 'extraKmPriceMinor must be a non-negative safe integer'],
    ['an unsafe deposit', { ...terms, depositMinor: Number.MAX_SAFE_INTEGER + 1 }, 'depositMinor must be a non-negative safe integer'],
    ['an infinite grace', { ...terms, lateGraceMinutes: Number.POSITIVE_INFINITY }, 'lateGraceMinutes must be a non-negative safe integer'],
    ['a window given as text', { ...terms, cancellationWindowHours: '24' as unknown as number }, 'cancellationWindowHours must be a non-negative safe integer'],
  ])('refuses %s', (_name, badTerms, message) => {
    expect(checkTerms(badTerms)).toBe(message);
  });
});

describe('the overflow guard', () => {
  const huge = Number.MAX_SAFE_INTEGER;
  const twoDays = period('2026-06-01T10:00Z', '2026-06-03T10:00Z');

  it.each([
    ['days × a huge daily rate', () => quotePrice({ ...terms, dailyRateMinor: huge }, twoDays)],
    ['hours × a huge hourly rate', () => quotePrice({ ...terms, dailyRateMinor: huge, hourlyRateMinor: huge }, period('2026-06-01T10:00Z', '2026-06-01T12:00Z'))],
    ['the sum of two huge damages', () => finalPrice(terms, twoDays, { returnedAt: at('2026-06-03T10:00Z'), odometerOutKm: 0, odometerInKm: 0, damages: [{ description: 'a', amountMinor: huge }, { description: 'b', amountMinor: huge }] })],
    ['a huge km allowance', () => finalPrice({ ...terms, includedKmPerDay: huge }, twoDays, { returnedAt: at('2026-06-03T10:00Z'), odometerOutKm: 0, odometerInKm: 10, damages: [] })],
    ['km × a huge km price', () => finalPrice({ ...terms, extraKmPriceMinor: huge, includedKmPerDay: 0 }, twoDays, { returnedAt: at('2026-06-03T10:00Z'), odometerOutKm: 0, odometerInKm: 2, damages: [] })],
    ['a huge cancellation window', () => cancellationFee({ ...terms, cancellationWindowHours: huge }, twoDays, at('2026-06-01T09:00Z'))],
    ['a huge grace', () => overdueAt({ ...terms, lateGraceMinutes: huge }, twoDays)],
  ])('throws a RangeError for %s', (_name, compute) => {
    expect(compute).toThrow(RangeError);
  });

  it('does not throw at the largest amounts that fit', () => {
    // One day at MAX_SAFE_INTEGER is still exact.
    expect(quotePrice({ ...terms, dailyRateMinor: huge }, period('2026-06-01T10:00Z', '2026-06-02T10:00Z')).totalMinor).toBe(huge);
  });
});

/**
 * Properties over many generated rentals (a seeded generator, so a failure repeats): prices never
 * fall when a rental grows longer, comes back later or drives further; a later return never costs
 * less than the quote; a day is one day in every zone whatever its length.
 */
describe('pricing properties', () => {
  const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'America/Santiago'];
  const yearStart = Date.parse('2026-01-01T00:00:00Z');
  const HOUR = 3_600_000;

  /** mulberry32: a small seeded generator of numbers in [0, 1). */
  function generator(seed: number): () => number {
    let state = seed >>> 0;
    return () => {
      state = (state + 0x6d2b79f5) >>> 0;
      let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
      mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
      return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
    };
  }
  const random = generator(20260329);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  /** A start somewhere in 2026 on a whole minute, so DST nights are hit often enough. */
  const someStart = () => new Date(yearStart + Math.floor(random() * 365 * 24 * 60) * 60_000);
  const someTerms = (): PricingTerms => ({
    ...terms,
    hourlyRateMinor: pick([0, 100, 700, 1000, 2000]),
    includedKmPerDay: pick([0, 100, 250]),
    extraKmPriceMinor: pick([0, 25]),
    lateFeePerHourMinor: pick([0, 1500, 5000]),
    lateGraceMinutes: pick([0, 30, 59, 120]),
  });

  function expectConsistent(result: PriceBreakdown): void {
    expectIntegers(result);
    expect(result.totalMinor).toBe(result.lines.reduce((sum, charge) => sum + charge.amountMinor, 0));
    expect(result.lines.every((charge) => charge.type === 'late_fee' || charge.amountMinor === charge.quantity * charge.unitAmountMinor)).toBe(true);
  }

  it('a longer reservation never costs less, and its charged days follow its lines', () => {
    for (let rental = 0; rental < 150; rental += 1) {
      const rowTerms = someTerms();
      const startAt = someStart();
      const timeZone = pick(zones);
      const minutes = Array.from({ length: 8 }, () => 1 + Math.floor(random() * 40 * 24 * 60)).sort((a, b) => a - b);
      let previousTotal = 0;
      for (const length of minutes) {
        const quote = quotePrice(rowTerms, { startAt, endAt: new Date(startAt.getTime() + length * 60_000), timeZone });
        expectConsistent(quote);
        expect(quote.lines.length).toBeGreaterThan(0);
        expect(quote.totalMinor).toBeGreaterThanOrEqual(previousTotal);
        const baseDays = quote.lines.find((charge) => charge.type === 'base')?.quantity ?? 0;
        const hourLines = quote.lines.filter((charge) => charge.type === 'extra_hour').length;
        // A remainder is one charged day, whether it was charged on the base line or as hours.
        expect(quote.chargedDays).toBe(baseDays + hourLines);
        previousTotal = quote.totalMinor;
      }
    }
  });

  it('a later return or a longer drive never costs less, and never less than the quote', () => {
    for (let rental = 0; rental < 150; rental += 1) {
      const rowTerms = someTerms();
      const startAt = someStart();
      const rowPeriod = { startAt, endAt: new Date(startAt.getTime() + (1 + Math.floor(random() * 10 * 24)) * HOUR), timeZone: pick(zones) };
      const quoteTotal = quotePrice(rowTerms, rowPeriod).totalMinor;
      const lateness = Array.from({ length: 6 }, () => Math.floor((random() - 0.2) * 5 * 24 * 60) * 60_000).sort((a, b) => a - b);
      const driven = Array.from({ length: 3 }, () => Math.floor(random() * 5000)).sort((a, b) => a - b);
      let previousByLateness = 0;
      for (const late of lateness) {
        let previousByKm = 0;
        for (const km of driven) {
          const result = finalPrice(rowTerms, rowPeriod, { returnedAt: new Date(rowPeriod.endAt.getTime() + late), odometerOutKm: 1000, odometerInKm: 1000 + km, damages: [] });
          expectConsistent(result);
          expect(result.totalMinor).toBeGreaterThanOrEqual(quoteTotal);
          expect(result.totalMinor).toBeGreaterThanOrEqual(previousByKm);
          previousByKm = result.totalMinor;
        }
        const withoutKm = finalPrice(rowTerms, rowPeriod, { returnedAt: new Date(rowPeriod.endAt.getTime() + late), odometerOutKm: 0, odometerInKm: 0, damages: [] }).totalMinor;
        expect(withoutKm).toBeGreaterThanOrEqual(previousByLateness);
        previousByLateness = withoutKm;
      }
    }
  });

  it('from any start, to the same wall time n local dates later, is exactly n days in every zone', () => {
    for (let rental = 0; rental < 200; rental += 1) {
      const startAt = someStart();
      const timeZone = pick(zones);
      const days = 1 + Math.floor(random() * 30);
      const endAt = addLocalDays(startAt, days, timeZone);
      // n day steps, even when one of them ends where the clocks skip its wall time.
      expect(quotePrice(terms, { startAt, endAt, timeZone })).toEqual(breakdown([base(days)], days * 4500, days));
    }
  });
});
