import type { Knex } from 'knex';
import {
  AUDIT_COLUMNS,
  currencyCheck,
  dropContext,
  grantContextRights,
  integrationTables,
  nonNegativeCheck,
  publishViews,
  runStatements,
  statusCheck,
  touchTrigger,
  VEHICLE_STATUSES,
} from './support/sql';

export const RENTAL_STATUSES = ['reserved', 'active', 'completed', 'cancelled'] as const;

/**
 * Locations, pricing plans, quotes, rentals with their charges and payments, and the rental
 * context's own projection of vehicle facts (it never reads the fleet schema). Double booking is
 * impossible: an exclusion constraint refuses two reserved or active rentals of one vehicle whose
 * periods overlap, whatever the code above it does.
 */
export async function up(knex: Knex): Promise<void> {
  const statements = [
    'CREATE SCHEMA rental',
    `CREATE TABLE rental.locations (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name text NOT NULL,
      type text NOT NULL,
      address text NULL,
      time_zone text NOT NULL DEFAULT 'UTC',
      ${AUDIT_COLUMNS},
      CONSTRAINT locations_name_key UNIQUE (name),
      ${statusCheck('locations_type_check', ['depot', 'city', 'custom'], 'type')}
    )`,
    touchTrigger('rental.locations'),

    `CREATE TABLE rental.vehicle_projection (
      vehicle_id uuid PRIMARY KEY,
      plate_number text NOT NULL,
      vehicle_class text NOT NULL,
      status text NOT NULL,
      last_event_id text NOT NULL,
      last_event_at timestamptz NOT NULL,
      ${AUDIT_COLUMNS},
      ${statusCheck('vehicle_projection_status_check', VEHICLE_STATUSES)}
    )`,
    'CREATE INDEX vehicle_projection_class_status_idx ON rental.vehicle_projection (vehicle_class, status)',
    touchTrigger('rental.vehicle_projection'),

    `CREATE TABLE rental.pricing_plans (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name text NOT NULL,
      vehicle_class text NULL,
      vehicle_id uuid NULL,
      currency char(3) NOT NULL,
      daily_rate_cents bigint NOT NULL,
      hourly_rate_cents bigint NOT NULL DEFAULT 0,
      included_km_per_day int NOT NULL DEFAULT 0,
      extra_km_price_cents bigint NOT NULL DEFAULT 0,
      late_fee_per_hour_cents bigint NOT NULL DEFAULT 0,
      late_grace_minutes int NOT NULL DEFAULT 0,
      cancellation_fee_cents bigint NOT NULL DEFAULT 0,
      cancellation_window_hours int NOT NULL DEFAULT 0,
      valid_from timestamptz NOT NULL DEFAULT now(),
      valid_to timestamptz NULL,
      status text NOT NULL DEFAULT 'active',
      ${AUDIT_COLUMNS},
      ${currencyCheck('pricing_plans_currency_check')},
      ${nonNegativeCheck('pricing_plans', 'daily_rate_cents')},
      ${nonNegativeCheck('pricing_plans', 'hourly_rate_cents')},
      ${nonNegativeCheck('pricing_plans', 'extra_km_price_cents')},
      ${nonNegativeCheck('pricing_plans', 'late_fee_per_hour_cents')},
      ${nonNegativeCheck('pricing_plans', 'cancellation_fee_cents')},
      CONSTRAINT pricing_plans_counts_check CHECK (included_km_per_day >= 0 AND late_grace_minutes >= 0 AND cancellation_window_hours >= 0),
      CONSTRAINT pricing_plans_target_check CHECK (vehicle_class IS NOT NULL OR vehicle_id IS NOT NULL),
      CONSTRAINT pricing_plans_validity_check CHECK (valid_to IS NULL OR valid_to > valid_from),
      ${statusCheck('pricing_plans_status_check', ['active', 'retired'])}
    )`,
    'CREATE INDEX pricing_plans_class_idx ON rental.pricing_plans (vehicle_class, valid_from DESC) WHERE status = \'active\'',
    'CREATE INDEX pricing_plans_vehicle_idx ON rental.pricing_plans (vehicle_id, valid_from DESC) WHERE status = \'active\'',
    touchTrigger('rental.pricing_plans'),

    `CREATE TABLE rental.quotes (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      vehicle_id uuid NOT NULL,
      pricing_plan_id uuid NOT NULL REFERENCES rental.pricing_plans (id),
      start_at timestamptz NOT NULL,
      end_at timestamptz NOT NULL,
      total_cents bigint NOT NULL,
      currency char(3) NOT NULL,
      breakdown jsonb NOT NULL DEFAULT '[]'::jsonb,
      expires_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      created_by uuid NULL,
      CONSTRAINT quotes_period_check CHECK (end_at > start_at),
      ${nonNegativeCheck('quotes', 'total_cents')},
      ${currencyCheck('quotes_currency_check')}
    )`,

    `CREATE TABLE rental.rentals (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      vehicle_id uuid NOT NULL,
      customer_id uuid NULL,
      origin_location_id uuid NOT NULL REFERENCES rental.locations (id),
      destination_location_id uuid NOT NULL REFERENCES rental.locations (id),
      start_at timestamptz NOT NULL,
      end_at timestamptz NOT NULL,
      rental_period tstzrange GENERATED ALWAYS AS (tstzrange(start_at, end_at, '[)')) STORED,
      status text NOT NULL DEFAULT 'reserved',
      pricing_plan_id uuid NULL REFERENCES rental.pricing_plans (id),
      quote_id uuid NULL REFERENCES rental.quotes (id),
      picked_up_at timestamptz NULL,
      returned_at timestamptz NULL,
      start_odometer_km int NULL,
      end_odometer_km int NULL,
      cancelled_at timestamptz NULL,
      cancellation_reason text NULL,
      ${AUDIT_COLUMNS},
      CONSTRAINT rentals_period_check CHECK (end_at > start_at),
      ${statusCheck('rentals_status_check', RENTAL_STATUSES)},
      CONSTRAINT rentals_start_odometer_km_check CHECK (start_odometer_km >= 0),
      CONSTRAINT rentals_end_odometer_km_check CHECK (end_odometer_km >= 0),
      CONSTRAINT rentals_odometer_order_check CHECK (end_odometer_km >= start_odometer_km),
      CONSTRAINT rentals_cancelled_check CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL)),
      CONSTRAINT rentals_no_double_booking EXCLUDE USING gist (vehicle_id WITH =, rental_period WITH &&)
        WHERE (status IN ('reserved', 'active'))
    )`,
    'CREATE INDEX rentals_vehicle_period_idx ON rental.rentals (vehicle_id, start_at, end_at)',
    'CREATE INDEX rentals_customer_idx ON rental.rentals (customer_id, start_at DESC)',
    'CREATE INDEX rentals_status_start_idx ON rental.rentals (status, start_at)',
    touchTrigger('rental.rentals'),

    `CREATE TABLE rental.rental_charges (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      rental_id uuid NOT NULL REFERENCES rental.rentals (id),
      type text NOT NULL,
      description text NULL,
      quantity int NOT NULL DEFAULT 1,
      amount_cents bigint NOT NULL,
      currency char(3) NOT NULL,
      ${AUDIT_COLUMNS},
      ${statusCheck('rental_charges_type_check', ['base', 'extra_day', 'extra_hour', 'extra_km', 'late_fee', 'damage', 'cancellation_fee', 'discount'], 'type')},
      CONSTRAINT rental_charges_quantity_check CHECK (quantity > 0),
      ${nonNegativeCheck('rental_charges', 'amount_cents')},
      ${currencyCheck('rental_charges_currency_check')}
    )`,
    'CREATE INDEX rental_charges_rental_idx ON rental.rental_charges (rental_id)',
    touchTrigger('rental.rental_charges'),

    `CREATE TABLE rental.rental_payments (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      rental_id uuid NOT NULL REFERENCES rental.rentals (id),
      provider text NOT NULL,
      amount_cents bigint NOT NULL,
      currency char(3) NOT NULL,
      status text NOT NULL DEFAULT 'pending',
      provider_reference text NULL,
      captured_at timestamptz NULL,
      refunded_at timestamptz NULL,
      ${AUDIT_COLUMNS},
      ${statusCheck('rental_payments_provider_check', ['cash', 'card', 'transfer'], 'provider')},
      CONSTRAINT rental_payments_amount_cents_check CHECK (amount_cents > 0),
      ${currencyCheck('rental_payments_currency_check')},
      ${statusCheck('rental_payments_status_check', ['pending', 'captured', 'failed', 'refunded'])}
    )`,
    'CREATE INDEX rental_payments_rental_idx ON rental.rental_payments (rental_id)',
    touchTrigger('rental.rental_payments'),

    ...integrationTables('rental'),
    `CREATE VIEW rental.rentals_view AS
      SELECT id, vehicle_id, customer_id, origin_location_id, destination_location_id, start_at, end_at,
             status, pricing_plan_id, picked_up_at, returned_at, cancelled_at, created_at, updated_at, row_version
      FROM rental.rentals`,
    // Periods in which a vehicle is taken; availability is the complement.
    `CREATE VIEW rental.vehicle_bookings_view AS
      SELECT vehicle_id, rental_period, status FROM rental.rentals WHERE status IN ('reserved', 'active')`,
    `CREATE VIEW rental.locations_view AS SELECT id, name, type, address, time_zone FROM rental.locations`,
    `CREATE VIEW rental.pricing_plans_view AS
      SELECT id, name, vehicle_class, vehicle_id, currency, daily_rate_cents, hourly_rate_cents, included_km_per_day,
             extra_km_price_cents, late_fee_per_hour_cents, late_grace_minutes, cancellation_fee_cents,
             cancellation_window_hours, valid_from, valid_to, status
      FROM rental.pricing_plans`,
    ...grantContextRights('rental'),
    ...publishViews('rental', ['rentals_view', 'vehicle_bookings_view', 'locations_view', 'pricing_plans_view']),
  ];
  await runStatements(knex, statements);
}

export async function down(knex: Knex): Promise<void> {
  await runStatements(knex, dropContext('rental'));
}
