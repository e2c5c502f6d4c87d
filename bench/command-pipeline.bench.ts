/**
 * `npm run bench`: how fast the command pipeline is on this machine, against a baseline run here
 * and now. Needs the local stack (npm run stack -- up); uses its own topics and database.
 *
 * 1. Throughput: closed-loop load (CONCURRENCY requests in flight for PHASE_SECONDS) on
 *    POST /v1/vehicles, and on a bare Koa route that answers 202; accepted requests per second
 *    of each and their ratio.
 *    Then the processor's pace: commands of that phase turned into events per second.
 * 2. End-to-end latency at a fixed offered load (OFFERED_PER_SECOND for PHASE_SECONDS): from
 *    sending the request to VehicleRegistered arriving on the events topic; p50 and p99.
 *
 * Load generator, gateway, processor and observer share this process and the machine's cores, so
 * the figures are a floor; the ratio compares like with like.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import knex from 'knex';
import Koa from 'koa';
import pg from 'pg';
import { createGatewayApp } from '../gateway/app';
import { TokenVerifier } from '../gateway/auth/token-verifier';
import { CommandResultsConsumer, CommandWaiter } from '../gateway/commands/command-results';
import { CommandStatusRepository } from '../gateway/commands/command-status.repository';
import { CommandSubmitter } from '../gateway/commands/command-submitter';
import { IdempotencyStore } from '../gateway/commands/idempotency';
import { knexConfig } from '../knexfile';
import { AvroCodec } from '../platform/avro-codec';
import { loadConfig } from '../platform/config/load';
import { databaseAdminVariables, kafkaVariables, redisVariables, schemaRegistryVariables } from '../platform/config/variables';
import { createDatabase } from '../platform/database';
import { createIdempotentProducer, createKafka } from '../platform/kafka';
import { createLogger } from '../platform/logger';
import { createSchemaRegistry } from '../platform/schema-registry';
import { fleetHandlers } from '../processors/fleet/fleet.handlers';
import { FleetRepository } from '../processors/fleet/fleet.repository';
import { ContextProcessor } from '../processors/runtime/context-processor';
import { devKeyPaths, ensureDevKeys, signDevToken } from '../tools/dev-token-keys';

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const PHASE_SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const OFFERED_PER_SECOND = Number(process.env.BENCH_RATE ?? 500);
const DRAIN_WAIT_MS_MAX = 300_000;

const env = loadConfig({ ...kafkaVariables, ...schemaRegistryVariables, ...redisVariables, ...databaseAdminVariables });
const logger = createLogger('bench', 'warn');
const suffix = `${Date.now().toString(36)}_${randomUUID().slice(0, 8)}`;

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? Number.NaN;
}

async function listen(app: Koa): Promise<{ server: Server; url: string }> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Closed loop: CONCURRENCY workers send back to back for PHASE_SECONDS; returns accepted per second. */
async function throughput(send: () => Promise<Response>): Promise<{ perSecond: number; failed: number }> {
  const deadline = Date.now() + PHASE_SECONDS * 1000;
  let accepted = 0;
  let failed = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < deadline) {
        const response = await send();
        await response.arrayBuffer();
        if (response.status === 202) accepted += 1;
        else failed += 1;
      }
    }),
  );
  return { perSecond: accepted / PHASE_SECONDS, failed };
}

