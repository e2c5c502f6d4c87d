import type { KafkaJS } from '@confluentinc/kafka-javascript';
import { Redis } from 'ioredis';
import { base64url, generateKeyPair, SignJWT } from 'jose';
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createGatewayApp } from '../../gateway/app';
import { OPENAPI_DOCUMENT as openapi } from '../../gateway/openapi-document';
import { TokenVerifier } from '../../gateway/auth/token-verifier';
import { CommandResultsConsumer, CommandWaiter } from '../../gateway/commands/command-results';
import { CommandStatusRepository } from '../../gateway/commands/command-status.repository';
import { CommandSubmitter } from '../../gateway/commands/command-submitter';
import { AccountingQueries } from '../../gateway/queries/accounting.queries';
import { ReportQueries } from '../../gateway/queries/report.queries';
import { IdentityQueries } from '../../gateway/queries/identity.queries';
import { MaintenanceQueries } from '../../gateway/queries/maintenance.queries';
import { RentalQueries } from '../../gateway/queries/rental.queries';
import { VehicleQueries } from '../../gateway/queries/vehicle.queries';
import { IdempotencyStore } from '../../gateway/commands/idempotency';
import { COMMAND_PERMISSIONS } from '../../platform/access';
import { AvroCodec } from '../../platform/avro-codec';
import { deadLetterTopicOf, retryTopicOf } from '../../platform/failure-records';
import { createDatabase } from '../../platform/database';
import { createIdempotentProducer, createKafka } from '../../platform/kafka';
import { Header } from '../../platform/message-headers';
import { createSchemaRegistry } from '../../platform/schema-registry';
import type { ContextProcessor } from '../../processors/runtime/context-processor';
import { devKeyPaths, ensureDevKeys, signDevToken } from '../../tools/dev-token-keys';
import { ScratchDatabase } from '../support/database';
import { startFleetProcessor } from '../support/fleet-processor';
import { eventually } from '../support/eventually';
import { uniqueName } from '../support/names';
import { silentLogger } from '../support/silent-logger';
import { stackEnv } from '../support/stack-env';

/**
 * Through HTTP and back out of Kafka: a token, POST /v1/vehicles, the Avro command on the broker,
 * the fleet processor's transaction, the event and the command result, and the gateway's answer.
 */
const env = stackEnv();
const ISSUER = 'fleet-e2e-test';
const AUDIENCE = 'fleet-api';
const MANAGER = '5c7e1d2a-8f3b-4a6c-9d0e-1f2a3b4c5d6e';

