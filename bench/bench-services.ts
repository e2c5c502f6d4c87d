/**
 * One service of the benchmark in a process of its own (`node --import tsx bench/bench-services.ts
 * gateway|processor|bare`), as it would run in production: the gateway, the fleet processor, or
 * the bare Koa baseline. The setup (topics, database URLs, keys) comes as JSON in BENCH_SETUP; the
 * process prints `READY <url>` when it serves, and stops on SIGTERM.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import Koa from 'koa';
import { createGatewayApp } from '../gateway/app';
import { TokenVerifier } from '../gateway/auth/token-verifier';
import { CommandResultsConsumer, CommandWaiter } from '../gateway/commands/command-results';
import { CommandStatusRepository } from '../gateway/commands/command-status.repository';
import { CommandSubmitter } from '../gateway/commands/command-submitter';
import { VehicleQueries } from '../gateway/queries/vehicle.queries';
import { IdempotencyStore } from '../gateway/commands/idempotency';
import { AvroCodec } from '../platform/avro-codec';
import { createDatabase } from '../platform/database';
import { createIdempotentProducer, createKafka } from '../platform/kafka';
import { createLogger } from '../platform/logger';
import { createSchemaRegistry } from '../platform/schema-registry';
import { fleetHandlers } from '../processors/fleet/fleet.handlers';
import { FleetRepository } from '../processors/fleet/fleet.repository';
import { ContextProcessor } from '../processors/runtime/context-processor';

export interface BenchSetup {
  readonly suffix: string;
  readonly brokers: string[];
  readonly registryUrl: string;
  readonly redisUrl: string;
  readonly gatewayDatabaseUrl: string;
  readonly fleetDatabaseUrl: string;
  readonly jwksFile: string;
  readonly topics: { readonly commands: string; readonly events: string; readonly results: string };
}

const logger = createLogger('bench', 'warn');

async function serve(app: Koa): Promise<string> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function gateway(setup: BenchSetup): Promise<string> {
  const kafka = createKafka({ brokers: setup.brokers, clientId: 'bench-gateway', logger });
  const producer = createIdempotentProducer(kafka);
  await producer.connect();
  const codec = new AvroCodec(createSchemaRegistry(new URL(setup.registryUrl)));
  const statusDatabase = createDatabase({ url: new URL(setup.gatewayDatabaseUrl), poolSizeMax: 10, statementTimeoutMs: 10_000, applicationName: 'bench-gateway' });
  const statuses = new CommandStatusRepository(statusDatabase);
  const redis = new Redis(setup.redisUrl);
  const waiter = new CommandWaiter(redis.duplicate());
  await waiter.start();
  await new CommandResultsConsumer(
    kafka,
    producer,
    codec,
    statuses,
    redis,
    { topic: setup.topics.results, groupId: `bench-gateway-${setup.suffix}`, outageDelayMsMin: 200, outageDelayMsMax: 2_000 },
    logger,
  ).start();
  return serve(
    createGatewayApp({
      logger,
      probes: [],
      healthCheckTimeoutMs: 1_000,
      api: {
        verifier: new TokenVerifier({ issuer: 'bench', audience: 'fleet-api', algorithms: ['EdDSA'], jwksUrl: null, jwksFile: setup.jwksFile, cacheSeconds: 60 }),
        submitter: new CommandSubmitter(producer, codec, statuses),
        idempotency: new IdempotencyStore(redis),
        statuses,
        waiter,
        // The benchmark sends commands only; its queries would read the gateway's own pool.
        vehicles: new VehicleQueries(statusDatabase),
        topics: { fleetCommands: setup.topics.commands },
      },
    }),
  );
}

async function processor(setup: BenchSetup): Promise<string> {
  const kafka = createKafka({ brokers: setup.brokers, clientId: 'bench-fleet', logger });
  const producer = createIdempotentProducer(kafka);
  await producer.connect();
  const url = new URL(setup.fleetDatabaseUrl);
  await new ContextProcessor(
    {
      schema: 'fleet',
      topics: setup.topics,
      groupId: `bench-fleet-${setup.suffix}`,
      databaseUrl: url,
      outboxBatchSizeMax: 500,
      outboxPollIntervalMs: 200,
      retryDelayMsMin: 100,
      retryDelayMsMax: 2_000,
      batchSizeMax: 200,
      partitionsConcurrently: 3,
      commitIntervalMs: 1_000,
      attemptsMax: 3,
      retryBackoffMsMin: 200,
      retryBackoffMsMax: 2_000,
      breaker: { windowSize: 100, failureShareMax: 0.5, openMs: 10_000 },
    },
    {
      kafka,
      producer,
      database: createDatabase({ url, poolSizeMax: 10, statementTimeoutMs: 10_000, applicationName: 'bench-fleet' }),
      codec: new AvroCodec(createSchemaRegistry(new URL(setup.registryUrl))),
      logger,
      handlers: fleetHandlers(new FleetRepository()),
    },
  ).start();
  return 'processor';
}

function bare(): Promise<string> {
  const app = new Koa();
  app.use((ctx) => {
    ctx.status = 202;
    ctx.body = { commandId: randomUUID(), status: 'pending' };
  });
  return serve(app);
}

const roles: Record<string, (setup: BenchSetup) => Promise<string>> = { gateway, processor, bare };
const role = roles[process.argv[2] ?? ''];
if (role === undefined) {
  console.error('usage: bench-services.ts gateway|processor|bare');
  process.exit(2);
}
process.once('SIGTERM', () => process.exit(0));
role(JSON.parse(process.env.BENCH_SETUP ?? '{}') as BenchSetup).then(
  (url) => console.log(`READY ${url}`),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
