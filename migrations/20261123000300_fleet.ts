import type { Knex } from 'knex';
import {
  AUDIT_COLUMNS,
  currencyCheck,
  dropContext,
  grantContextRights,
  immutableTriggers,
  integrationTables,
  publishViews,
  runStatements,
  statusCheck,
  touchTrigger,
  VEHICLE_STATUSES,
} from './support/sql';

/**
 * Vehicles, their odometer readings and their status history. Readings and history are facts: a
 * wrong reading is voided (or superseded by a correcting one), never edited or deleted, and the
 * database refuses a reading that would make the odometer run backwards.
 */
export async function up(knex: Knex): Promise<void> {
  const statements = [
    'CREATE SCHEMA fleet',
    `CREATE TABLE fleet.vehicles (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      plate_number text NOT NULL,
      vin text NULL,
      make text NOT NULL,
      model text NOT NULL,
      variant text NULL,
      year int NULL,
      vehicle_class text NOT NULL DEFAULT 'standard',
      passenger_capacity int NULL,
      load_limit_kg int NULL,
      acquisition_price_cents bigint NULL,
      currency char(3) NULL,
      status text NOT NULL DEFAULT 'active',
      decommissioned_at timestamptz NULL,
      ${AUDIT_COLUMNS},
      CONSTRAINT vehicles_plate_number_key UNIQUE (plate_number),
      CONSTRAINT vehicles_vin_key UNIQUE (vin),
      CONSTRAINT vehicles_year_check CHECK (year BETWEEN 1900 AND 2200),
      CONSTRAINT vehicles_passenger_capacity_check CHECK (passenger_capacity >= 0),
      CONSTRAINT vehicles_load_limit_kg_check CHECK (load_limit_kg >= 0),
      CONSTRAINT vehicles_acquisition_price_check CHECK (acquisition_price_cents >= 0),
      ${currencyCheck('vehicles_currency_check')},
      CONSTRAINT vehicles_price_currency_check CHECK ((acquisition_price_cents IS NULL) = (currency IS NULL)),
      ${statusCheck('vehicles_status_check', VEHICLE_STATUSES)},
      CONSTRAINT vehicles_decommissioned_check CHECK ((status = 'decommissioned') = (decommissioned_at IS NOT NULL))
    )`,
    'CREATE INDEX vehicles_status_idx ON fleet.vehicles (status)',
    touchTrigger('fleet.vehicles'),

    `CREATE TABLE fleet.vehicle_odometer_readings (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      vehicle_id uuid NOT NULL REFERENCES fleet.vehicles (id),
      reading_km int NOT NULL,
      recorded_at timestamptz NOT NULL,
      source text NOT NULL DEFAULT 'manual',
      supersedes_reading_id uuid NULL REFERENCES fleet.vehicle_odometer_readings (id),
      voided_at timestamptz NULL,
      void_reason text NULL,
      voided_by uuid NULL,
      ${AUDIT_COLUMNS},
      CONSTRAINT vehicle_odometer_readings_reading_km_check CHECK (reading_km >= 0),
      ${statusCheck('vehicle_odometer_readings_source_check', ['manual', 'rental_pickup', 'rental_return', 'maintenance', 'telematics'], 'source')},
      CONSTRAINT vehicle_odometer_readings_void_check CHECK ((voided_at IS NULL) = (void_reason IS NULL))
    )`,
    'CREATE INDEX vehicle_odometer_readings_vehicle_recorded_idx ON fleet.vehicle_odometer_readings (vehicle_id, recorded_at DESC)',
    // A new reading must fit between the valid readings before and after it in time. Locking the
    // vehicle row serialises concurrent readings of one vehicle, so two cannot both pass.
    `CREATE FUNCTION fleet.check_odometer_reading() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      earlier record;
      later record;
    BEGIN
      PERFORM 1 FROM fleet.vehicles WHERE id = NEW.vehicle_id FOR UPDATE;
      SELECT reading_km, recorded_at INTO earlier FROM fleet.vehicle_odometer_readings
        WHERE vehicle_id = NEW.vehicle_id AND voided_at IS NULL AND recorded_at <= NEW.recorded_at
        ORDER BY recorded_at DESC, reading_km DESC LIMIT 1;
      IF FOUND AND NEW.reading_km < earlier.reading_km THEN
        RAISE EXCEPTION 'odometer reading of % km at % is lower than the earlier reading of % km at %',
          NEW.reading_km, NEW.recorded_at, earlier.reading_km, earlier.recorded_at
          USING ERRCODE = 'check_violation', CONSTRAINT = 'vehicle_odometer_readings_non_decreasing';
      END IF;
      SELECT reading_km, recorded_at INTO later FROM fleet.vehicle_odometer_readings
        WHERE vehicle_id = NEW.vehicle_id AND voided_at IS NULL AND recorded_at > NEW.recorded_at
        ORDER BY recorded_at ASC, reading_km ASC LIMIT 1;
      IF FOUND AND NEW.reading_km > later.reading_km THEN
        RAISE EXCEPTION 'odometer reading of % km at % is higher than the later reading of % km at %',
          NEW.reading_km, NEW.recorded_at, later.reading_km, later.recorded_at
          USING ERRCODE = 'check_violation', CONSTRAINT = 'vehicle_odometer_readings_non_decreasing';
      END IF;
      RETURN NEW;
    END
    $$`,
    `CREATE TRIGGER vehicle_odometer_readings_non_decreasing BEFORE INSERT ON fleet.vehicle_odometer_readings
      FOR EACH ROW EXECUTE FUNCTION fleet.check_odometer_reading()`,
    // The only change a reading allows is being voided, once.
    `CREATE FUNCTION fleet.protect_odometer_reading() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' OR OLD.voided_at IS NOT NULL OR NEW.voided_at IS NULL
         OR (NEW.id, NEW.vehicle_id, NEW.reading_km, NEW.recorded_at, NEW.source, NEW.supersedes_reading_id, NEW.created_at)
            IS DISTINCT FROM (OLD.id, OLD.vehicle_id, OLD.reading_km, OLD.recorded_at, OLD.source, OLD.supersedes_reading_id, OLD.created_at) THEN
        RAISE EXCEPTION 'odometer readings are facts: they can be voided once, never edited or deleted'
          USING ERRCODE = 'restrict_violation', CONSTRAINT = 'vehicle_odometer_readings_immutable';
      END IF;
      RETURN NEW;
    END
    $$`,
    `CREATE TRIGGER vehicle_odometer_readings_immutable BEFORE UPDATE OR DELETE ON fleet.vehicle_odometer_readings
      FOR EACH ROW EXECUTE FUNCTION fleet.protect_odometer_reading()`,
    touchTrigger('fleet.vehicle_odometer_readings'),

    `CREATE TABLE fleet.vehicle_status_history (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      vehicle_id uuid NOT NULL REFERENCES fleet.vehicles (id),
      from_status text NULL,
      to_status text NOT NULL,
      cause text NOT NULL,
      cause_message_id text NULL,
      actor_id uuid NULL,
      changed_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      ${statusCheck('vehicle_status_history_from_status_check', VEHICLE_STATUSES, 'from_status')},
      ${statusCheck('vehicle_status_history_to_status_check', VEHICLE_STATUSES, 'to_status')}
    )`,
    'CREATE INDEX vehicle_status_history_vehicle_changed_idx ON fleet.vehicle_status_history (vehicle_id, changed_at DESC)',
    ...immutableTriggers('fleet.vehicle_status_history', 'vehicle_status_history_append_only'),

    ...integrationTables('fleet'),
    `CREATE VIEW fleet.vehicles_view AS
      SELECT v.id, v.plate_number, v.vin, v.make, v.model, v.variant, v.year, v.vehicle_class,
             v.passenger_capacity, v.load_limit_kg, v.status, v.decommissioned_at,
             latest.reading_km AS odometer_km, latest.recorded_at AS odometer_recorded_at,
             v.created_at, v.updated_at, v.row_version
      FROM fleet.vehicles v
      LEFT JOIN LATERAL (
        SELECT r.reading_km, r.recorded_at FROM fleet.vehicle_odometer_readings r
        WHERE r.vehicle_id = v.id AND r.voided_at IS NULL
        ORDER BY r.recorded_at DESC, r.reading_km DESC LIMIT 1
      ) latest ON true`,
    `CREATE VIEW fleet.vehicle_status_history_view AS
      SELECT id, vehicle_id, from_status, to_status, cause, actor_id, changed_at FROM fleet.vehicle_status_history`,
    ...grantContextRights('fleet'),
    'REVOKE UPDATE, DELETE ON fleet.vehicle_status_history FROM fleet_svc',
    ...publishViews('fleet', ['vehicles_view', 'vehicle_status_history_view']),
  ];
  await runStatements(knex, statements);
}

export async function down(knex: Knex): Promise<void> {
  await runStatements(knex, dropContext('fleet'));
}
