/**
 * `npm run bench`: how fast the command pipeline is on this machine, against a baseline run here
 * and now. Needs the local stack (npm run stack -- up); uses its own topics and database.
 *
 * 1. Throughput: closed-loop load (CONCURRENCY requests in flight for PHASE_SECONDS) on
 *    POST /v1/vehicles, and on a bare Koa route that answers 202; accepted requests per second
 *    of each and their ratio. The fleet processor is stopped (SIGSTOP) while the gateway is
 *    measured, so the two do not share the cores; then it is resumed and its pace is how fast it
 *    turns that backlog into events.
 * 2. End-to-end latency at a fixed offered load (OFFERED_PER_SECOND for PHASE_SECONDS): from
 *    sending the request to VehicleRegistered arriving on the events topic; p50 and p99.
 *
 * The gateway, the fleet processor and the bare Koa route each run in a process of their own
 * (bench/bench-services.ts); this process generates the load and observes the events topic. All
 * share the machine's cores, so the figures are for this machine only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import knex from 'knex';
import pg from 'pg';
import { knexConfig } from '../knexfile';
import { loadConfig } from '../platform/config/load';
import { databaseAdminVariables, kafkaVariables, redisVariables, schemaRegistryVariables } from '../platform/config/variables';
import { createKafka } from '../platform/kafka';
import { createLogger } from '../platform/logger';
import { devKeyPaths, ensureDevKeys, signDevToken } from '../tools/dev-token-keys';
import type { BenchSetup } from './bench-services';
import { closedLoop, percentile } from './bench-support';

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const PHASE_SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const OFFERED_PER_SECOND = Number(process.env.BENCH_RATE ?? 500);
const DRAIN_WAIT_MS_MAX = 120_000;
/** Where each service writes a V8 CPU profile (<role>.cpuprofile) when it stops; unset: no profiling. */
const PROFILE_DIR = process.env.BENCH_PROFILE_DIR;

const env = loadConfig({ ...kafkaVariables, ...schemaRegistryVariables, ...redisVariables, ...databaseAdminVariables });
const logger = createLogger('bench', 'warn');
const suffix = `${Date.now().toString(36)}_${randomUUID().slice(0, 8)}`;

/** Closed loop: CONCURRENCY workers send back to back for PHASE_SECONDS; returns accepted per second. */
async function throughput(send: () => Promise<Response>): Promise<{ perSecond: number; accepted: number; failed: number }> {
  const { accepted, failed } = await closedLoop(send, CONCURRENCY, PHASE_SECONDS);
  return { perSecond: accepted / PHASE_SECONDS, accepted, failed };
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
  const setup: BenchSetup = {
    suffix,
    brokers: env.kafkaBrokers,
    registryUrl: env.schemaRegistryUrl.toString(),
    redisUrl: env.redisUrl.toString(),
    gatewayDatabaseUrl: roleUrl('gateway_svc').toString(),
    fleetDatabaseUrl: roleUrl('fleet_svc').toString(),
    jwksFile: devKeyPaths(keysDir).jwks,
    topics,
  };
  const children: ChildProcess[] = [];
  const roles = new Map<string, ChildProcess>();
  const start = (role: string) =>
    new Promise<string>((resolve, reject) => {
      const profile = PROFILE_DIR === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${path.resolve(PROFILE_DIR)}`, `--cpu-prof-name=${role}.cpuprofile`];
      const child = spawn(process.execPath, [...profile, '--import', 'tsx', path.join(__dirname, 'bench-services.ts'), role], {
        env: { ...process.env, BENCH_SETUP: JSON.stringify(setup) },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      children.push(child);
      roles.set(role, child);
      createInterface({ input: child.stdout }).on('line', (line) => {
        if (line.startsWith('READY ')) resolve(line.slice(6));
      });
      child.once('exit', (code) => reject(new Error(`${role} exited with ${code}`)));
    });
  const [gatewayUrl, , bareUrl] = await Promise.all([start('gateway'), start('processor'), start('bare')]);

  const arrivals = new Map<string, number>();
  const observer = kafka.consumer({ kafkaJS: { groupId: `bench-observer-${suffix}`, fromBeginning: true } });
  await observer.connect();
  await observer.subscribe({ topics: [topics.events] });
  await observer.run({ eachMessage: async ({ message }) => void arrivals.set(String(message.key), performance.now()) });

  let plate = 0;
  const register = () =>
    fetch(`${gatewayUrl}/v1/vehicles`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ plateNumber: `BN ${(plate += 1)}`, make: 'Renault', model: 'Zoe', year: 2024 }),
    });
  const bareRequest = () =>
    fetch(`${bareUrl}/v1/vehicles`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ plateNumber: 'x' }) });

  // Warm-up: schema registration, connection pools, JIT.
  for (let index = 0; index < 50; index += 1) await (await register()).arrayBuffer();

  const bareResult = await throughput(bareRequest);
  // The gateway alone: the processor is stopped (SIGSTOP) so that it does not take the cores the
  // gateway is measured on; the commands queue up on the topic meanwhile.
  const processorProcess = roles.get('processor')!;
  const eventsBefore = arrivals.size;
  processorProcess.kill('SIGSTOP');
  const gatewayResult = await throughput(register);
  // The processor alone: how fast it turns that backlog into events once it runs again.
  const drainStart = performance.now();
  processorProcess.kill('SIGCONT');
  const expected = eventsBefore + gatewayResult.accepted;
  const drainDeadline = Date.now() + DRAIN_WAIT_MS_MAX;
  while (arrivals.size < expected && Date.now() < drainDeadline) await new Promise((resolve) => setTimeout(resolve, 100));
  const lastArrival = Math.max(...arrivals.values());
  const processedPerSecond = (arrivals.size - eventsBefore) / ((lastArrival - drainStart) / 1000);
  const sent = new Map<string, number>();
  const intervalMs = 1000 / OFFERED_PER_SECOND;
  const offeredStart = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let index = 0; index < OFFERED_PER_SECOND * PHASE_SECONDS; index += 1) {
    const due = offeredStart + index * intervalMs;
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
      processorDrainedAll: arrivals.size >= expected,
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

  await observer.disconnect();
  for (const child of children) child.kill('SIGTERM');
  await Promise.all(children.map((child) => new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(null)))));
  await kafkaAdmin.deleteTopics({ topics: Object.values(topics) });
  await kafkaAdmin.disconnect();
  await migrator.destroy();
  await admin.query(`DROP DATABASE ${databaseName} WITH (FORCE)`);
  await admin.end();
  rmSync(keysDir, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
