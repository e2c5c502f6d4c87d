import { addLocalDays, checkTimeZone, countLocalDays, fromLocal, offsetMs, toLocal, type LocalDateTime } from '../../processors/rental/local-time';

/**
 * Wall-clock arithmetic in IANA zones from Intl alone: readings, offsets, skipped and repeated
 * wall times (resolved to the earliest instant at or after them), and local day steps across
 * DST changes. Every expected instant is worked out by hand from the zone's published rules.
 */

const at = (iso: string) => new Date(iso);
const wall = (year: number, month: number, day: number, hour = 0, minute = 0, second = 0, millisecond = 0): LocalDateTime => ({
  year,
  month,
  day,
  hour,
  minute,
  second,
  millisecond,
});

describe('toLocal', () => {
  it.each([
    ['UTC', '2026-06-01T10:00:00.000Z', 'UTC', wall(2026, 6, 1, 10)],
    ['Kolkata, UTC+05:30', '2026-06-01T03:30:00.000Z', 'Asia/Kolkata', wall(2026, 6, 1, 9)],
    ['Kolkata into the new year, milliseconds kept', '2026-12-31T23:30:00.250Z', 'Asia/Kolkata', wall(2027, 1, 1, 5, 0, 0, 250)],
    ['New York just before spring-forward', '2026-03-08T06:59:59.999Z', 'America/New_York', wall(2026, 3, 8, 1, 59, 59, 999)],
    ['New York at spring-forward', '2026-03-08T07:00:00.000Z', 'America/New_York', wall(2026, 3, 8, 3)],
    ['Berlin, first 02:30 of the fall-back night (CEST)', '2026-10-25T00:30:00.000Z', 'Europe/Berlin', wall(2026, 10, 25, 2, 30)],
    ['Berlin, second 02:30 of the fall-back night (CET)', '2026-10-25T01:30:00.000Z', 'Europe/Berlin', wall(2026, 10, 25, 2, 30)],
    ['midnight is hour 0, not 24', '2026-06-01T22:00:00.000Z', 'Europe/Berlin', wall(2026, 6, 2, 0)],
    ['before 1970 (negative epoch milliseconds)', '1960-06-15T12:00:00.500Z', 'UTC', wall(1960, 6, 15, 12, 0, 0, 500)],
  ])('%s', (_name, instant, timeZone, expected) => {
    expect(toLocal(at(instant), timeZone)).toEqual(expected);
  });
});

describe('offsetMs', () => {
  it.each([
    ['Kolkata', '2026-06-01T00:00Z', 'Asia/Kolkata', 19_800_000],
    ['Berlin in summer', '2026-07-01T00:00Z', 'Europe/Berlin', 7_200_000],
    ['Berlin in winter', '2026-01-15T00:00Z', 'Europe/Berlin', 3_600_000],
    ['New York in winter', '2026-01-15T00:00Z', 'America/New_York', -18_000_000],
    ['Lord Howe in summer (+11:00)', '2026-01-15T00:00Z', 'Australia/Lord_Howe', 39_600_000],
    ['Lord Howe in winter (+10:30)', '2026-07-15T00:00Z', 'Australia/Lord_Howe', 37_800_000],
  ])('%s', (_name, instant, timeZone, expected) => {
    expect(offsetMs(at(instant), timeZone)).toBe(expected);
  });
});

