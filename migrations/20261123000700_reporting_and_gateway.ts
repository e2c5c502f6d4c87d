import type { Knex } from 'knex';
import {
  AUDIT_COLUMNS,
  dropContext,
  grantContextRights,
  immutableTriggers,
  integrationTables,
  publishViews,
  runStatements,
  statusCheck,
  touchTrigger,
} from './support/sql';

export const REPORT_TYPES = [
  'trial_balance',
  'income_statement',
  'revenue_by_vehicle',
  'revenue_by_vehicle_class',
  'fleet_utilisation',
  'maintenance_cost',
  'receivables_aging',
] as const;

/**
 * Reporting keeps every generated report as an append-only snapshot with the watermark it was
 * computed from and a hash of its content, so that a number can be explained and reproduced.
 * The gateway schema holds the status of each command it accepted and the audit of dead-letter
 * replays.
 */
export async function up(knex: Knex): Promise<void> {
  const statements = [
    'CREATE SCHEMA reporting',
    `CREATE TABLE reporting.report_snapshots (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      report_type text NOT NULL,
      period_start date NULL,
      period_end date NULL,
      parameters jsonb NOT NULL DEFAULT '{}'::jsonb,
      watermark jsonb NOT NULL DEFAULT '{}'::jsonb,
      generated_at timestamptz NOT NULL,
      result jsonb NOT NULL,
      content_hash text NOT NULL,
      requested_by uuid NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      ${statusCheck('report_snapshots_report_type_check', REPORT_TYPES, 'report_type')},
      CONSTRAINT report_snapshots_period_check CHECK (period_end >= period_start),
      CONSTRAINT report_snapshots_content_hash_check CHECK (content_hash ~ '^[0-9a-f]{64}$')
    )`,
    'CREATE INDEX report_snapshots_type_generated_idx ON reporting.report_snapshots (report_type, generated_at DESC)',
    ...immutableTriggers('reporting.report_snapshots', 'report_snapshots_append_only'),
    ...integrationTables('reporting'),
    `CREATE VIEW reporting.report_snapshots_view AS
      SELECT id, report_type, period_start, period_end, parameters, watermark, generated_at, result, content_hash
      FROM reporting.report_snapshots`,
    ...grantContextRights('reporting'),
    'REVOKE UPDATE, DELETE, TRUNCATE ON reporting.report_snapshots FROM reporting_svc',
    ...publishViews('reporting', ['report_snapshots_view']),

    'CREATE SCHEMA gateway',
    `CREATE TABLE gateway.command_status (
      command_id uuid PRIMARY KEY,
      command_type text NOT NULL,
      aggregate_id uuid NULL,
      status text NOT NULL DEFAULT 'pending',
      reason_code text NULL,
      message text NULL,
      resource_location text NULL,
      correlation_id text NOT NULL,
      submitted_by uuid NULL,
      submitted_at timestamptz NOT NULL DEFAULT now(),
      completed_at timestamptz NULL,
      ${AUDIT_COLUMNS},
      ${statusCheck('command_status_status_check', ['pending', 'accepted', 'rejected', 'failed'])},
      CONSTRAINT command_status_reason_check CHECK (status NOT IN ('rejected', 'failed') OR reason_code IS NOT NULL),
      CONSTRAINT command_status_completed_check CHECK ((status = 'pending') = (completed_at IS NULL))
    )`,
    'CREATE INDEX command_status_pending_idx ON gateway.command_status (submitted_at) WHERE status = \'pending\'',
    touchTrigger('gateway.command_status'),
    `CREATE TABLE gateway.dlq_replays (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      consumer_group text NOT NULL,
      dlq_topic text NOT NULL,
      dlq_partition int NOT NULL,
      dlq_offset bigint NOT NULL,
      message_id text NULL,
      original_topic text NULL,
      target_topic text NOT NULL,
      outcome text NOT NULL,
      reason text NULL,
      replayed_by text NOT NULL,
      replayed_at timestamptz NOT NULL DEFAULT now(),
      ${statusCheck('dlq_replays_outcome_check', ['replayed', 'skipped_already_processed', 'skipped_filtered', 'failed'], 'outcome')},
      CONSTRAINT dlq_replays_position_check CHECK (dlq_partition >= 0 AND dlq_offset >= 0)
    )`,
    'CREATE INDEX dlq_replays_position_idx ON gateway.dlq_replays (dlq_topic, dlq_partition, dlq_offset)',
    ...immutableTriggers('gateway.dlq_replays', 'dlq_replays_append_only'),
    ...integrationTables('gateway'),
    `CREATE VIEW gateway.command_status_view AS
      SELECT command_id, command_type, aggregate_id, status, reason_code, message, resource_location,
             correlation_id, submitted_by, submitted_at, completed_at
      FROM gateway.command_status`,
    ...grantContextRights('gateway'),
    'REVOKE UPDATE, DELETE ON gateway.dlq_replays FROM gateway_svc',
    ...publishViews('gateway', ['command_status_view']),
  ];
  await runStatements(knex, statements);
}

export async function down(knex: Knex): Promise<void> {
  await runStatements(knex, [...dropContext('gateway'), ...dropContext('reporting')]);
}
