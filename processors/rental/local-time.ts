/**
 * Wall-clock arithmetic in an IANA time zone with the platform's Intl data only. Rental days are
 * counted on the pick-up location's calendar (docs/pricing.md), so a day is the step from one
 * local wall-clock time to the same time on the next local date: 23 or 25 hours across a DST
 * change, 24 otherwise.
 */

/** A wall-clock reading: what a clock on the wall shows, without a zone. Months run 1-12. */
export interface LocalDateTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly millisecond: number;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** The largest time a Date holds, either side of the epoch (ECMA-262 §21.4.1.1). */
const DATE_MS_MAX = 8.64e15;

// One formatter per zone: constructing an Intl.DateTimeFormat costs far more than using one.
// Zone names are case-insensitive to Intl, so the key is lower case; the bound keeps a stream of
// odd spellings from growing the cache without end (there are about 600 zone names and links).
const formatters = new Map<string, Intl.DateTimeFormat>();
const FORMATTERS_COUNT_MAX = 1000;

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  const key = timeZone.toLowerCase();
  let formatter = formatters.get(key);
  if (formatter === undefined) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        era: 'short',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new RangeError(`unknown time zone: ${JSON.stringify(timeZone)}`);
    }
    if (formatters.size >= FORMATTERS_COUNT_MAX) formatters.clear();
    formatters.set(key, formatter);
  }
  return formatter;
}

/** The longest zone name accepted; the longest IANA name, America/Argentina/ComodRivadavia, has 32 characters. */
export const TIME_ZONE_LENGTH_MAX = 64;

/**
 * Why `timeZone` is not a usable IANA zone name as the database (tz) spells it, or undefined
 * when it is one. Intl also takes UTC offsets ('+05:30') and any letter case; a location names
 * a zone, with its rules, spelled one way, so those are refused here.
 */
export function checkTimeZone(timeZone: string): string | undefined {
  if (typeof timeZone !== 'string' || timeZone.length === 0) return 'timeZone must be an IANA time zone name';
  if (timeZone.length > TIME_ZONE_LENGTH_MAX) return `timeZone must be at most ${TIME_ZONE_LENGTH_MAX} characters`;
  if (/^[+\-\u2212]/.test(timeZone)) return `timeZone ${JSON.stringify(timeZone)} is an offset, not an IANA time zone name`;
  let resolved: string;
  try {
    resolved = formatterFor(timeZone).resolvedOptions().timeZone;
  } catch {
    return `timeZone ${JSON.stringify(timeZone)} is not a known IANA time zone`;
  }
  // Intl answers a link (US/Eastern) with its target zone, and any name in its own spelling: a
  // difference in letter case alone means the name was not spelled as the database spells it.
  if (resolved !== timeZone && resolved.toLowerCase() === timeZone.toLowerCase()) return `timeZone ${JSON.stringify(timeZone)} must be spelled ${JSON.stringify(resolved)}`;
  return undefined;
}

function checkInstant(instant: Date, name: string): number {
  const time = instant instanceof Date ? instant.getTime() : Number.NaN;
  if (Number.isNaN(time)) throw new RangeError(`${name} must be a valid date`);
  return time;
}

/** The wall-clock reading as milliseconds of a UTC clock showing it: lets readings be compared and subtracted. */
function wallClockMs(local: LocalDateTime): number {
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, takes years 0-99 literally.
  date.setUTCFullYear(local.year, local.month - 1, local.day);
  date.setUTCHours(local.hour, local.minute, local.second, local.millisecond);
  return date.getTime();
}

function fromWallClockMs(ms: number): LocalDateTime {
  const date = new Date(ms);
  return {
    year: date.getUTCFullYear(),
    month: date.getUTCMonth() + 1,
    day: date.getUTCDate(),
    hour: date.getUTCHours(),
    minute: date.getUTCMinutes(),
    second: date.getUTCSeconds(),
    millisecond: date.getUTCMilliseconds(),
  };
}

