import type { KafkaJS } from '@confluentinc/kafka-javascript';
import type { Knex } from 'knex';
import type { AvroCodec } from '../../platform/avro-codec';
import { fleetHandlers } from '../../processors/fleet/fleet.handlers';
import { FleetRepository } from '../../processors/fleet/fleet.repository';
import type { CommandHandler } from '../../processors/runtime/command-handler';
import { ContextProcessor, type ContextProcessorOptions } from '../../processors/runtime/context-processor';
import { uniqueName } from './names';
import { silentLogger } from './silent-logger';

/** A started fleet processor on the given topics and database, with settings sized for tests. */
export async function startFleetProcessor(dependencies: {
  kafka: KafkaJS.Kafka;
  producer: KafkaJS.Producer;
  codec: AvroCodec;
  database: Knex;
  databaseUrl: URL;
  topics: { commands: string; events: string; results: string; subscriptions?: string[] };
  /** Processors started with the same group share its partitions. */
  groupId?: string;
  /** Instead of the fleet context's own handlers. */
  handlers?: CommandHandler[];
  /** Overrides of the settings below. */
  options?: Partial<ContextProcessorOptions>;
}): Promise<ContextProcessor> {
  const processor = new ContextProcessor(
    {
      schema: 'fleet',
      topics: dependencies.topics,
      groupId: dependencies.groupId ?? uniqueName('test-fleet'),
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
    { ...dependencies, logger: silentLogger, handlers: dependencies.handlers ?? fleetHandlers(new FleetRepository()) },
  );
  await processor.start();
  return processor;
}
