import type { Knex } from 'knex';
import { runStatements } from './support/sql';

/**
 * Indexes for the availability query (gateway/queries/rental.queries.ts, measured by `npm run bench
 * -- availability`, see docs/performance.md). The query lists the vehicles that are not
 * decommissioned in (plate_number, vehicle_id) order, optionally of one class, at one location or
 * both, without any booking or open workshop window overlapping the window asked for, a page at a
 * time.
 *
 * One index per filter in page order, so the planner walks the vehicles in that order, probes each
 * one's bookings with the exclusion constraint's GiST index (vehicle_id =, blocked_period &&) and
 * stops once the page is full. Without them it fetched every booking overlapping the window
 * through that GiST index by period alone (a scan of the whole index, whose first column is the
 * vehicle), anti-joined the whole fleet and sorted it: over 10,000 vehicles and 1,000,000 rentals, a
 * p50 of 31 to 65 ms and a p99 of 69 to 150 ms. Partial, like the query's predicate, so that
 * decommissioned vehicles stay out of them.
 */
const VEHICLE_ORDER_INDEXES = [
  ['vehicle_projection_plate_idx', '(plate_number, vehicle_id)'],
  ['vehicle_projection_class_plate_idx', '(vehicle_class, plate_number, vehicle_id)'],
  ['vehicle_projection_location_plate_idx', '(location_id, plate_number, vehicle_id)'],
  ['vehicle_projection_class_location_plate_idx', '(vehicle_class, location_id, plate_number, vehicle_id)'],
] as const;

export async function up(knex: Knex): Promise<void> {
  await runStatements(
    knex,
    VEHICLE_ORDER_INDEXES.map(([name, columns]) => `CREATE INDEX ${name} ON rental.vehicle_projection ${columns} WHERE status <> 'decommissioned'`),
  );
}

export async function down(knex: Knex): Promise<void> {
  await runStatements(
    knex,
    VEHICLE_ORDER_INDEXES.map(([name]) => `DROP INDEX rental.${name}`),
  );
}
