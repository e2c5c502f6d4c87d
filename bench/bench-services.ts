/**
 * One service of the benchmarks in a process of its own (`node --import tsx bench/bench-services.ts
 * gateway|processor|rental|ledger|bare`), as it would run in production: the gateway, the fleet
 * processor, the rental processor, the ledger processor, or the bare Koa baseline. The setup
 * (topics, database URLs, keys) comes as JSON in BENCH_SETUP; the process prints `READY <url>`
 * when it serves, `STAT <name> <value>` lines for the figures it counts, and stops on SIGTERM.
 * Tracing runs as production's defaults run it unless BENCH_TRACING says otherwise (below).
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import Koa from 'koa';
import type { Knex } from 'knex';
import { createGatewayApp } from '../gateway/app';
import { createAuth } from '../gateway/auth/auth-setup';
import { TokenVerifier } from '../gateway/auth/token-verifier';
import { CommandResultsConsumer, CommandWaiter } from '../gateway/commands/command-results';
import { CommandStatusRepository } from '../gateway/commands/command-status.repository';
import { CommandSubmitter } from '../gateway/commands/command-submitter';
import { AccountingQueries } from '../gateway/queries/accounting.queries';
import { ReportQueries } from '../gateway/queries/report.queries';
import { IdentityQueries } from '../gateway/queries/identity.queries';
import { MaintenanceQueries } from '../gateway/queries/maintenance.queries';
import { RentalQueries } from '../gateway/queries/rental.queries';
import { VehicleQueries } from '../gateway/queries/vehicle.queries';
import { IdempotencyStore } from '../gateway/commands/idempotency';
import { AvroCodec } from '../platform/avro-codec';
import { createDatabase } from '../platform/database';
import { createIdempotentProducer, createKafka } from '../platform/kafka';
import { createLogger } from '../platform/logger';
import { createSchemaRegistry } from '../platform/schema-registry';
import { startTracing } from '../platform/tracing-setup';
import { NoopSpanProcessor } from '@opentelemetry/sdk-trace';
import { fleetHandlers } from '../processors/fleet/fleet.handlers';
import { FleetRepository } from '../processors/fleet/fleet.repository';
import { ledgerHandlers } from '../processors/ledger/ledger.handlers';
import { LedgerRepository } from '../processors/ledger/ledger.repository';
import { CatalogRepository } from '../processors/rental/catalog.repository';
import { rentalContextHandlers } from '../processors/rental/rental-context.handlers';
import { RentalRepository } from '../processors/rental/rental.repository';
import type { CommandHandler } from '../processors/runtime/command-handler';
import { ContextProcessor } from '../processors/runtime/context-processor';
import type { IntegrationSchema } from '../processors/runtime/integration.repository';

export interface BenchSetup {
  readonly suffix: string;
  readonly brokers: string[];
  readonly registryUrl: string;
  readonly redisUrl: string;
  readonly gatewayDatabaseUrl: string;
  readonly fleetDatabaseUrl: string;
  readonly jwksFile: string;
  /** The fleet's commands and events, and the command results every processor writes. */
  readonly topics: { readonly commands: string; readonly events: string; readonly results: string };
  /** The rental context, for the benchmarks that run its processor. */
  readonly rental?: { readonly databaseUrl: string; readonly topics: { readonly commands: string; readonly events: string } };
  /** The ledger, for the postings benchmark: its own topics and the events topics it books from. */
  readonly ledger?: { readonly databaseUrl: string; readonly topics: { readonly commands: string; readonly events: string; readonly subscriptions: string[] } };
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
        // As in production: every request asks whether its subject has been disabled (cached in Redis).
        subjects: createAuth(statusDatabase, redis, { issuer: 'bench', audience: 'fleet-api', subjectStatusCacheSeconds: 30, tokenService: null }, logger).subjects,
        submitter: new CommandSubmitter(producer, codec, statuses),
        idempotency: new IdempotencyStore(redis),
        statuses,
        waiter,
        // The benchmarks send commands only; their queries would read the gateway's own pool.
        vehicles: new VehicleQueries(statusDatabase),
        rentals: new RentalQueries(statusDatabase),
        maintenance: new MaintenanceQueries(statusDatabase),
        identity: new IdentityQueries(statusDatabase),
        accounting: new AccountingQueries(statusDatabase),
        reports: new ReportQueries(statusDatabase),
        topics: {
          fleetCommands: setup.topics.commands,
          rentalCommands: setup.rental?.topics.commands ?? `bench.rental.commands.${setup.suffix}`,
          maintenanceCommands: `bench.maintenance.commands.${setup.suffix}`,
          identityCommands: `bench.identity.commands.${setup.suffix}`,
          ledgerCommands: `bench.ledger.commands.${setup.suffix}`,
          reportingCommands: `bench.reporting.commands.${setup.suffix}`,
        },
      },
    }),
  );
}

interface ProcessedContext {
  readonly schema: IntegrationSchema;
  readonly databaseUrl: string;
  readonly topics: { readonly commands: string; readonly events: string; readonly results: string; readonly subscriptions?: string[] };
  readonly handlers: () => CommandHandler[];
  /** Sees the processor's pool before it starts (to count its statements). */
  readonly observe?: (database: Knex) => void;
}

