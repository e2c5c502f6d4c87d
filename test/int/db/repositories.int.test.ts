import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { createDatabase } from '../../../platform/database';
import { FleetRepository } from '../../../processors/fleet/fleet.repository';
import { IdentityRepository } from '../../../processors/identity/identity.repository';
import { LedgerRepository, type JournalEntry } from '../../../processors/ledger/ledger.repository';
import { MaintenanceRepository } from '../../../processors/maintenance/maintenance.repository';
import { RentalRepository } from '../../../processors/rental/rental.repository';
import { ReportingRepository } from '../../../processors/reporting/reporting.repository';
import { IntegrationRepository } from '../../../processors/runtime/integration.repository';
import { ScratchDatabase } from '../../support/database';

/** Each context's repository against the real schema, connected as that context's login. */
describe('context repositories', () => {
  const database = new ScratchDatabase();
  const connections: Knex[] = [];

  function connectAs(role: string): Knex {
    const connection = createDatabase({ url: database.urlFor(role), poolSizeMax: 3, statementTimeoutMs: 10_000, applicationName: `test-${role}` });
    connections.push(connection);
    return connection;
  }

  beforeAll(() => database.create({ migrate: true }));
  afterAll(async () => {
    await Promise.all(connections.map((connection) => connection.destroy()));
    await database.drop();
  });

  describe('inbox and outbox', () => {
    const integration = new IntegrationRepository('rental');
    let rental: Knex;
    beforeAll(() => {
      rental = connectAs('rental_svc');
    });

    it('records a message once and reports the redelivery as a duplicate', async () => {
      const entry = { messageId: randomUUID(), messageType: 'ReserveRental', outcome: 'accepted' as const };
      expect(await rental.transaction((trx) => integration.recordInbox(trx, entry))).toBe('recorded');
      expect(await rental.transaction((trx) => integration.recordInbox(trx, entry))).toBe('duplicate');
    });

    it('hands unpublished events to one relay at a time, in order, until they are marked published', async () => {
      const aggregateId = randomUUID();
      const events = ['RentalReserved', 'RentalActivated', 'RentalCompleted'].map((eventType, index) => ({
        topic: 'rental.events',
        key: aggregateId,
        aggregateType: 'rental',
        aggregateId,
        eventType,
        payload: { step: index },
        headers: { 'correlation-id': 'c-1' },
        occurredAt: new Date(Date.UTC(2026, 10, 23, 12, index)),
      }));
      await rental.transaction((trx) => integration.appendOutbox(trx, events));

      const firstRelay = await rental.transaction();
      const claimed = await integration.claimUnpublished(firstRelay, 2);
      const secondRelay = await rental.transaction();
      const claimedMeanwhile = await integration.claimUnpublished(secondRelay, 10);
      await secondRelay.rollback();
      await integration.markPublished(firstRelay, claimed.map((event) => event.id), new Date());
      await firstRelay.commit();
      const remaining = await rental.transaction((trx) => integration.claimUnpublished(trx, 10));

      expect(claimed.map((event) => [event.eventType, event.payload])).toEqual([
        ['RentalReserved', { step: 0 }],
        ['RentalActivated', { step: 1 }],
      ]);
      expect(claimed[0]!.sequence).toBeLessThan(claimed[1]!.sequence);
      expect(claimedMeanwhile.map((event) => event.eventType)).toEqual(['RentalCompleted']);
      expect(remaining.map((event) => event.eventType)).toEqual(['RentalCompleted']);
    });
  });

  describe('rentals', () => {
    const repository = new RentalRepository();
    let rental: Knex;
    let locationId: string;
    const vehicleId = randomUUID();
    const period = (fromHour: number, toHour: number) => ({
      startAt: new Date(Date.UTC(2026, 11, 1, fromHour)),
      endAt: new Date(Date.UTC(2026, 11, 1, toHour)),
    });
    const newRental = (fromHour: number, toHour: number, bufferMinutes = 0) => ({
      id: randomUUID(),
      vehicleId,
      customerId: null,
      originLocationId: locationId,
      destinationLocationId: locationId,
      bufferMinutes,
      pricingPlanId: null,
      quoteId: null,
      currency: 'EUR',
      terms: null,
      depositRequiredMinor: 0,
      createdBy: null,
      ...period(fromHour, toHour),
    });

    beforeAll(async () => {
      rental = connectAs('rental_svc');
      [{ id: locationId }] = (await rental('rental.locations').insert({ name: 'Airport', type: 'custom' }).returning('id')) as [{ id: string }];
    });

    it('reserves, and reports a double booking as an outcome while the transaction goes on', async () => {
      const first = newRental(10, 12);
      const overlapping = newRental(11, 13);
      const adjacent = newRental(12, 14);

      const outcomes = await rental.transaction(async (trx) => [
        await repository.reserve(trx, first),
        await repository.reserve(trx, overlapping),
        await repository.reserve(trx, adjacent),
      ]);

      expect(outcomes).toEqual([{ outcome: 'reserved' }, { outcome: 'vehicle_already_booked' }, { outcome: 'reserved' }]);
      const bookings = await rental.transaction((trx) => repository.bookingsOverlapping(trx, vehicleId, period(0, 23).startAt, period(0, 23).endAt));
      expect(bookings.map((booking) => booking.id)).toEqual([first.id, adjacent.id]);
    });

    it('blocks a vehicle until the end plus its buffer, and frees it exactly then', async () => {
      const buffered = newRental(16, 17, 60);
      const insideBuffer = newRental(17, 19);
      const atBlockedUntil = newRental(18, 19);

      const outcomes = await rental.transaction(async (trx) => [
        await repository.reserve(trx, buffered),
        await repository.reserve(trx, insideBuffer),
        await repository.reserve(trx, atBlockedUntil),
      ]);

      expect(outcomes).toEqual([{ outcome: 'reserved' }, { outcome: 'vehicle_already_booked' }, { outcome: 'reserved' }]);
      const bookings = await rental.transaction((trx) => repository.bookingsOverlapping(trx, vehicleId, period(17, 18).startAt, period(17, 18).endAt));
      expect(bookings).toEqual([{ id: buffered.id, from: period(16, 17).startAt, until: period(16, 18).endAt }]);
    });

    it('moves a rental only from the status it was decided on', async () => {
      const reservation = newRental(20, 21);
      await rental.transaction((trx) => repository.reserve(trx, reservation));
      const cancel = { rentalId: reservation.id, at: new Date(), reason: 'plans changed', actorId: null };

      await rental.transaction((trx) => repository.cancel(trx, cancel));
      await expect(rental.transaction((trx) => repository.cancel(trx, cancel))).rejects.toThrow(`rental ${reservation.id} was not reserved when it was written`);
    });
  });

  describe('the ledger', () => {
    const repository = new LedgerRepository();
    let accounting: Knex;

    beforeAll(() => {
      accounting = connectAs('accounting_svc');
    });

    const entry = (externalRefId: string, amountMinor: number): JournalEntry => ({
      id: randomUUID(),
      posting: {
        externalRefType: 'rental.PaymentCaptured',
        externalRefId,
        entryDate: '2026-11-23',
        description: 'card payment',
        lines: [
          { account: 'CARD_CLEARING', direction: 'debit', amountMinor, currency: 'EUR' },
          { account: 'ACCOUNTS_RECEIVABLE', direction: 'credit', amountMinor, currency: 'EUR' },
        ],
      },
      correlationId: 'c-2',
      createdBy: null,
    });

    it('posts once, recognises a redelivery, tells a conflicting posting apart, and chains only what it posted', async () => {
      const sourceEventId = randomUUID();
      const first = entry(sourceEventId, 12_000);

      const posted = await accounting.transaction((trx) => repository.post(trx, first));
      const redelivered = await accounting.transaction((trx) => repository.post(trx, { ...entry(sourceEventId, 12_000) }));
      const conflicting = await accounting.transaction((trx) => repository.post(trx, entry(sourceEventId, 11_000)));

      expect(posted).toEqual({ outcome: 'posted', entryId: first.id, sequence: expect.any(Number) });
      expect(redelivered).toEqual({ outcome: 'already_posted', entryId: first.id });
      expect(conflicting).toEqual({ outcome: 'conflicting_posting', entryId: first.id });
      const lines = await accounting('accounting.journal_lines').where('journal_entry_id', first.id).select('amount_cents');
      expect(lines).toEqual([{ amount_cents: 12_000 }, { amount_cents: 12_000 }]);
      const head: { sequence: number } = await accounting('accounting.chain_head').first('sequence');
      expect(Number(head.sequence)).toBe(posted.outcome === 'posted' ? posted.sequence : -1);
    });

    it('follows the chain head through a transaction: a rolled-back savepoint leaves no trace, and a stale head fails loudly', async () => {
      const sequences = await accounting.transaction(async (trx) => {
        const first = await repository.post(trx, entry(randomUUID(), 100));
        // A message whose savepoint is rolled back after posting (as the runtime does for a failed one).
        await trx.transaction(async (savepoint) => {
          await repository.post(savepoint, entry(randomUUID(), 200));
          throw new Error('the message failed after posting');
        }).catch(() => undefined);
        const second = await repository.post(trx, entry(randomUUID(), 300));
        return [first, second].map((result) => (result.outcome === 'posted' ? result.sequence : -1));
      });
      expect(sequences[1]).toBe(sequences[0]! + 1);
      const rows: { sequence: string; previous_hash: Buffer; entry_hash: Buffer }[] = await accounting('accounting.journal_entries').whereIn('sequence', sequences).orderBy('sequence').select('sequence', 'previous_hash', 'entry_hash');
      expect(rows[1]!.previous_hash.equals(rows[0]!.entry_hash)).toBe(true);

      // A transaction that posted inside a savepoint which was kept, then posts again itself: the
      // head it remembers is behind, and the database refuses the second entry rather than fork.
      const stale = accounting.transaction(async (trx) => {
        await repository.post(trx, entry(randomUUID(), 400));
        await trx.transaction((savepoint) => repository.post(savepoint, entry(randomUUID(), 500)));
        await repository.post(trx, entry(randomUUID(), 600));
      });
      await expect(stale).rejects.toMatchObject({ code: '23505' });
    });
  });

  describe('vehicles and odometer readings', () => {
    const repository = new FleetRepository();
    let fleet: Knex;
    beforeAll(() => {
      fleet = connectAs('fleet_svc');
    });

    it('registers a vehicle once per plate and keeps its odometer moving forwards', async () => {
      const vehicle = { id: randomUUID(), plateNumber: 'M-FC 42', vin: null, make: 'BMW', model: '320d', variant: null, year: 2024, vehicleClass: 'premium', createdBy: null };

      expect(await fleet.transaction((trx) => repository.register(trx, vehicle))).toBe('registered');
      expect(await fleet.transaction((trx) => repository.register(trx, { ...vehicle, id: randomUUID() }))).toBe('plate_number_taken');

      const at = (day: number) => new Date(Date.UTC(2026, 10, day));
      const record = (readingKm: number, day: number) =>
        fleet.transaction((trx) => repository.recordReading(trx, { vehicleId: vehicle.id, readingKm, recordedAt: at(day), source: 'manual', createdBy: null }));
      expect(await record(10_000, 1)).toMatchObject({ outcome: 'recorded' });
      const backwards = await record(9_000, 2);
      expect(backwards).toMatchObject({ outcome: 'out_of_order' });
      expect(backwards.outcome === 'out_of_order' && backwards.detail).toContain('9000 km');

      expect(await fleet.transaction((trx) => repository.latestReading(trx, vehicle.id))).toEqual({ readingKm: 10_000, recordedAt: at(1) });
      const active = await fleet.transaction((trx) => repository.listByStatus(trx, 'active', { size: 10 }));
      expect(active).toEqual([{ id: vehicle.id, plateNumber: 'M-FC 42', make: 'BMW', model: '320d', vehicleClass: 'premium', status: 'active', rowVersion: 0 }]);
    });
  });

  describe('users and access', () => {
    it('creates a user once per e-mail and reads roles and permissions in a single query', async () => {
      const repository = new IdentityRepository();
      const identity = connectAs('identity_svc');
      const userId = randomUUID();
      await identity.transaction((trx) => repository.createUser(trx, { id: userId, email: 'Grace@Fleet.example', passwordHash: 'scrypt$1', externalSubject: null, createdBy: null }));
      expect(
        await identity.transaction((trx) => repository.createUser(trx, { id: randomUUID(), email: 'grace@fleet.example', passwordHash: 'scrypt$2', externalSubject: null, createdBy: null })),
      ).toBe('email_taken');
      // Roles and permissions of their own, beside the seeded ones (which already hold grants).
      const [agent, auditor] = (await identity('identity.roles').insert([{ name: 'desk_agent' }, { name: 'inspector' }]).returning('id')) as [{ id: string }, { id: string }];
      const [reserve, read] = (await identity('identity.permissions').insert([{ name: 'desk.reserve' }, { name: 'desk.read' }]).returning('id')) as [
        { id: string },
        { id: string },
      ];
      await identity('identity.user_roles').insert([{ user_id: userId, role_id: agent.id }, { user_id: userId, role_id: auditor.id }]);
      await identity('identity.role_permissions').insert([
        { role_id: agent.id, permission_id: reserve.id },
        { role_id: agent.id, permission_id: read.id },
        { role_id: auditor.id, permission_id: read.id },
      ]);

      const queries: string[] = [];
      const access = await identity.transaction(async (trx) => {
        trx.on('query', (query: { sql: string }) => queries.push(query.sql));
        return repository.findAccessByEmail(trx, 'GRACE@fleet.example');
      });

      expect(access).toEqual({
        userId,
        email: 'Grace@Fleet.example',
        status: 'active',
        passwordHash: 'scrypt$1',
        roles: ['desk_agent', 'inspector'],
        permissions: ['desk.read', 'desk.reserve'],
      });
      expect(queries.filter((sql) => /select/i.test(sql))).toHaveLength(1);
    });
  });

  describe('maintenance and reporting', () => {
    it('adds a job with its parts and sums their cost', async () => {
      const repository = new MaintenanceRepository();
      const maintenance = connectAs('maintenance_svc');
      const vehicleId = randomUUID();
      const jobId = randomUUID();
      await maintenance.transaction(async (trx) => {
        const windowStart = new Date('2026-12-01T08:00:00Z');
        const windowEnd = new Date('2026-12-01T17:00:00Z');
        await repository.schedule(trx, { id: jobId, vehicleId, kind: 'repair', title: 'brakes', description: null, windowStart, windowEnd, mechanicId: null, createdBy: null });
        await repository.addParts(trx, jobId, [
          { partName: 'brake pad', partNumber: null, quantity: 4, unitCostMinor: 2_500, currency: 'EUR' },
          { partName: 'brake disc', partNumber: 'BD-1', quantity: 2, unitCostMinor: 8_000, currency: 'EUR' },
        ]);
      });

      expect(await maintenance.transaction((trx) => repository.jobsOfVehicle(trx, vehicleId, ['scheduled']))).toEqual([
        { id: jobId, status: 'scheduled', partsCostCents: 26_000 },
      ]);
    });

    it('appends a report snapshot, reads it back unchanged and refuses a second one with its id', async () => {
      const repository = new ReportingRepository();
      const reporting = connectAs('reporting_svc');
      const { resultText, ...snapshot } = {
        id: randomUUID(),
        reportType: 'trial_balance',
        periodStart: '2026-11-30',
        periodEnd: '2026-11-30',
        parameters: { asOf: '2026-11-30' },
        watermark: [{ topic: 'ledger.events', partition: 0, offset: 41 }],
        generatedAt: new Date('2026-11-23T12:00:00.000Z'),
        resultText: '{"lines":[{"account":"CASH","debitMinor":100}]}',
        contentHash: 'a'.repeat(64),
        requestedBy: null,
      };
      expect(await reporting.transaction((trx) => repository.append(trx, { ...snapshot, resultText }))).toBe('appended');

      expect(await reporting.transaction((trx) => repository.snapshots(trx, { limit: 1, ids: [snapshot.id] }))).toEqual([{ ...snapshot, result: JSON.parse(resultText) }]);
      expect(await reporting.transaction((trx) => repository.append(trx, { ...snapshot, resultText: '{}' }))).toBe('taken');
    });
  });
});
