import type { Knex } from 'knex';
import { AUDIT_COLUMNS, publishViews, runStatements, statusCheck, touchTrigger } from './support/sql';

/**
 * The workshop's operations on top of the first maintenance schema: jobs booked in a window (no
 * two open jobs of one vehicle overlap), parts and costs that cannot change once a job is
 * completed, the fleet facts the context follows (vehicle class and registration, odometer
 * readings), service plans, and the service-due notices that make each reminder happen once.
 */
const JOB_KINDS = ['service', 'repair', 'inspection', 'tyres'] as const;

export async function up(knex: Knex): Promise<void> {
  const statements = [
    // Jobs: what kind, booked when; the window is the exclusion constraint's range.
    `ALTER TABLE maintenance.maintenance_jobs
      ADD COLUMN kind text NOT NULL DEFAULT 'service',
      ADD COLUMN window_start timestamptz NULL,
      ADD COLUMN window_end timestamptz NULL,
      ADD COLUMN cancel_reason text NULL,
      ADD COLUMN service_window tstzrange GENERATED ALWAYS AS (
        CASE WHEN window_start IS NULL OR window_end IS NULL THEN NULL ELSE tstzrange(window_start, window_end, '[)') END
      ) STORED`,
    // One statement per constraint: PostgreSQL merges constraints added with a generated column.
    `ALTER TABLE maintenance.maintenance_jobs ADD ${statusCheck('maintenance_jobs_kind_check', JOB_KINDS, 'kind')}`,
    'ALTER TABLE maintenance.maintenance_jobs ADD CONSTRAINT maintenance_jobs_window_check CHECK (window_end > window_start AND (window_start IS NULL) = (window_end IS NULL))',
    "ALTER TABLE maintenance.maintenance_jobs ADD CONSTRAINT maintenance_jobs_cancel_reason_check CHECK ((status = 'cancelled') = (cancel_reason IS NOT NULL))",
    "ALTER TABLE maintenance.maintenance_jobs ADD CONSTRAINT maintenance_jobs_completed_cost_check CHECK (status <> 'completed' OR labor_cost_cents IS NOT NULL)",
    `ALTER TABLE maintenance.maintenance_jobs ADD CONSTRAINT maintenance_jobs_no_overlap
      EXCLUDE USING gist (vehicle_id WITH =, service_window WITH &&) WHERE (status IN ('scheduled', 'in_progress'))`,
    'CREATE INDEX maintenance_jobs_window_idx ON maintenance.maintenance_jobs (window_start, id)',

    // A completed job is a record of work done: nothing about it changes any more.
    `CREATE TRIGGER maintenance_jobs_completed_immutable BEFORE UPDATE OR DELETE ON maintenance.maintenance_jobs
      FOR EACH ROW WHEN (OLD.status = 'completed') EXECUTE FUNCTION public.reject_change('maintenance_jobs_completed_immutable')`,

    // Parts belong to an open job and share its one currency.
    `CREATE FUNCTION maintenance.check_part_change() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      job record;
      part maintenance.maintenance_parts_used%ROWTYPE;
    BEGIN
      part := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
      SELECT status, currency INTO job FROM maintenance.maintenance_jobs WHERE id = part.maintenance_job_id;
      IF job.status IN ('completed', 'cancelled') OR (TG_OP = 'UPDATE' AND OLD.maintenance_job_id <> NEW.maintenance_job_id) THEN
        RAISE EXCEPTION 'the parts of a % maintenance job cannot change', job.status
          USING ERRCODE = 'restrict_violation', CONSTRAINT = 'maintenance_parts_used_job_closed';
      END IF;
      IF TG_OP <> 'DELETE' AND NEW.currency IS NOT NULL AND (
           (job.currency IS NOT NULL AND job.currency <> NEW.currency)
           OR EXISTS (SELECT 1 FROM maintenance.maintenance_parts_used other
                      WHERE other.maintenance_job_id = NEW.maintenance_job_id AND other.id <> NEW.id AND other.currency <> NEW.currency)) THEN
        RAISE EXCEPTION 'a maintenance job is costed in one currency; % does not match it', NEW.currency
          USING ERRCODE = 'check_violation', CONSTRAINT = 'maintenance_parts_used_job_currency';
      END IF;
      RETURN part;
    END
    $$`,
    `CREATE TRIGGER maintenance_parts_used_job_rules BEFORE INSERT OR UPDATE OR DELETE ON maintenance.maintenance_parts_used
      FOR EACH ROW EXECUTE FUNCTION maintenance.check_part_change()`,
    `CREATE FUNCTION maintenance.check_job_currency() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.currency IS NOT NULL AND EXISTS (
           SELECT 1 FROM maintenance.maintenance_parts_used WHERE maintenance_job_id = NEW.id AND currency <> NEW.currency) THEN
        RAISE EXCEPTION 'a maintenance job is costed in one currency; its parts are not in %', NEW.currency
          USING ERRCODE = 'check_violation', CONSTRAINT = 'maintenance_parts_used_job_currency';
      END IF;
      RETURN NEW;
    END
    $$`,
    `CREATE TRIGGER maintenance_jobs_currency BEFORE UPDATE OF currency ON maintenance.maintenance_jobs
      FOR EACH ROW EXECUTE FUNCTION maintenance.check_job_currency()`,

    // The fleet facts the reminders need; each column moves only forward in the fleet's time.
    `ALTER TABLE maintenance.vehicle_projection
      ADD COLUMN vehicle_class text NULL,
      ADD COLUMN class_version bigint NOT NULL DEFAULT 0,
      ADD COLUMN registered_at timestamptz NULL,
      ADD COLUMN status_at timestamptz NULL`,
    `CREATE TABLE maintenance.odometer_readings (
      reading_id uuid PRIMARY KEY,
      vehicle_id uuid NOT NULL,
      reading_km int NULL,
      recorded_at timestamptz NULL,
      voided_at timestamptz NULL,
      ${AUDIT_COLUMNS},
      CONSTRAINT odometer_readings_km_check CHECK (reading_km >= 0),
      -- A void may arrive before its reading: the row then waits for the reading's km.
      CONSTRAINT odometer_readings_known_check CHECK ((reading_km IS NULL) = (recorded_at IS NULL) AND (reading_km IS NOT NULL OR voided_at IS NOT NULL))
    )`,
    'CREATE INDEX odometer_readings_vehicle_idx ON maintenance.odometer_readings (vehicle_id, recorded_at) WHERE voided_at IS NULL',
    touchTrigger('maintenance.odometer_readings'),

    `CREATE TABLE maintenance.service_plans (
      id uuid PRIMARY KEY,
      vehicle_id uuid NULL,
      vehicle_class text NULL,
      every_km int NULL,
      every_days int NULL,
      due_soon_km int NOT NULL DEFAULT 0,
      due_soon_days int NOT NULL DEFAULT 0,
      superseded_at timestamptz NULL,
      ${AUDIT_COLUMNS},
      CONSTRAINT service_plans_target_check CHECK (num_nonnulls(vehicle_id, vehicle_class) = 1),
      CONSTRAINT service_plans_interval_check CHECK (num_nonnulls(every_km, every_days) >= 1),
      CONSTRAINT service_plans_every_km_check CHECK (every_km > 0),
      CONSTRAINT service_plans_every_days_check CHECK (every_days > 0),
      CONSTRAINT service_plans_due_soon_check CHECK (due_soon_km >= 0 AND due_soon_days >= 0)
    )`,
    // One plan in force per vehicle and per class: a newer plan supersedes the older one.
    'CREATE UNIQUE INDEX service_plans_vehicle_key ON maintenance.service_plans (vehicle_id) WHERE superseded_at IS NULL AND vehicle_id IS NOT NULL',
    'CREATE UNIQUE INDEX service_plans_class_key ON maintenance.service_plans (vehicle_class) WHERE superseded_at IS NULL AND vehicle_class IS NOT NULL',
    touchTrigger('maintenance.service_plans'),

    `CREATE TABLE maintenance.service_due_notices (
      id uuid PRIMARY KEY,
      vehicle_id uuid NOT NULL,
      plan_id uuid NOT NULL REFERENCES maintenance.service_plans (id),
      basis text NOT NULL,
      reason text NOT NULL,
      status text NOT NULL,
      due_at_km int NULL,
      due_at timestamptz NULL,
      noticed_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      ${statusCheck('service_due_notices_reason_check', ['km', 'days'], 'reason')},
      ${statusCheck('service_due_notices_status_check', ['due_soon', 'overdue'])},
      CONSTRAINT service_due_notices_basis_check CHECK (basis = 'registration' OR basis ~ '^job:[0-9a-f-]{36}$'),
      -- A reminder is announced once per threshold: the vehicle, its plan, what the due point was counted from, and why.
      CONSTRAINT service_due_notices_threshold_key UNIQUE (vehicle_id, plan_id, basis, reason)
    )`,
    ...['service_due_notices'].map((table) => `CREATE TRIGGER ${table}_immutable BEFORE UPDATE OR DELETE ON maintenance.${table} FOR EACH ROW EXECUTE FUNCTION public.reject_change('${table}_immutable')`),

    // Read views. The jobs view gains the new columns at its end (existing readers are unaffected).
    `CREATE OR REPLACE VIEW maintenance.maintenance_jobs_view AS
      SELECT j.id, j.vehicle_id, j.title, j.description, j.scheduled_for, j.started_at, j.completed_at, j.cancelled_at,
             j.status, j.mechanic_id, j.odometer_km, j.labor_cost_cents, j.currency,
             coalesce(p.parts_cost_cents, 0) AS parts_cost_cents, p.parts_currencies, j.created_at, j.updated_at, j.row_version,
             j.kind, j.window_start, j.window_end, j.cancel_reason
      FROM maintenance.maintenance_jobs j
      LEFT JOIN LATERAL (
        SELECT sum(quantity * unit_cost_cents) AS parts_cost_cents, array_agg(DISTINCT currency) FILTER (WHERE currency IS NOT NULL) AS parts_currencies
        FROM maintenance.maintenance_parts_used WHERE maintenance_job_id = j.id
      ) p ON true`,
    `CREATE VIEW maintenance.maintenance_job_parts_view AS
      SELECT id, maintenance_job_id AS job_id, part_name, part_number, quantity, unit_cost_cents, currency, created_at
      FROM maintenance.maintenance_parts_used`,
    `CREATE VIEW maintenance.service_plans_view AS
      SELECT id, vehicle_id, vehicle_class, every_km, every_days, due_soon_km, due_soon_days, superseded_at, created_at
      FROM maintenance.service_plans`,
    // Each vehicle in service with the plan that applies to it (its own plan before its class's)
    // and where its next service falls due: counted from its last completed job, or from its
    // registration when it has none. Time-dependent status (due soon, overdue) is left to readers.
    `CREATE VIEW maintenance.service_schedule_view AS
      SELECT v.vehicle_id, v.plate_number, v.vehicle_class,
             plan.id AS plan_id, (plan.vehicle_id IS NOT NULL) AS plan_for_vehicle,
             plan.every_km, plan.every_days, plan.due_soon_km, plan.due_soon_days,
             CASE WHEN last_job.id IS NULL THEN 'registration' ELSE 'job:' || last_job.id END AS basis,
             last_job.id AS basis_job_id,
             coalesce(last_job.completed_at, v.registered_at) AS basis_at,
             basis_km.km AS basis_km,
             coalesce(current_km.km, basis_km.km) AS current_km,
             basis_km.km + plan.every_km AS due_at_km,
             coalesce(last_job.completed_at, v.registered_at) + make_interval(days => plan.every_days) AS due_at
      FROM maintenance.vehicle_projection v
      JOIN LATERAL (
        SELECT p.* FROM maintenance.service_plans p
        WHERE p.superseded_at IS NULL AND (p.vehicle_id = v.vehicle_id OR p.vehicle_class = v.vehicle_class)
        ORDER BY p.vehicle_id IS NULL LIMIT 1
      ) plan ON true
      LEFT JOIN LATERAL (
        SELECT j.id, j.completed_at, j.odometer_km FROM maintenance.maintenance_jobs j
        WHERE j.vehicle_id = v.vehicle_id AND j.status = 'completed' ORDER BY j.completed_at DESC, j.id DESC LIMIT 1
      ) last_job ON true
      LEFT JOIN LATERAL (
        SELECT max(r.reading_km) AS km FROM maintenance.odometer_readings r
        WHERE r.vehicle_id = v.vehicle_id AND r.voided_at IS NULL AND r.reading_km IS NOT NULL
      ) current_km ON true
      CROSS JOIN LATERAL (
        -- The job's own odometer, else the last valid reading by then; from registration, the first reading.
        SELECT coalesce(
          last_job.odometer_km,
          (SELECT r.reading_km FROM maintenance.odometer_readings r
           WHERE r.vehicle_id = v.vehicle_id AND r.voided_at IS NULL AND r.reading_km IS NOT NULL
             AND (last_job.id IS NULL OR r.recorded_at <= last_job.completed_at)
           ORDER BY CASE WHEN last_job.id IS NULL THEN r.recorded_at END ASC, r.recorded_at DESC LIMIT 1),
          0) AS km
      ) basis_km
      WHERE v.registered_at IS NOT NULL AND v.status <> 'decommissioned'`,
    ...publishViews('maintenance', ['maintenance_jobs_view', 'maintenance_job_parts_view', 'service_plans_view', 'service_schedule_view']),
  ];
  await runStatements(knex, statements);
}