/** A context's processor with the settings of production's defaults, and no scheduled sweeps. */
async function contextProcessor(setup: BenchSetup, context: ProcessedContext): Promise<void> {
  const kafka = createKafka({ brokers: setup.brokers, clientId: `bench-${context.schema}`, logger });
  const producer = createIdempotentProducer(kafka);
  await producer.connect();
  const url = new URL(context.databaseUrl);
  const database = createDatabase({ url, poolSizeMax: 10, statementTimeoutMs: 10_000, applicationName: `bench-${context.schema}` });
  context.observe?.(database);
  await new ContextProcessor(
    {
      schema: context.schema,
      topics: context.topics,
      groupId: `bench-${context.schema}-${setup.suffix}`,
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
      database,
      codec: new AvroCodec(createSchemaRegistry(new URL(setup.registryUrl))),
      logger,
      handlers: context.handlers(),
    },
  ).start();
}

async function processor(setup: BenchSetup): Promise<string> {
  await contextProcessor(setup, { schema: 'fleet', databaseUrl: setup.fleetDatabaseUrl, topics: setup.topics, handlers: () => fleetHandlers(new FleetRepository()) });
  return 'processor';
}

async function rental(setup: BenchSetup): Promise<string> {
  if (setup.rental === undefined) throw new Error('the rental processor needs the rental part of BENCH_SETUP');
  await contextProcessor(setup, {
    schema: 'rental',
    databaseUrl: setup.rental.databaseUrl,
    topics: { ...setup.rental.topics, results: setup.topics.results },
    handlers: () => rentalContextHandlers(new RentalRepository(), new CatalogRepository()),
  });
  return 'rental';
}

/**
 * The ledger processor. Four times a second it prints how many SQL statements its pool has sent so
 * far, and the milliseconds spent waiting for their answers by kind of statement (its first word,
 * and the table for an INSERT): where the time of a posting goes.
 */
async function ledger(setup: BenchSetup): Promise<string> {
  if (setup.ledger === undefined) throw new Error('the ledger processor needs the ledger part of BENCH_SETUP');
  let statements = 0;
  const started = new Map<string, { kind: string; at: number }>();
  const waitedMs = new Map<string, number>();
  const kindOf = (sql: string) => {
    const [verb = '', ...rest] = sql.trim().split(/\s+/);
    const table = /^(?:with|insert)$/i.test(verb) ? /insert into\s+(\S+)/i.exec(rest.join(' '))?.[1] : undefined;
    return `${verb.toLowerCase()}${table === undefined ? '' : `_${table.replace(/["`]/g, '').split('.').pop()}`}`;
  };
  const ended = (query: { __knexQueryUid?: string }) => {
    const start = started.get(query.__knexQueryUid ?? '');
    if (start === undefined) return;
    started.delete(query.__knexQueryUid ?? '');
    waitedMs.set(start.kind, (waitedMs.get(start.kind) ?? 0) + performance.now() - start.at);
  };
  await contextProcessor(setup, {
    schema: 'accounting',
    databaseUrl: setup.ledger.databaseUrl,
    topics: { ...setup.ledger.topics, results: setup.topics.results },
    handlers: () => ledgerHandlers(new LedgerRepository()),
    observe: (database) => {
      database.on('query', (query: { __knexQueryUid?: string; sql: string }) => {
        statements += 1;
        started.set(query.__knexQueryUid ?? '', { kind: kindOf(query.sql), at: performance.now() });
      });
      database.on('query-response', (_response: unknown, query: { __knexQueryUid?: string }) => ended(query));
      database.on('query-error', (_error: unknown, query: { __knexQueryUid?: string }) => ended(query));
    },
  });
  setInterval(() => {
    console.log(`STAT statements ${statements}`);
    for (const [kind, ms] of waitedMs) console.log(`STAT waited_ms_${kind} ${Math.round(ms)}`);
  }, 250).unref();
  return 'ledger';
}

function bare(): Promise<string> {
  const app = new Koa();
  app.use((ctx) => {
    ctx.status = 202;
    ctx.body = { commandId: randomUUID(), status: 'pending' };
  });
  return serve(app);
}

const roles: Record<string, (setup: BenchSetup) => Promise<string>> = { gateway, processor, rental, ledger, bare };
const role = roles[process.argv[2] ?? ''];
if (role === undefined) {
  console.error('usage: bench-services.ts gateway|processor|rental|ledger|bare');
  process.exit(2);
}
process.once('SIGTERM', () => process.exit(0));
// BENCH_TRACING: `none` (the default) as production's default settings run (trace ids made and
// passed on, nothing recorded); `recorded`, every span recorded as for an exporter, then dropped;
// `off`, no tracing at all.
const tracing = process.env.BENCH_TRACING ?? 'none';
if (tracing !== 'off' && process.argv[2] !== 'bare') {
  startTracing({
    service: `bench-${process.argv[2]}`,
    exporter: 'none',
    otlpEndpoint: new URL('http://localhost:4318/v1/traces'),
    sampleRatio: 1,
    ...(tracing === 'recorded' ? { spanProcessors: [new NoopSpanProcessor()] } : {}),
  });
}
role(JSON.parse(process.env.BENCH_SETUP ?? '{}') as BenchSetup).then(
  (url) => console.log(`READY ${url}`),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
