import type { KafkaJS } from '@confluentinc/kafka-javascript';
import type { Knex } from 'knex';
import { FailureHeader, headerText } from '../../platform/failure-records';
import type { Logger } from '../../platform/logger';
import { readMetadata } from '../../platform/message-headers';
import { DURATION_BUCKETS_SECONDS, type Metrics } from '../../platform/metrics';

/** Upper bounds of the batch-size histogram, up to CONSUMER_BATCH_SIZE_MAX's range. */
const BATCH_SIZE_BUCKETS = [1, 5, 10, 25, 50, 100, 200, 500, 1_000, 5_000] as const;
import { PartitionPauses } from '../../platform/partition-pauses';
import type { Breaker } from './breaker';
import type { CommandProcessor, MessageResult } from './command-processor';
import type { FailedMessage, FailureRouter } from '../../platform/failure-router';
import { classify, describe } from '../../platform/failures';

export interface CommandConsumerOptions {
  readonly topic: string;
  /** Other contexts' event topics read in the same group. */
  readonly subscriptions: readonly string[];
  readonly groupId: string;
  /** Waits while a dependency is down, doubling from the minimum up to the maximum. */
  readonly retryDelayMsMin: number;
  readonly retryDelayMsMax: number;
  /** Most messages handed to one batch (one transaction). */
  readonly batchSizeMax: number;
  /** Partitions handled at once, each batch in its own transaction and connection. */
  readonly partitionsConcurrently: number;
  /** How often the offsets of committed batches are committed to Kafka. */
  readonly commitIntervalMs: number;
}

/**
 * The consumer loop of one group over its commands topic, the other contexts' event topics it
 * reacts to, and its own retry topic. One PostgreSQL transaction per batch (CommandProcessor);
 * offsets stored only after the transaction commits and the batch's failed messages are
 * acknowledged on their retry or dead-letter topic; stored offsets committed to Kafka on an
 * interval.
 *
 * Failures never block a partition: a failed message moves to the retry topic (processed no
 * earlier than its due time: the retry partition pauses until then) or the dead-letter topic.
 * An outage (database, registry or broker away) pauses the partition with a capped backoff and
 * delivers the same batch again; it never dead-letters anything. When too large a share of recent
 * messages fails, the breaker stops the group instead of emptying its input into the DLQ.
 */
export class CommandConsumer {
  private consumer: KafkaJS.Consumer | undefined;
  private readonly pauses: PartitionPauses;
  private readonly breakerGauge;
  private readonly processed;
  private readonly batchSize;
  private readonly batchDuration;

  constructor(
    private readonly kafka: KafkaJS.Kafka,
    private readonly database: Knex,
    private readonly processor: CommandProcessor,
    private readonly router: FailureRouter,
    private readonly breaker: Breaker,
    private readonly options: CommandConsumerOptions,
    metrics: Metrics,
    private readonly logger: Logger,
  ) {
    this.pauses = new PartitionPauses(
      () => this.consumer,
      { groupId: options.groupId, outageDelayMsMin: options.retryDelayMsMin, outageDelayMsMax: options.retryDelayMsMax },
      metrics,
      logger,
    );
    this.breakerGauge = metrics.gauge('consumer_breaker_open', '1 while the group\'s breaker has stopped it');
    this.processed = metrics.counter('consumer_messages_total', 'Messages handled, by outcome');
    this.batchSize = metrics.histogram('consumer_batch_messages', 'Messages per batch (one PostgreSQL transaction)', BATCH_SIZE_BUCKETS);
    this.batchDuration = metrics.histogram('consumer_batch_duration_seconds', 'Time to handle a batch, from its first message to its commit', DURATION_BUCKETS_SECONDS);
  }