describe('fromLocal', () => {
  it.each([
    ['an ordinary wall time in Berlin', wall(2026, 6, 1, 10), 'Europe/Berlin', '2026-06-01T08:00:00.000Z'],
    ['an ordinary wall time in Kolkata', wall(2026, 6, 1, 9), 'Asia/Kolkata', '2026-06-01T03:30:00.000Z'],
    ['the last millisecond before the Berlin gap', wall(2026, 3, 29, 1, 59, 59, 999), 'Europe/Berlin', '2026-03-29T00:59:59.999Z'],
    // 02:00-02:59 on 2026-03-29 does not exist in Berlin: the clocks jump from 02:00 CET to 03:00 CEST at 01:00Z.
    ['the start of the Berlin gap', wall(2026, 3, 29, 2), 'Europe/Berlin', '2026-03-29T01:00:00.000Z'],
    ['inside the Berlin gap', wall(2026, 3, 29, 2, 30), 'Europe/Berlin', '2026-03-29T01:00:00.000Z'],
    ['the first wall time after the Berlin gap', wall(2026, 3, 29, 3), 'Europe/Berlin', '2026-03-29T01:00:00.000Z'],
    // 02:00-02:59 on 2026-10-25 is shown twice in Berlin: first CEST (00:00Z-00:59Z), then CET (01:00Z-01:59Z).
    ['a repeated Berlin wall time is its first occurrence', wall(2026, 10, 25, 2, 30), 'Europe/Berlin', '2026-10-25T00:30:00.000Z'],
    ['the start of the repeated Berlin hour', wall(2026, 10, 25, 2), 'Europe/Berlin', '2026-10-25T00:00:00.000Z'],
    ['just after the repeated Berlin hour', wall(2026, 10, 25, 3), 'Europe/Berlin', '2026-10-25T02:00:00.000Z'],
    // New York: 02:00 EST → 03:00 EDT at 07:00Z on 2026-03-08; 02:00 EDT → 01:00 EST at 06:00Z on 2026-11-01.
    ['inside the New York gap', wall(2026, 3, 8, 2, 30), 'America/New_York', '2026-03-08T07:00:00.000Z'],
    ['a repeated New York wall time', wall(2026, 11, 1, 1, 30), 'America/New_York', '2026-11-01T05:30:00.000Z'],
    // Lord Howe shifts by 30 minutes: 02:00 → 02:30 at 15:30Z on 2026-10-03; 02:00 → 01:30 at 15:00Z on 2026-04-04.
    ['inside the 30-minute Lord Howe gap', wall(2026, 10, 4, 2, 15), 'Australia/Lord_Howe', '2026-10-03T15:30:00.000Z'],
    ['a repeated Lord Howe wall time', wall(2026, 4, 5, 1, 45), 'Australia/Lord_Howe', '2026-04-04T14:45:00.000Z'],
    // Samoa skipped 2011-12-30 entirely: 23:59:59 on the 29th (UTC-10) was followed by 00:00 on the 31st (UTC+14) at 10:00Z.
    ['a day Samoa skipped resolves to the next day it shows', wall(2011, 12, 30, 10), 'Pacific/Apia', '2011-12-30T10:00:00.000Z'],
  ])('%s', (_name, local, timeZone, expected) => {
    expect(fromLocal(local, timeZone).toISOString()).toBe(expected);
  });

  it('refuses an unknown zone', () => {
    expect(() => fromLocal(wall(2026, 6, 1), 'Mars/Olympus_Mons')).toThrow(new RangeError('unknown time zone: "Mars/Olympus_Mons"'));
  });
});

