import type { KafkaJS } from '@confluentinc/kafka-javascript';
import type { Knex } from 'knex';
import type { AvroCodec } from '../../platform/avro-codec';
import type { CommandHandler } from '../../processors/runtime/command-handler';
import { ContextProcessor, type ContextProcessorOptions } from '../../processors/runtime/context-processor';
import type { IntegrationSchema } from '../../processors/runtime/integration.repository';
import type { ScheduledTask } from '../../processors/runtime/scheduled-task';
import { uniqueName } from './names';
import { silentLogger } from './silent-logger';

export interface ContextProcessorDependencies {
  kafka: KafkaJS.Kafka;
  producer: KafkaJS.Producer;
  codec: AvroCodec;
  database: Knex;
  databaseUrl: URL;
  topics: { commands: string; events: string; results: string; subscriptions?: string[] };
  /** Processors started with the same group share its partitions. */
  groupId?: string;
  /** Overrides of the settings below. */
  options?: Partial<ContextProcessorOptions>;
  /** Periodic sweeps the processor runs beside its consumer. */
  scheduledTasks?: ScheduledTask[];
}

/** A started processor of one context on the given topics and database, with settings sized for tests. */
export async function startContextProcessor(
  schema: IntegrationSchema,
  handlers: CommandHandler[],
  dependencies: ContextProcessorDependencies,
): Promise<ContextProcessor> {
  const processor = new ContextProcessor(
    {
      schema,
      topics: dependencies.topics,
      groupId: dependencies.groupId ?? uniqueName(`test-${schema}`),
      databaseUrl: dependencies.databaseUrl,
      outboxBatchSizeMax: 100,
      outboxPollIntervalMs: 500,
      retryDelayMsMin: 100,
      retryDelayMsMax: 2_000,
      batchSizeMax: 200,
      partitionsConcurrently: 3,
      commitIntervalMs: 200,
      attemptsMax: 3,
      retryBackoffMsMin: 200,
      retryBackoffMsMax: 2_000,
      breaker: { windowSize: 100, failureShareMax: 0.5, openMs: 10_000 },
      ...dependencies.options,
    },
    { ...dependencies, logger: silentLogger, handlers },
  );
  await processor.start();
  return processor;
}