describe('registering a vehicle through the gateway', () => {
  const database = new ScratchDatabase();
  const keysDir = mkdtempSync(path.join(tmpdir(), 'fleet-e2e-keys-'));
  const topics = { commands: uniqueName('e2e.fleet.commands'), events: uniqueName('e2e.fleet.events'), results: uniqueName('e2e.command.results') };
  const kafka = createKafka({ brokers: env.kafkaBrokers, clientId: 'e2e', logger: silentLogger });
  const admin = kafka.admin();
  const producer = createIdempotentProducer(kafka);
  const codec = new AvroCodec(createSchemaRegistry(env.schemaRegistryUrl));
  const publisher = new Redis(env.redisUrl.toString());
  const waiter = new CommandWaiter(new Redis(env.redisUrl.toString()));
  const events: { key: string; headers: Record<string, string>; value: unknown }[] = [];
  let gatewayDatabase: Knex;
  let fleetDatabase: Knex;
  let readerDatabase: Knex;
  let processor: ContextProcessor;
  let results: CommandResultsConsumer;
  let statuses: CommandStatusRepository;
  let resultsGroup: string;
  let observer: KafkaJS.Consumer;
  let server: Server;
  let baseUrl: string;
  let signingKey: Awaited<ReturnType<typeof ensureDevKeys>>;

  const token = (claims: { roles?: string[]; permissions?: string[]; subject?: string; audience?: string; expiresInSeconds?: number } = {}) =>
    signDevToken(signingKey, {
      subject: claims.subject ?? MANAGER,
      roles: claims.roles ?? ['fleet_manager'],
      permissions: claims.permissions ?? [],
      issuer: ISSUER,
      audience: claims.audience ?? AUDIENCE,
      expiresInSeconds: claims.expiresInSeconds ?? 300,
    });

  async function commandsProduced(): Promise<number> {
    const offsets = await admin.fetchTopicOffsets(topics.commands);
    return offsets.reduce((sum, partition) => sum + Number(partition.high), 0);
  }

  function post(body: unknown, headers: Record<string, string>): Promise<Response> {
    return fetch(`${baseUrl}/v1/vehicles`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  }

  const vehicle = (plateNumber: string) => ({ plateNumber, make: 'Renault', model: 'Zoe', year: 2023, vehicleClass: 'compact' });

  beforeAll(async () => {
    await database.create({ migrate: true });
    signingKey = await ensureDevKeys(keysDir);
    await admin.connect();
    await admin.createTopics({ topics: Object.values(topics).map((topic) => ({ topic, numPartitions: 2, replicationFactor: 1 })) });
    await producer.connect();
    gatewayDatabase = createDatabase({ url: database.urlFor('gateway_svc'), poolSizeMax: 4, statementTimeoutMs: 10_000, applicationName: 'e2e-gateway' });
    fleetDatabase = createDatabase({ url: database.urlFor('fleet_svc'), poolSizeMax: 4, statementTimeoutMs: 10_000, applicationName: 'e2e-fleet' });
    readerDatabase = createDatabase({ url: database.urlFor('gateway_reader'), poolSizeMax: 2, statementTimeoutMs: 10_000, applicationName: 'e2e-reader' });
    statuses = new CommandStatusRepository(gatewayDatabase);
    processor = await startFleetProcessor({ kafka, producer, codec, database: fleetDatabase, databaseUrl: database.urlFor('fleet_svc'), topics });
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
    await observer.subscribe({ topics: [topics.events] });
    await observer.run({
      eachMessage: async ({ message }) => {
        const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)]));
        events.push({ key: String(message.key), headers, value: await codec.decode(message.value as Buffer) });
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
        // The other contexts' routes are served but not called here.
        topics: { fleetCommands: topics.commands, rentalCommands: uniqueName('e2e.rental.commands'), maintenanceCommands: uniqueName('e2e.maintenance.commands'), identityCommands: uniqueName('e2e.identity.commands'), ledgerCommands: uniqueName('e2e.ledger.commands'), reportingCommands: uniqueName('e2e.reporting.commands') },
        rentals: new RentalQueries(readerDatabase),
        maintenance: new MaintenanceQueries(readerDatabase),
        identity: new IdentityQueries(readerDatabase),
        accounting: new AccountingQueries(readerDatabase),
        reports: new ReportQueries(readerDatabase),
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
    await processor.stop();
    await producer.disconnect();
    await admin.deleteTopics({ topics: [...Object.values(topics), retryTopicOf(resultsGroup), deadLetterTopicOf(resultsGroup)] });
    await admin.disconnect();
    await gatewayDatabase.destroy();
    await fleetDatabase.destroy();
    await readerDatabase.destroy();
    await database.drop();
    rmSync(keysDir, { recursive: true, force: true });
  });

  it('answers 202 with a status URL, then the status becomes accepted and the event carries the command as causation', async () => {
    const response = await post(vehicle('E2E 1'), { Authorization: `Bearer ${await token()}`, 'X-Correlation-Id': 'e2e-correlation-1' });
    const body = (await response.json()) as { commandId: string; status: string };

    expect(response.status).toBe(202);
    expect(response.headers.get('location')).toBe(`/v1/commands/${body.commandId}`);
    expect(body.status).toBe('pending');

    const status = await fetch(`${baseUrl}/v1/commands/${body.commandId}`, { headers: { Authorization: `Bearer ${await token()}`, Prefer: 'wait=15' } });
    const final = (await status.json()) as { status: string; aggregateId: string; links: { resource: string } };
    expect(status.status).toBe(200);
    expect(status.headers.get('preference-applied')).toBe('wait=15');
    expect(final).toMatchObject({ status: 'accepted', links: { resource: `/v1/vehicles/${final.aggregateId}` } });

    expect(await fleetDatabase('fleet.vehicles').where('id', final.aggregateId).select('plate_number', 'created_by')).toEqual([
      { plate_number: 'E2E 1', created_by: MANAGER },
    ]);
    const event = await eventually(() => events.find((candidate) => candidate.key === final.aggregateId), 20_000, 'VehicleRegistered');
    expect(event.headers).toMatchObject({
      [Header.messageType]: 'fleet.VehicleRegistered',
      [Header.correlationId]: 'e2e-correlation-1',
      [Header.causationId]: body.commandId,
    });
    expect(event.value).toMatchObject({ vehicleId: final.aggregateId, plateNumber: 'E2E 1', status: 'active' });
  });

  it('with Prefer: wait answers 201 in one round trip, and a taken plate with 409 and its reason code', async () => {
    const created = await post(vehicle('E2E 2'), { Authorization: `Bearer ${await token()}`, Prefer: 'wait=15' });
    const createdBody = (await created.json()) as { status: string; aggregateId: string };
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/v1/vehicles/${createdBody.aggregateId}`);
    expect(createdBody.status).toBe('accepted');

    const duplicate = await post(vehicle('E2E 2'), { Authorization: `Bearer ${await token()}`, Prefer: 'wait=15' });
    expect(duplicate.status).toBe(409);
    expect(await duplicate.json()).toMatchObject({ status: 'rejected', reasonCode: 'FLEET.PLATE_NUMBER_TAKEN' });
  });

  it('replays the first reply for a repeated Idempotency-Key and body, producing once; another body is 422', async () => {
    const key = uniqueName('idempotency');
    const headers = async () => ({ Authorization: `Bearer ${await token()}`, 'Idempotency-Key': key });
    const before = await commandsProduced();

    const first = await post(vehicle('E2E 3'), await headers());
    const firstBody = await first.json();
    const replay = await post(vehicle('E2E 3'), await headers());
    const reused = await post(vehicle('E2E 4'), await headers());

    expect(first.status).toBe(202);
    expect({ status: replay.status, location: replay.headers.get('location'), body: await replay.json() }).toEqual({
      status: 202,
      location: first.headers.get('location'),
      body: firstBody,
    });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(reused.status).toBe(422);
    expect(((await reused.json()) as { type: string }).type).toBe('https://fleet.example/problems/idempotency-key-reused');
    expect(await commandsProduced()).toBe(before + 1);
  });

  it('accepts every request example of the OpenAPI document as it is', async () => {
    type Parameter = { name?: string; in?: string; example?: string };
    type Operation = { operationId: string; parameters?: Parameter[]; requestBody?: { content: Record<string, { example: unknown }> } };
    // The fleet's commands; the other contexts' examples are walked by their own end-to-end tests.
    const fleetCommands = new Set(Object.keys(COMMAND_PERMISSIONS).filter((command) => command.startsWith('fleet.')).map((command) => command.slice('fleet.'.length)));
    const examples = Object.entries(openapi.paths as Record<string, Record<string, Operation>>).flatMap(([path, operations]) =>
      Object.entries(operations)
        .filter(([, operation]) => operation.requestBody !== undefined && fleetCommands.has(operation.operationId))
        .map(([method, operation]) => ({ path, method, operation, example: operation.requestBody!.content['application/json']!.example })),
    );
    // Commands on one vehicle, in the order its life allows; the vehicle is the one the first example registers.
    const order = ['RegisterVehicle', 'RecordOdometerReading', 'VoidOdometerReading', 'UpdateVehicle', 'DecommissionVehicle'];
    const expectedStatus: Record<string, number> = { RegisterVehicle: 201, RecordOdometerReading: 201, VoidOdometerReading: 200, UpdateVehicle: 200, DecommissionVehicle: 200 };
    expect(examples.map((example) => example.operation.operationId).sort()).toEqual([...order].sort());
    examples.sort((a, b) => order.indexOf(a.operation.operationId) - order.indexOf(b.operation.operationId));
    const pathValues: Record<string, string> = {};
    for (const { path: route, method, operation, example } of examples) {
      // Path parameters come from what earlier examples created, else from the document's own example.
      const url = route.replace(/\{(\w+)\}/g, (_, name: string) => {
        const parameter = operation.parameters?.find((candidate) => candidate.in === 'path' && candidate.name === name);
        return pathValues[name] ?? parameter?.example ?? name;
      });
      const response = await fetch(`${baseUrl}${url}`, {
        method: method.toUpperCase(),
        headers: { Authorization: `Bearer ${await token({ roles: ['admin'] })}`, 'Content-Type': 'application/json', Prefer: 'wait=15' },
        body: JSON.stringify(example),
      });
      const body = (await response.json()) as { aggregateId?: string; reasonCode?: string };
      expect({ operation: operation.operationId, status: response.status, reasonCode: body.reasonCode }).toEqual({
        operation: operation.operationId,
        status: expectedStatus[operation.operationId],
        reasonCode: undefined,
      });
      if (operation.operationId === 'RegisterVehicle') pathValues.vehicleId = body.aggregateId!;
      if (operation.operationId === 'RecordOdometerReading') pathValues.readingId = (example as { readingId: string }).readingId;
    }
  });

  it("answers the fleet's other commands with their outcome: a voided reading, a version conflict, a decommissioned vehicle", async () => {
    const manager = { Authorization: `Bearer ${await token()}`, 'Content-Type': 'application/json', Prefer: 'wait=15' };
    const send = async (method: string, route: string, body: unknown) => {
      const response = await fetch(`${baseUrl}${route}`, { method, headers: manager, body: JSON.stringify(body) });
      return { status: response.status, body: (await response.json()) as { status?: string; reasonCode?: string; aggregateId?: string } };
    };
    const registered = await post(vehicle('E2E 20'), manager);
    const vehicleId = ((await registered.json()) as { aggregateId: string }).aggregateId;
    const readingId = randomUUID();
    const reading = { readingId, readingKm: 1200, recordedAt: '2026-11-01T09:00:00+01:00' };
    expect(await send('POST', `/v1/vehicles/${vehicleId}/odometer-readings`, reading)).toMatchObject({ status: 201, body: { status: 'accepted' } });
    // The same reading sent again is accepted without a second effect.
    expect(await send('POST', `/v1/vehicles/${vehicleId}/odometer-readings`, reading)).toMatchObject({ status: 201 });
    expect(await fleetDatabase('fleet.vehicle_odometer_readings').where('vehicle_id', vehicleId).count<{ count: number }[]>('* as count')).toEqual([{ count: 1 }]);
    expect(await send('POST', `/v1/vehicles/${vehicleId}/odometer-readings/${readingId}/void`, { reason: 'Wrong car.' })).toMatchObject({ status: 200 });
    expect(await send('POST', `/v1/vehicles/${vehicleId}/odometer-readings/${readingId}/void`, { reason: 'Again.' })).toMatchObject({
      status: 409,
      body: { reasonCode: 'FLEET.READING_ALREADY_VOIDED' },
    });
    expect(await send('PATCH', `/v1/vehicles/${vehicleId}`, { expectedVersion: 99, model: 'Zoe R135' })).toMatchObject({ status: 409, body: { reasonCode: 'FLEET.VERSION_CONFLICT' } });
    expect(await send('POST', `/v1/vehicles/${vehicleId}/decommission`, { reason: 'Written off.' })).toMatchObject({ status: 200, body: { status: 'accepted' } });
    expect(await send('PATCH', `/v1/vehicles/${vehicleId}`, { model: 'Zoe R135' })).toMatchObject({ status: 409, body: { reasonCode: 'FLEET.VEHICLE_DECOMMISSIONED' } });
    expect(await fleetDatabase('fleet.vehicles').where('id', vehicleId).first('status')).toEqual({ status: 'decommissioned' });
  });

  it("refuses a malformed path or body on the fleet's other routes, and a role without their permission, producing nothing", async () => {
    const before = await commandsProduced();
    const asManager = { Authorization: `Bearer ${await token()}`, 'Content-Type': 'application/json' };
    const refused = async (method: string, route: string, body: unknown, headers = asManager) => {
      const response = await fetch(`${baseUrl}${route}`, { method, headers, body: JSON.stringify(body) });
      return { status: response.status, type: response.headers.get('content-type'), body: (await response.json()) as { errors?: { field: string }[] } };
    };
    const somebody = randomUUID();
    expect(await refused('PATCH', '/v1/vehicles/not-a-uuid', { model: 'x' })).toMatchObject({ status: 400, body: { errors: [{ field: 'vehicleId' }] } });
    expect(await refused('POST', `/v1/vehicles/${somebody}/odometer-readings`, { readingKm: -1, recordedAt: '2026-11-01 09:00' })).toMatchObject({
      status: 400,
      type: 'application/problem+json',
      body: { errors: [{ field: 'readingKm' }, { field: 'recordedAt' }] },
    });
    expect(await refused('POST', `/v1/vehicles/${somebody}/odometer-readings/x/void`, { reason: 'r' })).toMatchObject({ status: 400, body: { errors: [{ field: 'readingId' }] } });
    expect(await refused('POST', `/v1/vehicles/${somebody}/decommission`, {})).toMatchObject({ status: 400, body: { errors: [{ field: 'reason' }] } });
    const agent = { ...asManager, Authorization: `Bearer ${await token({ roles: ['rental_agent'] })}` };
    expect((await refused('POST', `/v1/vehicles/${somebody}/decommission`, { reason: 'r' }, agent)).status).toBe(403);
    expect(await commandsProduced()).toBe(before);
  });

  it('reads vehicles from the published views: one vehicle with its odometer, pages of vehicles, and the status history as of a time', async () => {
    const manager = { Authorization: `Bearer ${await token()}`, 'Content-Type': 'application/json', Prefer: 'wait=15' };
    const get = async (route: string, headers: Record<string, string> = manager) => {
      const response = await fetch(`${baseUrl}${route}`, { headers });
      return { status: response.status, etag: response.headers.get('etag'), body: (await response.json()) as Record<string, unknown> };
    };
    const ids: string[] = [];
    for (const plate of ['E2E 30', 'E2E 31', 'E2E 32']) {
      const response = await post({ ...vehicle(plate), vehicleClass: 'e2e_read' }, manager);
      ids.push(((await response.json()) as { aggregateId: string }).aggregateId);
    }
    const [first] = ids;
    await fetch(`${baseUrl}/v1/vehicles/${first}/odometer-readings`, { method: 'POST', headers: manager, body: JSON.stringify({ readingKm: 4321, recordedAt: '2026-11-02T10:00:00Z' }) });

    const one = await get(`/v1/vehicles/${first}`);
    expect(one).toMatchObject({ status: 200, etag: '"0"', body: { id: first, plateNumber: 'E2E 30', status: 'active', odometerKm: 4321, version: 0, links: { history: `/v1/vehicles/${first}/history` } } });

    // Two pages of two, in id order, following links.next.
    const pageOne = await get('/v1/vehicles?vehicleClass=e2e_read&limit=2');
    const next = (pageOne.body.links as { next: string | null }).next;
    expect(next).not.toBeNull();
    const pageTwo = await get(next!);
    const listed = [...(pageOne.body.items as { id: string }[]), ...(pageTwo.body.items as { id: string }[])].map((item) => item.id);
    expect(listed).toEqual([...ids].sort());
    expect((pageTwo.body.links as { next: string | null }).next).toBeNull();

    const beforeDecommission = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await fetch(`${baseUrl}/v1/vehicles/${first}/decommission`, { method: 'POST', headers: manager, body: JSON.stringify({ reason: 'Sold.' }) });
    const history = await get(`/v1/vehicles/${first}/history?asOf=${encodeURIComponent(beforeDecommission)}`);
    expect(history).toMatchObject({ status: 200, body: { vehicleId: first, statusAsOf: 'active' } });
    expect((history.body.changes as { from: string | null; to: string }[]).map((change) => [change.from, change.to])).toEqual([
      [null, 'active'],
      ['active', 'decommissioned'],
    ]);
    expect((await get(`/v1/vehicles/${first}/history?asOf=2000-01-01T00:00:00Z`)).body).toMatchObject({ statusAsOf: null });
    expect((await get(`/v1/vehicles/${first}`)).body).toMatchObject({ status: 'decommissioned' });

    // Bad queries and unknown ids get their problem; a token without vehicles.read gets 403.
    expect((await get(`/v1/vehicles/${randomUUID()}`)).status).toBe(404);
    expect((await get('/v1/vehicles/nope')).status).toBe(400);
    expect((await get('/v1/vehicles?limit=1000')).status).toBe(400);
    expect((await get('/v1/vehicles?status=parked')).status).toBe(400);
    expect((await get('/v1/vehicles?color=red')).status).toBe(400);
    expect((await get(`/v1/vehicles/${first}/history?asOf=yesterday`)).status).toBe(400);
    expect((await get('/v1/vehicles', { Authorization: `Bearer ${await token({ roles: [], permissions: ['rentals.read'] })}` })).status).toBe(403);
  });

  it('reports a dead-lettered command as failed, and a replay that succeeds settles it', async () => {
    // A command the gateway recorded, whose processor then dead-lettered it and later, replayed, accepted it.
    const commandId = randomUUID();
    const vehicleId = randomUUID();
    await statuses.insertPending({ commandId, commandType: 'fleet.RegisterVehicle', aggregateId: vehicleId, correlationId: 'e2e-failed', submittedBy: MANAGER });
    const result = async (fields: Record<string, unknown>) =>
      producer.send({
        topic: topics.results,
        messages: [
          {
            key: commandId,
            value: await codec.encode(topics.results, 'platform.CommandResult', {
              commandId,
              commandType: 'fleet.RegisterVehicle',
              reasonCode: null,
              message: null,
              aggregateId: null,
              resourcePath: null,
              completedAt: Date.now(),
              ...fields,
            }),
          },
        ],
      });
    const read = async () => {
      const response = await fetch(`${baseUrl}/v1/commands/${commandId}`, { headers: { Authorization: `Bearer ${await token()}`, Prefer: 'wait=10' } });
      return { code: response.status, body: (await response.json()) as Record<string, unknown> };
    };

    // A record on the results topic that is no result goes to the gateway group's DLQ; the one behind it is applied.
    await producer.send({ topic: topics.results, messages: [{ key: commandId, value: Buffer.from('not a command result') }] });
    await result({ status: 'failed', reasonCode: 'handler/TypeError', message: "Cannot read properties of undefined (reading 'id')" });
    expect(await read()).toMatchObject({ code: 200, body: { status: 'failed', reasonCode: 'handler/TypeError' } });
    const deadLetters = await admin.fetchTopicOffsets(deadLetterTopicOf(resultsGroup));
    expect(deadLetters.reduce((sum, partition) => sum + Number(partition.high), 0)).toBe(1);
    expect(results.metrics.sum('consumer_messages_dead_lettered_total', { error_class: 'poison/undecodable' })).toBe(1);
    await result({ status: 'accepted', aggregateId: vehicleId, resourcePath: `/v1/vehicles/${vehicleId}` });
    await eventually(async () => ((await read()).body.status === 'accepted' ? true : undefined), 20_000, 'the accepted status');
    expect(await read()).toMatchObject({ code: 200, body: { status: 'accepted', aggregateId: vehicleId, links: { resource: `/v1/vehicles/${vehicleId}` } } });
    // Accepted is final: a late copy of the failure changes nothing.
    await result({ status: 'failed', reasonCode: 'handler/TypeError', message: 'late copy' });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect((await read()).body.status).toBe('accepted');
  });

  describe('refuses, producing nothing', () => {
    async function refused(response: Promise<Response>, status: number, type: string): Promise<Record<string, unknown>> {
      const before = await commandsProduced();
      const answer = await response;
      const body = (await answer.json()) as Record<string, unknown>;
      expect({ status: answer.status, contentType: answer.headers.get('content-type'), type: body.type }).toEqual({
        status,
        contentType: 'application/problem+json',
        type: `https://fleet.example/problems/${type}`,
      });
      expect(body.correlationId).toEqual(expect.any(String));
      expect(await commandsProduced()).toBe(before);
      return body;
    }

    it('a request without a token, or with a token that proves nothing (401)', async () => {
      const other = await generateKeyPair('EdDSA');
      const forged = await new SignJWT({ roles: ['admin'] })
        .setProtectedHeader({ alg: 'EdDSA', kid: 'fleet-dev-1' })
        .setSubject(MANAGER)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setExpirationTime('5m')
        .sign(other.privateKey);
      const unsigned = `${base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${base64url.encode(
        JSON.stringify({ sub: MANAGER, iss: ISSUER, aud: AUDIENCE, roles: ['admin'], exp: Math.floor(Date.now() / 1000) + 300 }),
      )}.`;

      await refused(post(vehicle('E2E X'), {}), 401, 'unauthenticated');
      await refused(post(vehicle('E2E X'), { Authorization: `Bearer ${forged}` }), 401, 'invalid-token');
      await refused(post(vehicle('E2E X'), { Authorization: `Bearer ${unsigned}` }), 401, 'invalid-token');
      await refused(post(vehicle('E2E X'), { Authorization: `Bearer ${await token({ expiresInSeconds: -120 })}` }), 401, 'invalid-token');
      await refused(post(vehicle('E2E X'), { Authorization: `Bearer ${await token({ audience: 'someone-else' })}` }), 401, 'invalid-token');
    });

    it('a role without the permission (403)', async () => {
      const body = await refused(post(vehicle('E2E X'), { Authorization: `Bearer ${await token({ roles: ['rental_agent'] })}` }), 403, 'forbidden');
      expect(body.permission).toBe('vehicles.register');
    });

    it('a body with unknown, missing or wrong fields (400), naming each', async () => {
      const body = await refused(
        post({ plateNumber: '', make: 'Renault', year: 1850.5, colour: 'red', vin: 'short' }, { Authorization: `Bearer ${await token()}` }),
        400,
        'validation-failed',
      );
      expect(body.errors).toEqual(
        expect.arrayContaining([
          { field: 'colour', message: 'is not a known field' },
          { field: 'plateNumber', message: 'must have 1 to 20 characters' },
          { field: 'model', message: 'is required' },
          { field: 'year', message: 'must be an integer' },
          { field: 'vin', message: 'must match ^[A-HJ-NPR-Z0-9]{17}$' },
        ]),
      );
      expect(body.errors).toHaveLength(5);
    });

    it('malformed JSON (400), another content type (415), an oversized body (413)', async () => {
      const authorization = { Authorization: `Bearer ${await token()}` };
      await refused(post('{"plateNumber": ', authorization), 400, 'malformed-json');
      await refused(fetch(`${baseUrl}/v1/vehicles`, { method: 'POST', headers: { ...authorization, 'Content-Type': 'text/plain' }, body: 'hello' }), 415, 'unsupported-media-type');
      await refused(post({ ...vehicle('E2E X'), model: 'x'.repeat(20_000) }, authorization), 413, 'payload-too-large');
    });

    it('an unknown route (404) and a wrong method (405)', async () => {
      await refused(fetch(`${baseUrl}/v1/spaceships`, { headers: { Authorization: `Bearer ${await token()}` } }), 404, 'not-found');
      await refused(fetch(`${baseUrl}/v1/vehicles`, { method: 'DELETE', headers: { Authorization: `Bearer ${await token()}` } }), 405, 'method-not-allowed');
    });
  });
});
