import { loadConfig } from '../../platform/config/load';
import {
  databaseVariables,
  kafkaVariables,
  processorVariables,
  runtimeVariables,
  schemaRegistryVariables,
} from '../../platform/config/variables';
import { AvroCodec } from '../../platform/avro-codec';
import { createDatabase } from '../../platform/database';
import { createIdempotentProducer, createKafka } from '../../platform/kafka';
import { Lifecycle } from '../../platform/lifecycle';
import { createLogger } from '../../platform/logger';
import { startTracing } from '../../platform/tracing-setup';
import { kafkaProbe, postgresProbe, schemaRegistryProbe } from '../../platform/health';
import { Metrics } from '../../platform/metrics';
import { createSchemaRegistry } from '../../platform/schema-registry';
import { processorGroupOf, type Context } from '../../schemas/topics';
import type { CommandHandler } from './command-handler';
import { ContextProcessor } from './context-processor';
import type { ScheduledTask } from './scheduled-task';
import { IntegrationRepository, type IntegrationSchema } from './integration.repository';
import { databasePoolCollector, OpsServer, type Collector } from '../../platform/ops-server';
import type { Knex } from 'knex';
import type { KafkaJS } from '@confluentinc/kafka-javascript';

export interface ContextDefinition {
  /** The bounded context, which names the process in logs and client ids and its consumer group. */
  readonly service: Context;
  readonly schema: IntegrationSchema;
  readonly commandsTopic: string;
  readonly eventsTopic: string;
  /** Other contexts' event topics the context reacts to. */
  readonly subscriptions?: readonly string[];
  readonly handlers: () => CommandHandler[];
  /** Facts that time brings about (an overdue rental), swept periodically; none when absent. */
  readonly scheduledTasks?: () => ScheduledTask[];
}

export const COMMAND_RESULTS_TOPIC = 'command.results';

/**
 * The process entry every context shares: validate the configuration, connect, run the command
 * consumer and the outbox relay, and shut down gracefully on SIGTERM/SIGINT (stop consuming after
 * the batch in hand, stop the relay, then close the producer and the pool).
 */
