import type { KafkaJS } from '@confluentinc/kafka-javascript';
import { Breaker } from '../../processors/runtime/breaker';
import { classify, describe as describeError, isTransient, PoisonMessageError } from '../../platform/failures';
import { failureHeaders, readFailure, REPLAY_COUNT_HEADER, replayCountOf, withoutFailureHeaders, type ErrorClass } from '../../platform/failure-records';
import { Metrics } from '../../platform/metrics';
import { FailureRouter } from '../../platform/failure-router';
import { silentLogger } from '../support/silent-logger';

/** The pure rules of the failure paths: what counts as an outage, how headers hop, when the breaker opens. */
describe('failure classification', () => {
  const sqlError = (code: string) => Object.assign(new Error(`sqlstate ${code}`), { name: 'error', code });

  it('waits out outages: lost connections, refused connects, timeouts, serialization failures and deadlocks', () => {
    for (const error of [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      new Error('Connection terminated unexpectedly'),
      Object.assign(new Error('Knex: Timeout acquiring a connection. The pool is probably full.'), { name: 'KnexTimeoutError' }),
      sqlError('40001'),
      sqlError('40P01'),
      sqlError('57P01'),
      sqlError('08006'),
      sqlError('53300'),
      sqlError('57014'),
      Object.assign(new Error('Confluent_Schema_Registry - Error, status 400: connect ECONNREFUSED 127.0.0.1:58081'), { name: 'ResponseError', status: 400 }),
      Object.assign(new Error('Service Unavailable'), { name: 'ResponseError', status: 503 }),
      Object.assign(new Error('Confluent_Schema_Registry - Error, status 400: Timeout (10000ms)'), { name: 'ResponseError', status: 400 }),
      new Error('wrapped', { cause: Object.assign(new Error('reset'), { code: 'ECONNRESET' }) }),
    ]) {
      expect([error.message, isTransient(error)]).toEqual([error.message, true]);
      expect(classify(error).kind).toBe('transient');
    }
  });

  it('treats a bug or a refusal it was not told about as a handler failure, named by SQLSTATE for database errors', () => {
    expect(classify(new TypeError("Cannot read properties of undefined (reading 'id')"))).toEqual({ kind: 'handler', errorClass: 'handler/TypeError' });
    expect(classify(sqlError('23505'))).toEqual({ kind: 'handler', errorClass: 'handler/DatabaseError:23505' });
    expect(classify(sqlError('42501'))).toEqual({ kind: 'handler', errorClass: 'handler/DatabaseError:42501' });
    expect(classify(Object.assign(new Error('Schema 12 not found'), { name: 'ResponseError', status: 404 })).kind).toBe('handler');
  });

  it('knows poison by its class', () => {
    expect(classify(new PoisonMessageError('poison/unknown-schema', 'no schema 12'))).toEqual({ kind: 'poison', errorClass: 'poison/unknown-schema' });
  });

  it('describes an error with its causes, once each', () => {
    expect(describeError(new Error('batch failed', { cause: new Error('connection reset') }))).toBe('batch failed: connection reset');
  });
});

describe('failure headers', () => {
  const original = {
    topic: 'fleet.commands',
    partition: 4,
    offset: '1200',
    timestamp: '1795440000000',
    headers: { 'message-id': 'm-1', 'correlation-id': 'c-1', traceparent: '00-abc-def-01', [REPLAY_COUNT_HEADER]: '1' },
  };

  it('keep the original headers, and the original position and first failure through every hop', () => {
    const first = failureHeaders(original, { groupId: 'fleet-processor', errorClass: 'handler/TypeError', errorMessage: 'boom', at: new Date('2026-11-23T10:00:00Z'), dueAt: new Date('2026-11-23T10:00:01Z') }, 1);
    const onRetry = { topic: 'fleet-processor.retry', partition: 0, offset: '7', timestamp: '1795440001000', headers: first };
    const second = failureHeaders(onRetry, { groupId: 'fleet-processor', errorClass: 'handler/TypeError', errorMessage: 'boom again', at: new Date('2026-11-23T10:00:02Z') }, 2);
    expect(readFailure(second)).toEqual({
      originalTopic: 'fleet.commands',
      originalPartition: 4,
      originalOffset: '1200',
      originalTimestamp: '1795440000000',
      consumerGroup: 'fleet-processor',
      attempts: 2,
      errorClass: 'handler/TypeError',
      errorMessage: 'boom again',
      firstFailureAt: '2026-11-23T10:00:00.000Z',
      lastFailureAt: '2026-11-23T10:00:02.000Z',
      dueAt: null,
      replayCount: 1,
    });
    expect(withoutFailureHeaders(second)).toEqual(original.headers);
    // Replaced, not piled up: the same number of headers after two hops as after one (minus the due time).
    expect(Object.keys(second)).toHaveLength(Object.keys(first).length - 1);
  });

  it('cut long error messages', () => {
    const headers = failureHeaders(original, { groupId: 'g', errorClass: 'handler/Error', errorMessage: 'x'.repeat(10_000), at: new Date() }, 1);
    expect(String(headers['failure-error-message'])).toHaveLength(500);
  });

  it('are absent from a record that never failed', () => {
    expect(readFailure(original.headers)).toBeNull();
  });

  it('keep every value of a repeated header, and never cut a character in two', () => {
    const headers = failureHeaders(
      { ...original, headers: { ...original.headers, tag: ['a', 'b'] } },
      { groupId: 'g', errorClass: 'handler/Error', errorMessage: `${'x'.repeat(499)}😀 and more`, at: new Date() },
      1,
    );
    expect(headers.tag).toEqual(['a', 'b']);
    expect(Array.from(String(headers['failure-error-message']))).toHaveLength(500);
    expect(String(headers['failure-error-message']).endsWith('😀')).toBe(true);
  });

  it('read an unreadable count as spent, never as a fresh start', () => {
    const damaged = { ...failureHeaders(original, { groupId: 'g', errorClass: 'handler/Error', errorMessage: 'e', at: new Date() }, 1), 'failure-attempts': 'many', [REPLAY_COUNT_HEADER]: '-1' };
    expect(readFailure(damaged)?.attempts).toBeNull();
    expect(replayCountOf(damaged)).toBe(Number.MAX_SAFE_INTEGER);
    expect(replayCountOf({})).toBe(0);
  });
});

