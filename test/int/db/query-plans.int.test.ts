import type pg from 'pg';
import { poolFor, ScratchDatabase } from '../../support/database';

/**
 * The two hottest reads use their indexes once tables hold enough rows for the planner to care:
 * availability (is this vehicle free in this period?) and the outbox relay's scan for unpublished
 * events.
 */
interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function indexesUsed(node: PlanNode): string[] {
  return [...(node['Index Name'] ? [node['Index Name']] : []), ...(node.Plans ?? []).flatMap(indexesUsed)];
}

async function plan(pool: pg.Pool, query: string): Promise<PlanNode> {
  const { rows } = await pool.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (FORMAT JSON) ${query}`);
  return rows[0]!['QUERY PLAN'][0].Plan;
}

describe('query plans on realistic volumes', () => {
  const database = new ScratchDatabase();
  let admin: pg.Pool;

  beforeAll(async () => {
    await database.create({ migrate: true });
    admin = poolFor(database.adminUrl);
    // 300 vehicles with 60 back-to-back rentals each (18,000 rows), a fifth of them completed.
    await admin.query(`
      WITH location AS (INSERT INTO rental.locations (name, type) VALUES ('Depot', 'depot') RETURNING id)
      INSERT INTO rental.rentals (vehicle_id, origin_location_id, destination_location_id, start_at, end_at, status)
      SELECT v.id, location.id, location.id,
             timestamptz '2026-01-01' + n * interval '3 days',
             timestamptz '2026-01-01' + n * interval '3 days' + interval '2 days',
             CASE WHEN n % 5 = 0 THEN 'completed' ELSE 'reserved' END
      FROM location, (SELECT gen_random_uuid() AS id FROM generate_series(1, 300)) v, generate_series(0, 59) n`);
    // 30,000 published events and a handful waiting for the relay.
    await admin.query(`
      INSERT INTO rental.outbox_events (topic, message_key, aggregate_type, aggregate_id, event_type, payload, published_at)
      SELECT 'rental.events', n::text, 'rental', gen_random_uuid(), 'rental.RentalReserved', '{}', CASE WHEN n > 29995 THEN NULL ELSE now() END
      FROM generate_series(1, 30000) n`);
    await admin.query('ANALYZE rental.rentals');
    await admin.query('ANALYZE rental.outbox_events');
  }, 120_000);

  afterAll(async () => {
    await admin.end();
    await database.drop();
  });

  it('answers availability from the exclusion constraint index', async () => {
    const { rows } = await admin.query<{ vehicle_id: string }>('SELECT vehicle_id FROM rental.rentals LIMIT 1');
    const query = `SELECT id FROM rental.rentals
      WHERE vehicle_id = '${rows[0]!.vehicle_id}'
        AND blocked_period && tstzrange('2026-03-01', '2026-03-08', '[)')
        AND status IN ('reserved', 'active')`;

    expect(indexesUsed(await plan(admin, query))).toContain('rentals_no_double_booking');
  });

  it('finds unpublished outbox events through the partial index, in sequence order', async () => {
    const query = 'SELECT id, sequence FROM rental.outbox_events WHERE published_at IS NULL ORDER BY sequence LIMIT 100';

    expect(indexesUsed(await plan(admin, query))).toEqual(['outbox_events_unpublished_idx']);
  });
});
