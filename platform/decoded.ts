/**
 * Checks on a decoded Avro record where it crosses into a context's domain: each field has the
 * type its schema promises, or the record is unreadable (the runtime dead-letters it as poison).
 */
export type Check<T> = (candidate: unknown) => candidate is T;

export const isString: Check<string> = (candidate): candidate is string => typeof candidate === 'string';
export const isNullableString: Check<string | null> = (candidate): candidate is string | null => candidate === null || typeof candidate === 'string';
export const isInteger: Check<number> = (candidate): candidate is number => Number.isSafeInteger(candidate);
export const isNullableInteger: Check<number | null> = (candidate): candidate is number | null => candidate === null || Number.isSafeInteger(candidate);
export const isArray: Check<readonly unknown[]> = (candidate): candidate is readonly unknown[] => Array.isArray(candidate);

/** The fields of a decoded record named `recordName`; throws a TypeError naming a field of the wrong type. */
export function recordOf(recordName: string, value: unknown): <T>(name: string, check: Check<T>) => T {
  if (typeof value !== 'object' || value === null) throw new TypeError(`${recordName} must be a record`);
  const record = value as Record<string, unknown>;
  return <T>(name: string, check: Check<T>): T => {
    const candidate = record[name];
    if (!check(candidate)) throw new TypeError(`${recordName}.${name} has an unexpected type`);
    return candidate;
  };
}

/** A timestamp-millis field as a Date. */
export function dateOf(millis: number): Date {
  return new Date(millis);
}

/** A nullable timestamp-millis field as a Date, or null. */
export function nullableDateOf(millis: number | null): Date | null {
  return millis === null ? null : new Date(millis);
}