export async function down(knex: Knex): Promise<void> {
  await runStatements(knex, [
    'DROP VIEW maintenance.service_schedule_view',
    'DROP VIEW maintenance.service_plans_view',
    'DROP VIEW maintenance.maintenance_job_parts_view',
    'DROP VIEW maintenance.maintenance_jobs_view',
    `CREATE VIEW maintenance.maintenance_jobs_view AS
      SELECT j.id, j.vehicle_id, j.title, j.description, j.scheduled_for, j.started_at, j.completed_at, j.cancelled_at,
             j.status, j.mechanic_id, j.odometer_km, j.labor_cost_cents, j.currency,
             coalesce(p.parts_cost_cents, 0) AS parts_cost_cents, p.parts_currencies, j.created_at, j.updated_at, j.row_version
      FROM maintenance.maintenance_jobs j
      LEFT JOIN LATERAL (
        SELECT sum(quantity * unit_cost_cents) AS parts_cost_cents, array_agg(DISTINCT currency) FILTER (WHERE currency IS NOT NULL) AS parts_currencies
        FROM maintenance.maintenance_parts_used WHERE maintenance_job_id = j.id
      ) p ON true`,
    'GRANT SELECT ON maintenance.maintenance_jobs_view TO gateway_reader',
    'DROP TABLE maintenance.service_due_notices',
    'DROP TABLE maintenance.service_plans',
    'DROP TABLE maintenance.odometer_readings',
    'ALTER TABLE maintenance.vehicle_projection DROP COLUMN vehicle_class, DROP COLUMN class_version, DROP COLUMN registered_at, DROP COLUMN status_at',
    'DROP TRIGGER maintenance_jobs_currency ON maintenance.maintenance_jobs',
    'DROP FUNCTION maintenance.check_job_currency()',
    'DROP TRIGGER maintenance_parts_used_job_rules ON maintenance.maintenance_parts_used',
    'DROP FUNCTION maintenance.check_part_change()',
    'DROP TRIGGER maintenance_jobs_completed_immutable ON maintenance.maintenance_jobs',
    'DROP INDEX maintenance.maintenance_jobs_window_idx',
    `ALTER TABLE maintenance.maintenance_jobs
      DROP CONSTRAINT maintenance_jobs_no_overlap,
      DROP CONSTRAINT maintenance_jobs_completed_cost_check,
      DROP CONSTRAINT maintenance_jobs_cancel_reason_check,
      DROP CONSTRAINT maintenance_jobs_window_check,
      DROP CONSTRAINT maintenance_jobs_kind_check,
      DROP COLUMN service_window, DROP COLUMN cancel_reason, DROP COLUMN window_end, DROP COLUMN window_start, DROP COLUMN kind`,
  ]);
}
