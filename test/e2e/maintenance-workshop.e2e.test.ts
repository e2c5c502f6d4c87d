import type { KafkaJS } from '@confluentinc/kafka-javascript';
import { Redis } from 'ioredis';
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createGatewayApp } from '../../gateway/app';
import maintenanceOpenApi from '../../gateway/openapi/maintenance.json';
import { TokenVerifier } from '../../gateway/auth/token-verifier';
import { CommandResultsConsumer, CommandWaiter } from '../../gateway/commands/command-results';
import { CommandStatusRepository } from '../../gateway/commands/command-status.repository';
import { CommandSubmitter } from '../../gateway/commands/command-submitter';
import { IdempotencyStore } from '../../gateway/commands/idempotency';
import { MaintenanceQueries } from '../../gateway/queries/maintenance.queries';
import { RentalQueries } from '../../gateway/queries/rental.queries';
import { VehicleQueries } from '../../gateway/queries/vehicle.queries';
import { AvroCodec } from '../../platform/avro-codec';
import { createDatabase } from '../../platform/database';
import { deadLetterTopicOf, retryTopicOf } from '../../platform/failure-records';
import { createIdempotentProducer, createKafka } from '../../platform/kafka';
import { createSchemaRegistry } from '../../platform/schema-registry';
import { maintenanceHandlers } from '../../processors/maintenance/maintenance.handlers';
import { MaintenanceRepository } from '../../processors/maintenance/maintenance.repository';
import type { ContextProcessor } from '../../processors/runtime/context-processor';
import { devKeyPaths, ensureDevKeys, signDevToken } from '../../tools/dev-token-keys';
import { startContextProcessor } from '../support/context-processor';
import { ScratchDatabase } from '../support/database';
import { eventually } from '../support/eventually';
import { startFleetProcessor } from '../support/fleet-processor';
import { uniqueName } from '../support/names';
import { silentLogger } from '../support/silent-logger';
import { stackEnv } from '../support/stack-env';

/**
 * The workshop through HTTP and back out of Kafka, with the real fleet and maintenance processors
 * following each other's events topics: a vehicle registered in the fleet becomes known to the
 * workshop; a job is booked, started (the fleet moves the vehicle to under_maintenance), costed
 * with parts and completed (the fleet puts it back in service), each with Prefer: wait; refusals
 * answer with their reason codes; an odometer reading past the plan's margin puts the vehicle on
 * GET /v1/maintenance/due and announces ServiceDue once.
 */
const env = stackEnv();
const ISSUER = 'maintenance-e2e-test';
const AUDIENCE = 'fleet-api';
const MANAGER = '6d8e2f3a-9a4b-4b7c-8e1f-2a3b4c5d6e7f';
const MECHANIC = '7e9f3a4b-0b5c-4c8d-9f2a-3b4c5d6e7f80';
const DAY_MS = 24 * 60 * 60 * 1000;

