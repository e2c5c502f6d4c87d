const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}

/** Audit columns hold user ids; an actor that is not one (a service's subject) is recorded as unknown. */
export function userIdOrNull(actor: string | null): string | null {
  return actor !== null && isUuid(actor) ? actor : null;
}
