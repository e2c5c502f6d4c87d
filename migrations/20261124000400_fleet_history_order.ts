import type { Knex } from 'knex';
import { publishViews, runStatements } from './support/sql';

/**
 * Status changes in the order they were recorded. Two changes of a vehicle can carry the same
 * time (a pick-up and a return reported within one second); the history then has to say which
 * came first, and only the order of recording knows. An identity column gives every change its
 * place; the published view shows it so that readers order by (changed_at, recorded_sequence).
 */
export async function up(knex: Knex): Promise<void> {
  await runStatements(knex, [
    'ALTER TABLE fleet.vehicle_status_history ADD COLUMN recorded_sequence bigint GENERATED ALWAYS AS IDENTITY',
    'CREATE INDEX vehicle_status_history_vehicle_order_idx ON fleet.vehicle_status_history (vehicle_id, changed_at, recorded_sequence)',
    `CREATE OR REPLACE VIEW fleet.vehicle_status_history_view AS
      SELECT id, vehicle_id, from_status, to_status, cause, actor_id, changed_at, recorded_sequence FROM fleet.vehicle_status_history`,
  ]);
}

export async function down(knex: Knex): Promise<void> {
  await runStatements(knex, [
    'DROP VIEW fleet.vehicle_status_history_view',
    `CREATE VIEW fleet.vehicle_status_history_view AS
      SELECT id, vehicle_id, from_status, to_status, cause, actor_id, changed_at FROM fleet.vehicle_status_history`,
    ...publishViews('fleet', ['vehicle_status_history_view']),
    'DROP INDEX fleet.vehicle_status_history_vehicle_order_idx',
    'ALTER TABLE fleet.vehicle_status_history DROP COLUMN recorded_sequence',
  ]);
}