describe('the workshop through the gateway', () => {
  const database = new ScratchDatabase();
  const keysDir = mkdtempSync(path.join(tmpdir(), 'maintenance-e2e-keys-'));
  const topics = {
    fleetCommands: uniqueName('e2e.fleet.commands'),
    fleetEvents: uniqueName('e2e.fleet.events'),
    maintenanceCommands: uniqueName('e2e.maintenance.commands'),
    maintenanceEvents: uniqueName('e2e.maintenance.events'),
    results: uniqueName('e2e.command.results'),
  };
  const kafka = createKafka({ brokers: env.kafkaBrokers, clientId: 'e2e-maintenance', logger: silentLogger });
  const admin = kafka.admin();
  const producer = createIdempotentProducer(kafka);
  const codec = new AvroCodec(createSchemaRegistry(env.schemaRegistryUrl));
  const publisher = new Redis(env.redisUrl.toString());
  const waiter = new CommandWaiter(new Redis(env.redisUrl.toString()));
  const maintenanceEvents: { key: string; type: string; value: Record<string, unknown> }[] = [];
  const processors: ContextProcessor[] = [];
  const connections: Knex[] = [];
  let results: CommandResultsConsumer;
  let resultsGroup: string;
  let observer: KafkaJS.Consumer;
  let server: Server;
  let baseUrl: string;
  let signingKey: Awaited<ReturnType<typeof ensureDevKeys>>;
  let maintenanceDatabase: Knex;

  const token = (subject: string, roles: string[]) =>
    signDevToken(signingKey, { subject, roles, permissions: [], issuer: ISSUER, audience: AUDIENCE, expiresInSeconds: 300 });

  const connect = (role: string): Knex => {
    const connection = createDatabase({ url: database.urlFor(role), poolSizeMax: 4, statementTimeoutMs: 10_000, applicationName: `e2e-${role}` });
    connections.push(connection);
    return connection;
  };

  async function maintenanceCommandsProduced(): Promise<number> {
    const offsets = await admin.fetchTopicOffsets(topics.maintenanceCommands);
    return offsets.reduce((sum, partition) => sum + Number(partition.high), 0);
  }

  async function send(method: string, route: string, body: unknown, as: { subject: string; roles: string[] } = { subject: MANAGER, roles: ['fleet_manager'] }) {
    const response = await fetch(`${baseUrl}${route}`, {
      method,
      headers: { Authorization: `Bearer ${await token(as.subject, as.roles)}`, 'Content-Type': 'application/json', Prefer: 'wait=20' },
      body: JSON.stringify(body),
    });
    return { status: response.status, location: response.headers.get('location'), body: (await response.json()) as Record<string, unknown> };
  }

  const asMechanic = { subject: MECHANIC, roles: ['mechanic'] };

  async function get(route: string) {
    const response = await fetch(`${baseUrl}${route}`, { headers: { Authorization: `Bearer ${await token(MANAGER, ['fleet_manager'])}` } });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  const vehicleStatus = async (vehicleId: string) => (await get(`/v1/vehicles/${vehicleId}`)).body.status as string;

  beforeAll(async () => {
    await database.create({ migrate: true });
    signingKey = await ensureDevKeys(keysDir);
    await admin.connect();
    await admin.createTopics({ topics: Object.values(topics).map((topic) => ({ topic, numPartitions: 2, replicationFactor: 1 })) });
    await producer.connect();
    const gatewayDatabase = connect('gateway_svc');
    const readerDatabase = connect('gateway_reader');
    maintenanceDatabase = connect('maintenance_svc');
    const statuses = new CommandStatusRepository(gatewayDatabase);
    // The fleet follows the workshop's real events topic, and the workshop the fleet's.
    processors.push(
      await startFleetProcessor({
        kafka,
        producer,
        codec,
        database: connect('fleet_svc'),
        databaseUrl: database.urlFor('fleet_svc'),
        topics: { commands: topics.fleetCommands, events: topics.fleetEvents, results: topics.results, subscriptions: [topics.maintenanceEvents] },
      }),
      await startContextProcessor('maintenance', maintenanceHandlers(new MaintenanceRepository()), {
        kafka,
        producer,
        codec,
        database: maintenanceDatabase,
        databaseUrl: database.urlFor('maintenance_svc'),
        topics: { commands: topics.maintenanceCommands, events: topics.maintenanceEvents, results: topics.results, subscriptions: [topics.fleetEvents] },
      }),
    );
    resultsGroup = uniqueName('e2e-gateway');
    results = new CommandResultsConsumer(
      kafka,
      producer,
      codec,
      statuses,
      publisher,
      { topic: topics.results, groupId: resultsGroup, outageDelayMsMin: 200, outageDelayMsMax: 2_000 },
      silentLogger,
    );
    await results.start();
    await waiter.start();
    observer = kafka.consumer({ kafkaJS: { groupId: uniqueName('e2e-observer'), fromBeginning: true } });
    await observer.connect();
    await observer.subscribe({ topics: [topics.maintenanceEvents] });
    await observer.run({
      eachMessage: async ({ message }) => {
        const type = String(message.headers?.['message-type'] ?? '');
        maintenanceEvents.push({ key: String(message.key), type, value: (await codec.decode(message.value as Buffer)) as Record<string, unknown> });
      },
    });
    const app = createGatewayApp({
      logger: silentLogger,
      probes: [],
      healthCheckTimeoutMs: 1_000,
      api: {
        verifier: new TokenVerifier({ issuer: ISSUER, audience: AUDIENCE, algorithms: ['EdDSA'], jwksUrl: null, jwksFile: devKeyPaths(keysDir).jwks }),
        submitter: new CommandSubmitter(producer, codec, statuses),
        idempotency: new IdempotencyStore(publisher),
        statuses,
        waiter,
        vehicles: new VehicleQueries(readerDatabase),
        rentals: new RentalQueries(readerDatabase),
        maintenance: new MaintenanceQueries(readerDatabase),
        topics: { fleetCommands: topics.fleetCommands, rentalCommands: uniqueName('e2e.rental.commands.unused'), maintenanceCommands: topics.maintenanceCommands },
      },
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }, 120_000);

  afterAll(async () => {
    server.close();
    await observer.disconnect();
    await results.stop();
    await waiter.stop();
    publisher.disconnect();
    for (const processor of processors) await processor.stop();
    await producer.disconnect();
    await admin.deleteTopics({ topics: [...Object.values(topics), retryTopicOf(resultsGroup), deadLetterTopicOf(resultsGroup)] });
    await admin.disconnect();
    await Promise.all(connections.map((connection) => connection.destroy()));
    await database.drop();
    rmSync(keysDir, { recursive: true, force: true });
  });

  /** A vehicle registered in the fleet with a first reading, once the workshop has heard of it. */
  async function registeredVehicle(plateNumber: string, firstKm: number): Promise<string> {
    const registered = await send('POST', '/v1/vehicles', { plateNumber, make: 'Skoda', model: 'Enyaq', vehicleClass: 'suv' });
    expect(registered.status).toBe(201);
    const vehicleId = registered.body.aggregateId as string;
    expect((await send('POST', `/v1/vehicles/${vehicleId}/odometer-readings`, { readingKm: firstKm, recordedAt: new Date().toISOString() })).status).toBe(201);
    await eventually(
      async () => (await maintenanceDatabase('maintenance.odometer_readings').where('vehicle_id', vehicleId).first('reading_id')) ?? undefined,
      30_000,
      'the workshop to follow the registration and the reading',
    );
    return vehicleId;
  }

  it('books, starts, costs and completes a job with Prefer: wait, and the fleet follows the vehicle in and out of the workshop', async () => {
    const vehicleId = await registeredVehicle('MX E2E 1', 1_000);
    const windowStart = new Date(Date.now() + DAY_MS);
    const booked = await send('POST', '/v1/maintenance/jobs', {
      vehicleId,
      kind: 'service',
      title: 'Yearly service',
      windowStart: windowStart.toISOString(),
      windowEnd: new Date(windowStart.getTime() + 8 * 60 * 60 * 1000).toISOString(),
      mechanicId: MECHANIC,
    });
    expect(booked).toMatchObject({ status: 201, body: { status: 'accepted', commandType: 'maintenance.ScheduleMaintenance' } });
    const jobId = booked.body.aggregateId as string;
    expect(booked.location).toBe(`/v1/maintenance/jobs/${jobId}`);

    expect(await send('POST', `/v1/maintenance/jobs/${jobId}/start`, {}, asMechanic)).toMatchObject({ status: 200, body: { status: 'accepted' } });
    await eventually(async () => ((await vehicleStatus(vehicleId)) === 'under_maintenance' ? true : undefined), 30_000, 'the fleet to move the vehicle to under_maintenance');

    const parts = [{ partName: 'Oil filter', partNumber: 'OF-113', quantity: 1, unitCostMinor: 1_450, currency: 'EUR' }];
    expect(await send('POST', `/v1/maintenance/jobs/${jobId}/parts`, { parts }, asMechanic)).toMatchObject({ status: 200, body: { status: 'accepted' } });
    const completed = await send(
      'POST',
      `/v1/maintenance/jobs/${jobId}/complete`,
      { laborCostMinor: 12_000, currency: 'EUR', odometerKm: 1_200, parts: [{ partName: 'Engine oil 5W-30', quantity: 5, unitCostMinor: 1_100, currency: 'EUR' }] },
      asMechanic,
    );
    expect(completed).toMatchObject({ status: 200, body: { status: 'accepted' } });
    await eventually(async () => ((await vehicleStatus(vehicleId)) === 'active' ? true : undefined), 30_000, 'the fleet to put the vehicle back in service');

    const job = await get(`/v1/maintenance/jobs/${jobId}`);
    expect(job).toMatchObject({
      status: 200,
      body: {
        id: jobId,
        vehicleId,
        kind: 'service',
        status: 'completed',
        mechanicId: MECHANIC,
        odometerKm: 1_200,
        laborCostMinor: 12_000,
        partsCostMinor: 1_450 + 5 * 1_100,
        totalCostMinor: 12_000 + 1_450 + 5 * 1_100,
        currency: 'EUR',
      },
    });
    expect((job.body.parts as { partName: string }[]).map((part) => part.partName).sort()).toEqual(['Engine oil 5W-30', 'Oil filter']);
    const history = (await get(`/v1/vehicles/${vehicleId}/history`)).body.changes as { to: string; cause: string }[];
    expect(history.map((change) => [change.to, change.cause])).toEqual([
      ['active', 'VehicleRegistered'],
      ['under_maintenance', 'maintenance.MaintenanceStarted'],
      ['active', 'maintenance.MaintenanceCompleted'],
    ]);
    const listed = await get(`/v1/maintenance/jobs?vehicleId=${vehicleId}&status=completed`);
    expect((listed.body.items as { id: string }[]).map((item) => item.id)).toEqual([jobId]);
    const announced = await eventually(
      () => {
        const types = maintenanceEvents.filter((event) => event.value.jobId === jobId).map((event) => [event.type, event.key]);
        return types.length === 4 ? types : undefined;
      },
      30_000,
      'the four job events',
    );
    expect(announced).toEqual([
      ['maintenance.MaintenanceScheduled', vehicleId],
      ['maintenance.MaintenanceStarted', vehicleId],
      ['maintenance.PartsRecorded', vehicleId],
      ['maintenance.MaintenanceCompleted', vehicleId],
    ]);
  });

  it('answers refusals with their reason codes: an overlapping window, cancelling a started job, a second currency', async () => {
    const vehicleId = await registeredVehicle('MX E2E 2', 500);
    const windowStart = new Date(Date.now() + 3 * DAY_MS);
    const window = (offsetHours: number) => ({
      vehicleId,
      kind: 'repair',
      title: 'Brakes',
      windowStart: new Date(windowStart.getTime() + offsetHours * 3_600_000).toISOString(),
      windowEnd: new Date(windowStart.getTime() + (offsetHours + 4) * 3_600_000).toISOString(),
    });
    const first = await send('POST', '/v1/maintenance/jobs', window(0));
    expect(first.status).toBe(201);
    const jobId = first.body.aggregateId as string;
    const overlapping = await send('POST', '/v1/maintenance/jobs', window(2));
    expect(overlapping.body).toMatchObject({ status: 'rejected', reasonCode: 'MAINTENANCE.WINDOW_OVERLAPS' });
    // A conflict with an existing booking of the vehicle.
    expect(overlapping.status).toBe(409);

    expect((await send('POST', `/v1/maintenance/jobs/${jobId}/start`, {}, asMechanic)).status).toBe(200);
    expect(await send('POST', `/v1/maintenance/jobs/${jobId}/cancel`, { reason: 'Too late.' })).toMatchObject({ status: 422, body: { reasonCode: 'MAINTENANCE.JOB_NOT_SCHEDULED' } });
    expect(await send('POST', `/v1/maintenance/jobs/${jobId}/parts`, { parts: [{ partName: 'Pad', quantity: 4, unitCostMinor: 2_000, currency: 'EUR' }] }, asMechanic)).toMatchObject({ status: 200 });
    expect(await send('POST', `/v1/maintenance/jobs/${jobId}/complete`, { laborCostMinor: 5_000, currency: 'USD' }, asMechanic)).toMatchObject({
      status: 422,
      body: { reasonCode: 'MAINTENANCE.CURRENCY_MISMATCH' },
    });
  });

  it('refuses a malformed body or a missing permission before producing anything', async () => {
    const before = await maintenanceCommandsProduced();
    const jobId = randomUUID();
    const badParts = await send('POST', `/v1/maintenance/jobs/${jobId}/parts`, { parts: [{ partName: 'Pad', quantity: 0, unitCostMinor: -1, currency: 'eur' }] }, asMechanic);
    expect(badParts).toMatchObject({ status: 400, body: { type: 'https://fleet.example/problems/validation-failed' } });
    expect(badParts.body.errors).toEqual([
      { field: 'parts[0].quantity', message: 'must be between 1 and 10000' },
      { field: 'parts[0].unitCostMinor', message: 'must be between 0 and 1000000000' },
      { field: 'parts[0].currency', message: 'must match ^[A-Z]{3}$' },
    ]);
    expect((await send('POST', '/v1/maintenance/jobs', { vehicleId: randomUUID(), kind: 'service', title: 'x', windowStart: '2026-12-02T10:00:00Z', windowEnd: '2026-12-02T09:00:00Z' })).status).toBe(400);
    expect((await send('POST', '/v1/maintenance/service-plans', { vehicleClass: 'suv' })).status).toBe(400);
    expect((await send('POST', `/v1/maintenance/jobs/${jobId}/start`, {}, { subject: MANAGER, roles: ['rental_agent'] })).status).toBe(403);
    expect(await maintenanceCommandsProduced()).toBe(before);
  });

  it('lists a vehicle past its plan margin on GET /v1/maintenance/due and announces ServiceDue once', async () => {
    const vehicleId = await registeredVehicle('MX E2E 3', 2_000);
    const plan = await send('POST', '/v1/maintenance/service-plans', { vehicleId, everyKm: 5_000, everyDays: 365, dueSoonKm: 500, dueSoonDays: 30 });
    expect(plan).toMatchObject({ status: 201, body: { status: 'accepted' } });
    const due = () => get('/v1/maintenance/due?vehicleClass=suv');
    expect(((await due()).body.items as { vehicleId: string }[]).some((item) => item.vehicleId === vehicleId)).toBe(false);

    for (const readingKm of [6_700, 6_800]) {
      expect((await send('POST', `/v1/vehicles/${vehicleId}/odometer-readings`, { readingKm, recordedAt: new Date().toISOString() })).status).toBe(201);
    }
    const entry = await eventually(
      async () => ((await due()).body.items as { vehicleId: string; currentKm: number }[]).find((item) => item.vehicleId === vehicleId && item.currentKm === 6_800),
      30_000,
      'the vehicle on the due list',
    );
    expect(entry).toMatchObject({ vehicleId, plateNumber: 'MX E2E 3', status: 'due_soon', reason: 'km', dueAtKm: 7_000, kmRemaining: 200, basis: 'registration' });
    const reminder = await eventually(() => maintenanceEvents.find((event) => event.type === 'maintenance.ServiceDue' && event.value.vehicleId === vehicleId), 30_000, 'ServiceDue');
    expect(reminder).toMatchObject({ key: vehicleId, value: { reason: 'km', status: 'due_soon', dueAtKm: 7_000, basis: 'registration' } });
    expect(maintenanceEvents.filter((event) => event.type === 'maintenance.ServiceDue' && event.value.vehicleId === vehicleId)).toHaveLength(1);
    expect((await get('/v1/maintenance/due?status=later')).status).toBe(400);
    expect((await get('/v1/maintenance/due?after=garbage')).status).toBe(400);
  });

  it("accepts every request example of the workshop's OpenAPI part as it is (the vehicle is one the fleet registered)", async () => {
    type Operation = { operationId: string; requestBody?: { content: Record<string, { example: Record<string, unknown> }> } };
    const examples = new Map(
      Object.entries(maintenanceOpenApi.paths as Record<string, Record<string, Operation>>).flatMap(([route, operations]) =>
        Object.values(operations)
          .filter((operation) => operation.requestBody !== undefined)
          .map((operation) => [operation.operationId, { route, example: operation.requestBody!.content['application/json']!.example }] as const),
      ),
    );
    const vehicleId = await registeredVehicle('MX E2E 4', 10);
    // A job's whole life, then the same booking again (the first one completed frees its window) to cancel it.
    const order = ['ScheduleMaintenance', 'RecordPartsUsed', 'StartMaintenance', 'CompleteMaintenance', 'ScheduleMaintenance', 'CancelMaintenance', 'DefineServicePlan'];
    expect([...examples.keys()].sort()).toEqual([...new Set(order)].sort());
    let jobId = '';
    const outcomes: [string, number, unknown][] = [];
    for (const operationId of order) {
      const { route, example } = examples.get(operationId)!;
      const body = operationId === 'ScheduleMaintenance' ? { ...example, vehicleId } : example;
      const answer = await send('POST', route.replace('{jobId}', jobId), body, { subject: MANAGER, roles: ['admin'] });
      if (operationId === 'ScheduleMaintenance') jobId = answer.body.aggregateId as string;
      outcomes.push([operationId, answer.status, answer.body.reasonCode]);
    }
    expect(outcomes).toEqual(order.map((operationId) => [operationId, ['ScheduleMaintenance', 'DefineServicePlan'].includes(operationId) ? 201 : 200, undefined]));
  });
});
