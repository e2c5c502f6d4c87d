import type { KafkaJS } from '@confluentinc/kafka-javascript';
import type { Knex } from 'knex';
import type { Logger } from '../../platform/logger';
import type { CommandProcessor } from './command-processor';

export interface CommandConsumerOptions {
  readonly topic: string;
  readonly groupId: string;
  /** Waits after a failed batch before it is delivered again, doubling up to the maximum. */
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
 * The consumer loop: one PostgreSQL transaction per batch (CommandProcessor), offsets stored only
 * after the transaction commits and committed to Kafka on an interval.
 *
 * A throwing batch handler makes the client seek back and deliver the batch again, so a failed
 * batch is rolled back and thrown only after a capped backoff; nothing past it is committed.
 * Telling poison messages from outages (and routing the former to retry and dead-letter topics)
 * is the job of the failure-path layer above this loop.
 */
export class CommandConsumer {
  private consumer: KafkaJS.Consumer | undefined;
  /** Per partition, so that one failing partition does not slow another's backoff. */
  private readonly consecutiveFailures = new Map<number, number>();

  constructor(
    private readonly kafka: KafkaJS.Kafka,
    private readonly database: Knex,
    private readonly processor: CommandProcessor,
    private readonly options: CommandConsumerOptions,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    const consumer = this.kafka.consumer({
      // Only offsets resolved after a batch's transaction committed are stored, and only stored
      // offsets are committed: on this interval, when partitions are revoked and on disconnect.
      kafkaJS: { groupId: this.options.groupId, fromBeginning: true, autoCommit: true, autoCommitInterval: this.options.commitIntervalMs },
      'js.consumer.max.batch.size': this.options.batchSizeMax,
    });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics: [this.options.topic] });
    await consumer.run({
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConcurrently,
      eachBatch: (payload) => this.handleBatch(payload),
    });
  }

  /** Stops fetching, lets the batch in hand finish and commit, and leaves the group. */
  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }

  private async handleBatch(payload: KafkaJS.EachBatchPayload): Promise<void> {
    const { batch } = payload;
    if (!payload.isRunning() || payload.isStale()) return;
    try {
      const outcomes = await this.processor.processBatch(this.database, batch.messages);
      this.logger.debug({ topic: batch.topic, partition: batch.partition, firstOffset: batch.messages[0]?.offset, outcomes }, 'batch handled');
    } catch (error) {
      const failures = (this.consecutiveFailures.get(batch.partition) ?? 0) + 1;
      this.consecutiveFailures.set(batch.partition, failures);
      const delayMs = Math.min(this.options.retryDelayMsMin * 2 ** (failures - 1), this.options.retryDelayMsMax);
      this.logger.error(
        { err: error, topic: batch.topic, partition: batch.partition, firstOffset: batch.messages[0]?.offset, delayMs },
        'batch failed and was rolled back; it will be delivered again',
      );
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      throw error;
    }
    this.consecutiveFailures.delete(batch.partition);
    const last = batch.messages.at(-1);
    // Resolving stores last + 1, the next offset to read, for the next commit. A crash before that
    // commit delivers the batch again, and the inbox turns it into duplicates.
    if (last !== undefined) payload.resolveOffset(last.offset);
  }
}
