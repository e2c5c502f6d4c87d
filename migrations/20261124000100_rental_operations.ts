import type { Knex } from 'knex';
import {
  AUDIT_COLUMNS,
  currencyCheck,
  immutableTriggers,
  nonNegativeCheck,
  publishViews,
  runStatements,
  statusCheck,
  touchTrigger,
} from './support/sql';

/** The longest turnaround buffer a vehicle class may ask for: one week, in minutes. */
export const BUFFER_MINUTES_MAX = 10_080;

export const MAINTENANCE_WINDOW_STATUSES = ['scheduled', 'in_progress', 'completed', 'cancelled'] as const;

/**
 * What running rentals needs beyond the first rental schema: turnaround buffers that the exclusion
 * constraint enforces (a vehicle is blocked from a rental's start until its end plus its class's
 * buffer), pricing terms frozen on each quote and rental, charges as insert-only facts, payments
 * with deposits and refunds that can never exceed the money captured, the rental context's view of
 * maintenance windows and of where each vehicle is, and the published views the gateway reads.
 */
export async function up(knex: Knex): Promise<void> {
  await runStatements(knex, [
    // The gateway's old views are replaced below with wider ones (a view can only gain columns at its end).
    'DROP VIEW rental.rentals_view',
    'DROP VIEW rental.vehicle_bookings_view',
    'DROP VIEW rental.locations_view',
    'DROP VIEW rental.pricing_plans_view',

    `CREATE TABLE rental.vehicle_class_policies (
      vehicle_class text PRIMARY KEY,
      buffer_minutes int NOT NULL,
      ${AUDIT_COLUMNS},
      CONSTRAINT vehicle_class_policies_buffer_minutes_check CHECK (buffer_minutes BETWEEN 0 AND ${BUFFER_MINUTES_MAX})
    )`,
    touchTrigger('rental.vehicle_class_policies'),

    'ALTER TABLE rental.vehicle_projection ADD COLUMN location_id uuid NULL REFERENCES rental.locations (id)',
    'CREATE INDEX vehicle_projection_location_idx ON rental.vehicle_projection (location_id)',

    `ALTER TABLE rental.pricing_plans ADD COLUMN deposit_cents bigint NOT NULL DEFAULT 0,
      ADD ${nonNegativeCheck('pricing_plans', 'deposit_cents')}`,

    // Rentals: the buffer, the blocked period the exclusion constraint judges, frozen terms, money.
    `ALTER TABLE rental.rentals
      ADD COLUMN buffer_minutes int NOT NULL DEFAULT 0,
      ADD COLUMN blocked_until timestamptz NULL,
      ADD COLUMN currency char(3) NULL,
      ADD COLUMN terms jsonb NULL,
      ADD COLUMN deposit_required_cents bigint NOT NULL DEFAULT 0,
      ADD COLUMN deposit_applied_cents bigint NULL,
      ADD COLUMN deposit_released_cents bigint NULL,
      ADD COLUMN overdue_at timestamptz NULL`,
    'UPDATE rental.rentals SET blocked_until = end_at',
    'ALTER TABLE rental.rentals ALTER COLUMN blocked_until SET NOT NULL',
    // A row written without blocked_until gets end plus buffer; one written with it must agree.
    `CREATE FUNCTION rental.default_blocked_until() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.blocked_until IS NULL THEN
          NEW.blocked_until := NEW.end_at + make_interval(mins => NEW.buffer_minutes);
        END IF;
        RETURN NEW;
      END $$`,
    `CREATE TRIGGER rentals_default_blocked_until BEFORE INSERT ON rental.rentals
      FOR EACH ROW EXECUTE FUNCTION rental.default_blocked_until()`,
    `ALTER TABLE rental.rentals
      ADD COLUMN blocked_period tstzrange GENERATED ALWAYS AS (tstzrange(start_at, blocked_until, '[)')) STORED,
      ADD CONSTRAINT rentals_buffer_minutes_check CHECK (buffer_minutes BETWEEN 0 AND ${BUFFER_MINUTES_MAX}),
      ADD CONSTRAINT rentals_blocked_until_check CHECK (blocked_until = end_at + make_interval(mins => buffer_minutes)),
      ADD ${currencyCheck('rentals_currency_check')},
      ADD ${nonNegativeCheck('rentals', 'deposit_required_cents')},
      ADD CONSTRAINT rentals_deposit_split_check CHECK (deposit_applied_cents >= 0 AND deposit_released_cents >= 0),
      ADD CONSTRAINT rentals_overdue_check CHECK (overdue_at IS NULL OR overdue_at >= end_at),
      ADD CONSTRAINT rentals_quote_id_key UNIQUE (quote_id),
      ADD CONSTRAINT rentals_id_currency_key UNIQUE (id, currency),
      DROP CONSTRAINT rentals_no_double_booking`,
    // Same name as before: the buffer now counts, and callers keep mapping this name to VEHICLE_ALREADY_BOOKED.
    `ALTER TABLE rental.rentals ADD CONSTRAINT rentals_no_double_booking
      EXCLUDE USING gist (vehicle_id WITH =, blocked_period WITH &&) WHERE (status IN ('reserved', 'active'))`,
    // The overdue sweep reads active rentals not yet marked, by end.
    "CREATE INDEX rentals_overdue_candidates_idx ON rental.rentals (end_at) WHERE status = 'active' AND overdue_at IS NULL",

    // Quotes: for a vehicle or a class, between two locations, with the terms they were priced on.
    `ALTER TABLE rental.quotes
      ALTER COLUMN vehicle_id DROP NOT NULL,
      ADD COLUMN vehicle_class text NULL,
      ADD COLUMN origin_location_id uuid NULL REFERENCES rental.locations (id),
      ADD COLUMN destination_location_id uuid NULL REFERENCES rental.locations (id),
      ADD COLUMN terms jsonb NULL,
      ADD COLUMN status text NOT NULL DEFAULT 'open',
      ADD COLUMN used_by_rental_id uuid NULL REFERENCES rental.rentals (id),
      ADD CONSTRAINT quotes_target_check CHECK (vehicle_id IS NOT NULL OR vehicle_class IS NOT NULL),
      ADD ${statusCheck('quotes_status_check', ['open', 'used'])},
      ADD CONSTRAINT quotes_used_check CHECK ((status = 'used') = (used_by_rental_id IS NOT NULL)),
      ADD CONSTRAINT quotes_used_by_rental_id_key UNIQUE (used_by_rental_id)`,

    // Charges are facts: a correction is a new line (a discount is a positive amount that reduces the total).
    'DROP TRIGGER rental_charges_touch ON rental.rental_charges',
    `ALTER TABLE rental.rental_charges
      ADD COLUMN source text NOT NULL DEFAULT 'manual',
      ADD COLUMN source_message_id text NULL,
      ADD ${statusCheck('rental_charges_source_check', ['quote', 'completion', 'cancellation', 'manual'], 'source')},
      ADD CONSTRAINT rental_charges_rental_currency_fkey FOREIGN KEY (rental_id, currency) REFERENCES rental.rentals (id, currency)`,
    ...immutableTriggers('rental.rental_charges', 'rental_charges_immutable'),

    // Payments and deposits; refunds accumulate on the payment, where the checks refuse too much.
    `ALTER TABLE rental.rental_payments
      ADD COLUMN kind text NOT NULL DEFAULT 'payment',
      ADD COLUMN refunded_cents bigint NOT NULL DEFAULT 0,
      ADD COLUMN failed_at timestamptz NULL,
      ADD COLUMN failure_reason text NULL,
      ADD ${statusCheck('rental_payments_kind_check', ['payment', 'deposit'], 'kind')},
      ADD ${nonNegativeCheck('rental_payments', 'refunded_cents')},
      ADD CONSTRAINT rental_payments_refund_within_captured_check CHECK (refunded_cents <= amount_cents),
      ADD CONSTRAINT rental_payments_refund_needs_capture_check CHECK (refunded_cents = 0 OR status = 'captured'),
      ADD CONSTRAINT rental_payments_captured_check CHECK ((status = 'captured') = (captured_at IS NOT NULL)),
      ADD CONSTRAINT rental_payments_failed_check CHECK ((status = 'failed') = (failed_at IS NOT NULL)),
      ADD CONSTRAINT rental_payments_rental_currency_fkey FOREIGN KEY (rental_id, currency) REFERENCES rental.rentals (id, currency),
      ADD CONSTRAINT rental_payments_id_currency_key UNIQUE (id, currency),
      DROP CONSTRAINT rental_payments_status_check,
      ADD ${statusCheck('rental_payments_status_check', ['pending', 'captured', 'failed'])}`,
    `CREATE TABLE rental.payment_refunds (
      id uuid PRIMARY KEY,
      payment_id uuid NOT NULL REFERENCES rental.rental_payments (id),
      amount_cents bigint NOT NULL,
      currency char(3) NOT NULL,
      reason text NOT NULL,
      refunded_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      created_by uuid NULL,
      CONSTRAINT payment_refunds_amount_cents_check CHECK (amount_cents > 0),
      ${currencyCheck('payment_refunds_currency_check')},
      -- Money goes back in the currency it came in.
      CONSTRAINT payment_refunds_payment_currency_fkey FOREIGN KEY (payment_id, currency) REFERENCES rental.rental_payments (id, currency)
    )`,
    'CREATE INDEX payment_refunds_payment_idx ON rental.payment_refunds (payment_id)',
    ...immutableTriggers('rental.payment_refunds', 'payment_refunds_immutable'),
    // Every refund adds to its payment's refunded_cents, so the payment's checks refuse a refund of
    // uncaptured money or of more than was captured, whatever wrote the refund.
    `CREATE FUNCTION rental.apply_refund() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE rental.rental_payments
           SET refunded_cents = refunded_cents + NEW.amount_cents, refunded_at = NEW.refunded_at
         WHERE id = NEW.payment_id;
        RETURN NEW;
      END $$`,
    `CREATE TRIGGER payment_refunds_apply AFTER INSERT ON rental.payment_refunds
      FOR EACH ROW EXECUTE FUNCTION rental.apply_refund()`,

    // The rental context's own copy of maintenance jobs: a job blocks its vehicle while scheduled or in progress.
    `CREATE TABLE rental.maintenance_windows (
      job_id uuid PRIMARY KEY,
      vehicle_id uuid NOT NULL,
      kind text NULL,
      planned_start timestamptz NULL,
      planned_end timestamptz NULL,
      started_at timestamptz NULL,
      blocked_period tstzrange NOT NULL,
      status text NOT NULL,
      last_event_id text NOT NULL,
      last_event_at timestamptz NOT NULL,
      ${AUDIT_COLUMNS},
      ${statusCheck('maintenance_windows_status_check', MAINTENANCE_WINDOW_STATUSES)},
      CONSTRAINT maintenance_windows_period_check CHECK (NOT isempty(blocked_period))
    )`,
    'CREATE INDEX maintenance_windows_vehicle_period_idx ON rental.maintenance_windows USING gist (vehicle_id, blocked_period)',
    touchTrigger('rental.maintenance_windows'),

    // Published views: the gateway reads these and nothing else.
    `CREATE VIEW rental.rentals_view AS
      SELECT r.id, r.vehicle_id, r.customer_id, r.origin_location_id, r.destination_location_id, r.start_at, r.end_at,
             r.buffer_minutes, r.blocked_until, r.status, r.pricing_plan_id, r.quote_id, r.currency, r.deposit_required_cents,
             r.deposit_applied_cents, r.deposit_released_cents, r.start_odometer_km, r.end_odometer_km, r.picked_up_at,
             r.returned_at, r.cancelled_at, r.cancellation_reason, r.overdue_at,
             (SELECT coalesce(sum(CASE WHEN c.type = 'discount' THEN -c.amount_cents ELSE c.amount_cents END), 0)
                FROM rental.rental_charges c WHERE c.rental_id = r.id)::bigint AS charges_total_cents,
             r.created_at, r.updated_at, r.row_version
      FROM rental.rentals r`,
    // Periods in which a vehicle is taken by a rental, its buffer included; availability is the complement.
    `CREATE VIEW rental.vehicle_bookings_view AS
      SELECT vehicle_id, id AS rental_id, start_at, end_at, blocked_until, blocked_period, status
      FROM rental.rentals WHERE status IN ('reserved', 'active')`,
    // Periods in which a vehicle is in the workshop, planned or under way.
    `CREATE VIEW rental.maintenance_windows_view AS
      SELECT job_id, vehicle_id, kind, blocked_period, lower(blocked_period) AS window_start, upper(blocked_period) AS window_end, status
      FROM rental.maintenance_windows WHERE status IN ('scheduled', 'in_progress')`,
    `CREATE VIEW rental.vehicles_view AS
      SELECT vehicle_id, plate_number, vehicle_class, status, location_id FROM rental.vehicle_projection`,
    `CREATE VIEW rental.locations_view AS SELECT id, name, type, address, time_zone, created_at, updated_at FROM rental.locations`,
    `CREATE VIEW rental.pricing_plans_view AS
      SELECT id, name, vehicle_class, vehicle_id, currency, daily_rate_cents, hourly_rate_cents, included_km_per_day,
             extra_km_price_cents, late_fee_per_hour_cents, late_grace_minutes, cancellation_fee_cents,
             cancellation_window_hours, deposit_cents, valid_from, valid_to, status, created_at, updated_at
      FROM rental.pricing_plans`,
    `CREATE VIEW rental.vehicle_class_policies_view AS
      SELECT vehicle_class, buffer_minutes, created_at, updated_at FROM rental.vehicle_class_policies`,
    // An open quote past its expiry reads as expired: expiry is derived from the clock, not stored.
    `CREATE VIEW rental.quotes_view AS
      SELECT id, vehicle_id, vehicle_class, origin_location_id, destination_location_id, pricing_plan_id, start_at, end_at,
             total_cents, currency, breakdown, expires_at,
             CASE WHEN status = 'open' AND expires_at <= now() THEN 'expired' ELSE status END AS status,
             used_by_rental_id, created_at
      FROM rental.quotes`,
    `CREATE VIEW rental.rental_charges_view AS
      SELECT id, rental_id, type, description, quantity, amount_cents, currency, source, created_at
      FROM rental.rental_charges`,
    `CREATE VIEW rental.rental_payments_view AS
      SELECT id, rental_id, kind, provider, amount_cents, currency, status, provider_reference, refunded_cents,
             captured_at, failed_at, failure_reason, refunded_at, created_at, updated_at
      FROM rental.rental_payments`,
    `CREATE VIEW rental.payment_refunds_view AS
      SELECT f.id, f.payment_id, p.rental_id, f.amount_cents, f.currency, f.reason, f.refunded_at, f.created_at
      FROM rental.payment_refunds f JOIN rental.rental_payments p ON p.id = f.payment_id`,
    ...publishViews('rental', PUBLISHED_VIEWS),
  ]);
}

