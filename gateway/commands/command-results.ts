import type { KafkaJS } from '@confluentinc/kafka-javascript';
import type { Redis } from 'ioredis';
import type { AvroCodec } from '../../platform/avro-codec';
import type { Logger } from '../../platform/logger';
import { FailureRouter, type FailedMessage } from '../../platform/failure-router';
import { decodeOrPoison, PoisonMessageError } from '../../platform/failures';
import { isUuid } from '../../platform/identifiers';
import { Metrics } from '../../platform/metrics';
import { PartitionPauses } from '../../platform/partition-pauses';
import { failSpan, startConsumeSpan } from '../../platform/tracing';
import type { CommandResultValue, CommandStatusRepository } from './command-status.repository';

export const RESULTS_CHANNEL = 'command-results';

/** Results applied by one UPDATE at most. */
const RESULTS_BATCH_SIZE_MAX = 500;

export interface CommandResultsOptions {
  readonly topic: string;
  readonly groupId: string;
  /** Waits while PostgreSQL is unavailable, doubling from the minimum up to the maximum. */
  readonly outageDelayMsMin: number;
  readonly outageDelayMsMax: number;
}

/**
 * Applies processors' command results to the gateway's status table. All gateway instances share
 * one consumer group, so each result is applied once; the instance that applies it announces it
 * on a Redis channel that every instance listens to, which wakes whichever instance holds a
 * waiting request (Prefer: wait). The status table, not Redis, is the record.
 *
 * A record that is not a readable result goes to the group's dead-letter topic, and the results
 * behind it are applied; while the database is away the partition pauses and the batch is applied
 * again later. Offsets are stored only for batches that were applied.
 */
export class CommandResultsConsumer {
  readonly metrics: Metrics;
  private consumer: KafkaJS.Consumer | undefined;
  private readonly router: FailureRouter;
  private readonly pauses: PartitionPauses;

  constructor(
    private readonly kafka: KafkaJS.Kafka,
    producer: KafkaJS.Producer,
    private readonly codec: AvroCodec,
    private readonly statuses: CommandStatusRepository,
    private readonly publisher: Redis,
    private readonly options: CommandResultsOptions,
    private readonly logger: Logger,
    metrics: Metrics = new Metrics(),
  ) {
    this.metrics = metrics;
    // Results are never retried: one that cannot be read now never will be.
    this.router = new FailureRouter(producer, { groupId: options.groupId, attemptsMax: 1, backoffMsMin: 0, backoffMsMax: 0 }, metrics, logger);
    this.pauses = new PartitionPauses(
      () => this.consumer,
      { groupId: options.groupId, outageDelayMsMin: options.outageDelayMsMin, outageDelayMsMax: options.outageDelayMsMax },
      metrics,
      logger,
    );
  }