export async function runContext(definition: ContextDefinition): Promise<void> {
  const config = loadConfig({ ...runtimeVariables, ...kafkaVariables, ...schemaRegistryVariables, ...databaseVariables, ...processorVariables });
  const metrics = new Metrics();
  const logger = createLogger(definition.service, config.logLevel);
  const lifecycle = new Lifecycle(logger, config.shutdownTimeoutMs);
  lifecycle.exitOnSignals();
  // Registered first, so stopped last: the spans of the shutdown itself are sent too.
  const tracing = startTracing({ service: definition.service, exporter: config.tracingExporter, otlpEndpoint: config.tracingOtlpEndpoint, sampleRatio: config.tracingSampleRatio });
  lifecycle.onShutdown('tracing', () => tracing.shutdown());

  const database = createDatabase({
    url: config.databaseUrl,
    poolSizeMax: config.databasePoolSizeMax,
    statementTimeoutMs: config.databaseStatementTimeoutMs,
    applicationName: definition.service,
    logger,
  });
  lifecycle.onShutdown('postgres', () => database.destroy());
  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: `${config.kafkaClientId}-${definition.service}`, logger });
  const producer = createIdempotentProducer(kafka, config.kafkaDeliveryTimeoutMs);
  await producer.connect();
  lifecycle.onShutdown('producer', () => producer.disconnect());

  const processor = new ContextProcessor(
    {
      schema: definition.schema,
      topics: { commands: definition.commandsTopic, events: definition.eventsTopic, results: COMMAND_RESULTS_TOPIC, subscriptions: definition.subscriptions ?? [] },
      groupId: processorGroupOf(definition.service),
      databaseUrl: config.databaseUrl,
      outboxBatchSizeMax: config.outboxBatchSizeMax,
      outboxPollIntervalMs: config.outboxPollIntervalMs,
      retryDelayMsMin: config.consumerRetryDelayMsMin,
      retryDelayMsMax: config.consumerRetryDelayMsMax,
      batchSizeMax: config.consumerBatchSizeMax,
      partitionsConcurrently: config.consumerPartitionsConcurrently,
      commitIntervalMs: config.consumerCommitIntervalMs,
      attemptsMax: config.failureAttemptsMax,
      retryBackoffMsMin: config.failureRetryBackoffMsMin,
      retryBackoffMsMax: config.failureRetryBackoffMsMax,
      breaker: { windowSize: config.breakerWindowSize, failureShareMax: config.breakerFailurePercentMax / 100, openMs: config.breakerOpenMs },
    },
    {
      kafka,
      producer,
      database,
      codec: new AvroCodec(createSchemaRegistry(config.schemaRegistryUrl, config.schemaRegistryTimeoutMs)),
      logger,
      handlers: definition.handlers(),
      scheduledTasks: definition.scheduledTasks?.() ?? [],
      metrics,
    },
  );
  // Readiness asks the dependencies the processor cannot work without; the admin client is its own.
  const admin = kafka.admin();
  await admin.connect();
  lifecycle.onShutdown('kafka admin', () => admin.disconnect());
  const ops = new OpsServer(
    [postgresProbe(database), kafkaProbe(admin, config.healthCheckTimeoutMs), schemaRegistryProbe(config.schemaRegistryUrl)],
    metrics,
    { host: config.opsHost, port: config.opsPort, probeTimeoutMs: config.healthCheckTimeoutMs },
    logger,
    [
      outboxBacklogCollector(new IntegrationRepository(definition.schema), database, metrics, definition.schema),
      databasePoolCollector(database, metrics, definition.service),
      consumerLagCollector(admin, metrics, processorGroupOf(definition.service), [definition.commandsTopic, ...(definition.subscriptions ?? [])]),
    ],
  );
  const opsPort = await ops.start();
  lifecycle.onShutdown('ops endpoint', () => ops.stop());
  await processor.start();
  lifecycle.onShutdown('processor', () => processor.stop());
  logger.info({ commands: definition.commandsTopic, events: definition.eventsTopic, opsPort }, 'processor running');
}

/** The outbox's backlog as gauges, counted when Prometheus scrapes: rows waiting for the relay and the oldest one's age. */
function outboxBacklogCollector(integration: IntegrationRepository, database: Knex, metrics: Metrics, schema: IntegrationSchema): Collector {
  const rows = metrics.gauge('outbox_unpublished_rows', 'Events in the outbox the relay has not published yet');
  const age = metrics.gauge('outbox_oldest_unpublished_age_seconds', 'How long the oldest unpublished outbox event has waited; 0 when none waits');
  return async () => {
    const backlog = await integration.outboxBacklog(database);
    rows.set({ schema }, backlog.rows);
    age.set({ schema }, backlog.oldestAgeSeconds);
  };
}

/**
 * The consumer group's lag per partition of the topics it reads, asked of the brokers when
 * Prometheus scrapes: the partition's end offset minus the group's committed one (minus the first
 * offset still held, before the group committed anything).
 */
function consumerLagCollector(admin: KafkaJS.Admin, metrics: Metrics, groupId: string, topics: readonly string[]): Collector {
  const lag = metrics.gauge('consumer_lag_messages', "Messages of a partition the consumer group has not committed yet");
  return async () => {
    const committed = await admin.fetchOffsets({ groupId, topics: [...topics] });
    const committedAt = new Map(committed.flatMap(({ topic, partitions }) => partitions.map((partition) => [`${topic}/${partition.partition}`, Number(partition.offset)] as const)));
    for (const topic of topics) {
      for (const partition of await admin.fetchTopicOffsets(topic)) {
        const at = committedAt.get(`${topic}/${partition.partition}`) ?? -1;
        const from = at >= 0 ? at : Number(partition.low);
        lag.set({ group: groupId, topic, partition: String(partition.partition) }, Math.max(0, Number(partition.high) - from));
      }
    }
  };
}
