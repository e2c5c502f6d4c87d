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

/** Workshop jobs, the parts they used, and the maintenance context's projection of vehicles. */
export async function up(knex: Knex): Promise<void> {
  const statements = [
    'CREATE SCHEMA maintenance',
    `CREATE TABLE maintenance.vehicle_projection (
      vehicle_id uuid PRIMARY KEY,
      plate_number text NOT NULL,
      status text NOT NULL,
      last_event_id text NOT NULL,
      last_event_at timestamptz NOT NULL,
      ${AUDIT_COLUMNS},
      ${statusCheck('vehicle_projection_status_check', VEHICLE_STATUSES)}
    )`,
    touchTrigger('maintenance.vehicle_projection'),

    `CREATE TABLE maintenance.maintenance_jobs (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      vehicle_id uuid NOT NULL,
      title text NOT NULL DEFAULT 'maintenance',
      description text NULL,
      scheduled_for timestamptz NULL,
      started_at timestamptz NULL,
      completed_at timestamptz NULL,
      cancelled_at timestamptz NULL,
      status text NOT NULL DEFAULT 'scheduled',
      mechanic_id uuid NULL,
      odometer_km int NULL,
      labor_cost_cents bigint NULL,
      currency char(3) NULL,
      ${AUDIT_COLUMNS},
      ${statusCheck('maintenance_jobs_status_check', ['scheduled', 'in_progress', 'completed', 'cancelled'])},
      ${nonNegativeCheck('maintenance_jobs', 'labor_cost_cents')},
      ${currencyCheck('maintenance_jobs_currency_check')},
      CONSTRAINT maintenance_jobs_cost_currency_check CHECK ((labor_cost_cents IS NULL) = (currency IS NULL)),
      CONSTRAINT maintenance_jobs_completed_check CHECK ((status = 'completed') = (completed_at IS NOT NULL)),
      CONSTRAINT maintenance_jobs_cancelled_check CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL)),
      CONSTRAINT maintenance_jobs_odometer_check CHECK (odometer_km >= 0),
      CONSTRAINT maintenance_jobs_completion_check CHECK (completed_at >= started_at),
      CONSTRAINT maintenance_jobs_started_check CHECK (status NOT IN ('in_progress', 'completed') OR started_at IS NOT NULL)
    )`,
    'CREATE INDEX maintenance_jobs_vehicle_status_idx ON maintenance.maintenance_jobs (vehicle_id, status)',
    'CREATE INDEX maintenance_jobs_completed_idx ON maintenance.maintenance_jobs (completed_at) WHERE status = \'completed\'',
    touchTrigger('maintenance.maintenance_jobs'),

    `CREATE TABLE maintenance.maintenance_parts_used (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      maintenance_job_id uuid NOT NULL REFERENCES maintenance.maintenance_jobs (id),
      part_name text NOT NULL,
      part_number text NULL,
      quantity int NOT NULL,
      unit_cost_cents bigint NULL,
      currency char(3) NULL,
      ${AUDIT_COLUMNS},
      CONSTRAINT maintenance_parts_used_quantity_check CHECK (quantity > 0),
      ${nonNegativeCheck('maintenance_parts_used', 'unit_cost_cents')},
      ${currencyCheck('maintenance_parts_used_currency_check')},
      CONSTRAINT maintenance_parts_used_cost_currency_check CHECK ((unit_cost_cents IS NULL) = (currency IS NULL))
    )`,
    'CREATE INDEX maintenance_parts_used_job_idx ON maintenance.maintenance_parts_used (maintenance_job_id)',
    touchTrigger('maintenance.maintenance_parts_used'),

    ...integrationTables('maintenance'),
    `CREATE VIEW maintenance.maintenance_jobs_view AS
      SELECT j.id, j.vehicle_id, j.title, j.description, j.scheduled_for, j.started_at, j.completed_at, j.cancelled_at,
             j.status, j.mechanic_id, j.odometer_km, j.labor_cost_cents, j.currency,
             coalesce(p.parts_cost_cents, 0) AS parts_cost_cents, p.parts_currencies, j.created_at, j.updated_at, j.row_version
      FROM maintenance.maintenance_jobs j
      LEFT JOIN LATERAL (
        -- Parts are costed in the job's currency; parts_currencies shows when that does not hold.
        SELECT sum(quantity * unit_cost_cents) AS parts_cost_cents, array_agg(DISTINCT currency) FILTER (WHERE currency IS NOT NULL) AS parts_currencies
        FROM maintenance.maintenance_parts_used WHERE maintenance_job_id = j.id
      ) p ON true`,
    ...grantContextRights('maintenance'),
    ...publishViews('maintenance', ['maintenance_jobs_view']),
  ];
  await runStatements(knex, statements);
}

export async function down(knex: Knex): Promise<void> {
  await runStatements(knex, dropContext('maintenance'));
}
