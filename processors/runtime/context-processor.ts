import type { KafkaJS } from '@confluentinc/kafka-javascript';
import type { Knex } from 'knex';
import type { AvroCodec } from '../../platform/avro-codec';
import type { Logger } from '../../platform/logger';
import { Metrics } from '../../platform/metrics';
import { Breaker, type BreakerOptions } from './breaker';
import type { CommandHandler } from './command-handler';
import { CommandConsumer } from './command-consumer';
import { CommandProcessor } from './command-processor';
import { FailureRouter } from '../../platform/failure-router';
import { IntegrationRepository, type IntegrationSchema } from './integration.repository';
import { OutboxRelay } from './outbox-relay';
import { TaskScheduler, type ScheduledTask } from './scheduled-task';

export interface ContextProcessorOptions {
  readonly schema: IntegrationSchema;
  readonly topics: {
    readonly commands: string;
    readonly events: string;
    readonly results: string;
    /** Other contexts' event topics this context reacts to (handlers with source 'event'). */
    readonly subscriptions?: readonly string[];
  };
  readonly groupId: string;
  readonly databaseUrl: URL;
  readonly outboxBatchSizeMax: number;
  readonly outboxPollIntervalMs: number;
  readonly retryDelayMsMin: number;
  readonly retryDelayMsMax: number;
  readonly batchSizeMax: number;
  readonly partitionsConcurrently: number;
  readonly commitIntervalMs: number;
  /** Attempts a failing message gets before it is dead-lettered, and the waits between them. */
  readonly attemptsMax: number;
  readonly retryBackoffMsMin: number;
  readonly retryBackoffMsMax: number;
  readonly breaker: BreakerOptions;
}

export interface ContextProcessorDependencies {
  readonly kafka: KafkaJS.Kafka;
  readonly producer: KafkaJS.Producer;
  readonly database: Knex;
  readonly codec: AvroCodec;
  readonly logger: Logger;
  readonly handlers: readonly CommandHandler[];
  /** Where the processor counts what it does; a fresh registry when not given. */
  readonly metrics?: Metrics;
  /** Facts that time brings about, swept periodically into the same outbox. */
  readonly scheduledTasks?: readonly ScheduledTask[];
}

/**
 * One bounded context's processor: the command consumer, the outbox relay and the scheduled
 * sweeps over the context's own schema. Started and stopped as a unit; stopping finishes the batch in hand first.
 */
export class ContextProcessor {
  readonly relay: OutboxRelay;
  readonly metrics: Metrics;
  private readonly consumer: CommandConsumer;
  private readonly router: FailureRouter;
  private readonly scheduler: TaskScheduler;

  constructor(
    options: ContextProcessorOptions,
    private readonly dependencies: ContextProcessorDependencies,
  ) {
    this.metrics = dependencies.metrics ?? new Metrics();
    this.router = new FailureRouter(
      dependencies.producer,
      { groupId: options.groupId, attemptsMax: options.attemptsMax, backoffMsMin: options.retryBackoffMsMin, backoffMsMax: options.retryBackoffMsMax },
      this.metrics,
      dependencies.logger,
    );
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
      this.router,
      new Breaker(options.breaker),
      {
        topic: options.topics.commands,
        subscriptions: options.topics.subscriptions ?? [],
        groupId: options.groupId,
        retryDelayMsMin: options.retryDelayMsMin,
        retryDelayMsMax: options.retryDelayMsMax,
        batchSizeMax: options.batchSizeMax,
        partitionsConcurrently: options.partitionsConcurrently,
        commitIntervalMs: options.commitIntervalMs,
      },
      this.metrics,
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
    this.scheduler = new TaskScheduler(
      dependencies.database,
      options.schema,
      options.topics.events,
      dependencies.scheduledTasks ?? [],
      this.metrics,
      dependencies.logger,
    );
  }

  async start(): Promise<void> {
    const admin = this.dependencies.kafka.admin();
    await admin.connect();
    try {
      await this.router.ensureTopics(admin);
    } finally {
      await admin.disconnect();
    }
    await this.relay.start();
    await this.consumer.start();
    this.scheduler.start();
  }

  async stop(): Promise<void> {
    await this.scheduler.stop();
    await this.consumer.stop();
    await this.relay.stop();
  }
}
