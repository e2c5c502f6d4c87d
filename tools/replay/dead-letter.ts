/**
 * A record read from a dead-letter topic, and what its headers say about it.
 */
import { type FailureInfo, type Headers, readFailure, replayCountOf } from '../../platform/failure-records';
import { Header } from '../../platform/message-headers';

/** One header as Kafka carries it: a name may repeat, and the order is kept. */
export type HeaderEntry = readonly [name: string, value: Buffer];

export interface DeadLetterRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** Milliseconds since the epoch: when the record was written to the dead-letter topic. */
  readonly timestamp: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly HeaderEntry[];
}

export interface DeadLetter extends DeadLetterRecord {
  /** null for a record without failure headers (not written by a processor's failure routing). */
  readonly failure: FailureInfo | null;
  readonly messageId: string | null;
  readonly messageType: string | null;
  readonly keyText: string | null;
  /** failure-last-at where it is a readable time, else the record's timestamp. */
  readonly failedAt: Date;
  readonly replayCount: number;
}

/** The headers by name, a repeated name with all its values: the form platform/failure-records reads. */
export function headersByName(entries: readonly HeaderEntry[]): Headers {
  const headers: Record<string, Buffer | Buffer[]> = {};
  for (const [name, value] of entries) {
    const earlier = headers[name];
    headers[name] = earlier === undefined ? value : [...(Array.isArray(earlier) ? earlier : [earlier]), value];
  }
  return headers;
}

function firstText(entries: readonly HeaderEntry[], name: string): string | null {
  const entry = entries.find(([candidate]) => candidate === name);
  return entry === undefined || entry[1].length === 0 ? null : entry[1].toString('utf8');
}

export function describe(record: DeadLetterRecord): DeadLetter {
  const headers = headersByName(record.headers);
  const failure = readFailure(headers);
  const lastFailureAt = failure === null ? Number.NaN : Date.parse(failure.lastFailureAt);
  return {
    ...record,
    failure,
    messageId: firstText(record.headers, Header.messageId),
    messageType: firstText(record.headers, Header.messageType),
    keyText: record.key === null ? null : record.key.toString('utf8'),
    failedAt: new Date(Number.isNaN(lastFailureAt) ? record.timestamp : lastFailureAt),
    replayCount: replayCountOf(headers),
  };
}

export function positionText(record: { readonly partition: number; readonly offset: number }): string {
  return `${record.partition}:${record.offset}`;
}
