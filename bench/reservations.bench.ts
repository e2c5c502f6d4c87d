/**
 * `npm run bench -- reservations`: how fast reservations go through the whole pipeline (HTTP,
 * gateway, Kafka, the rental processor, PostgreSQL, the outbox, the events topic), next to
 * registrations of vehicles measured the same way in the same run (the pipeline bench's figure).
 *
 * Its own database and topics. The rental context's projection holds BENCH_VEHICLES vehicles of one
 * class at one location with a pricing plan (SQL inserts as the superuser). Reservation i books
 * vehicle i mod BENCH_VEHICLES for two days in slot ⌊i / BENCH_VEHICLES⌋ (slots three days apart,
 * the class's buffer is an hour), so every one is accepted and each vehicle's bookings queue up on
 * one partition as they would in production. For each command (RegisterVehicle, ReserveRental):
 *
 * 1. The gateway: closed-loop load, CONCURRENCY requests in flight for PHASE_SECONDS, while the
 *    context's processor is stopped (SIGSTOP); accepted requests per second.
 * 2. The processor: resumed, how fast it turns that backlog into events (events per second from
 *    resuming to the last event arriving on the events topic).
 * 3. End to end at a fixed offered load (OFFERED_PER_SECOND for PHASE_SECONDS, the same for both
 *    commands): from sending the request to its event (matched by its causation id) arriving on
 *    the events topic; p50 and p99. The rate must stay below both processors' pace (the report
 *    says whether it did), or the latency measured is that of a growing queue.
 *
 * The gateway, the two processors and this load generator share the machine's cores.
 * docs/performance.md has the figures measured and what they mean.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { loadConfig } from '../platform/config/load';
import { databaseAdminVariables, kafkaVariables, redisVariables, schemaRegistryVariables } from '../platform/config/variables';
import { createKafka } from '../platform/kafka';
import { createLogger } from '../platform/logger';
import { readMetadata } from '../platform/message-headers';
import { devKeyPaths, ensureDevKeys, signDevToken } from '../tools/dev-token-keys';
import { BenchDatabase, BenchServices, closedLoop, integerSetting, md5Uuid, percentile, ratio, runSuffix, step } from './bench-support';
import type { BenchSetup } from './bench-services';

const CONCURRENCY = integerSetting('BENCH_CONCURRENCY', 32, 1, 1_000);
const PHASE_SECONDS = integerSetting('BENCH_SECONDS', 10, 1, 600);
/** Below the rental processor's pace on a 2-core machine (~125/s), or the latency measured is the queue's. */
const OFFERED_PER_SECOND = integerSetting('BENCH_RATE', 50, 1, 10_000);
const VEHICLES = integerSetting('BENCH_VEHICLES', 5_000, 1, 1_000_000);
const DRAIN_WAIT_MS_MAX = 180_000;
// BENCH_PROFILE_DIR=dir: each service writes a V8 CPU profile (<role>.cpuprofile) there when it stops.
const WARMUP_REQUESTS = 50;
const DAY_MS = 86_400_000;
const SLOT_DAYS = 3;
const RENTAL_DAYS = 2;

const VEHICLE_REGISTERED = 'fleet.VehicleRegistered';
const RENTAL_RESERVED = 'rental.RentalReserved';

const logger = createLogger('bench', 'warn');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The rental context's reference data: one location, one class with a one-hour buffer and a plan, the vehicles. */
async function preload(admin: Knex): Promise<string> {
  const locationId = randomUUID();
  await admin.transaction(async (transaction) => {
    await transaction.raw("INSERT INTO rental.locations (id, name, type, time_zone) VALUES (?, 'Bench depot', 'depot', 'Europe/Paris')", [locationId]);
    await transaction.raw("INSERT INTO rental.vehicle_class_policies (vehicle_class, buffer_minutes) VALUES ('compact', 60)");
    await transaction.raw(`INSERT INTO rental.pricing_plans (name, vehicle_class, currency, daily_rate_cents, hourly_rate_cents, deposit_cents, valid_from)
      VALUES ('Bench compact', 'compact', 'EUR', 4900, 800, 30000, now() - interval '1 day')`);
    await transaction.raw(
      `INSERT INTO rental.vehicle_projection (vehicle_id, plate_number, vehicle_class, status, location_id, last_event_id, last_event_at)
       SELECT md5('bench-vehicle-' || n)::uuid, 'BR-' || lpad(n::text, 6, '0'), 'compact', 'active', ?, 'bench-' || n, now()
       FROM generate_series(0, ?::int - 1) AS n`,
      [locationId, VEHICLES],
    );
  });
  return locationId;
}

/** Events of the run by the command that caused them, and how many of each type arrived when. */
class EventObserver {
  readonly arrivals = new Map<string, number>();
  private readonly counts = new Map<string, number>();
  private readonly lastArrival = new Map<string, number>();