/** The wall-clock time in `timeZone` at instant `ms`, as wall-clock milliseconds. */
function localMsAt(ms: number, timeZone: string): number {
  const fields: Record<string, string> = {};
  for (const part of formatterFor(timeZone).formatToParts(ms)) fields[part.type] = part.value;
  const yearOfEra = Number(fields.year);
  const year = fields.era === 'BC' || fields.era === 'B' ? 1 - yearOfEra : yearOfEra;
  // Intl shows whole seconds; every zone's offset is a whole number of seconds, so the milliseconds carry over.
  const millisecond = ((ms % 1000) + 1000) % 1000;
  return wallClockMs({
    year,
    month: Number(fields.month),
    day: Number(fields.day),
    hour: Number(fields.hour),
    minute: Number(fields.minute),
    second: Number(fields.second),
    millisecond,
  });
}

/** What a clock in `timeZone` shows at `instant`. */
export function toLocal(instant: Date, timeZone: string): LocalDateTime {
  return fromWallClockMs(localMsAt(checkInstant(instant, 'instant'), timeZone));
}

/** The zone's offset from UTC at `instant`, in milliseconds (Asia/Kolkata: 19 800 000). */
export function offsetMs(instant: Date, timeZone: string): number {
  const ms = checkInstant(instant, 'instant');
  return localMsAt(ms, timeZone) - ms;
}

/**
 * The instant a clock in `timeZone` shows `local`. A wall time the zone skips (spring forward)
 * or shows twice (fall back) resolves to the earliest instant whose wall time is at or after
 * it: the moment the clocks jump for a skipped time, the first occurrence for a repeated one.
 */
export function fromLocal(local: LocalDateTime, timeZone: string): Date {
  const wanted = wallClockMs(local);
  if (Number.isNaN(wanted)) throw new RangeError('local date and time must be a valid reading');
  // The offsets a day either side bracket every transition near the wanted time (zones change
  // offset at most once within two days), so the instant is the wanted time minus one of them.
  const offsetBefore = localMsAt(wanted - DAY_MS, timeZone) - (wanted - DAY_MS);
  const offsetAfter = localMsAt(wanted + DAY_MS, timeZone) - (wanted + DAY_MS);
  const candidates = [wanted - offsetBefore, wanted - offsetAfter].filter((ms) => localMsAt(ms, timeZone) === wanted).sort((a, b) => a - b);
  const earliest = candidates[0];
  if (earliest !== undefined) return new Date(earliest);
  // The wanted time falls in a gap: find the transition, the first instant whose wall time is
  // past the wanted one. Before it the old offset applies, from it the new one.
  let low = wanted - offsetAfter; // shows a wall time before the gap
  let high = wanted - offsetBefore; // shows a wall time after the gap
  while (high - low > 1) {
    const middle = low + Math.floor((high - low) / 2);
    if (localMsAt(middle, timeZone) >= wanted) high = middle;
    else low = middle;
  }
  return new Date(high);
}

/**
 * The instant that shows the wall-clock time of `instant` `days` local dates later, resolved
 * as fromLocal does. Zero days is `instant` itself, even when its wall time is shown twice.
 */
export function addLocalDays(instant: Date, days: number, timeZone: string): Date {
  const time = checkInstant(instant, 'instant');
  if (!Number.isSafeInteger(days)) throw new RangeError('days must be a safe integer');
  if (days === 0) return new Date(time);
  const local = toLocal(instant, timeZone);
  const target = new Date(wallClockMs(local));
  target.setUTCDate(target.getUTCDate() + days);
  if (Number.isNaN(target.getTime()) || Math.abs(target.getTime()) > DATE_MS_MAX - DAY_MS) throw new RangeError('the date is out of range');
  return fromLocal(fromWallClockMs(target.getTime()), timeZone);
}

/**
 * How many whole local days (steps of addLocalDays from `from`) fit between `from` and
 * `until`, both included: the count n with addLocalDays(from, n) <= until < addLocalDays(from, n + 1).
 */
export function countLocalDays(from: Date, until: Date, timeZone: string): number {
  const start = checkInstant(from, 'from');
  const end = checkInstant(until, 'until');
  if (end < start) throw new RangeError('until must not be before from');
  // Days are 24 hours give or take the zone's offset changes, so the estimate is off by a few at most.
  let days = Math.floor((end - start) / DAY_MS);
  while (days > 0 && addLocalDays(from, days, timeZone).getTime() > end) days -= 1;
  while (addLocalDays(from, days + 1, timeZone).getTime() <= end) days += 1;
  return days;
}