async function main(): Promise<void> {
  const databaseName = `fleet_bench_${suffix}`;
  const admin = new pg.Client({ connectionString: env.databaseAdminUrl.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${databaseName}`);
  const adminUrl = new URL(env.databaseAdminUrl);
  adminUrl.pathname = `/${databaseName}`;
  const migrator = knex(knexConfig({ DATABASE_ADMIN_URL: adminUrl.toString() }));
  await migrator.migrate.latest();
  const roleUrl = (role: string) => {
    const url = new URL(adminUrl);
    url.username = role;
    url.password = process.env[`DB_PASSWORD_${role.toUpperCase()}`] ?? '';
    return url;
  };
  const keysDir = mkdtempSync(path.join(tmpdir(), 'fleet-bench-keys-'));
  const signingKey = await ensureDevKeys(keysDir);
  const token = await signDevToken(signingKey, { subject: randomUUID(), roles: ['fleet_manager'], permissions: [], issuer: 'bench', audience: 'fleet-api', expiresInSeconds: 3600 });

  const topics = { commands: `bench.fleet.commands.${suffix}`, events: `bench.fleet.events.${suffix}`, results: `bench.command.results.${suffix}` };
  const kafka = createKafka({ brokers: env.kafkaBrokers, clientId: 'bench', logger });
  const kafkaAdmin = kafka.admin();
  await kafkaAdmin.connect();
  await kafkaAdmin.createTopics({ topics: Object.values(topics).map((topic) => ({ topic, numPartitions: 6, replicationFactor: 1 })) });
  const producer = createIdempotentProducer(kafka);
  await producer.connect();
  const codec = new AvroCodec(createSchemaRegistry(env.schemaRegistryUrl));
  const gatewayDatabase = createDatabase({ url: roleUrl('gateway_svc'), poolSizeMax: 10, statementTimeoutMs: 10_000, applicationName: 'bench-gateway' });
  const fleetDatabase = createDatabase({ url: roleUrl('fleet_svc'), poolSizeMax: 10, statementTimeoutMs: 10_000, applicationName: 'bench-fleet' });
  const statuses = new CommandStatusRepository(gatewayDatabase);
  const redis = new Redis(env.redisUrl.toString());
  const waiter = new CommandWaiter(redis.duplicate());
  await waiter.start();
  const processor = new ContextProcessor(
    {
      schema: 'fleet',
      topics,
      groupId: `bench-fleet-${suffix}`,
      databaseUrl: roleUrl('fleet_svc'),
      outboxBatchSizeMax: 500,
      outboxPollIntervalMs: 200,
      retryDelayMsMin: 100,
      retryDelayMsMax: 2_000,
      batchSizeMax: 200,
      partitionsConcurrently: 3,
    },
    { kafka, producer, database: fleetDatabase, codec, logger, handlers: fleetHandlers(new FleetRepository()) },
  );
  await processor.start();
  const results = new CommandResultsConsumer(kafka, codec, statuses, redis, { topic: topics.results, groupId: `bench-gateway-${suffix}` }, logger);
  await results.start();

  const arrivals = new Map<string, number>();
  const observer = kafka.consumer({ kafkaJS: { groupId: `bench-observer-${suffix}`, fromBeginning: true } });
  await observer.connect();
  await observer.subscribe({ topics: [topics.events] });
  await observer.run({ eachMessage: async ({ message }) => void arrivals.set(String(message.key), performance.now()) });

  const gateway = await listen(
    createGatewayApp({
      logger,
      probes: [],
      healthCheckTimeoutMs: 1_000,
      api: {
        verifier: new TokenVerifier({ issuer: 'bench', audience: 'fleet-api', algorithms: ['EdDSA'], jwksUrl: null, jwksFile: devKeyPaths(keysDir).jwks }),
        submitter: new CommandSubmitter(producer, codec, statuses),
        idempotency: new IdempotencyStore(redis),
        statuses,
        waiter,
        topics: { fleetCommands: topics.commands },
      },
    }),
  );
  const bare = new Koa();
  bare.use((ctx) => {
    ctx.status = 202;
    ctx.body = { commandId: randomUUID(), status: 'pending' };
  });
  const baseline = await listen(bare);

  let plate = 0;
  const register = () =>
    fetch(`${gateway.url}/v1/vehicles`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ plateNumber: `BN ${(plate += 1)}`, make: 'Renault', model: 'Zoe', year: 2024 }),
    });
  const bareRequest = () =>
    fetch(`${baseline.url}/v1/vehicles`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ plateNumber: 'x' }) });

  // Warm-up: schema registration, connection pools, JIT.
  for (let index = 0; index < 50; index += 1) await (await register()).arrayBuffer();

  const bareResult = await throughput(bareRequest);
  const eventsBefore = arrivals.size;
  const phaseStart = performance.now();
  const gatewayResult = await throughput(register);

  // The processor's own pace: how long until every command of the throughput phase became an event.
  const expected = eventsBefore + gatewayResult.perSecond * PHASE_SECONDS;
  const drainDeadline = Date.now() + DRAIN_WAIT_MS_MAX;
  while (arrivals.size < expected && Date.now() < drainDeadline) await new Promise((resolve) => setTimeout(resolve, 100));
  const lastArrival = Math.max(...arrivals.values());
  const processedPerSecond = (arrivals.size - eventsBefore) / ((lastArrival - phaseStart) / 1000);
  const sent = new Map<string, number>();
  const intervalMs = 1000 / OFFERED_PER_SECOND;
  const start = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let index = 0; index < OFFERED_PER_SECOND * PHASE_SECONDS; index += 1) {
    const due = start + index * intervalMs;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const sentAt = performance.now();
    inFlight.push(
      register().then(async (response) => {
        const body = (await response.json()) as { aggregateId?: string };
        if (body.aggregateId) sent.set(body.aggregateId, sentAt);
      }),
    );
  }
  await Promise.all(inFlight);
  const deadline = Date.now() + DRAIN_WAIT_MS_MAX;
  while ([...sent.keys()].some((id) => !arrivals.has(id)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  const latencies = [...sent.entries()].filter(([id]) => arrivals.has(id)).map(([id, at]) => arrivals.get(id)! - at).sort((a, b) => a - b);

  const report = {
    machine: { cores: (await import('node:os')).cpus().length, node: process.version },
    throughput: {
      concurrency: CONCURRENCY,
      seconds: PHASE_SECONDS,
      bareKoa202PerSecond: Math.round(bareResult.perSecond),
      gatewayAcceptedPerSecond: Math.round(gatewayResult.perSecond),
      gatewayFailed: gatewayResult.failed,
      ratioGatewayToBare: Number((gatewayResult.perSecond / bareResult.perSecond).toFixed(3)),
      processorEventsPerSecond: Math.round(processedPerSecond),
    },
    endToEnd: {
      offeredPerSecond: OFFERED_PER_SECOND,
      seconds: PHASE_SECONDS,
      commands: sent.size,
      eventsSeen: latencies.length,
      p50Ms: Math.round(percentile(latencies, 0.5)),
      p99Ms: Math.round(percentile(latencies, 0.99)),
      maxMs: Math.round(latencies.at(-1) ?? Number.NaN),
    },
  };
  console.log(JSON.stringify(report, null, 2));

  gateway.server.close();
  baseline.server.close();
  await observer.disconnect();
  await results.stop();
  await waiter.stop();
  await processor.stop();
  redis.disconnect();
  await producer.disconnect();
  await kafkaAdmin.deleteTopics({ topics: Object.values(topics) });
  await kafkaAdmin.disconnect();
  await gatewayDatabase.destroy();
  await fleetDatabase.destroy();
  await migrator.destroy();
  await admin.query(`DROP DATABASE ${databaseName} WITH (FORCE)`);
  await admin.end();
  rmSync(keysDir, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
