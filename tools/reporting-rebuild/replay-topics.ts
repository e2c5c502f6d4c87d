import type { KafkaJS } from '@confluentinc/kafka-javascript';
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import type { AvroCodec } from '../../platform/avro-codec';
import { decodeOrPoison, PoisonMessageError } from '../../platform/failures';
import { readMetadata } from '../../platform/message-headers';
import type { ReportingRepository } from '../../processors/reporting/reporting.repository';
import { FOLLOWED_EVENTS, type ReadModelRows } from '../../processors/reporting/source-events';

export interface ReplayDependencies {
  readonly kafka: KafkaJS.Kafka;
  readonly codec: AvroCodec;
  readonly database: Knex;
  readonly repository: ReportingRepository;
  readonly topics: readonly string[];
}

export interface ReplayOutcome {
  /** Records read, of every type. */
  readonly records: number;
  /** Records of a followed type that could not be read (no headers, not Avro, not the record expected): the processor dead-letters these. */
  readonly unreadable: number;
}

/**
 * Reads `topics` from their first record up to where each partition ended when the replay began,
 * applying each followed event to the repository's read models at its own position, one
 * transaction and a few multi-row statements per fetched batch. A fact already read (the same event twice) keeps its first row,
 * as the processor's inbox would; types reporting does not follow are passed over.
 */
export async function replayTopics(dependencies: ReplayDependencies): Promise<ReplayOutcome> {
  const admin = dependencies.kafka.admin();
  await admin.connect();
  const remaining = new Map<string, number>();
  try {
    for (const topic of dependencies.topics) {
      for (const partition of await admin.fetchTopicOffsets(topic)) {
        const end = Number(partition.high);
        if (end > Number(partition.low)) remaining.set(`${topic}/${partition.partition}`, end);
      }
    }
  } finally {
    await admin.disconnect();
  }
  let records = 0;
  let unreadable = 0;
  if (remaining.size === 0) return { records, unreadable };
  const groupId = `reporting-rebuild-${randomUUID()}`;
  const consumer = dependencies.kafka.consumer({ kafkaJS: { groupId, fromBeginning: true, autoCommit: false } });
  let finish!: () => void;
  let fail!: (error: unknown) => void;
  const finished = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [...dependencies.topics] });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        const key = `${batch.topic}/${batch.partition}`;
        const end = remaining.get(key);
        if (end === undefined) return;
        const applied: { rows: ReadModelRows; offset: number }[] = [];
        for (const message of batch.messages) {
          const offset = Number(message.offset);
          if (offset >= end) break;
          records += 1;
          let rows: Awaited<ReturnType<typeof rowsOf>>;
          try {
            rows = await rowsOf(dependencies.codec, message);
          } catch (error) {
            fail(error);
            return;
          }
          if (rows === 'unreadable') unreadable += 1;
          else if (rows !== undefined) applied.push({ rows, offset });
        }
        try {
          await dependencies.database.transaction((transaction) =>
            dependencies.repository.recordAll(
              transaction,
              applied.map(({ rows, offset }) => ({ rows, position: { topic: batch.topic, partition: batch.partition, offset } })),
            ),
          );
        } catch (error) {
          fail(error);
          return;
        }
        const last = Number(batch.messages.at(-1)?.offset ?? -1);
        if (last >= end - 1) {
          remaining.delete(key);
          if (remaining.size === 0) finish();
        }
      },
    });
    await finished;
  } finally {
    await consumer.disconnect();
    const cleanup = dependencies.kafka.admin();
    await cleanup.connect();
    await cleanup.deleteGroups([groupId]).catch(() => undefined);
    await cleanup.disconnect();
  }
  return { records, unreadable };
}

/** The rows one record brings; undefined for a type reporting does not follow. */
async function rowsOf(codec: AvroCodec, message: KafkaJS.KafkaMessage): Promise<ReadModelRows | 'unreadable' | undefined> {
  let type: string;
  try {
    type = readMetadata(message.headers ?? {}).messageType;
  } catch {
    return 'unreadable';
  }
  const parse = FOLLOWED_EVENTS[type];
  if (parse === undefined) return undefined;
  // The registry away throws (the replay fails and can be run again); bytes that are no record are left out.
  const read = await decodeOrPoison(codec, message.value);
  if (read instanceof PoisonMessageError) return 'unreadable';
  try {
    return parse(read.decoded);
  } catch {
    return 'unreadable';
  }
}
