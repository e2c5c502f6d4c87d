import { randomUUID } from 'node:crypto';
import { DAY_MS, HOUR_MS, hoursFromNow, RentalHarness } from '../../support/rental-harness';

/**
 * The rental context's copies of other contexts' facts, fed their real Avro events: the fleet's
 * vehicles (newest fact wins, an older or repeated one changes nothing, a vehicle never registered
 * is a conflict that does not stop the stream) and the maintenance windows that block bookings
 * (scheduled, in progress for at least a day, freed by completion or cancellation, and not revived
 * by a late scheduling).
 */
describe("the rental context's projections", () => {
  const harness = new RentalHarness();

  beforeAll(() => harness.start(), 60_000);
  afterAll(() => harness.stop());

  const vehicleRow = (vehicleId: string) => harness.rental('rental.vehicle_projection').where('vehicle_id', vehicleId).first('vehicle_class', 'status', 'last_event_at');
  const stateChanged = (vehicleId: string, to: string, at: number) => harness.event('fleet.VehicleStateChanged', { vehicleId, from: 'active', to, cause: 'test', reason: null, at, actor: null });
  const windowRow = (jobId: string) => harness.rental('rental.maintenance_windows_view').where('job_id', jobId).first('status', 'window_start', 'window_end');

  it('keeps the newest fact of a vehicle, ignores older and repeated ones, and skips a vehicle it never saw', async () => {
    const registeredAt = Date.now() - DAY_MS;
    const vehicleId = await harness.vehicle('compact', new Date(registeredAt));
    const rented = await stateChanged(vehicleId, 'rented', registeredAt + 2 * HOUR_MS);
    const older = await stateChanged(vehicleId, 'under_maintenance', registeredAt + HOUR_MS);
    const renamed = await harness.event('fleet.VehicleUpdated', { vehicleId, make: null, model: null, variant: null, year: null, vehicleClass: 'estate', vin: null, version: 2, updatedAt: registeredAt + 3 * HOUR_MS });
    const unknown = await stateChanged(randomUUID(), 'rented', registeredAt);

    expect(await harness.runEvents(rented, older, unknown, renamed, rented)).toEqual(['accepted', 'accepted', 'rejected', 'accepted', 'duplicate']);
    expect(await vehicleRow(vehicleId)).toEqual({ vehicle_class: 'estate', status: 'rented', last_event_at: new Date(registeredAt + 3 * HOUR_MS) });
    // A registration replayed late does not undo what came after it.
    const replayed = await harness.event('fleet.VehicleRegistered', { vehicleId, plateNumber: 'OLD 1', vin: null, make: 'Renault', model: 'Zoe', variant: null, year: 2024, vehicleClass: 'compact', status: 'active', registeredAt });
    expect(await harness.runEvents(replayed)).toEqual(['accepted']);
    expect(await vehicleRow(vehicleId)).toMatchObject({ vehicle_class: 'estate', status: 'rented' });
    // Nobody waits for an answer to another context's event.
    expect(await harness.rental('rental.outbox_events').whereIn('aggregate_id', [rented.id, unknown.id]).count<{ count: number }[]>('* as count')).toEqual([{ count: 0 }]);
  });

  it('blocks a vehicle over a scheduled window, from the start of work for at least a day, and frees it when the job ends', async () => {
    const vehicleId = await harness.vehicle();
    const jobId = randomUUID();
    const windowStart = hoursFromNow(2, 8);
    const windowEnd = hoursFromNow(2, 12);
    const scheduled = await harness.event('maintenance.MaintenanceScheduled', { jobId, vehicleId, kind: 'service', windowStart: windowStart.getTime(), windowEnd: windowEnd.getTime(), title: 'maintenance', description: null, mechanicId: null, actor: null });
    expect(await harness.runEvents(scheduled)).toEqual(['accepted']);
    expect(await windowRow(jobId)).toEqual({ status: 'scheduled', window_start: windowStart, window_end: windowEnd });

    const startedAt = windowStart.getTime() + HOUR_MS;
    expect(await harness.runEvents(await harness.event('maintenance.MaintenanceStarted', { jobId, vehicleId, startedAt }))).toEqual(['accepted']);
    expect(await windowRow(jobId)).toEqual({ status: 'in_progress', window_start: new Date(startedAt), window_end: new Date(startedAt + DAY_MS) });

    expect(await harness.runEvents(await harness.event('maintenance.MaintenanceCompleted', { jobId, vehicleId, completedAt: startedAt + 2 * HOUR_MS }))).toEqual(['accepted']);
    expect(await windowRow(jobId)).toBeUndefined();
    expect(await harness.rental('rental.maintenance_windows').where('job_id', jobId).first('status')).toEqual({ status: 'completed' });
  });

  it('does not let a scheduling that arrives after the cancellation block the vehicle again', async () => {
    const vehicleId = await harness.vehicle();
    const jobId = randomUUID();
    const schedule = { jobId, vehicleId, kind: 'tyres', windowStart: hoursFromNow(3, 8).getTime(), windowEnd: hoursFromNow(3, 10).getTime(), title: 'maintenance', description: null, mechanicId: null, actor: null };
    const scheduledAt = new Date(Date.now() - HOUR_MS);
    const cancelled = await harness.event('maintenance.MaintenanceCancelled', { jobId, vehicleId, cancelledAt: Date.now(), reason: 'parts late', actor: null });

    expect(await harness.runEvents(cancelled, await harness.event('maintenance.MaintenanceScheduled', schedule, scheduledAt))).toEqual(['accepted', 'accepted']);

    expect(await windowRow(jobId)).toBeUndefined();
    expect(await harness.rental('rental.maintenance_windows').where('job_id', jobId).first('status')).toEqual({ status: 'cancelled' });
  });
});
