import type { KafkaJS } from '@confluentinc/kafka-javascript';
import type { Knex } from 'knex';
import type { AvroCodec } from '../../platform/avro-codec';
import type { Logger } from '../../platform/logger';
import type { CommandHandler } from './command-handler';
import { CommandConsumer } from './command-consumer';
import { CommandProcessor } from './command-processor';
import { IntegrationRepository, type IntegrationSchema } from './integration.repository';
import { OutboxRelay } from './outbox-relay';

export interface ContextProcessorOptions {
  readonly schema: IntegrationSchema;
  readonly topics: { readonly commands: string; readonly events: string; readonly results: string };
  readonly groupId: string;
  readonly databaseUrl: URL;
  readonly outboxBatchSizeMax: number;
  readonly outboxPollIntervalMs: number;
  readonly retryDelayMsMin: number;
  readonly retryDelayMsMax: number;
  readonly batchSizeMax: number;
  readonly partitionsConcurrently: number;
  readonly commitIntervalMs: number;
}

export interface ContextProcessorDependencies {
  readonly kafka: KafkaJS.Kafka;
  readonly producer: KafkaJS.Producer;
  readonly database: Knex;
  readonly codec: AvroCodec;
  readonly logger: Logger;
  readonly handlers: readonly CommandHandler[];
}

/**
 * One bounded context's processor: the command consumer and the outbox relay over the context's
 * own schema. Started and stopped as a unit; stopping finishes the batch in hand first.
 */
export class ContextProcessor {
  readonly relay: OutboxRelay;
  private readonly consumer: CommandConsumer;

  constructor(options: ContextProcessorOptions, dependencies: ContextProcessorDependencies) {
    const integration = new IntegrationRepository(options.schema);
    const processor = new CommandProcessor(
      integration,
      dependencies.codec,
      { events: options.topics.events, results: options.topics.results },
      dependencies.handlers,
      dependencies.logger,
    );
    this.consumer = new CommandConsumer(
      dependencies.kafka,
      dependencies.database,
      processor,
      {
        topic: options.topics.commands,
        groupId: options.groupId,
        retryDelayMsMin: options.retryDelayMsMin,
        retryDelayMsMax: options.retryDelayMsMax,
        batchSizeMax: options.batchSizeMax,
        partitionsConcurrently: options.partitionsConcurrently,
        commitIntervalMs: options.commitIntervalMs,
      },
      dependencies.logger,
    );
    this.relay = new OutboxRelay(
      dependencies.database,
      integration,
      dependencies.producer,
      dependencies.codec,
      {
        schema: options.schema,
        listenUrl: options.databaseUrl,
        batchSizeMax: options.outboxBatchSizeMax,
        pollIntervalMs: options.outboxPollIntervalMs,
        retryDelayMsMax: options.retryDelayMsMax,
      },
      dependencies.logger,
    );
  }

  async start(): Promise<void> {
    await this.relay.start();
    await this.consumer.start();
  }

  async stop(): Promise<void> {
    await this.consumer.stop();
    await this.relay.stop();
  }
}
