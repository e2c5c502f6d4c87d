/**
 * The record a replay writes to the group's retry topic: the dead letter's key, value bytes and
 * headers, so that its message id, and with it the processor's inbox dedupe, stay the same; only
 * the attempt counter starts again, the record is due at once, and the replay is counted.
 */
import { FailureHeader, REPLAY_COUNT_HEADER } from '../../platform/failure-records';
import type { DeadLetter } from './dead-letter';

export interface RetryMessage {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Record<string, Buffer | Buffer[]>;
}

const REPLACED_HEADERS = new Set<string>([FailureHeader.attempts, FailureHeader.dueAt, REPLAY_COUNT_HEADER]);

export function retryMessage(letter: DeadLetter, now: Date): RetryMessage {
  const headers: Record<string, Buffer | Buffer[]> = {};
  for (const [name, value] of letter.headers) {
    if (REPLACED_HEADERS.has(name)) continue;
    const earlier = headers[name];
    headers[name] = earlier === undefined ? value : [...(Array.isArray(earlier) ? earlier : [earlier]), value];
  }
  headers[FailureHeader.attempts] = Buffer.from('0');
  headers[FailureHeader.dueAt] = Buffer.from(now.toISOString());
  headers[REPLAY_COUNT_HEADER] = Buffer.from(String(letter.replayCount + 1));
  return { key: letter.key, value: letter.value, headers };
}
