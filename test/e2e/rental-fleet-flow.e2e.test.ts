import { randomUUID } from 'node:crypto';
import { eventually } from '../support/eventually';
import { SystemHarness } from '../support/system';

/**
 * The contexts working together as in production, each learning about the others only from their
 * events: a rental reserved, picked up and returned through HTTP moves the fleet's vehicle to
 * rented and back to active, with every event about the vehicle in order on each topic; a workshop
 * job booked through HTTP reaches the rental context, which then refuses a reservation over it.
 */
const harness = new SystemHarness();
const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;
/** A reservation boundary: whole seconds. Pick-up and return times are the real instants, to the millisecond, as a counter clerk's terminal sends them. */
const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString();

describe('a rental and a workshop job across the fleet, rental and maintenance contexts', () => {
  const vehicleClass = `flow_${randomUUID().slice(0, 8)}`;
  const depot = randomUUID();
  let vehicleId: string;

  beforeAll(async () => {
    await harness.start();
    vehicleId = await harness.registerVehicle('FLOW-1', vehicleClass);
    const configured = [
      await harness.send('POST', '/v1/locations', { locationId: depot, name: `Flow depot ${vehicleClass}`, type: 'depot', timeZone: 'Europe/Paris' }),
      await harness.send('POST', '/v1/pricing-plans', {
        name: `Flow ${vehicleClass}`,
        vehicleClass,
        currency: 'EUR',
        dailyRateMinor: 4_000,
        hourlyRateMinor: 800,
        includedKmPerDay: 200,
        extraKmPriceMinor: 25,
        lateFeePerHourMinor: 1_000,
        lateGraceMinutes: 30,
        cancellationFeeMinor: 2_000,
        cancellationWindowHours: 24,
        depositMinor: 0,
      }),
    ];
    expect(configured.map((answer) => answer.status)).toEqual([201, 201]);
  }, 180_000);

  afterAll(() => harness.stop(), 60_000);

  const fleetStatus = async () => (await harness.get(`/v1/vehicles/${vehicleId}`)).body.status as string;
  const untilFleetStatus = (status: string) =>
    eventually(async () => ((await fleetStatus()) === status ? true : undefined), 30_000, `the fleet to show vehicle ${vehicleId} ${status}`);
  /** The types of the events about the vehicle on a context's events topic, in the order they arrived. */
  const eventTypes = (topic: string) => (harness.events.get(topic) ?? []).filter((event) => event.key === vehicleId).map((event) => event.type);

  it('moves the vehicle to rented at pick-up and back to active at return, and the history tells why', async () => {
    const rentalId = randomUUID();
    const now = Date.now();
    const reserved = await harness.send('POST', '/v1/rentals', {
      rentalId,
      vehicleId,
      originLocationId: depot,
      destinationLocationId: depot,
      startAt: iso(now + 10 * MINUTE_MS),
      endAt: iso(now + 10 * MINUTE_MS + DAY_MS),
    });
    expect([reserved.status, reserved.body.status]).toEqual([201, 'accepted']);
    expect(await fleetStatus()).toBe('active');

    const pickedUp = await harness.send('POST', `/v1/rentals/${rentalId}/activate`, { odometerOutKm: 12_000, activatedAt: new Date().toISOString() });
    expect([pickedUp.status, pickedUp.body.status]).toEqual([200, 'accepted']);
    await untilFleetStatus('rented');

    const returned = await harness.send('POST', `/v1/rentals/${rentalId}/complete`, { odometerInKm: 12_140, returnedAt: new Date().toISOString() });
    expect([returned.status, returned.body.status]).toEqual([200, 'accepted']);
    await untilFleetStatus('active');

    const history = (await harness.get(`/v1/vehicles/${vehicleId}/history`)).body.changes as { from: string | null; to: string; cause: string }[];
    expect(history.map((change) => [change.from, change.to, change.cause])).toEqual([
      [null, 'active', 'VehicleRegistered'],
      ['active', 'rented', 'rental.RentalActivated'],
      ['rented', 'active', 'rental.RentalCompleted'],
    ]);
  });

  it('publishes every event about the vehicle in the order it happened, on each context topic', async () => {
    const lifecycle = ['rental.RentalReserved', 'rental.RentalActivated', 'rental.RentalCompleted'];
    await eventually(() => (lifecycle.every((type) => eventTypes(harness.topics.rentalEvents).includes(type)) ? true : undefined), 30_000, 'the rental events');
    expect(eventTypes(harness.topics.rentalEvents).filter((type) => lifecycle.includes(type))).toEqual(lifecycle);

    await eventually(() => (eventTypes(harness.topics.fleetEvents).length >= 3 ? true : undefined), 30_000, 'the fleet events');
    const fleet = (harness.events.get(harness.topics.fleetEvents) ?? []).filter((event) => event.key === vehicleId);
    expect(fleet.map((event) => [event.type, event.value.to ?? null])).toEqual([
      ['fleet.VehicleRegistered', null],
      ['fleet.VehicleStateChanged', 'rented'],
      ['fleet.VehicleStateChanged', 'active'],
    ]);
  });

  it("refuses a reservation over a workshop job booked through the workshop's own route, and accepts one right after it", async () => {
    const windowStart = Math.floor((Date.now() + 3 * DAY_MS) / 3_600_000) * 3_600_000;
    const windowEnd = windowStart + 6 * 60 * MINUTE_MS;
    const booked = await harness.send('POST', '/v1/maintenance/jobs', { vehicleId, kind: 'service', title: 'Brake check', windowStart: iso(windowStart), windowEnd: iso(windowEnd) });
    expect([booked.status, booked.body.status]).toEqual([201, 'accepted']);
    // The rental context learns of the job from the workshop's MaintenanceScheduled.
    await eventually(
      async () => ((await harness.rental('rental.maintenance_windows').where({ vehicle_id: vehicleId, status: 'scheduled' }).first('job_id')) === undefined ? undefined : true),
      30_000,
      'the rental context to block the workshop window',
    );

    const trip = { vehicleId, originLocationId: depot, destinationLocationId: depot };
    const over = await harness.send('POST', '/v1/rentals', { ...trip, startAt: iso(windowStart - 2 * 60 * MINUTE_MS), endAt: iso(windowStart + 60 * MINUTE_MS) });
    expect([over.status, over.body.reasonCode]).toEqual([409, 'RENTAL.VEHICLE_IN_MAINTENANCE']);
    const after = await harness.send('POST', '/v1/rentals', { ...trip, startAt: iso(windowEnd), endAt: iso(windowEnd + DAY_MS) });
    expect([after.status, after.body.status]).toEqual([201, 'accepted']);
  });
});
