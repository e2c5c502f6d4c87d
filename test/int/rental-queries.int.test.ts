import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { InvalidCursorError, RentalQueries, type AvailableVehicle } from '../../gateway/queries/rental.queries';
import { createDatabase } from '../../platform/database';
import { ScratchDatabase } from '../support/database';

/**
 * The gateway's rental reads on the real PostgreSQL, as the read-only login over the rental
 * context's published views: availability (bookings with their buffer, maintenance windows,
 * decommissioned vehicles), its plan on the GiST indexes, keyset pages of rentals, and a rental's
 * money. Rows are written as rental_svc, the way the processor writes them.
 */
describe('rental reads over the published views', () => {
  const database = new ScratchDatabase();
  let rental: Knex;
  let reader: Knex;
  let queries: RentalQueries;
  const depot = randomUUID();
  const city = randomUUID();
  const window = { from: new Date('2027-05-10T10:00:00Z'), to: new Date('2027-05-12T10:00:00Z') };
  const vehicles: Record<string, string> = {};

  async function vehicle(plate: string, options: { vehicleClass?: string; status?: string; locationId?: string | null } = {}): Promise<string> {
    const vehicleId = randomUUID();
    vehicles[plate] = vehicleId;
    await rental('rental.vehicle_projection').insert({
      vehicle_id: vehicleId,
      plate_number: plate,
      vehicle_class: options.vehicleClass ?? 'compact',
      status: options.status ?? 'active',
      location_id: options.locationId === undefined ? depot : options.locationId,
      last_event_id: randomUUID(),
      last_event_at: new Date(),
    });
    return vehicleId;
  }

  async function reserve(vehicleId: string, startAt: string, endAt: string, options: { status?: string; bufferMinutes?: number } = {}): Promise<string> {
    const id = randomUUID();
    const status = options.status ?? 'reserved';
    await rental('rental.rentals').insert({
      id,
      vehicle_id: vehicleId,
      origin_location_id: depot,
      destination_location_id: city,
      start_at: startAt,
      end_at: endAt,
      status,
      buffer_minutes: options.bufferMinutes ?? 0,
      currency: 'EUR',
      cancelled_at: status === 'cancelled' ? new Date() : null,
    });
    return id;
  }

  async function maintenance(vehicleId: string, from: string, to: string, status = 'scheduled'): Promise<void> {
    await rental('rental.maintenance_windows').insert({
      job_id: randomUUID(),
      vehicle_id: vehicleId,
      kind: 'service',
      blocked_period: rental.raw("tstzrange(?::timestamptz, ?::timestamptz, '[)')", [from, to]),
      status,
      last_event_id: randomUUID(),
      last_event_at: new Date(),
    });
  }

  const plates = (items: readonly AvailableVehicle[]) => items.map((item) => item.plateNumber);

  beforeAll(async () => {
    await database.create({ migrate: true });
    rental = createDatabase({ url: database.urlFor('rental_svc'), poolSizeMax: 2, statementTimeoutMs: 10_000, applicationName: 'rental-queries-writer' });
    reader = createDatabase({ url: database.urlFor('gateway_reader'), poolSizeMax: 2, statementTimeoutMs: 10_000, applicationName: 'rental-queries-reader' });
    queries = new RentalQueries(reader);
    await rental('rental.locations').insert([
      { id: depot, name: 'Depot', type: 'depot', time_zone: 'Europe/Berlin' },
      { id: city, name: 'City', type: 'city', time_zone: 'Europe/Berlin' },
    ]);

    await vehicle('AV-01');
    // Booked across the window.
    await reserve(await vehicle('AV-02'), '2027-05-11T08:00:00Z', '2027-05-11T18:00:00Z');
    // Its rental ends an hour before the window, but its two-hour buffer reaches into it.
    await reserve(await vehicle('AV-03'), '2027-05-09T08:00:00Z', '2027-05-10T09:00:00Z', { bufferMinutes: 120 });
    // A scheduled job inside the window.
    await maintenance(await vehicle('AV-04'), '2027-05-12T08:00:00Z', '2027-05-12T12:00:00Z');
    await vehicle('AV-05', { status: 'decommissioned' });
    await vehicle('AV-06', { vehicleClass: 'van', locationId: city });
    // Free: its buffer ends exactly at the window's start ('[)'), a job right after the window,
    // a cancelled rental and a completed job inside it, an active rental long before.
    const adjacent = await vehicle('AV-07');
    await reserve(adjacent, '2027-05-10T06:00:00Z', '2027-05-10T09:00:00Z', { bufferMinutes: 60 });
    await maintenance(adjacent, '2027-05-12T10:00:00Z', '2027-05-12T14:00:00Z');
    await reserve(adjacent, '2027-05-11T08:00:00Z', '2027-05-11T18:00:00Z', { status: 'cancelled' });
    await maintenance(adjacent, '2027-05-11T00:00:00Z', '2027-05-11T06:00:00Z', 'completed');
    // In progress overlapping, so taken; and a vehicle placed nowhere yet.
    await maintenance(await vehicle('AV-08', { vehicleClass: 'van' }), '2027-05-09T00:00:00Z', '2027-05-10T12:00:00Z', 'in_progress');
    await vehicle('AV-09', { locationId: null });
  }, 60_000);

  afterAll(async () => {
    await rental.destroy();
    await reader.destroy();
    await database.drop();
  });

  describe('availability', () => {
    it('lists the vehicles free for the whole window, by plate, without the booked, buffered, in-maintenance and decommissioned ones', async () => {
      const page = await queries.available({ ...window, limit: 50 });
      expect(page).toEqual({
        items: [
          { vehicleId: vehicles['AV-01'], plateNumber: 'AV-01', vehicleClass: 'compact', locationId: depot },
          { vehicleId: vehicles['AV-06'], plateNumber: 'AV-06', vehicleClass: 'van', locationId: city },
          { vehicleId: vehicles['AV-07'], plateNumber: 'AV-07', vehicleClass: 'compact', locationId: depot },
          { vehicleId: vehicles['AV-09'], plateNumber: 'AV-09', vehicleClass: 'compact', locationId: null },
        ],
        nextCursor: null,
      });
    });

    it('narrows to a location and a class', async () => {
      expect(plates((await queries.available({ ...window, locationId: depot, limit: 50 })).items)).toEqual(['AV-01', 'AV-07']);
      expect(plates((await queries.available({ ...window, vehicleClass: 'van', limit: 50 })).items)).toEqual(['AV-06']);
      expect(plates((await queries.available({ ...window, locationId: city, vehicleClass: 'compact', limit: 50 })).items)).toEqual([]);
    });

    it('counts a window that merely touches a booking or a job as free, and one that overlaps it by a minute as taken', async () => {
      // AV-02 is booked 08:00–18:00 on the 11th.
      const before = await queries.available({ from: new Date('2027-05-11T06:00:00Z'), to: new Date('2027-05-11T08:00:00Z'), limit: 50 });
      const overlapping = await queries.available({ from: new Date('2027-05-11T06:00:00Z'), to: new Date('2027-05-11T08:01:00Z'), limit: 50 });
      expect(plates(before.items)).toContain('AV-02');
      expect(plates(overlapping.items)).not.toContain('AV-02');
    });

    it('walks every page with the cursor, each vehicle once', async () => {
      const seen: string[] = [];
      let after: string | undefined;
      for (let pages = 0; pages < 10; pages += 1) {
        const page = await queries.available({ ...window, limit: 1, ...(after === undefined ? {} : { after }) });
        seen.push(...plates(page.items));
        if (page.nextCursor === null) break;
        after = page.nextCursor;
      }
      expect(seen).toEqual(['AV-01', 'AV-06', 'AV-07', 'AV-09']);
    });

    it('refuses a cursor it never handed out', async () => {
      await expect(queries.available({ ...window, limit: 5, after: 'bm90LWEtY3Vyc29y' })).rejects.toBeInstanceOf(InvalidCursorError);
      await expect(queries.available({ ...window, limit: 5, after: Buffer.from(JSON.stringify(['AV-01', 'x'])).toString('base64url') })).rejects.toBeInstanceOf(
        InvalidCursorError,
      );
    });

    it('probes bookings and maintenance windows through their GiST indexes', async () => {
      // On a handful of rows the planner rightly prefers scanning; with sequential scans priced
      // out it shows which indexes the statement can use: the exclusion constraint's on bookings
      // (its partial predicate is the view's) and the (vehicle_id, blocked_period) one on jobs.
      const statement = queries.availableQuery({ ...window, locationId: depot, limit: 50 }).toSQL();
      const plan = await reader.transaction(async (transaction) => {
        await transaction.raw('SET LOCAL enable_seqscan = off');
        const result = await transaction.raw<{ rows: { 'QUERY PLAN': string }[] }>(`EXPLAIN ${statement.sql}`, statement.bindings);
        return result.rows.map((row) => row['QUERY PLAN']).join('\n');
      });
      expect(plan).toMatch(/Index (Only )?Scan (using|on) rentals_no_double_booking\b/);
      expect(plan).toMatch(/Index (Only )?Scan (using|on) maintenance_windows_vehicle_period_idx\b/);
    });
  });

  describe('rentals', () => {
    let subject: string;
    const ids: string[] = [];

    beforeAll(async () => {
      subject = await vehicle('RL-01');
      // Two rentals start at the same instant (one cancelled): the id breaks the tie.
      ids.push(await reserve(subject, '2027-06-01T10:00:00Z', '2027-06-02T10:00:00Z', { status: 'completed' }));
      ids.push(await reserve(subject, '2027-06-03T10:00:00Z', '2027-06-04T10:00:00Z', { status: 'cancelled' }));
      ids.push(await reserve(subject, '2027-06-03T10:00:00Z', '2027-06-05T10:00:00Z'));
      ids.push(await reserve(subject, '2027-06-07T10:00:00.123Z', '2027-06-08T10:00:00Z'));
      ids.push(await reserve(subject, '2027-06-09T10:00:00Z', '2027-06-10T10:00:00Z', { status: 'active' }));
    });

    const byStartThenId = () => {
      const starts: Record<string, number> = {};
      return async () => {
        const rows: { id: string; start_at: Date }[] = await rental('rental.rentals').whereIn('id', ids).select('id', 'start_at');
        for (const row of rows) starts[row.id] = row.start_at.getTime();
        return [...ids].sort((a, b) => starts[a]! - starts[b]! || (a < b ? -1 : 1));
      };
    };

    it('walks pages in (start, id) order with the cursor, every rental once', async () => {
      const seen: string[] = [];
      let after: string | undefined;
      for (let pages = 0; pages < 10; pages += 1) {
        const page = await queries.rentals({ vehicleId: subject, limit: 2, ...(after === undefined ? {} : { after }) });
        seen.push(...page.items.map((item) => item.id));
        if (page.nextCursor === null) break;
        after = page.nextCursor;
      }
      expect(seen).toEqual(await byStartThenId()());
    });

    it('filters by status and by overlap with a period', async () => {
      expect((await queries.rentals({ vehicleId: subject, status: 'active', limit: 10 })).items.map((item) => item.id)).toEqual([ids[4]]);
      // [06-04 12:00, 06-07 10:00) overlaps only the rental running to 06-05; one starting at its end does not.
      const overlapping = await queries.rentals({ vehicleId: subject, from: new Date('2027-06-04T12:00:00Z'), to: new Date('2027-06-07T10:00:00Z'), limit: 10 });
      expect(overlapping.items.map((item) => item.id)).toEqual([ids[2]]);
    });

    it('answers a rental with its fields, and the buffer in its blocked-until', async () => {
      const buffered = await reserve(subject, '2027-07-01T10:00:00Z', '2027-07-02T10:00:00Z', { bufferMinutes: 90 });
      const found = await queries.rental(buffered);
      expect(found).toMatchObject({
        id: buffered,
        vehicleId: subject,
        originLocationId: depot,
        destinationLocationId: city,
        startAt: '2027-07-01T10:00:00.000Z',
        endAt: '2027-07-02T10:00:00.000Z',
        bufferMinutes: 90,
        blockedUntil: '2027-07-02T11:30:00.000Z',
        status: 'reserved',
        currency: 'EUR',
        charges: [],
        payments: [],
        totals: { currency: 'EUR', chargedMinor: 0, capturedMinor: 0, refundedMinor: 0, depositHeldMinor: 0, depositAppliedMinor: 0, balanceDueMinor: 0 },
      });
      expect(await queries.rental(randomUUID())).toBeUndefined();
    });

    it("adds up a rental's charges, payments, deposit and refunds", async () => {
      const rentalId = await reserve(subject, '2027-08-01T10:00:00Z', '2027-08-03T10:00:00Z');
      await rental('rental.rental_charges').insert([
        { rental_id: rentalId, type: 'base', description: '2 days', quantity: 2, amount_cents: 10_000, currency: 'EUR', source: 'quote' },
        { rental_id: rentalId, type: 'damage', description: 'Mirror', quantity: 1, amount_cents: 500, currency: 'EUR', source: 'manual' },
        { rental_id: rentalId, type: 'discount', description: 'Loyalty', quantity: 1, amount_cents: 1_000, currency: 'EUR', source: 'manual' },
      ]);
      const paid = randomUUID();
      const deposit = randomUUID();
      await rental('rental.rental_payments').insert([
        { id: paid, rental_id: rentalId, kind: 'payment', provider: 'card', amount_cents: 5_000, currency: 'EUR', status: 'captured', captured_at: new Date() },
        { id: deposit, rental_id: rentalId, kind: 'deposit', provider: 'card', amount_cents: 30_000, currency: 'EUR', status: 'captured', captured_at: new Date() },
        { id: randomUUID(), rental_id: rentalId, kind: 'payment', provider: 'cash', amount_cents: 2_000, currency: 'EUR', status: 'pending' },
      ]);
      const refundId = randomUUID();
      await rental('rental.payment_refunds').insert({ id: refundId, payment_id: paid, amount_cents: 1_000, currency: 'EUR', reason: 'Goodwill', refunded_at: '2027-08-04T09:00:00Z' });

      const found = await queries.rental(rentalId);
      expect(found?.charges.map((charge) => [charge.type, charge.amountMinor, charge.currency])).toEqual(
        expect.arrayContaining([
          ['base', 10_000, 'EUR'],
          ['damage', 500, 'EUR'],
          ['discount', 1_000, 'EUR'],
        ]),
      );
      expect(found?.payments.find((payment) => payment.id === paid)).toMatchObject({
        status: 'captured',
        refundedMinor: 1_000,
        refunds: [{ id: refundId, amountMinor: 1_000, currency: 'EUR', reason: 'Goodwill', refundedAt: '2027-08-04T09:00:00.000Z' }],
      });
      expect(found?.totals).toEqual({
        currency: 'EUR',
        chargedMinor: 9_500,
        capturedMinor: 5_000,
        refundedMinor: 1_000,
        depositHeldMinor: 30_000,
        depositAppliedMinor: 0,
        balanceDueMinor: 5_500,
      });
    });

    it('refuses a cursor it never handed out', async () => {
      await expect(queries.rentals({ limit: 5, after: Buffer.from(JSON.stringify(['1.5', randomUUID()])).toString('base64url') })).rejects.toBeInstanceOf(InvalidCursorError);
    });
  });

  describe('configuration and quotes', () => {
    it('lists locations by name, pricing plans by class and status, and a quote whose expiry has passed as expired', async () => {
      expect((await queries.locations()).map((location) => [location.name, location.type, location.timeZone])).toEqual([
        ['City', 'city', 'Europe/Berlin'],
        ['Depot', 'depot', 'Europe/Berlin'],
      ]);
      const planId = randomUUID();
      await rental('rental.pricing_plans').insert([
        { id: planId, name: 'Compact', vehicle_class: 'compact', currency: 'EUR', daily_rate_cents: 4_900, deposit_cents: 30_000 },
        { id: randomUUID(), name: 'Old vans', vehicle_class: 'van', currency: 'EUR', daily_rate_cents: 7_900, status: 'retired' },
      ]);
      expect((await queries.pricingPlans({ vehicleClass: 'compact' })).map((plan) => [plan.id, plan.dailyRateMinor, plan.depositMinor, plan.status])).toEqual([
        [planId, 4_900, 30_000, 'active'],
      ]);
      expect((await queries.pricingPlans({ status: 'retired' })).map((plan) => plan.name)).toEqual(['Old vans']);

      const quoteId = randomUUID();
      const breakdown = [{ type: 'base', description: '3 days', quantity: 3, unitAmountMinor: 4_900, amountMinor: 14_700 }];
      await rental('rental.quotes').insert({
        id: quoteId,
        vehicle_class: 'compact',
        pricing_plan_id: planId,
        origin_location_id: depot,
        destination_location_id: city,
        start_at: '2027-09-01T08:00:00Z',
        end_at: '2027-09-04T08:00:00Z',
        total_cents: 14_700,
        currency: 'EUR',
        breakdown: JSON.stringify(breakdown),
        expires_at: new Date(Date.now() - 60_000),
      });
      expect(await queries.quote(quoteId)).toMatchObject({ id: quoteId, vehicleClass: 'compact', totalMinor: 14_700, currency: 'EUR', breakdown, status: 'expired' });
      expect(await queries.quote(randomUUID())).toBeUndefined();
    });
  });

  // Last: it fills the tables with a fleet's worth of rows, which the tests above must not see.
  describe('on a fleet of 5,000 vehicles with 100,000 bookings and 10,000 workshop jobs', () => {
    beforeAll(async () => {
      const admin = database.knex();
      await admin.raw(`INSERT INTO rental.vehicle_projection (vehicle_id, plate_number, vehicle_class, status, location_id, last_event_id, last_event_at)
        SELECT gen_random_uuid(), 'BULK-' || lpad(n::text, 5, '0'), CASE WHEN n % 3 = 0 THEN 'van' ELSE 'compact' END, 'active', ?::uuid, 'seed', now()
        FROM generate_series(1, 5000) AS n`, [depot]);
      // Twenty back-to-back two-day rentals per vehicle through 2030, each with an hour of buffer.
      await admin.raw(`INSERT INTO rental.rentals (vehicle_id, origin_location_id, destination_location_id, start_at, end_at, status, buffer_minutes, currency)
        SELECT v.vehicle_id, ?::uuid, ?::uuid, timestamptz '2030-01-01' + (k * interval '3 days'), timestamptz '2030-01-03' + (k * interval '3 days'), 'reserved', 60, 'EUR'
        FROM rental.vehicle_projection v CROSS JOIN generate_series(0, 19) AS k WHERE v.plate_number LIKE 'BULK-%'`, [depot, city]);
      await admin.raw(`INSERT INTO rental.maintenance_windows (job_id, vehicle_id, kind, blocked_period, status, last_event_id, last_event_at)
        SELECT gen_random_uuid(), v.vehicle_id, 'service', tstzrange(day + interval '2 hours', day + interval '20 hours', '[)'), 'scheduled', 'seed', now()
        FROM rental.vehicle_projection v CROSS JOIN generate_series(0, 1) AS k
        CROSS JOIN LATERAL (SELECT timestamptz '2030-01-03' + ((substr(v.plate_number, 6)::int % 20 + 20 * k) * interval '3 days') AS day) AS d
        WHERE v.plate_number LIKE 'BULK-%'`);
      await admin.raw('ANALYZE rental.vehicle_projection, rental.rentals, rental.maintenance_windows');
    }, 120_000);

    it('lets the planner choose the GiST indexes by itself, and answers a page of free vans', async () => {
      // Rentals run back to back with a day between them, whose first hour is buffer; each vehicle has a job
      // on one of those days (a twentieth of the fleet on any one day), from 02:00 to 20:00.
      const crowded = { from: new Date('2030-01-03T00:00:00Z'), to: new Date('2030-01-03T23:00:00Z'), vehicleClass: 'van', limit: 50 };
      const statement = queries.availableQuery(crowded).toSQL();
      const plan = (await reader.raw<{ rows: { 'QUERY PLAN': string }[] }>(`EXPLAIN ${statement.sql}`, statement.bindings)).rows.map((row) => row['QUERY PLAN']).join('\n');
      expect(plan).toMatch(/Scan (using|on) rentals_no_double_booking\b/);
      expect(plan).toMatch(/Scan (using|on) maintenance_windows_vehicle_period_idx\b/);

      // Every bulk vehicle is in its buffer until 01:00 on the 3rd; from 20:00 even those with a job that day are free.
      // (AV-06 and AV-08 of the tests above have nothing booked in 2030.)
      expect(plates((await queries.available(crowded)).items)).toEqual(['AV-06', 'AV-08']);
      const free = await queries.available({ ...crowded, from: new Date('2030-01-03T20:00:00Z') });
      expect(plates(free.items).slice(0, 3)).toEqual(['AV-06', 'AV-08', 'BULK-00003']);
      expect(free.items).toHaveLength(50);
      expect(free.items.every((item) => item.vehicleClass === 'van')).toBe(true);
      expect(free.nextCursor).not.toBeNull();
    });
  });
});