describe('addLocalDays', () => {
  it.each([
    ['zero days is the instant itself, even a repeated wall time', '2026-10-25T01:30:00.000Z', 0, 'Europe/Berlin', '2026-10-25T01:30:00.000Z'],
    ['a day over the Berlin spring-forward night is 23 hours', '2026-03-28T09:00:00.000Z', 1, 'Europe/Berlin', '2026-03-29T08:00:00.000Z'],
    ['a day over the Berlin fall-back night is 25 hours', '2026-10-24T08:00:00.000Z', 1, 'Europe/Berlin', '2026-10-25T09:00:00.000Z'],
    ['a day back over the spring-forward night', '2026-03-29T08:00:00.000Z', -1, 'Europe/Berlin', '2026-03-28T09:00:00.000Z'],
    ['from the second 02:30 of the fall-back night to 02:30 the next night', '2026-10-25T01:30:00.000Z', 1, 'Europe/Berlin', '2026-10-26T01:30:00.000Z'],
    ['into the spring-forward gap: when the clocks jump', '2026-03-28T01:30:00.000Z', 1, 'Europe/Berlin', '2026-03-29T01:00:00.000Z'],
    ['two days from the same start: the wall time again, not drifted', '2026-03-28T01:30:00.000Z', 2, 'Europe/Berlin', '2026-03-30T00:30:00.000Z'],
    ['into a leap day', '2028-02-28T12:00:00.000Z', 1, 'UTC', '2028-02-29T12:00:00.000Z'],
    ['over a leap day', '2028-02-28T12:00:00.000Z', 2, 'UTC', '2028-03-01T12:00:00.000Z'],
    ['over New Year in New York', '2026-12-31T17:00:00.000Z', 1, 'America/New_York', '2027-01-01T17:00:00.000Z'],
    ['a day in Kolkata', '2026-06-01T03:30:00.000Z', 1, 'Asia/Kolkata', '2026-06-02T03:30:00.000Z'],
  ])('%s', (_name, instant, days, timeZone, expected) => {
    expect(addLocalDays(at(instant), days, timeZone).toISOString()).toBe(expected);
  });

  it('refuses a fractional day count', () => {
    expect(() => addLocalDays(at('2026-06-01T00:00Z'), 1.5, 'UTC')).toThrow(new RangeError('days must be a safe integer'));
  });

  it('refuses to step past the last date a Date holds', () => {
    expect(() => addLocalDays(new Date(8.64e15 - 1000), 1, 'UTC')).toThrow(RangeError);
  });
});

describe('countLocalDays', () => {
  it.each([
    ['nothing between equal instants', '2026-06-01T10:00Z', '2026-06-01T10:00Z', 'UTC', 0],
    ['a millisecond short of the 23-hour Berlin day', '2026-03-28T09:00:00.000Z', '2026-03-29T07:59:59.999Z', 'Europe/Berlin', 0],
    ['the 23-hour Berlin day', '2026-03-28T09:00Z', '2026-03-29T08:00Z', 'Europe/Berlin', 1],
    ['24 hours into the 25-hour Berlin day', '2026-10-24T08:00Z', '2026-10-25T08:00Z', 'Europe/Berlin', 0],
    ['the 25-hour Berlin day', '2026-10-24T08:00Z', '2026-10-25T09:00Z', 'Europe/Berlin', 1],
    ['a leap year', '2024-01-01T00:00Z', '2025-01-01T00:00Z', 'UTC', 366],
    ['a year in New York through both changes', '2026-01-01T05:00Z', '2027-01-01T05:00Z', 'America/New_York', 365],
    ['a year in New York less a millisecond', '2026-01-01T05:00:00.000Z', '2027-01-01T04:59:59.999Z', 'America/New_York', 364],
  ])('%s', (_name, from, until, timeZone, expected) => {
    expect(countLocalDays(at(from), at(until), timeZone)).toBe(expected);
  });

  it('refuses an end before the start', () => {
    expect(() => countLocalDays(at('2026-06-02T00:00Z'), at('2026-06-01T00:00Z'), 'UTC')).toThrow(new RangeError('until must not be before from'));
  });
});

describe('checkTimeZone', () => {
  it.each(['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'US/Eastern', 'America/Argentina/ComodRivadavia'])('accepts %s', (timeZone) => {
    expect(checkTimeZone(timeZone)).toBeUndefined();
  });

  it.each([
    ['', 'timeZone must be an IANA time zone name'],
    ['Mars/Olympus_Mons', 'timeZone "Mars/Olympus_Mons" is not a known IANA time zone'],
    ['+05:30', 'timeZone "+05:30" is an offset, not an IANA time zone name'],
    ['-04:00', 'timeZone "-04:00" is an offset, not an IANA time zone name'],
    ['europe/berlin', 'timeZone "europe/berlin" must be spelled "Europe/Berlin"'],
    ['utc', 'timeZone "utc" must be spelled "UTC"'],
    ['Europe/'.repeat(10), 'timeZone must be at most 64 characters'],
  ])('refuses %j', (timeZone, message) => {
    expect(checkTimeZone(timeZone)).toBe(message);
  });
});