  record(headers: Parameters<typeof readMetadata>[0]): void {
    const metadata = readMetadata(headers);
    const at = performance.now();
    if (metadata.causationId !== null) this.arrivals.set(metadata.causationId, at);
    this.counts.set(metadata.messageType, (this.counts.get(metadata.messageType) ?? 0) + 1);
    this.lastArrival.set(metadata.messageType, at);
  }

  count(type: string): number {
    return this.counts.get(type) ?? 0;
  }

  last(type: string): number {
    return this.lastArrival.get(type) ?? Number.NaN;
  }

  /** Waits until `count` events of `type` arrived, or DRAIN_WAIT_MS_MAX passed; whether they all did. */
  async awaitCount(type: string, count: number): Promise<boolean> {
    const deadline = Date.now() + DRAIN_WAIT_MS_MAX;
    while (this.count(type) < count && Date.now() < deadline) await sleep(100);
    return this.count(type) >= count;
  }
}

interface CommandUnderTest {
  readonly name: string;
  readonly eventType: string;
  readonly processorRole: string;
  readonly send: (headers?: Record<string, string>) => Promise<Response>;
}


/** The three phases for one command; see the file's comment. */
async function measure(command: CommandUnderTest, services: BenchServices, observer: EventObserver) {
  const eventsBefore = observer.count(command.eventType);
  services.pause(command.processorRole);
  const gateway = await closedLoop(() => command.send(), CONCURRENCY, PHASE_SECONDS);
  const resumedAt = performance.now();
  services.resume(command.processorRole);
  const drainedAll = await observer.awaitCount(command.eventType, eventsBefore + gateway.accepted);
  const processed = observer.count(command.eventType) - eventsBefore;
  const processorEventsPerSecond = processed / ((observer.last(command.eventType) - resumedAt) / 1000);

  const sent = new Map<string, number>();
  let failed = 0;
  const intervalMs = 1000 / OFFERED_PER_SECOND;
  const offeredStart = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let index = 0; index < OFFERED_PER_SECOND * PHASE_SECONDS; index += 1) {
    const wait = offeredStart + index * intervalMs - performance.now();
    if (wait > 1) await sleep(wait);
    const sentAt = performance.now();
    inFlight.push(
      command.send().then(async (response) => {
        const body = (await response.json()) as { commandId?: string };
        if (response.status === 202 && body.commandId !== undefined) sent.set(body.commandId, sentAt);
        else failed += 1;
      }),
    );
  }
  await Promise.all(inFlight);
  const deadline = Date.now() + DRAIN_WAIT_MS_MAX;
  while ([...sent.keys()].some((id) => !observer.arrivals.has(id)) && Date.now() < deadline) await sleep(100);
  const latencies = [...sent.entries()]
    .filter(([id]) => observer.arrivals.has(id))
    .map(([id, at]) => observer.arrivals.get(id)! - at)
    .sort((a, b) => a - b);
  return {
    gatewayAcceptedPerSecond: Math.round(gateway.accepted / PHASE_SECONDS),
    gatewayFailed: gateway.failed,
    processorEventsPerSecond: Math.round(processorEventsPerSecond),
    processorDrainedAll: drainedAll,
    offeredBelowProcessorPace: OFFERED_PER_SECOND < processorEventsPerSecond,
    endToEnd: {
      commands: sent.size,
      failed,
      eventsSeen: latencies.length,
      p50Ms: Math.round(percentile(latencies, 0.5)),
      p99Ms: Math.round(percentile(latencies, 0.99)),
      maxMs: Math.round(latencies.at(-1) ?? Number.NaN),
    },
  };
}

