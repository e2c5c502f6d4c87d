/**
 * Reads a dead-letter topic from given offsets up to the end it had when the command started,
 * then stops. The consumer is assigned partitions directly, so it joins no consumer group and
 * never commits an offset: what was replayed is recorded in gateway.dlq_replays, never as a
 * consumer position, and every run may read the whole topic with different filters.
 *
 * It uses the client's librdkafka-style consumer, because the KafkaJS-compatible one offers only
 * group subscriptions (no `assign`), and because its position and end-of-partition events say when
 * a partition is read to its end even where transaction markers take offsets without records.
 */
import { KafkaConsumer, type EofEvent, type Message } from '@confluentinc/kafka-javascript';
import type { DeadLetterRecord, HeaderEntry } from './dead-letter';

export interface PartitionRange {
  readonly partition: number;
  /** First offset to read. */
  readonly from: number;
  /** The partition's end (high-water mark) when the command started: reading stops before it. */
  readonly end: number;
}

/** A partition's offsets as the admin client reports them (KafkaJS's strings). */
export interface PartitionOffsets {
  readonly partition: number;
  readonly low: string;
  readonly high: string;
}

const CONNECT_TIMEOUT_MS = 10_000;
const CONSUME_BATCH_SIZE_MAX = 500;
const CONSUME_WAIT_MS = 500;
/** A partition that yields nothing for this long before its end is reported, not waited on forever. */
const READ_IDLE_MS_MAX = 30_000;

/** Every partition from its earliest offset to its end now, in partition order; empty partitions left out. */
export function wholeTopic(offsets: readonly PartitionOffsets[]): PartitionRange[] {
  return [...offsets]
    .sort((first, second) => first.partition - second.partition)
    .map((offset) => ({ partition: offset.partition, from: Number(offset.low), end: Number(offset.high) }))
    .filter((range) => range.from < range.end);
}

function headerEntries(message: Message): HeaderEntry[] {
  const entries: HeaderEntry[] = [];
  for (const header of message.headers ?? []) {
    for (const [name, value] of Object.entries(header)) entries.push([name, Buffer.isBuffer(value) ? value : Buffer.from(value)]);
  }
  return entries;
}

function toRecord(message: Message): DeadLetterRecord {
  const key = message.key;
  return {
    topic: message.topic,
    partition: message.partition,
    offset: message.offset,
    timestamp: message.timestamp ?? 0,
    key: key === null || key === undefined ? null : Buffer.isBuffer(key) ? key : Buffer.from(key),
    value: message.value,
    headers: headerEntries(message),
  };
}

export class DeadLetterReader {
  private constructor(private readonly consumer: KafkaConsumer) {}

  static async open(options: { readonly brokers: readonly string[]; readonly clientId: string }): Promise<DeadLetterReader> {
    const consumer = new KafkaConsumer(
      {
        'metadata.broker.list': options.brokers.join(','),
        'client.id': options.clientId,
        // librdkafka wants a group id for any consumer; with assign() and no commits it is never joined.
        'group.id': `${options.clientId}-reader`,
        'enable.auto.commit': false,
        'enable.auto.offset.store': false,
        'enable.partition.eof': true,
      },
      // Records deleted by retention while the command runs: carry on from the earliest still there.
      { 'auto.offset.reset': 'earliest' },
    );
    consumer.setDefaultConsumeTimeout(CONSUME_WAIT_MS);
    await new Promise<void>((resolve, reject) => {
      consumer.connect({ timeout: CONNECT_TIMEOUT_MS }, (error) => (error ? reject(new Error(`cannot reach Kafka: ${error.message}`)) : resolve()));
    });
    return new DeadLetterReader(consumer);
  }

  /** Yields the records of each range in offset order, one partition after the other, in batches. */
  async *read(topic: string, ranges: readonly PartitionRange[]): AsyncGenerator<DeadLetterRecord[]> {
    for (const range of ranges) yield* this.readPartition(topic, range);
  }

  private async *readPartition(topic: string, range: PartitionRange): AsyncGenerator<DeadLetterRecord[]> {
    let next = range.from;
    let reachedEnd = false;
    const onEof = (event: EofEvent) => {
      if (event.topic === topic && event.partition === range.partition) reachedEnd = true;
    };
    this.consumer.on('partition.eof', onEof);
    this.consumer.assign([{ topic, partition: range.partition, offset: range.from }]);
    try {
      let lastProgressAt = Date.now();
      while (next < range.end && !reachedEnd) {
        const messages = await this.consume();
        const records = messages.filter((message) => message.partition === range.partition && message.offset >= next && message.offset < range.end);
        if (messages.length > 0) {
          next = Math.max(next, ...messages.map((message) => message.offset + 1));
          lastProgressAt = Date.now();
        } else if (Date.now() - lastProgressAt > READ_IDLE_MS_MAX) {
          throw new Error(
            `reading ${topic} partition ${range.partition} stopped at offset ${next} before its end ${range.end}: nothing arrived for ${READ_IDLE_MS_MAX / 1000} s`,
          );
        }
        if (records.length > 0) yield records.map(toRecord);
      }
    } finally {
      this.consumer.removeListener('partition.eof', onEof);
      this.consumer.unassign();
    }
  }

  private consume(): Promise<Message[]> {
    return new Promise((resolve, reject) => {
      this.consumer.consume(CONSUME_BATCH_SIZE_MAX, (error, messages) => (error ? reject(new Error(`reading a dead-letter topic failed: ${error.message}`)) : resolve(messages)));
    });
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.consumer.disconnect(() => resolve()));
  }
}
