import type pg from 'pg';
import { poolFor, ScratchDatabase, sqlFailure } from '../../support/database';

/**
 * The rental invariants the database enforces whatever the code above it does, attacked in SQL as
 * the rental login: a vehicle's turnaround buffer counts as booked time, refunds never exceed the
 * captured money, charges and refunds are insert-only facts, and money stays in the rental's
 * currency. Each refusal is asserted by SQLSTATE and constraint (or trigger rule).
 */
describe('rental invariants the database enforces', () => {
  const database = new ScratchDatabase();
  let rental: pg.Pool;
  let locationId: string;
  const vehicleId = '00000000-0000-4000-8000-000000000101';

  beforeAll(async () => {
    await database.create({ migrate: true });
    rental = poolFor(database.urlFor('rental_svc'));
    const { rows } = await rental.query<{ id: string }>("INSERT INTO rental.locations (name, type) VALUES ('Harbour', 'depot') RETURNING id");
    locationId = rows[0]!.id;
  }, 60_000);

  afterAll(async () => {
    await rental.end();
    await database.drop();
  });

  function reserve(startAt: string, endAt: string, bufferMinutes = 0, blockedUntil: string | null = null) {
    return rental.query<{ id: string }>(
      `INSERT INTO rental.rentals (vehicle_id, origin_location_id, destination_location_id, start_at, end_at, buffer_minutes, blocked_until, currency)
       VALUES ($1, $2, $2, $3, $4, $5, $6, 'EUR') RETURNING id`,
      [vehicleId, locationId, startAt, endAt, bufferMinutes, blockedUntil],
    );
  }

  describe('the turnaround buffer', () => {
    beforeAll(() => reserve('2027-01-10T08:00:00Z', '2027-01-10T12:00:00Z', 90));

    it('refuses a reservation starting inside the previous rental buffer (23P01)', async () => {
      expect(await sqlFailure(reserve('2027-01-10T13:00:00Z', '2027-01-10T15:00:00Z'))).toMatchObject({ code: '23P01', constraint: 'rentals_no_double_booking' });
    });

    it('accepts a reservation starting exactly when the buffer ends', async () => {
      await expect(reserve('2027-01-10T13:30:00Z', '2027-01-10T15:00:00Z')).resolves.toMatchObject({ rowCount: 1 });
    });

    it('refuses a blocked_until that is not the end plus the buffer', async () => {
      expect(await sqlFailure(reserve('2027-02-01T08:00:00Z', '2027-02-01T12:00:00Z', 30, '2027-02-01T12:00:00Z'))).toMatchObject({ code: '23514', constraint: 'rentals_blocked_until_check' });
    });

    it('refuses a buffer longer than a week', async () => {
      expect(await sqlFailure(reserve('2027-03-01T08:00:00Z', '2027-03-01T12:00:00Z', 10_081))).toMatchObject({ code: '23514', constraint: 'rentals_buffer_minutes_check' });
    });
  });

  describe('payments and refunds', () => {
    let rentalId: string;

    beforeAll(async () => {
      rentalId = (await reserve('2027-04-01T08:00:00Z', '2027-04-02T08:00:00Z')).rows[0]!.id;
    });

    async function payment(status: 'pending' | 'captured', amountCents = 10_000): Promise<string> {
      const { rows } = await rental.query<{ id: string }>(
        `INSERT INTO rental.rental_payments (rental_id, provider, amount_cents, currency, status, captured_at)
         VALUES ($1, 'card', $2, 'EUR', $3, CASE WHEN $3 = 'captured' THEN now() END) RETURNING id`,
        [rentalId, amountCents, status],
      );
      return rows[0]!.id;
    }

    const refund = (paymentId: string, amountCents: number, currency = 'EUR') =>
      rental.query('INSERT INTO rental.payment_refunds (id, payment_id, amount_cents, currency, reason, refunded_at) VALUES (gen_random_uuid(), $1, $2, $3, \'test\', now())', [
        paymentId,
        amountCents,
        currency,
      ]);

    it('refuses a refund in another currency than the payment', async () => {
      const paymentId = await payment('captured');
      expect(await sqlFailure(refund(paymentId, 100, 'USD'))).toMatchObject({ code: '23503', constraint: 'payment_refunds_payment_currency_fkey' });
    });

    it('adds each refund to the payment and refuses one beyond what was captured', async () => {
      const paymentId = await payment('captured');
      await refund(paymentId, 6_000);
      await refund(paymentId, 4_000);

      expect(await sqlFailure(refund(paymentId, 1))).toMatchObject({ code: '23514', constraint: 'rental_payments_refund_within_captured_check' });
      const { rows } = await rental.query<{ refunded_cents: number }>('SELECT refunded_cents FROM rental.rental_payments WHERE id = $1', [paymentId]);
      expect(rows).toEqual([{ refunded_cents: 10_000 }]);
    });

    it('refuses a refund of money never captured', async () => {
      const paymentId = await payment('pending');
      expect(await sqlFailure(refund(paymentId, 100))).toMatchObject({ code: '23514', constraint: 'rental_payments_refund_needs_capture_check' });
    });

    it('refuses to raise refunded_cents directly beyond the amount', async () => {
      const paymentId = await payment('captured', 500);
      expect(await sqlFailure(rental.query('UPDATE rental.rental_payments SET refunded_cents = 501 WHERE id = $1', [paymentId]))).toMatchObject({
        code: '23514',
        constraint: 'rental_payments_refund_within_captured_check',
      });
    });

    it('refuses a payment in another currency than its rental', async () => {
      const failure = await sqlFailure(rental.query("INSERT INTO rental.rental_payments (rental_id, provider, amount_cents, currency) VALUES ($1, 'cash', 100, 'USD')", [rentalId]));
      expect(failure).toMatchObject({ code: '23503', constraint: 'rental_payments_rental_currency_fkey' });
    });

    it('keeps refunds as facts', async () => {
      const paymentId = await payment('captured');
      await refund(paymentId, 100);
      expect(await sqlFailure(rental.query('DELETE FROM rental.payment_refunds WHERE payment_id = $1', [paymentId]))).toMatchObject({ code: '23001', constraint: 'payment_refunds_immutable' });
    });
  });

  describe('charges', () => {
    let chargeId: string;
    let rentalId: string;

    beforeAll(async () => {
      rentalId = (await reserve('2027-05-01T08:00:00Z', '2027-05-02T08:00:00Z')).rows[0]!.id;
      const { rows } = await rental.query<{ id: string }>("INSERT INTO rental.rental_charges (rental_id, type, amount_cents, currency, source) VALUES ($1, 'base', 5000, 'EUR', 'quote') RETURNING id", [rentalId]);
      chargeId = rows[0]!.id;
    });

    it('refuses to change or delete a charge line', async () => {
      const changed = await sqlFailure(rental.query('UPDATE rental.rental_charges SET amount_cents = 1 WHERE id = $1', [chargeId]));
      const deleted = await sqlFailure(rental.query('DELETE FROM rental.rental_charges WHERE id = $1', [chargeId]));

      const rule = 'rental_charges_immutable';
      expect([changed, deleted]).toMatchObject([
        { code: '23001', constraint: rule },
        { code: '23001', constraint: rule },
      ]);
    });

    it('refuses an unknown source and a charge in another currency than its rental', async () => {
      expect(await sqlFailure(rental.query("INSERT INTO rental.rental_charges (rental_id, type, amount_cents, currency, source) VALUES ($1, 'base', 1, 'EUR', 'guess')", [rentalId]))).toMatchObject({
        code: '23514',
        constraint: 'rental_charges_source_check',
      });
      expect(await sqlFailure(rental.query("INSERT INTO rental.rental_charges (rental_id, type, amount_cents, currency) VALUES ($1, 'base', 1, 'CHF')", [rentalId]))).toMatchObject({
        code: '23503',
        constraint: 'rental_charges_rental_currency_fkey',
      });
    });
  });

  it('lets a quote be used by one rental only', async () => {
    const { rows: plans } = await rental.query<{ id: string }>("INSERT INTO rental.pricing_plans (name, vehicle_class, currency, daily_rate_cents) VALUES ('Base', 'compact', 'EUR', 5000) RETURNING id");
    const { rows: quotes } = await rental.query<{ id: string }>(
      "INSERT INTO rental.quotes (vehicle_class, pricing_plan_id, start_at, end_at, total_cents, currency, expires_at) VALUES ('compact', $1, '2027-06-01T08:00:00Z', '2027-06-02T08:00:00Z', 5000, 'EUR', now()) RETURNING id",
      [plans[0]!.id],
    );
    const withQuote = (startAt: string, endAt: string) =>
      rental.query(
        `INSERT INTO rental.rentals (vehicle_id, origin_location_id, destination_location_id, start_at, end_at, currency, quote_id)
         VALUES (gen_random_uuid(), $1, $1, $2, $3, 'EUR', $4)`,
        [locationId, startAt, endAt, quotes[0]!.id],
      );
    await withQuote('2027-06-01T08:00:00Z', '2027-06-02T08:00:00Z');

    expect(await sqlFailure(withQuote('2027-07-01T08:00:00Z', '2027-07-02T08:00:00Z'))).toMatchObject({ code: '23505', constraint: 'rentals_quote_id_key' });
  });
});
