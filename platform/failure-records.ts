/**
 * The shape of a failed message on its way through a consumer group's retry and dead-letter
 * topics: where it goes, and the headers that say where it came from and how it failed.
 *
 * A retry or dead-letter record keeps the original key and value bytes and all the original
 * headers (message id, correlation id, traceparent, …), minus any failure headers of an earlier
 * hop, which are replaced: a record never grows with its failures.
 */

/** Retries of group G, consumed by G only. */
export function retryTopicOf(groupId: string): string {
  return `${groupId}.retry`;
}

/** What G could not process: inspected and replayed with `npm run replay`. */
export function deadLetterTopicOf(groupId: string): string {
  return `${groupId}.dlq`;
}

export const FailureHeader = {
  originalTopic: 'failure-original-topic',
  originalPartition: 'failure-original-partition',
  originalOffset: 'failure-original-offset',
  /** Milliseconds since the epoch, the original record's timestamp. */
  originalTimestamp: 'failure-original-timestamp',
  consumerGroup: 'failure-consumer-group',
  /** Failed attempts so far (1 after the first failure). */
  attempts: 'failure-attempts',
  errorClass: 'failure-error-class',
  errorMessage: 'failure-error-message',
  /** ISO 8601 times of the first and the latest failure. */
  firstFailureAt: 'failure-first-at',
  lastFailureAt: 'failure-last-at',
  /** Retry records only: not to be processed before this ISO 8601 time. */
  dueAt: 'failure-due-at',
} as const;

/** How often a record was replayed from a dead-letter topic; survives failure hops. */
export const REPLAY_COUNT_HEADER = 'replay-count';

/** Error messages in headers are cut to this many characters. */
export const ERROR_MESSAGE_LENGTH_MAX = 500;

/** Why a message failed; the first part says how it was routed. */
export type ErrorClass =
  | 'poison/missing-header'
  | 'poison/undecodable'
  | 'poison/unknown-schema'
  | 'poison/unreadable'
  | `handler/${string}`;

export type HeaderValue = Buffer | string | (Buffer | string)[] | undefined;
export type Headers = Record<string, HeaderValue>;
/** Headers to produce: a repeated header keeps all its values. */
export type OutgoingHeaders = Record<string, Buffer | string | (Buffer | string)[]>;

export interface FailedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  /** Milliseconds since the epoch, as a string (Kafka's own form). */
  readonly timestamp: string;
  readonly headers: Headers;
}

export interface Failure {
  readonly groupId: string;
  readonly errorClass: ErrorClass;
  readonly errorMessage: string;
  readonly at: Date;
  /** Retry records only. */
  readonly dueAt?: Date;
}

/** What the failure headers of a retry or dead-letter record say. */
export interface FailureInfo {
  readonly originalTopic: string;
  /** -1 when the header is unreadable. */
  readonly originalPartition: number;
  readonly originalOffset: string;
  readonly originalTimestamp: string;
  readonly consumerGroup: string;
  /** Null when the header is missing or unreadable: the runtime then treats the attempts as spent. */
  readonly attempts: number | null;
  readonly errorClass: string;
  readonly errorMessage: string;
  readonly firstFailureAt: string;
  readonly lastFailureAt: string;
  readonly dueAt: string | null;
  readonly replayCount: number;
}

export function headerText(headers: Headers, name: string): string | null {
  const value = headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? null : first.toString();
}

function isFailureHeader(name: string): boolean {
  return name.startsWith('failure-');
}

/**
 * Reads the failure headers; null for a record that never failed (it has none). A record that
 * failed before keeps its original position and first failure time through every later hop.
 */
export function readFailure(headers: Headers): FailureInfo | null {
  const originalTopic = headerText(headers, FailureHeader.originalTopic);
  if (originalTopic === null || originalTopic === '') return null;
  return {
    originalTopic,
    originalPartition: count(headerText(headers, FailureHeader.originalPartition)) ?? -1,
    originalOffset: headerText(headers, FailureHeader.originalOffset) ?? '',
    originalTimestamp: headerText(headers, FailureHeader.originalTimestamp) ?? '',
    consumerGroup: headerText(headers, FailureHeader.consumerGroup) ?? '',
    attempts: count(headerText(headers, FailureHeader.attempts)),
    errorClass: headerText(headers, FailureHeader.errorClass) ?? '',
    errorMessage: headerText(headers, FailureHeader.errorMessage) ?? '',
    firstFailureAt: headerText(headers, FailureHeader.firstFailureAt) ?? '',
    lastFailureAt: headerText(headers, FailureHeader.lastFailureAt) ?? '',
    dueAt: headerText(headers, FailureHeader.dueAt),
    replayCount: replayCountOf(headers),
  };
}

/** A non-negative integer header, or null when it is absent or anything else. */
function count(text: string | null): number | null {
  if (text === null || !/^\d{1,15}$/.test(text.trim())) return null;
  return Number(text.trim());
}

/**
 * How often the record was replayed: 0 when it never was. An unreadable count is taken as
 * exhausted (Number.MAX_SAFE_INTEGER), so a damaged header parks the record rather than lets it
 * cycle forever.
 */
export function replayCountOf(headers: Headers): number {
  if (headerText(headers, REPLAY_COUNT_HEADER) === null) return 0;
  return count(headerText(headers, REPLAY_COUNT_HEADER)) ?? Number.MAX_SAFE_INTEGER;
}

/** The record's headers without failure headers: what it carried before it ever failed (repeated ones whole). */
export function withoutFailureHeaders(headers: Headers): OutgoingHeaders {
  const kept: OutgoingHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || isFailureHeader(name)) continue;
    kept[name] = Array.isArray(value) ? [...value] : value;
  }
  return kept;
}

/** At most `length` characters, never cutting a character in two. */
function cut(text: string, length: number): string {
  return text.length <= length ? text : Array.from(text).slice(0, length).join('');
}

/**
 * The headers of the next hop of a failed record: the original headers, then failure headers that
 * replace those of any earlier hop. `attempts` counts this failure too.
 */
export function failureHeaders(record: FailedRecord, failure: Failure, attempts: number): OutgoingHeaders {
  const earlier = readFailure(record.headers);
  const headers = withoutFailureHeaders(record.headers);
  headers[FailureHeader.originalTopic] = earlier?.originalTopic ?? record.topic;
  headers[FailureHeader.originalPartition] = String(earlier === null || earlier.originalPartition < 0 ? record.partition : earlier.originalPartition);
  headers[FailureHeader.originalOffset] = earlier?.originalOffset ?? record.offset;
  headers[FailureHeader.originalTimestamp] = earlier?.originalTimestamp ?? record.timestamp;
  headers[FailureHeader.consumerGroup] = failure.groupId;
  headers[FailureHeader.attempts] = String(attempts);
  headers[FailureHeader.errorClass] = failure.errorClass;
  headers[FailureHeader.errorMessage] = cut(failure.errorMessage, ERROR_MESSAGE_LENGTH_MAX);
  headers[FailureHeader.firstFailureAt] = earlier?.firstFailureAt || failure.at.toISOString();
  headers[FailureHeader.lastFailureAt] = failure.at.toISOString();
  if (failure.dueAt !== undefined) headers[FailureHeader.dueAt] = failure.dueAt.toISOString();
  return headers;
}
