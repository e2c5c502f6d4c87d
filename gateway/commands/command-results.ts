import type { KafkaJS } from '@confluentinc/kafka-javascript';
import type { Redis } from 'ioredis';
import type { AvroCodec } from '../../platform/avro-codec';
import type { Logger } from '../../platform/logger';
import type { CommandResultValue, CommandStatusRepository } from './command-status.repository';

export const RESULTS_CHANNEL = 'command-results';

/** Results applied by one UPDATE at most. */
const RESULTS_BATCH_SIZE_MAX = 500;

/**
 * Applies processors' command results to the gateway's status table. All gateway instances share
 * one consumer group, so each result is applied once; the instance that applies it announces it
 * on a Redis channel that every instance listens to, which wakes whichever instance holds a
 * waiting request (Prefer: wait). The status table, not Redis, is the record.
 */
export class CommandResultsConsumer {
  private consumer: KafkaJS.Consumer | undefined;

  constructor(
    private readonly kafka: KafkaJS.Kafka,
    private readonly codec: AvroCodec,
    private readonly statuses: CommandStatusRepository,
    private readonly publisher: Redis,
    private readonly options: { topic: string; groupId: string },
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    const consumer = this.kafka.consumer({
      kafkaJS: { groupId: this.options.groupId, fromBeginning: true },
      'js.consumer.max.batch.size': RESULTS_BATCH_SIZE_MAX,
    });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics: [this.options.topic] });
    // Offsets are committed (automatically) only for batches whose handler resolved.
    await consumer.run({ eachBatch: ({ batch }) => this.applyBatch(batch.messages) });
  }

  private async applyBatch(messages: readonly KafkaJS.KafkaMessage[]): Promise<void> {
    const results: CommandResultValue[] = [];
    for (const message of messages) {
      if (message.value !== null) results.push((await this.codec.decode(message.value)) as CommandResultValue);
    }
    if (results.length === 0) return;
    await this.statuses.applyResults(results);
    // Every result is announced, also one applied before (a crash may have cut its announcement).
    // A lost announcement only delays a waiter to its timeout; the status rows are already right.
    const announcements = this.publisher.pipeline();
    for (const result of results) announcements.publish(RESULTS_CHANNEL, result.commandId);
    await announcements.exec().catch((error: unknown) => {
      this.logger.warn({ err: error, commands: results.length }, 'could not announce command results');
    });
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
    for (;;) {
      // Listen before reading, so an announcement between the read and the wait is not missed.
      let wake: () => void = () => undefined;
      const woken = new Promise<void>((resolve) => {
        wake = resolve;
      });
      const wakers = this.waiting.get(commandId) ?? new Set<() => void>();
      this.waiting.set(commandId, wakers.add(wake));
      let timer: NodeJS.Timeout | undefined;
      try {
        const answer = await read();
        const remainingMs = deadline - Date.now();
        if (answer !== undefined || remainingMs <= 0) return answer;
        await Promise.race([woken, new Promise<void>((resolve) => (timer = setTimeout(resolve, remainingMs)))]);
      } finally {
        clearTimeout(timer);
        wakers.delete(wake);
        if (wakers.size === 0) this.waiting.delete(commandId);
      }
    }
  }
}