  async start(): Promise<void> {
    const consumer = this.kafka.consumer({
      // Only offsets resolved after a batch's transaction committed are stored, and only stored
      // offsets are committed: on this interval, when partitions are revoked and on disconnect.
      kafkaJS: { groupId: this.options.groupId, fromBeginning: true, autoCommit: true, autoCommitInterval: this.options.commitIntervalMs },
      'js.consumer.max.batch.size': this.options.batchSizeMax,
    });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics: [this.options.topic, ...this.options.subscriptions, this.router.retryTopic] });
    await consumer.run({
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConcurrently,
      eachBatch: (payload) => this.handleBatch(payload),
    });
  }

  /** Stops fetching, lets the batches in hand finish and commit, and leaves the group. */
  async stop(): Promise<void> {
    this.pauses.clear();
    await this.consumer?.disconnect();
  }

  private async handleBatch(payload: KafkaJS.EachBatchPayload): Promise<void> {
    const { batch } = payload;
    if (!payload.isRunning() || payload.isStale()) return;
    const breaker = this.breaker.state;
    if (breaker.state === 'open') {
      this.pauses.pause(batch.topic, batch.partition, breaker.until.getTime() - Date.now(), 'breaker-open');
      return;
    }
    // A retry is processed no earlier than its due time: handle what is due, wait for the rest.
    let messages = batch.messages;
    let notDueForMs: number | undefined;
    if (batch.topic === this.router.retryTopic) {
      const now = Date.now();
      const firstNotDue = messages.findIndex((message) => dueAtMs(message) > now);
      if (firstNotDue >= 0) {
        notDueForMs = dueAtMs(messages[firstNotDue]!) - now;
        messages = messages.slice(0, firstNotDue);
      }
    }
    if (messages.length > 0 && !(await this.handle(batch.topic, batch.partition, messages))) return;
    // Everything handled is stored as done; what was not due is delivered again after the pause.
    const last = messages.at(-1);
    if (last !== undefined) payload.resolveOffset(last.offset);
    if (notDueForMs !== undefined) this.pauses.pause(batch.topic, batch.partition, notDueForMs, 'retry-not-due');
  }

  /** Processes and routes the messages; false when nothing may be stored as done (an outage or an open breaker). */
  private async handle(topic: string, partition: number, messages: readonly KafkaJS.KafkaMessage[]): Promise<boolean> {
    let results: MessageResult[];
    const started = performance.now();
    try {
      results = await this.processor.processBatch(this.database, messages, { othersEvents: this.options.subscriptions.includes(topic), source: { topic, partition }, group: this.options.groupId });
      const labels = { group: this.options.groupId, topic };
      this.batchSize.observe(labels, messages.length);
      this.batchDuration.observe(labels, (performance.now() - started) / 1000);
    } catch (error) {
      this.waitOutOutage(topic, partition, error);
      return false;
    }
    const failures: FailedMessage[] = [];
    results.forEach((result, index) => {
      this.processed.inc({ group: this.options.groupId, topic, outcome: result.outcome });
      if (result.outcome === 'failed') failures.push({ topic, partition, message: messages[index]!, kind: result.kind, errorClass: result.errorClass, error: result.error });
    });
    if (this.breaker.record(messages.length - failures.length, failures.length)) {
      const state = this.breaker.state;
      this.breakerGauge.set({ group: this.options.groupId }, 1);
      this.logger.error(
        { group: this.options.groupId, reason: state.state === 'open' ? state.reason : undefined, until: state.state === 'open' ? state.until.toISOString() : undefined },
        'breaker open: the group stops instead of dead-lettering its input; fix the cause, it tries again after the pause',
      );
      if (state.state === 'open') this.pauses.pause(topic, partition, state.until.getTime() - Date.now(), 'breaker-open');
      return false;
    }
    this.breakerGauge.set({ group: this.options.groupId }, 0);
    if (failures.length > 0) {
      const routes = this.router.plan(failures);
      try {
        await this.router.send(routes);
        for (const route of routes) {
          const metadata = route.to === 'dead-letter' ? readableMetadata(route.failed.message) : null;
          if (metadata !== null) await this.processor.recordFailed(this.database, metadata, route.failed.errorClass, describe(route.failed.error));
        }
      } catch (error) {
        this.waitOutOutage(topic, partition, error);
        return false;
      }
    }
    this.pauses.recovered(topic, partition);
    return true;
  }

  private waitOutOutage(topic: string, partition: number, error: unknown): void {
    const delayMs = this.pauses.outage(topic, partition);
    const { kind } = classify(error);
    this.logger[kind === 'transient' ? 'warn' : 'error'](
      { err: error, topic, partition, delayMs, kind },
      kind === 'transient'
        ? 'a dependency is unavailable; the partition waits and the batch runs again'
        : 'the batch failed outside any one message; the partition waits and the batch runs again',
    );
  }
}

function dueAtMs(message: KafkaJS.KafkaMessage): number {
  const dueAt = headerText(message.headers ?? {}, FailureHeader.dueAt);
  const time = dueAt === null ? Number.NaN : Date.parse(dueAt);
  return Number.isNaN(time) ? 0 : time;
}

function readableMetadata(message: KafkaJS.KafkaMessage): ReturnType<typeof readMetadata> | null {
  try {
    return readMetadata(message.headers ?? {});
  } catch {
    return null;
  }
}
