import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { poolFor, ScratchDatabase, sqlFailure } from '../../support/database';

/**
 * Each invariant the product rests on, attacked directly in SQL as the context's own login (as a
 * buggy processor would), and refused by the database with a stable SQLSTATE and constraint name.
 */
describe('invariants the database enforces', () => {
  const database = new ScratchDatabase();
  let admin: pg.Pool;
  let fleet: pg.Pool;
  let rental: pg.Pool;
  let accounting: pg.Pool;
  let reporting: pg.Pool;
  let identity: pg.Pool;

  beforeAll(async () => {
    await database.create({ migrate: true });
    admin = poolFor(database.adminUrl);
    fleet = poolFor(database.urlFor('fleet_svc'));
    rental = poolFor(database.urlFor('rental_svc'));
    accounting = poolFor(database.urlFor('accounting_svc'));
    reporting = poolFor(database.urlFor('reporting_svc'));
    identity = poolFor(database.urlFor('identity_svc'));
  });

  afterAll(async () => {
    await Promise.all([admin, fleet, rental, accounting, reporting, identity].map((pool) => pool.end()));
    await database.drop();
  });

  describe('rentals: no double booking', () => {
    const vehicleId = '00000000-0000-4000-8000-000000000001';
    let locationId: string;

    beforeAll(async () => {
      const { rows } = await rental.query<{ id: string }>("INSERT INTO rental.locations (name, type) VALUES ('Main depot', 'depot') RETURNING id");
      locationId = rows[0]!.id;
    });

    function reserve(startAt: string, endAt: string, status = 'reserved', vehicle = vehicleId) {
      return rental.query<{ id: string }>(
        `INSERT INTO rental.rentals (vehicle_id, origin_location_id, destination_location_id, start_at, end_at, status, cancelled_at)
         VALUES ($1, $2, $2, $3, $4, $5, CASE WHEN $5 = 'cancelled' THEN now() END) RETURNING id`,
        [vehicle, locationId, startAt, endAt, status],
      );
    }

    beforeAll(() => reserve('2026-12-01T10:00:00Z', '2026-12-01T12:00:00Z'));

    it('refuses an overlapping reservation of the same vehicle (23P01)', async () => {
      const failure = await sqlFailure(reserve('2026-12-01T11:00:00Z', '2026-12-01T13:00:00Z'));
      expect(failure).toMatchObject({ code: '23P01', constraint: 'rentals_no_double_booking' });
    });

    it('refuses an overlapping active rental too', async () => {
      const failure = await sqlFailure(reserve('2026-12-01T09:00:00Z', '2026-12-01T10:30:00Z', 'active'));
      expect(failure).toMatchObject({ code: '23P01', constraint: 'rentals_no_double_booking' });
    });

    it('accepts an adjacent reservation: periods are half-open', async () => {
      await expect(reserve('2026-12-01T12:00:00Z', '2026-12-01T14:00:00Z')).resolves.toMatchObject({ rowCount: 1 });
    });

    it('lets cancelled and completed rentals overlap, and another vehicle the same period', async () => {
      await expect(reserve('2026-12-01T10:30:00Z', '2026-12-01T11:30:00Z', 'cancelled')).resolves.toMatchObject({ rowCount: 1 });
      await expect(reserve('2026-12-01T10:30:00Z', '2026-12-01T11:30:00Z', 'completed')).resolves.toMatchObject({ rowCount: 1 });
      await expect(
        reserve('2026-12-01T10:30:00Z', '2026-12-01T11:30:00Z', 'reserved', '00000000-0000-4000-8000-000000000002'),
      ).resolves.toMatchObject({ rowCount: 1 });
    });

    it('refuses to revive a cancelled rental into an overlap', async () => {
      const { rows } = await reserve('2026-12-01T11:00:00Z', '2026-12-01T11:45:00Z', 'cancelled');
      const failure = await sqlFailure(
        rental.query("UPDATE rental.rentals SET status = 'reserved', cancelled_at = NULL WHERE id = $1", [rows[0]!.id]),
      );
      expect(failure).toMatchObject({ code: '23P01', constraint: 'rentals_no_double_booking' });
    });

    it('refuses a period of no length, or one that ends before it starts', async () => {
      expect(await sqlFailure(reserve('2026-12-05T12:00:00Z', '2026-12-05T12:00:00Z'))).toMatchObject({ code: '23514', constraint: 'rentals_period_check' });
      expect(await sqlFailure(reserve('2026-12-05T12:00:00Z', '2026-12-05T11:00:00Z'))).toMatchObject({ code: '22000' });
    });

    it('refuses an unknown status', async () => {
      const failure = await sqlFailure(reserve('2026-12-06T10:00:00Z', '2026-12-06T12:00:00Z', 'booked'));
      expect(failure).toMatchObject({ code: '23514', constraint: 'rentals_status_check' });
    });
  });

  describe('money columns', () => {
    let rentalId: string;

    beforeAll(async () => {
      const location = await rental.query<{ id: string }>("INSERT INTO rental.locations (name, type) VALUES ('City office', 'city') RETURNING id");
      const created = await rental.query<{ id: string }>(
        `INSERT INTO rental.rentals (vehicle_id, origin_location_id, destination_location_id, start_at, end_at, currency)
         VALUES (gen_random_uuid(), $1, $1, '2026-12-10T10:00:00Z', '2026-12-11T10:00:00Z', 'EUR') RETURNING id`,
        [location.rows[0]!.id],
      );
      rentalId = created.rows[0]!.id;
    });

    function charge(amountCents: number, currency: string) {
      return rental.query("INSERT INTO rental.rental_charges (rental_id, type, amount_cents, currency) VALUES ($1, 'base', $2, $3)", [
        rentalId,
        amountCents,
        currency,
      ]);
    }

    it('accepts integer minor units with an upper-case currency code', async () => {
      await expect(charge(4_999, 'EUR')).resolves.toMatchObject({ rowCount: 1 });
    });

    it.each(['eur', 'E1R', 'EU '])('refuses the currency code %j', async (currency) => {
      expect(await sqlFailure(charge(100, currency))).toMatchObject({ code: '23514', constraint: 'rental_charges_currency_check' });
    });

    it('refuses a negative charge', async () => {
      expect(await sqlFailure(charge(-1, 'EUR'))).toMatchObject({ code: '23514', constraint: 'rental_charges_amount_cents_check' });
    });
  });

  describe('odometer readings', () => {
    let vehicleId: string;

    beforeAll(async () => {
      const { rows } = await fleet.query<{ id: string }>(
        "INSERT INTO fleet.vehicles (plate_number, make, model) VALUES ('B-FL 1001', 'Volkswagen', 'Golf') RETURNING id",
      );
      vehicleId = rows[0]!.id;
      await record(1_000, '2026-11-01T08:00:00Z');
      await record(1_500, '2026-11-03T08:00:00Z');
    });

    function record(readingKm: number, recordedAt: string) {
      return fleet.query<{ id: string }>(
        'INSERT INTO fleet.vehicle_odometer_readings (vehicle_id, reading_km, recorded_at) VALUES ($1, $2, $3) RETURNING id',
        [vehicleId, readingKm, recordedAt],
      );
    }

    it('refuses a reading lower than the latest, naming both values', async () => {
      const failure = await sqlFailure(record(900, '2026-11-04T08:00:00Z'));
      expect(failure).toMatchObject({ code: '23514', constraint: 'vehicle_odometer_readings_non_decreasing' });
      expect(failure.message).toContain('900 km');
      expect(failure.message).toContain('1500 km');
    });

    it('accepts a backdated reading that fits between its neighbours, and two on one day', async () => {
      await expect(record(1_200, '2026-11-02T08:00:00Z')).resolves.toMatchObject({ rowCount: 1 });
      await expect(record(1_250, '2026-11-02T17:00:00Z')).resolves.toMatchObject({ rowCount: 1 });
    });

    it('refuses a backdated reading higher than the reading after it', async () => {
      const failure = await sqlFailure(record(1_600, '2026-11-02T20:00:00Z'));
      expect(failure).toMatchObject({ code: '23514', constraint: 'vehicle_odometer_readings_non_decreasing' });
      expect(failure.message).toContain('1600 km');
      expect(failure.message).toContain('1500 km');
    });

    it('never edits or deletes a reading, but voids it once, after which it no longer counts', async () => {
      const { rows } = await record(1_700, '2026-11-05T08:00:00Z');
      const readingId = rows[0]!.id;

      expect(await sqlFailure(fleet.query('UPDATE fleet.vehicle_odometer_readings SET reading_km = 1650 WHERE id = $1', [readingId]))).toMatchObject({
        code: '23001',
        constraint: 'vehicle_odometer_readings_immutable',
      });
      expect(await sqlFailure(fleet.query('DELETE FROM fleet.vehicle_odometer_readings WHERE id = $1', [readingId]))).toMatchObject({
        code: '23001',
        constraint: 'vehicle_odometer_readings_immutable',
      });

      const voided = await fleet.query<{ row_version: number }>(
        "UPDATE fleet.vehicle_odometer_readings SET voided_at = now(), void_reason = 'typo' WHERE id = $1 RETURNING row_version",
        [readingId],
      );
      expect(voided.rows).toEqual([{ row_version: 1 }]);
      expect(
        await sqlFailure(fleet.query("UPDATE fleet.vehicle_odometer_readings SET void_reason = 'other' WHERE id = $1", [readingId])),
      ).toMatchObject({ code: '23001', constraint: 'vehicle_odometer_readings_immutable' });
      // With 1700 voided, 1600 fits after 1500.
      await expect(record(1_600, '2026-11-06T08:00:00Z')).resolves.toMatchObject({ rowCount: 1 });
    });
  });

  describe('the ledger', () => {
    let cash: string;
    let revenue: string;

    beforeAll(async () => {
      const { rows } = await accounting.query<{ id: string; code: string }>("SELECT id, code FROM accounting.accounts WHERE code IN ('CASH', 'RENTAL_REVENUE')");
      cash = rows.find((row) => row.code === 'CASH')!.id;
      revenue = rows.find((row) => row.code === 'RENTAL_REVENUE')!.id;
    });

    /**
     * Writes an entry and its lines in one transaction, as the ledger processor does; its chain
     * fields are made up (distinct per entry), since these cases are about balance and immutability.
     */
    async function post(externalRefId: string, lines: [account: string, direction: string, amountCents: number, currency: string][]) {
      const client = await accounting.connect();
      try {
        await client.query('BEGIN');
        const { rows } = await client.query<{ id: string }>(
          "INSERT INTO accounting.journal_entries (external_ref_type, external_ref_id, entry_date, sequence, previous_hash, entry_hash) VALUES ('RentalCompleted', $1, '2026-11-20', (SELECT coalesce(max(sequence), 0) + 1 FROM accounting.journal_entries), sha256(gen_random_uuid()::text::bytea), sha256(gen_random_uuid()::text::bytea)) RETURNING id",
          [externalRefId],
        );
        for (const [account, direction, amountCents, currency] of lines) {
          await client.query(
            'INSERT INTO accounting.journal_lines (journal_entry_id, account_id, direction, amount_cents, currency) VALUES ($1, $2, $3, $4, $5)',
            [rows[0]!.id, account, direction, amountCents, currency],
          );
        }
        await client.query('COMMIT');
        return rows[0]!.id;
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      } finally {
        client.release();
      }
    }

    const ref = (n: number) => `00000000-0000-4000-9000-${String(n).padStart(12, '0')}`;

    it('accepts an entry that balances in every currency', async () => {
      await expect(
        post(ref(1), [
          [cash, 'debit', 10_000, 'EUR'],
          [revenue, 'credit', 10_000, 'EUR'],
          [cash, 'debit', 2_500, 'USD'],
          [revenue, 'credit', 2_500, 'USD'],
        ]),
      ).resolves.toEqual(expect.any(String));
    });

    it('refuses at commit an entry whose debits and credits differ', async () => {
      const failure = await sqlFailure(post(ref(2), [[cash, 'debit', 10_000, 'EUR'], [revenue, 'credit', 9_000, 'EUR']]));
      expect(failure).toMatchObject({ code: '23514', constraint: 'journal_entries_balanced' });
      expect(failure.message).toContain('debits 10000 cents, credits 9000 cents');
    });

    it('refuses an entry that balances in total but not per currency', async () => {
      const failure = await sqlFailure(post(ref(3), [[cash, 'debit', 100, 'EUR'], [revenue, 'credit', 100, 'USD']]));
      expect(failure).toMatchObject({ code: '23514', constraint: 'journal_entries_balanced' });
    });

    it('refuses an entry with one line, or with none', async () => {
      expect(await sqlFailure(post(ref(4), [[cash, 'debit', 100, 'EUR']]))).toMatchObject({ code: '23514', constraint: 'journal_entries_min_two_lines' });
      expect(await sqlFailure(post(ref(5), []))).toMatchObject({ code: '23514', constraint: 'journal_entries_min_two_lines' });
    });

    it('posts a source event once: a second posting of it is a unique violation (23505)', async () => {
      await post(ref(6), [[cash, 'debit', 500, 'EUR'], [revenue, 'credit', 500, 'EUR']]);
      const failure = await sqlFailure(post(ref(6), [[cash, 'debit', 500, 'EUR'], [revenue, 'credit', 500, 'EUR']]));
      expect(failure).toMatchObject({ code: '23505', constraint: 'journal_entries_external_ref_key' });
    });

    it('refuses zero and negative line amounts', async () => {
      expect(await sqlFailure(post(ref(7), [[cash, 'debit', -500, 'EUR'], [revenue, 'credit', -500, 'EUR']]))).toMatchObject({
        code: '23514',
        constraint: 'journal_lines_amount_cents_check',
      });
      expect(await sqlFailure(post(ref(9), [[cash, 'debit', 0, 'EUR'], [revenue, 'credit', 0, 'EUR']]))).toMatchObject({
        code: '23514',
        constraint: 'journal_lines_amount_cents_check',
      });
    });

    it('never changes posted rows: the trigger refuses even a superuser, the grant refuses the ledger login', async () => {
      const entryId = await post(ref(8), [[cash, 'debit', 700, 'EUR'], [revenue, 'credit', 700, 'EUR']]);

      for (const statement of [
        'UPDATE accounting.journal_lines SET amount_cents = 1 WHERE journal_entry_id = $1',
        'DELETE FROM accounting.journal_lines WHERE journal_entry_id = $1',
      ]) {
        expect(await sqlFailure(admin.query(statement, [entryId]))).toMatchObject({ code: '23001', constraint: 'journal_lines_immutable' });
        expect(await sqlFailure(accounting.query(statement, [entryId]))).toMatchObject({ code: '42501' });
      }
      for (const statement of [
        "UPDATE accounting.journal_entries SET description = 'edited' WHERE id = $1",
        'DELETE FROM accounting.journal_entries WHERE id = $1',
      ]) {
        expect(await sqlFailure(admin.query(statement, [entryId]))).toMatchObject({ code: '23001', constraint: 'journal_entries_immutable' });
      }
      expect(await sqlFailure(admin.query('TRUNCATE accounting.journal_lines, accounting.journal_entries CASCADE'))).toMatchObject({ code: '23001' });
    });
  });

  describe('other facts', () => {
    it('refuse UPDATE and DELETE: by trigger for everyone, by grant for the owning login', async () => {
      const { rows: vehicles } = await fleet.query<{ id: string }>(
        "INSERT INTO fleet.vehicles (plate_number, make, model) VALUES ('B-FA 1', 'Ford', 'Focus') RETURNING id",
      );
      await fleet.query(
        "INSERT INTO fleet.vehicle_status_history (vehicle_id, from_status, to_status, cause, changed_at) VALUES ($1, NULL, 'active', 'VehicleRegistered', now())",
        [vehicles[0]!.id],
      );
      // An invoice and its line in one statement: the database checks their total at commit.
      await accounting.query(
        `WITH invoice AS (
           INSERT INTO accounting.invoices (year, sequence_number, invoice_number, source_event_type, source_event_id, total_cents, currency, issued_at)
           VALUES (2026, 1, 'INV-2026-000001', 'RentalCompleted', gen_random_uuid(), 5000, 'EUR', now()) RETURNING id)
         INSERT INTO accounting.invoice_lines (invoice_id, line_number, description, charge_type, unit_amount_cents, amount_cents, currency)
         SELECT id, 1, 'Base', 'base', 5000, 5000, 'EUR' FROM invoice`,
      );
      const gateway = poolFor(database.urlFor('gateway_svc'));
      try {
        await gateway.query(
          "INSERT INTO gateway.dlq_replays (consumer_group, dlq_topic, dlq_partition, dlq_offset, target_topic, outcome, replayed_by) VALUES ('fleet', 'fleet.dlq', 0, 7, 'fleet.retry', 'replayed', 'operator')",
        );
        const facts: [table: string, rule: string, owner: pg.Pool][] = [
          ['fleet.vehicle_status_history', 'vehicle_status_history_append_only', fleet],
          ['accounting.invoices', 'invoices_immutable', accounting],
          ['accounting.invoice_lines', 'invoice_lines_immutable', accounting],
          ['accounting.journal_entries', 'journal_entries_immutable', accounting],
          ['gateway.dlq_replays', 'dlq_replays_append_only', gateway],
        ];
        for (const [table, rule, owner] of facts) {
          // journal_entries has rows from the ledger tests above; the others from this test.
          expect(await sqlFailure(admin.query(`UPDATE ${table} SET id = id`))).toMatchObject({ code: '23001', constraint: rule });
          expect(await sqlFailure(admin.query(`DELETE FROM ${table}`))).toMatchObject({ code: '23001', constraint: rule });
          expect(await sqlFailure(owner.query(`UPDATE ${table} SET id = id`))).toMatchObject({ code: '42501' });
          expect(await sqlFailure(owner.query(`DELETE FROM ${table}`))).toMatchObject({ code: '42501' });
        }
      } finally {
        await gateway.end();
      }
    });
  });

  describe('report snapshots', () => {
    it('are append-only', async () => {
      const { rows } = await reporting.query<{ id: string }>(
        `INSERT INTO reporting.report_snapshots (report_type, generated_at, result, content_hash)
         VALUES ('trial_balance', now(), '{}', repeat('a', 64)) RETURNING id`,
      );
      const id = rows[0]!.id;
      expect(await sqlFailure(admin.query("UPDATE reporting.report_snapshots SET result = '[]' WHERE id = $1", [id]))).toMatchObject({
        code: '23001',
        constraint: 'report_snapshots_append_only',
      });
      expect(await sqlFailure(admin.query('DELETE FROM reporting.report_snapshots WHERE id = $1', [id]))).toMatchObject({
        code: '23001',
        constraint: 'report_snapshots_append_only',
      });
      expect(await sqlFailure(reporting.query('DELETE FROM reporting.report_snapshots WHERE id = $1', [id]))).toMatchObject({ code: '42501' });
    });

    it('are computed from read models the reporting login may add to but never rewrite', async () => {
      const entryId = randomUUID();
      await reporting.query(
        `INSERT INTO reporting.journal_lines (entry_id, line_number, entry_date, account_code, direction, amount_minor, currency, external_ref_type, external_ref_id, source_topic, source_partition, source_offset)
         VALUES ($1, 1, '2026-03-01', 'CASH', 'debit', 100, 'EUR', 'test', $1, 'ledger.events', 0, 7)`,
        [entryId],
      );
      for (const statement of [
        'UPDATE reporting.journal_lines SET amount_minor = 1 WHERE entry_id = $1',
        'DELETE FROM reporting.journal_lines WHERE entry_id = $1',
        'UPDATE reporting.facts SET at = now() WHERE subject_id = $1',
        'DELETE FROM reporting.accounts WHERE code = $1::text',
      ]) {
        expect(await sqlFailure(reporting.query(statement, [entryId]))).toMatchObject({ code: '42501' });
      }
      expect(await sqlFailure(reporting.query('TRUNCATE reporting.facts'))).toMatchObject({ code: '42501' });
      // A line with no amount, or a position before the stream's start, is refused by the table itself.
      expect(
        await sqlFailure(
          reporting.query(
            `INSERT INTO reporting.journal_lines (entry_id, line_number, entry_date, account_code, direction, amount_minor, currency, external_ref_type, external_ref_id, source_topic, source_partition, source_offset)
             VALUES ($1, 2, '2026-03-01', 'CASH', 'credit', 0, 'EUR', 'test', $1, 'ledger.events', 0, -1)`,
            [entryId],
          ),
        ),
      ).toMatchObject({ code: '23514' });
    });
  });

  describe('identity and audit columns', () => {
    it('treats e-mail addresses case-insensitively and uniquely', async () => {
      await identity.query("INSERT INTO identity.users (email, password_hash) VALUES ('Ada@Example.com', 'scrypt$x')");
      const failure = await sqlFailure(identity.query("INSERT INTO identity.users (email, password_hash) VALUES ('ada@example.COM', 'scrypt$y')"));
      expect(failure).toMatchObject({ code: '23505', constraint: 'users_email_key' });
    });

    it('refuses an unknown vehicle status', async () => {
      const failure = await sqlFailure(
        fleet.query("INSERT INTO fleet.vehicles (plate_number, make, model, status) VALUES ('B-FL 1002', 'Skoda', 'Octavia', 'stolen')"),
      );
      expect(failure).toMatchObject({ code: '23514', constraint: 'vehicles_status_check' });
    });

    it('keeps updated_at and row_version right on every update', async () => {
      const { rows } = await fleet.query<{ id: string; created_at: Date }>(
        "INSERT INTO fleet.vehicles (plate_number, make, model) VALUES ('B-FL 1003', 'Toyota', 'Corolla') RETURNING id, created_at",
      );
      const vehicle = rows[0]!;
      await fleet.query("UPDATE fleet.vehicles SET model = 'Corolla Touring' WHERE id = $1", [vehicle.id]);
      const updated = await fleet.query<{ row_version: number; updated_at: Date }>(
        "UPDATE fleet.vehicles SET variant = 'Hybrid', row_version = 99 WHERE id = $1 RETURNING row_version, updated_at",
        [vehicle.id],
      );
      expect(updated.rows[0]!.row_version).toBe(2);
      expect(updated.rows[0]!.updated_at.getTime()).toBeGreaterThan(vehicle.created_at.getTime());
    });
  });
});
