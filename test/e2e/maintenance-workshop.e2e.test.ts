import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import maintenanceOpenApi from '../../gateway/openapi/maintenance.json';
import { eventually } from '../support/eventually';
import { SystemHarness } from '../support/system';

/**
 * The workshop through HTTP and back out of Kafka, with the real fleet and maintenance processors
 * following each other's events topics: a vehicle registered in the fleet becomes known to the
 * workshop; a job is booked, started (the fleet moves the vehicle to under_maintenance), costed
 * with parts and completed (the fleet puts it back in service), each with Prefer: wait; refusals
 * answer with their reason codes; an odometer reading past the plan's margin puts the vehicle on
 * GET /v1/maintenance/due and announces ServiceDue once.
 */
const MANAGER = '6d8e2f3a-9a4b-4b7c-8e1f-2a3b4c5d6e7f';
const MECHANIC = '7e9f3a4b-0b5c-4c8d-9f2a-3b4c5d6e7f80';
const DAY_MS = 24 * 60 * 60 * 1000;

describe('the workshop through the gateway', () => {
  const harness = new SystemHarness();
  let maintenanceDatabase: Knex;
  /** What the workshop published, in the order it arrived. */
  const maintenanceEvents = () => harness.events.get(harness.topics.maintenanceEvents) ?? [];
  const maintenanceCommandsProduced = () => harness.commandsProduced('maintenance');

  async function send(method: string, route: string, body: unknown, as: { subject: string; roles: string[] } = { subject: MANAGER, roles: ['fleet_manager'] }) {
    const answer = await harness.send(method, route, body, { subject: as.subject, roles: as.roles });
    return { status: answer.status, location: answer.headers.get('location'), body: answer.body };
  }

  const asMechanic = { subject: MECHANIC, roles: ['mechanic'] };

  async function get(route: string) {
    const answer = await harness.get(route, { subject: MANAGER, roles: ['fleet_manager'] });
    return { status: answer.status, body: answer.body };
  }

  const vehicleStatus = async (vehicleId: string) => (await get(`/v1/vehicles/${vehicleId}`)).body.status as string;

  beforeAll(async () => {
    await harness.start();
    maintenanceDatabase = harness.maintenance;
  }, 180_000);

  afterAll(() => harness.stop(), 60_000);

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
        const types = maintenanceEvents().filter((event) => event.value.jobId === jobId).map((event) => [event.type, event.key]);
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
      mechanicId: MECHANIC,
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
    const reminder = await eventually(() => maintenanceEvents().find((event) => event.type === 'maintenance.ServiceDue' && event.value.vehicleId === vehicleId), 30_000, 'ServiceDue');
    expect(reminder).toMatchObject({ key: vehicleId, value: { reason: 'km', status: 'due_soon', dueAtKm: 7_000, basis: 'registration' } });
    expect(maintenanceEvents().filter((event) => event.type === 'maintenance.ServiceDue' && event.value.vehicleId === vehicleId)).toHaveLength(1);
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
