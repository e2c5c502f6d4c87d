import type { AvroCodec } from './avro-codec';
import type { ErrorClass } from './failure-records';

/**
 * How a failure is routed:
 * - a rejection is not a failure at all (it is an outcome, handled by CommandProcessor);
 * - a poison message can never be processed as it is: straight to the group's dead-letter topic;
 * - infrastructure trouble (a dependency unreachable, a timeout, a serialization failure or a
 *   deadlock) is waited out: the partition pauses and the batch runs again later, never
 *   dead-lettered;
 * - anything else is a handler error on a readable message: retried through the group's retry
 *   topic, then dead-lettered when the attempts run out.
 */
export type FailureKind = 'poison' | 'transient' | 'handler';

/** A message that cannot be processed as it is, whatever is retried. */
export class PoisonMessageError extends Error {
  constructor(
    readonly errorClass: Extract<ErrorClass, `poison/${string}`>,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PoisonMessageError';
  }
}

/** SQLSTATE classes and codes that mean "try again later", not "this message is bad". */
const TRANSIENT_SQLSTATE_CLASSES = ['08', '53', '57'];
const TRANSIENT_SQLSTATES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available
  '55006', // object_in_use
  '58000', // system_error
  '58030', // io_error
  'XX000', // internal_error, seen when a server restarts mid-statement
]);

/** Node's system error codes for a peer that is away or slow. */
const TRANSIENT_SYSTEM_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/** Messages of clients that report a lost connection without a code (pg, knex, mappersmith). */
const TRANSIENT_MESSAGE =
  /(Connection terminated|Connection ended|connection (timeout|refused|reset)|terminating connection|the database system is (starting up|shutting down|in recovery mode)|Client has encountered a connection error|Knex: Timeout acquiring a connection|socket hang up|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN|timed? ?out)/i;

interface ErrorShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly status?: unknown;
  readonly message?: unknown;
  readonly retriable?: unknown;
  readonly cause?: unknown;
  readonly errors?: unknown;
}

function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  const pending = [error];
  while (pending.length > 0 && chain.length < 20) {
    const current = pending.shift();
    if (current === null || current === undefined || chain.includes(current)) continue;
    chain.push(current);
    const shape = current as ErrorShape;
    if (shape.cause !== undefined) pending.push(shape.cause);
    if (Array.isArray(shape.errors)) pending.push(...(shape.errors as unknown[]));
  }
  return chain;
}

function isTransientOne(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const shape = error as ErrorShape;
  const code = typeof shape.code === 'string' ? shape.code : undefined;
  if (code !== undefined && /^[0-9A-Z]{5}$/.test(code)) {
    if (TRANSIENT_SQLSTATES.has(code) || TRANSIENT_SQLSTATE_CLASSES.includes(code.slice(0, 2))) return true;
  }
  if (code !== undefined && TRANSIENT_SYSTEM_CODES.has(code)) return true;
  if (shape.name === 'KnexTimeoutError') return true;
  // The registry client's HTTP errors: 5xx, 408, 429, or a network failure it reports as a status.
  if (shape.name === 'ResponseError') {
    const status = typeof shape.status === 'number' ? shape.status : 0;
    if (status >= 500 || status === 408 || status === 429) return true;
  }
  // The Kafka client marks what it would retry itself.
  if (shape.retriable === true) return true;
  if (typeof shape.name === 'string' && /^KafkaJS(Connection|RequestTimeout|NumberOfRetriesExceeded|Timeout)/.test(shape.name)) return true;
  return typeof shape.message === 'string' && TRANSIENT_MESSAGE.test(shape.message);
}

/** True when the error, or anything it wraps, says a dependency is away rather than the message is bad. */
export function isTransient(error: unknown): boolean {
  return causes(error).some(isTransientOne);
}

/** A handler failure's class: the error's name, or for a database error its SQLSTATE (pg names them all "error"). */
export function handlerErrorClass(error: unknown): ErrorClass {
  const code = (error as ErrorShape | null)?.code;
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return `handler/DatabaseError:${code}`;
  return `handler/${error instanceof Error ? error.name : typeof error}`;
}

export function classify(error: unknown): { kind: FailureKind; errorClass: ErrorClass } {
  if (error instanceof PoisonMessageError) return { kind: 'poison', errorClass: error.errorClass };
  return { kind: isTransient(error) ? 'transient' : 'handler', errorClass: handlerErrorClass(error) };
}

/** One line for a header or a log: the error's message, with its causes' messages. */
export function describe(error: unknown): string {
  return causes(error)
    .map((cause) => (cause instanceof Error ? cause.message : String(cause)))
    .filter((message, index, all) => message !== '' && all.indexOf(message) === index)
    .join(': ');
}

/**
 * A record's value decoded through the registry, or why it never can be: no value, bytes that are
 * not the wire format, a schema id the registry does not know. Throws when the registry is away
 * (an outage, not poison).
 */
export async function decodeOrPoison(codec: AvroCodec, value: Buffer | null): Promise<{ readonly decoded: unknown } | PoisonMessageError> {
  if (value === null || value.length === 0) return new PoisonMessageError('poison/undecodable', 'the record has no value');
  try {
    return { decoded: await codec.decode(value) };
  } catch (error) {
    const shape = error as ErrorShape;
    if (shape.name === 'ResponseError' && shape.status === 404) {
      return new PoisonMessageError('poison/unknown-schema', `the registry knows no schema for this value: ${describe(error)}`, { cause: error });
    }
    if (isTransient(error)) throw error;
    return new PoisonMessageError('poison/undecodable', `the value is not a readable Avro record: ${describe(error)}`, { cause: error });
  }
}
