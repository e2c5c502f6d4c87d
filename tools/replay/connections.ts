/**
 * What every replay command talks to: the brokers (an admin client for topics and offsets, the
 * dead-letter reader) and PostgreSQL (gateway.dlq_replays), opened once and closed together.
 */
import { KafkaJS } from '@confluentinc/kafka-javascript';
import type { Knex } from 'knex';
import { createDatabase } from '../../platform/database';
import { deadLetterTopicOf } from '../../platform/failure-records';
import { createKafka } from '../../platform/kafka';
import type { Logger } from '../../platform/logger';
import { UsageError } from './arguments';
import { DeadLetterReader, type PartitionOffsets } from './dead-letter-reader';
import { ReplayLog } from './replay-log';

export interface ConnectionSettings {
  readonly kafkaBrokers: readonly string[];
  readonly kafkaClientId: string;
  readonly kafkaDeliveryTimeoutMs: number;
  readonly databaseUrl: URL;
  readonly databaseStatementTimeoutMs: number;
}

/** The tool runs one statement at a time. */
const DATABASE_POOL_SIZE_MAX = 2;
const ADMIN_TIMEOUT_MS = 10_000;

export class Connections {
  private constructor(
    readonly kafka: KafkaJS.Kafka,
    readonly admin: KafkaJS.Admin,
    readonly reader: DeadLetterReader,
    private readonly database: Knex,
    readonly log: ReplayLog,
    /** How long a re-delivery may wait for the broker's acknowledgement. */
    readonly deliveryTimeoutMs: number,
  ) {}

  static async open(settings: ConnectionSettings, logger: Logger): Promise<Connections> {
    const clientId = `${settings.kafkaClientId}-replay`;
    const kafka = createKafka({ brokers: settings.kafkaBrokers, clientId, logger });
    const database = createDatabase({
      url: settings.databaseUrl,
      poolSizeMax: DATABASE_POOL_SIZE_MAX,
      statementTimeoutMs: settings.databaseStatementTimeoutMs,
      applicationName: 'fleet-replay',
      logger,
    });
    const admin = kafka.admin();
    let reader: DeadLetterReader | undefined;
    try {
      await admin.connect();
      reader = await DeadLetterReader.open({ brokers: settings.kafkaBrokers, clientId });
      // Fail before reading anything when the login cannot see the table it must write.
      await database('gateway.dlq_replays').select(database.raw('1')).limit(1);
      return new Connections(kafka, admin, reader, database, new ReplayLog(database), settings.kafkaDeliveryTimeoutMs);
    } catch (error) {
      await reader?.close();
      await admin.disconnect().catch(() => undefined);
      await database.destroy();
      throw error;
    }
  }

  /** The offsets of G's dead-letter topic; a group without one is refused as a usage error (most likely a typo). */
  async deadLetterOffsets(group: string): Promise<PartitionOffsets[]> {
    const topic = deadLetterTopicOf(group);
    if (!(await this.topicExists(topic))) throw new UsageError(`no dead-letter topic ${topic}: is ${group} a consumer group of this product?`);
    // The ends a read-committed consumer (the reader) reaches: records of open transactions wait.
    return this.admin.fetchTopicOffsets(topic, { timeout: ADMIN_TIMEOUT_MS, isolationLevel: KafkaJS.IsolationLevel.READ_COMMITTED });
  }

  async topicExists(topic: string): Promise<boolean> {
    return (await this.admin.listTopics({ timeout: ADMIN_TIMEOUT_MS })).includes(topic);
  }

  async close(): Promise<void> {
    await this.reader.close();
    await this.admin.disconnect();
    await this.database.destroy();
  }
}
