import { overdueRentalsTask } from '../../../processors/rental/overdue.handlers';
import { RentalRepository } from '../../../processors/rental/rental.repository';
import { runSweep } from '../../../processors/runtime/scheduled-task';
import { HOUR_MS, hoursFromNow, RentalHarness } from '../../support/rental-harness';

/**
 * What only shows when several processors work at once, on the real PostgreSQL: twenty batches
 * reserving one vehicle for overlapping periods at the same moment, each in its own transaction on
 * its own connection, leave exactly one rental (the exclusion constraint judges; the losers are
 * rejected as VEHICLE_ALREADY_BOOKED); two overdue sweeps at the same moment announce a rental
 * once, and a later sweep finds nothing more.
 */
describe('rentals under concurrency', () => {
  const harness = new RentalHarness();
  let locationId: string;

  beforeAll(async () => {
    await harness.start(24);
    locationId = await harness.location('UTC');
  }, 60_000);

  afterAll(() => harness.stop());

  it('reserves a vehicle once when twenty reservations for overlapping periods arrive at once', async () => {
    const vehicleId = await harness.vehicle('shuttle');
    await harness.plan('shuttle');
    const messages = await Promise.all(
      Array.from({ length: 20 }, (_, index) => harness.command('ReserveRental', harness.reservation(vehicleId, locationId, hoursFromNow(2, 8 + (index % 3)), hoursFromNow(2, 12 + (index % 3))))),
    );

    const results = await Promise.all(messages.map((message) => harness.processor.processBatch(harness.rental, [message])));

    expect(results.map(([result]) => result?.outcome).sort()).toEqual([...Array<string>(19).fill('rejected'), 'accepted'].sort());
    const outcomes = await Promise.all(messages.map((message) => harness.outcomeOf(message)));
    expect(outcomes.filter((outcome) => outcome.status === 'accepted')).toHaveLength(1);
    expect(new Set(outcomes.filter((outcome) => outcome.status === 'rejected').map((outcome) => outcome.reasonCode))).toEqual(new Set(['RENTAL.VEHICLE_ALREADY_BOOKED']));
    const rentals: { id: string; status: string }[] = await harness.rental('rental.rentals').where('vehicle_id', vehicleId).select('id', 'status');
    expect(rentals).toEqual([{ id: expect.any(String) as string, status: 'reserved' }]);
    const reserved = (await Promise.all(messages.map((message) => harness.eventsOf(message)))).flat();
    expect(reserved.map((event) => [event.type, event.payload.rentalId])).toEqual([['rental.RentalReserved', rentals[0]!.id]]);
  }, 120_000);

  it('announces an overdue rental once when two sweeps run at once, and never again', async () => {
    const vehicleId = await harness.vehicle('camper');
    await harness.plan('camper', { lateGraceMinutes: 30 });
    const startAt = hoursFromNow(1);
    const endAt = hoursFromNow(2);
    const reservation = harness.reservation(vehicleId, locationId, startAt, endAt);
    await harness.accepted('ReserveRental', reservation);
    harness.now = startAt;
    await harness.accepted('ActivateRental', { rentalId: reservation.rentalId, odometerOutKm: 100, activatedAt: startAt.getTime() });
    harness.now = undefined;
    const task = overdueRentalsTask(new RentalRepository(), 60_000);
    const sweep = (now: Date) => runSweep(harness.rental, 'rental', 'rental.events', task, now);

    // Within the grace nothing is due.
    expect(await sweep(new Date(endAt.getTime() + 29 * 60_000))).toEqual({ kind: 'swept', events: 0 });
    const due = new Date(endAt.getTime() + HOUR_MS);
    const concurrent = await Promise.all([sweep(due), sweep(due)]);
    const later = await sweep(new Date(due.getTime() + HOUR_MS));

    // One sweep holds the lock and marks the rental; the other is busy, or finds it marked already.
    expect(concurrent.reduce((announced, outcome) => announced + (outcome.kind === 'swept' ? outcome.events : 0), 0)).toBe(1);
    expect(later).toEqual({ kind: 'swept', events: 0 });
    const overdueAt = new Date(endAt.getTime() + 30 * 60_000);
    expect(await harness.rental('rental.rentals').where('id', reservation.rentalId as string).first('overdue_at')).toEqual({ overdue_at: overdueAt });
    const events: { message_key: string; payload: Record<string, unknown> }[] = await harness.rental('rental.outbox_events').where('event_type', 'rental.RentalOverdue').select('message_key', 'payload');
    expect(events).toEqual([{ message_key: vehicleId, payload: { rentalId: reservation.rentalId, vehicleId, endAt: endAt.getTime(), overdueAt: overdueAt.getTime() } }]);
    await harness.codec.encode('test.rental.overdue', 'rental.RentalOverdue', events[0]!.payload);
  }, 60_000);
});
