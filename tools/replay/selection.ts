/**
 * Which dead letters a replay takes: the operator's filters, and the replay cap that parks a
 * record which keeps coming back. Pure functions of the record and the options.
 */
import type { DeadLetter } from './dead-letter';

export interface Position {
  readonly partition: number;
  readonly offset: number;
}

export interface Filters {
  /** Failure time (DeadLetter.failedAt) at or after this. */
  readonly since: Date | null;
  /** Failure time before this. */
  readonly until: Date | null;
  /** Exact, or a prefix when it ends with `/` (`poison/` takes every poison class). */
  readonly errorClass: string | null;
  readonly messageType: string | null;
  readonly key: string | null;
  readonly partition: number | null;
  /** Both ends included; only with `partition`. */
  readonly offsets: { readonly from: number; readonly to: number } | null;
  /** Records before this position, in the order a replay reads them (partition, then offset), are left out. */
  readonly resumeFrom: Position | null;
}

export const NO_FILTERS: Filters = {
  since: null,
  until: null,
  errorClass: null,
  messageType: null,
  key: null,
  partition: null,
  offsets: null,
  resumeFrom: null,
};

function errorClassMatches(wanted: string, actual: string | undefined): boolean {
  if (actual === undefined) return false;
  return wanted.endsWith('/') ? actual.startsWith(wanted) : actual === wanted;
}

function isBefore(record: Position, position: Position): boolean {
  return record.partition < position.partition || (record.partition === position.partition && record.offset < position.offset);
}

export function selects(filters: Filters, letter: DeadLetter): boolean {
  const time = letter.failedAt.getTime();
  if (filters.since !== null && time < filters.since.getTime()) return false;
  if (filters.until !== null && time >= filters.until.getTime()) return false;
  if (filters.errorClass !== null && !errorClassMatches(filters.errorClass, letter.failure?.errorClass)) return false;
  if (filters.messageType !== null && letter.messageType !== filters.messageType) return false;
  if (filters.key !== null && letter.keyText !== filters.key) return false;
  if (filters.partition !== null && letter.partition !== filters.partition) return false;
  if (filters.offsets !== null && (letter.offset < filters.offsets.from || letter.offset > filters.offsets.to)) return false;
  if (filters.resumeFrom !== null && isBefore(letter, filters.resumeFrom)) return false;
  return true;
}

/** A record replayed `replayCap` times already came back each time: it needs a person, not another replay. */
export function isParked(letter: DeadLetter, replayCap: number): boolean {
  return letter.replayCount >= replayCap;
}

export type Disposition = 'filtered-out' | 'parked' | 'already-replayed' | 'replay';

/**
 * What a replay does with one record, in this order: the filters pick it, the cap parks it even
 * under --force (raise --replay-cap to take it), and a record replayed before is left alone
 * unless --force.
 */
export function dispositionOf(
  letter: DeadLetter,
  options: { readonly filters: Filters; readonly replayCap: number; readonly force: boolean; readonly alreadyReplayed: boolean },
): Disposition {
  if (!selects(options.filters, letter)) return 'filtered-out';
  if (isParked(letter, options.replayCap)) return 'parked';
  if (options.alreadyReplayed && !options.force) return 'already-replayed';
  return 'replay';
}