describe('the failure router', () => {
  const at = new Date('2026-11-23T10:00:00Z');
  // plan() only decides; it never produces, so no producer is needed here.
  const router = new FailureRouter(undefined as never, { groupId: 'fleet-processor', attemptsMax: 3, backoffMsMin: 1_000, backoffMsMax: 3_000 }, new Metrics(), silentLogger, () => at);
  const failed = (headers: Record<string, string>, kind: 'poison' | 'handler' = 'handler') => ({
    topic: 'fleet.commands',
    partition: 1,
    message: { key: Buffer.from('k'), value: Buffer.from('v'), offset: '5', timestamp: '1795440000000', headers, attributes: 0 } as KafkaJS.KafkaMessage,
    kind,
    errorClass: (kind === 'poison' ? 'poison/undecodable' : 'handler/Error') as ErrorClass,
    error: new Error('boom'),
  });

  it('sends poison to the dead-letter topic at once', () => {
    expect(router.plan([failed({ 'message-id': 'm' }, 'poison')])).toMatchObject([{ to: 'dead-letter', topic: 'fleet-processor.dlq', attempts: 1, dueAt: null }]);
  });

  it('retries a handler failure with a doubling, capped backoff, then dead-letters it when the attempts are spent', () => {
    const [first] = router.plan([failed({ 'message-id': 'm' })]);
    expect(first).toMatchObject({ to: 'retry', topic: 'fleet-processor.retry', attempts: 1, dueAt: new Date('2026-11-23T10:00:01Z') });
    const second = router.plan([failed(stringHeaders(first!.headers))])[0]!;
    expect(second).toMatchObject({ to: 'retry', attempts: 2, dueAt: new Date('2026-11-23T10:00:02Z') });
    const third = router.plan([failed(stringHeaders(second.headers))])[0]!;
    expect(third).toMatchObject({ to: 'dead-letter', attempts: 3, dueAt: null });
    expect(third.headers['failure-original-topic']).toBe('fleet.commands');
  });

  it('dead-letters a record whose attempt count is unreadable instead of cycling it', () => {
    const [retried] = router.plan([failed({ 'message-id': 'm' })]);
    const damaged = { ...stringHeaders(retried!.headers), 'failure-attempts': 'NaN' };
    expect(router.plan([failed(damaged)])).toMatchObject([{ to: 'dead-letter', attempts: 3 }]);
  });
});

function stringHeaders(headers: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, String(value)]));
}

describe('the breaker', () => {
  const clock = { now: new Date('2026-11-23T10:00:00Z') };
  const breaker = () => new Breaker({ windowSize: 10, failureShareMax: 0.5, openMs: 60_000 }, () => clock.now);

  it('stays closed until the window is full, however the first messages fare', () => {
    const subject = breaker();
    expect(subject.record(0, 9)).toBe(false);
    expect(subject.state.state).toBe('closed');
  });

  it('opens when more than the share of a full window failed, and says why', () => {
    const subject = breaker();
    expect(subject.record(5, 5)).toBe(false);
    expect(subject.record(0, 1)).toBe(true);
    expect(subject.state).toMatchObject({ state: 'open', reason: '6 of the latest 10 messages failed (more than 50%)' });
  });

  it('judges only the latest messages', () => {
    const subject = breaker();
    subject.record(0, 5);
    expect(subject.record(20, 0)).toBe(false);
    expect(subject.record(5, 4)).toBe(false);
  });

  it('closes again after its pause, with an empty window', () => {
    const subject = breaker();
    subject.record(0, 10);
    expect(subject.state.state).toBe('open');
    clock.now = new Date(clock.now.getTime() + 60_000);
    expect(subject.state.state).toBe('closed');
    expect(subject.record(0, 9)).toBe(false);
  });
});