async function main(): Promise<void> {
  const env = loadConfig({ ...kafkaVariables, ...schemaRegistryVariables, ...redisVariables, ...databaseAdminVariables });
  const suffix = runSuffix();
  const database = new BenchDatabase(env.databaseAdminUrl, `fleet_bench_${suffix}`);
  const keysDir = mkdtempSync(path.join(tmpdir(), 'fleet-bench-keys-'));
  const topics = {
    commands: `bench.fleet.commands.${suffix}`,
    events: `bench.fleet.events.${suffix}`,
    results: `bench.command.results.${suffix}`,
    rentalCommands: `bench.rental.commands.${suffix}`,
    rentalEvents: `bench.rental.events.${suffix}`,
  };
  const kafka = createKafka({ brokers: env.kafkaBrokers, clientId: 'bench', logger });
  const kafkaAdmin = kafka.admin();
  const observerConsumer = kafka.consumer({ kafkaJS: { groupId: `bench-observer-${suffix}`, fromBeginning: true } });
  let services: BenchServices | undefined;
  try {
    const admin = await step(`database ${database.name}`, () => database.create());
    const locationId = await step(`${VEHICLES} vehicles, a location and a pricing plan`, () => preload(admin));
    const signingKey = await ensureDevKeys(keysDir);
    const token = await signDevToken(signingKey, {
      subject: randomUUID(),
      roles: [],
      permissions: ['vehicles.register', 'rentals.reserve'],
      issuer: 'bench',
      audience: 'fleet-api',
      expiresInSeconds: 3600,
    });
    await kafkaAdmin.connect();
    await kafkaAdmin.createTopics({ topics: Object.values(topics).map((topic) => ({ topic, numPartitions: 6, replicationFactor: 1 })) });
    const setup: BenchSetup = {
      suffix,
      brokers: env.kafkaBrokers,
      registryUrl: env.schemaRegistryUrl.toString(),
      redisUrl: env.redisUrl.toString(),
      gatewayDatabaseUrl: database.loginUrl('gateway_svc').toString(),
      fleetDatabaseUrl: database.loginUrl('fleet_svc').toString(),
      jwksFile: devKeyPaths(keysDir).jwks,
      topics: { commands: topics.commands, events: topics.events, results: topics.results },
      rental: { databaseUrl: database.loginUrl('rental_svc').toString(), topics: { commands: topics.rentalCommands, events: topics.rentalEvents } },
    };
    services = new BenchServices(setup, process.env.BENCH_PROFILE_DIR);
    const running = services;
    const [gatewayUrl] = await step('gateway and processors', () => Promise.all([running.start('gateway'), running.start('processor'), running.start('rental')]));

    const observer = new EventObserver();
    await observerConsumer.connect();
    await observerConsumer.subscribe({ topics: [topics.events, topics.rentalEvents] });
    await observerConsumer.run({ eachMessage: async ({ message }) => observer.record(message.headers ?? {}) });

    const post = (route: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${gatewayUrl}${route}`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
    let plate = 0;
    const register: CommandUnderTest = {
      name: 'RegisterVehicle',
      eventType: VEHICLE_REGISTERED,
      processorRole: 'processor',
      send: (headers) => post('/v1/vehicles', { plateNumber: `BN ${(plate += 1)}`, make: 'Renault', model: 'Zoe', year: 2024 }, headers),
    };
    // Whole days from tomorrow, so that no reservation starts in the past however long the run.
    const firstStart = Math.ceil(Date.now() / DAY_MS) * DAY_MS + DAY_MS;
    let reservation = 0;
    const reserve: CommandUnderTest = {
      name: 'ReserveRental',
      eventType: RENTAL_RESERVED,
      processorRole: 'rental',
      send: (headers) => {
        const index = reservation;
        reservation += 1;
        const startAt = firstStart + Math.floor(index / VEHICLES) * SLOT_DAYS * DAY_MS;
        const body = {
          vehicleId: md5Uuid(`bench-vehicle-${index % VEHICLES}`),
          originLocationId: locationId,
          destinationLocationId: locationId,
          startAt: new Date(startAt).toISOString(),
          endAt: new Date(startAt + RENTAL_DAYS * DAY_MS).toISOString(),
        };
        return post('/v1/rentals', body, headers);
      },
    };

    // Warm-up (schemas, pools, JIT), and proof that the setup is right: the last of each is awaited.
    for (const command of [register, reserve]) {
      for (let index = 1; index < WARMUP_REQUESTS; index += 1) await (await command.send()).arrayBuffer();
      const outcome = await command.send({ Prefer: 'wait=30' });
      if (outcome.status !== 201) throw new Error(`the warm-up ${command.name} was not accepted: ${outcome.status} ${await outcome.text()}`);
      await outcome.arrayBuffer();
    }

    const registrations = await step('RegisterVehicle', () => measure(register, running, observer));
    const reservations = await step('ReserveRental', () => measure(reserve, running, observer));
    const report = {
      machine: { cores: cpus().length, node: process.version },
      settings: { concurrency: CONCURRENCY, seconds: PHASE_SECONDS, offeredPerSecond: OFFERED_PER_SECOND, vehicles: VEHICLES },
      registerVehicle: registrations,
      reserveRental: reservations,
      reservationToRegistration: {
        gatewayAccepted: ratio(reservations.gatewayAcceptedPerSecond, registrations.gatewayAcceptedPerSecond),
        processorEvents: ratio(reservations.processorEventsPerSecond, registrations.processorEventsPerSecond),
        endToEndP50: ratio(reservations.endToEnd.p50Ms, registrations.endToEnd.p50Ms),
        endToEndP99: ratio(reservations.endToEnd.p99Ms, registrations.endToEnd.p99Ms),
      },
    };
    console.log(JSON.stringify(report, null, 2));
  } finally {
    await observerConsumer.disconnect().catch(() => undefined);
    await services?.stop();
    await kafkaAdmin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
    await kafkaAdmin.disconnect().catch(() => undefined);
    await database.drop();
    rmSync(keysDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