const PUBLISHED_VIEWS = [
  'rentals_view',
  'vehicle_bookings_view',
  'maintenance_windows_view',
  'vehicles_view',
  'locations_view',
  'pricing_plans_view',
  'vehicle_class_policies_view',
  'quotes_view',
  'rental_charges_view',
  'rental_payments_view',
  'payment_refunds_view',
];

export async function down(knex: Knex): Promise<void> {
  await runStatements(knex, [
    ...PUBLISHED_VIEWS.map((view) => `DROP VIEW rental.${view}`),

    'DROP TABLE rental.maintenance_windows',

    'DROP TABLE rental.payment_refunds',
    'DROP FUNCTION rental.apply_refund()',
    `ALTER TABLE rental.rental_payments
      DROP CONSTRAINT rental_payments_status_check,
      ADD ${statusCheck('rental_payments_status_check', ['pending', 'captured', 'failed', 'refunded'])},
      DROP CONSTRAINT rental_payments_id_currency_key,
      DROP CONSTRAINT rental_payments_rental_currency_fkey,
      DROP CONSTRAINT rental_payments_failed_check,
      DROP CONSTRAINT rental_payments_captured_check,
      DROP CONSTRAINT rental_payments_refund_needs_capture_check,
      DROP CONSTRAINT rental_payments_refund_within_captured_check,
      DROP CONSTRAINT rental_payments_refunded_cents_check,
      DROP CONSTRAINT rental_payments_kind_check,
      DROP COLUMN failure_reason,
      DROP COLUMN failed_at,
      DROP COLUMN refunded_cents,
      DROP COLUMN kind`,

    'DROP TRIGGER rental_charges_immutable ON rental.rental_charges',
    'DROP TRIGGER rental_charges_no_truncate ON rental.rental_charges',
    `ALTER TABLE rental.rental_charges
      DROP CONSTRAINT rental_charges_rental_currency_fkey,
      DROP CONSTRAINT rental_charges_source_check,
      DROP COLUMN source_message_id,
      DROP COLUMN source`,
    touchTrigger('rental.rental_charges'),

    `ALTER TABLE rental.quotes
      DROP CONSTRAINT quotes_used_by_rental_id_key,
      DROP CONSTRAINT quotes_used_check,
      DROP CONSTRAINT quotes_status_check,
      DROP CONSTRAINT quotes_target_check,
      DROP COLUMN used_by_rental_id,
      DROP COLUMN status,
      DROP COLUMN terms,
      DROP COLUMN destination_location_id,
      DROP COLUMN origin_location_id,
      DROP COLUMN vehicle_class,
      ALTER COLUMN vehicle_id SET NOT NULL`,

    'DROP INDEX rental.rentals_overdue_candidates_idx',
    `ALTER TABLE rental.rentals
      DROP CONSTRAINT rentals_no_double_booking,
      DROP CONSTRAINT rentals_id_currency_key,
      DROP CONSTRAINT rentals_quote_id_key,
      DROP CONSTRAINT rentals_overdue_check,
      DROP CONSTRAINT rentals_deposit_split_check,
      DROP CONSTRAINT rentals_deposit_required_cents_check,
      DROP CONSTRAINT rentals_currency_check,
      DROP CONSTRAINT rentals_blocked_until_check,
      DROP CONSTRAINT rentals_buffer_minutes_check,
      DROP COLUMN blocked_period`,
    'DROP TRIGGER rentals_default_blocked_until ON rental.rentals',
    'DROP FUNCTION rental.default_blocked_until()',
    `ALTER TABLE rental.rentals
      DROP COLUMN overdue_at,
      DROP COLUMN deposit_released_cents,
      DROP COLUMN deposit_applied_cents,
      DROP COLUMN deposit_required_cents,
      DROP COLUMN terms,
      DROP COLUMN currency,
      DROP COLUMN blocked_until,
      DROP COLUMN buffer_minutes`,
    `ALTER TABLE rental.rentals ADD CONSTRAINT rentals_no_double_booking
      EXCLUDE USING gist (vehicle_id WITH =, rental_period WITH &&) WHERE (status IN ('reserved', 'active'))`,

    'ALTER TABLE rental.pricing_plans DROP CONSTRAINT pricing_plans_deposit_cents_check, DROP COLUMN deposit_cents',

    'DROP INDEX rental.vehicle_projection_location_idx',
    'ALTER TABLE rental.vehicle_projection DROP COLUMN location_id',

    'DROP TABLE rental.vehicle_class_policies',

    // The first rental migration's views, as it published them.
    `CREATE VIEW rental.rentals_view AS
      SELECT id, vehicle_id, customer_id, origin_location_id, destination_location_id, start_at, end_at,
             status, pricing_plan_id, picked_up_at, returned_at, cancelled_at, created_at, updated_at, row_version
      FROM rental.rentals`,
    `CREATE VIEW rental.vehicle_bookings_view AS
      SELECT vehicle_id, rental_period, status FROM rental.rentals WHERE status IN ('reserved', 'active')`,
    `CREATE VIEW rental.locations_view AS SELECT id, name, type, address, time_zone FROM rental.locations`,
    `CREATE VIEW rental.pricing_plans_view AS
      SELECT id, name, vehicle_class, vehicle_id, currency, daily_rate_cents, hourly_rate_cents, included_km_per_day,
             extra_km_price_cents, late_fee_per_hour_cents, late_grace_minutes, cancellation_fee_cents,
             cancellation_window_hours, valid_from, valid_to, status
      FROM rental.pricing_plans`,
    ...publishViews('rental', ['rentals_view', 'vehicle_bookings_view', 'locations_view', 'pricing_plans_view']),
  ]);
}
