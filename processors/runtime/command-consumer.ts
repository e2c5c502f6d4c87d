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
}

/**
 * The consumer loop: one PostgreSQL transaction per batch (CommandProcessor handles its messages,
 * each in a savepoint), offsets committed only after the transaction commits.
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
      kafkaJS: { groupId: this.options.groupId, fromBeginning: true, autoCommit: false },
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
      const outcomes = await this.database.transaction((transaction) => this.processor.processBatch(transaction, batch.messages));
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
    if (last === undefined) return;
    // The committed offset is the next one to read.
    await this.consumer!.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: String(Number(last.offset) + 1) }]);
    payload.resolveOffset(last.offset);
  }
}