  async start(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await this.router.ensureTopics(admin);
    } finally {
      await admin.disconnect();
    }
    const consumer = this.kafka.consumer({
      kafkaJS: { groupId: this.options.groupId, fromBeginning: true },
      'js.consumer.max.batch.size': RESULTS_BATCH_SIZE_MAX,
    });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics: [this.options.topic] });
    await consumer.run({ eachBatchAutoResolve: false, eachBatch: (payload) => this.applyBatch(payload) });
  }

  private async applyBatch(payload: KafkaJS.EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const results: CommandResultValue[] = [];
    const unreadable: FailedMessage[] = [];
    // Each result closes its command's trace: a span per record, ended once the statuses are written.
    const spans = batch.messages.map((message) =>
      startConsumeSpan({ topic: batch.topic, partition: batch.partition, offset: message.offset, group: this.options.groupId, headers: message.headers ?? {} }),
    );
    try {
      for (const [index, message] of batch.messages.entries()) {
        const read = await this.read(message);
        if (read instanceof PoisonMessageError) {
          failSpan(spans[index]!, read);
          unreadable.push({ topic: batch.topic, partition: batch.partition, message, kind: 'poison', errorClass: read.errorClass, error: read });
        } else {
          results.push(read);
        }
      }
      if (results.length > 0) await this.statuses.applyResults(results);
      if (unreadable.length > 0) await this.router.send(this.router.plan(unreadable));
    } catch (error) {
      for (const span of spans) failSpan(span, error);
      const delayMs = this.pauses.outage(batch.topic, batch.partition);
      this.logger.warn({ err: error, topic: batch.topic, partition: batch.partition, delayMs }, 'command results could not be applied; the partition waits and the batch runs again');
      return;
    } finally {
      for (const span of spans) span.end();
    }
    this.pauses.recovered(batch.topic, batch.partition);
    const last = batch.messages.at(-1);
    if (last !== undefined) payload.resolveOffset(last.offset);
    if (results.length === 0) return;
    // Every result is announced, also one applied before (a crash may have cut its announcement).
    // A lost announcement only delays a waiter to its timeout; the status rows are already right.
    const announcements = this.publisher.pipeline();
    for (const result of results) announcements.publish(RESULTS_CHANNEL, result.commandId);
    await announcements.exec().catch((error: unknown) => {
      this.logger.warn({ err: error, commands: results.length }, 'could not announce command results');
    });
  }

  /** The result a record carries, or why it is poison; throws when the registry is unavailable. */
  private async read(message: KafkaJS.KafkaMessage): Promise<CommandResultValue | PoisonMessageError> {
    const read = await decodeOrPoison(this.codec, message.value);
    if (read instanceof PoisonMessageError) return read;
    return parseResult(read.decoded) ?? new PoisonMessageError('poison/unreadable', 'the record is not a command result the gateway can apply');
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

/** Lets a request wait for a command's outcome, woken by the results channel or its own timeout. */
export class CommandWaiter {
  private readonly waiting = new Map<string, Set<() => void>>();

  constructor(private readonly subscriber: Redis) {}

  async start(): Promise<void> {
    this.subscriber.on('message', (_channel: string, commandId: string) => {
      for (const wake of this.waiting.get(commandId) ?? []) wake();
    });
    await this.subscriber.subscribe(RESULTS_CHANNEL);
  }

  async stop(): Promise<void> {
    for (const wakers of this.waiting.values()) for (const wake of wakers) wake();
    this.subscriber.disconnect();
  }

  /**
   * Resolves with `read()`'s first final answer, checking now, on every announcement for this
   * command, and once more at the deadline; undefined when the time runs out first.
   */
  async waitFor<T>(commandId: string, timeoutMs: number, read: () => Promise<T | undefined>): Promise<T | undefined> {
    const deadline = Date.now() + timeoutMs;
    // Set when the wait ended by its timer: the next read is the last, whatever the clock says
    // (a timer may fire a millisecond before Date.now() reaches the deadline).
    let deadlineReached = false;
    for (;;) {
      // Listen before reading, so an announcement between the read and the wait is not missed.
      let wake: () => void = () => undefined;
      const woken = new Promise<boolean>((resolve) => {
        wake = () => resolve(false);
      });
      const wakers = this.waiting.get(commandId) ?? new Set<() => void>();
      this.waiting.set(commandId, wakers.add(wake));
      let timer: NodeJS.Timeout | undefined;
      try {
        const answer = await read();
        const remainingMs = deadline - Date.now();
        if (answer !== undefined || remainingMs <= 0 || deadlineReached) return answer;
        deadlineReached = await Promise.race([woken, new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), remainingMs)))]);
      } finally {
        clearTimeout(timer);
        wakers.delete(wake);
        if (wakers.size === 0) this.waiting.delete(commandId);
      }
    }
  }
}

const RESULT_STATUSES = new Set(['accepted', 'rejected', 'failed']);

/** Checks a decoded CommandResult where it enters the gateway; undefined when it cannot be applied. */
function parseResult(value: unknown): CommandResultValue | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const nullableText = (field: unknown) => field === null || typeof field === 'string';
  if (typeof record.commandId !== 'string' || !isUuid(record.commandId)) return undefined;
  if (typeof record.status !== 'string' || !RESULT_STATUSES.has(record.status)) return undefined;
  if (!nullableText(record.reasonCode) || !nullableText(record.message) || !nullableText(record.resourcePath)) return undefined;
  if (record.aggregateId !== null && (typeof record.aggregateId !== 'string' || !isUuid(record.aggregateId))) return undefined;
  if (typeof record.completedAt !== 'number' || !Number.isFinite(record.completedAt)) return undefined;
  return record as unknown as CommandResultValue;
}
