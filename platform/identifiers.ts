import { createHash } from 'node:crypto';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}

/** Audit columns hold user ids; an actor that is not one (a service's subject) is recorded as unknown. */
export function userIdOrNull(actor: string | null): string | null {
  return actor !== null && isUuid(actor) ? actor : null;
}

/**
 * A stable UUID for a name (RFC 9562 version 5 layout over SHA-1): the same name always gives the
 * same id, wherever it is computed. For things keyed by a name that need a uuid (a vehicle class's
 * policy as an outbox aggregate, a reminder threshold).
 */
export function nameBasedUuid(name: string): string {
  const hash = createHash('sha1').update(name).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
