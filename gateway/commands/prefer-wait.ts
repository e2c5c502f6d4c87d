/** The longest `Prefer: wait` the gateway honours, in seconds. */
export const PREFER_WAIT_SECONDS_MAX = 30;

/**
 * Reads `wait=N` from a Prefer header (RFC 7240 §4.3), capped at PREFER_WAIT_SECONDS_MAX;
 * undefined when absent or malformed, in which case the client is answered at once.
 */
export function preferredWaitSeconds(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  for (const preference of header.split(',')) {
    const match = /^\s*wait\s*=\s*"?(\d{1,6})"?\s*$/i.exec(preference.split(';')[0] ?? '');
    if (match) return Math.min(Number(match[1]), PREFER_WAIT_SECONDS_MAX);
  }
  return undefined;
}
