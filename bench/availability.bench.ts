/**
 * `npm run bench -- availability`: how fast the gateway answers GET /v1/availability over a
 * realistically full rental database, against a bare round trip on the same pool.
 *
 * A database of its own is bulk-loaded with SQL as the superuser: BENCH_VEHICLES vehicles (five
 * classes, eight locations, 1% decommissioned) with RENTALS_PER_VEHICLE rentals each, spread over
 * three years around now (two behind, one ahead) and never overlapping per vehicle, their class's
 * turnaround buffer included, so the exclusion constraint accepts every row; past rentals are
 * completed or cancelled, current ones active, future ones reserved (a few cancelled); 4% of the
 * vehicles have a workshop window every fifth slot. Then RentalQueries.available, the very call
 * the gateway makes, on a pool logged in as gateway_reader, for random two-day windows within the
 * next 60 days, with and without class and location filters: BENCH_WARMUP calls, then BENCH_CALLS
 * sequential ones; p50, p99 and max. The baseline is SELECT 1 on the same pool. The plans of one
 * call without a filter and of one with both filters are printed (EXPLAIN ANALYZE, BUFFERS).
 * docs/performance.md has the figures measured and what they mean.
 */
import type { Knex } from 'knex';
import { loadConfig } from '../platform/config/load';
import { databaseAdminVariables } from '../platform/config/variables';
import { createDatabase } from '../platform/database';
import { AVAILABILITY_PAGE_SIZE_MAX, RentalQueries, type AvailabilityFilter } from '../gateway/queries/rental.queries';
import { PAGE_SIZE_DEFAULT } from '../gateway/routes/query-parameters';
import { BenchDatabase, integerSetting, md5Uuid, ratio, runSuffix, step, summarize, type LatencySummary } from './bench-support';

const VEHICLES = integerSetting('BENCH_VEHICLES', 10_000, 100, 1_000_000);
const RENTALS_PER_VEHICLE = 100;
const CALLS = integerSetting('BENCH_CALLS', 500, 100, 100_000);
const WARMUP_CALLS = integerSetting('BENCH_WARMUP', 50, 0, 10_000);
const HISTORY_DAYS = 730;
const FUTURE_DAYS = 365;
/** Availability is asked for two-day windows starting within the next 60 days. */
const WINDOW_DAYS = 2;
const WINDOW_START_DAYS_MAX = 58;
const DAY_MS = 86_400_000;
/** BENCH_KEEP=1 leaves the loaded database in place (its name is printed) to study plans by hand; drop it after. */
const KEEP_DATABASE = process.env.BENCH_KEEP === '1';
/** BENCH_DATABASE=fleet_bench_…: measure a database a BENCH_KEEP=1 run loaded (say, after changing its indexes) and leave it. */
const REUSED_DATABASE = process.env.BENCH_DATABASE;

// Five classes with their turnaround buffer and daily rate; eight locations.
const CLASSES = [
  { name: 'economy', bufferMinutes: 30, dailyRateMinor: 3_900 },
  { name: 'compact', bufferMinutes: 60, dailyRateMinor: 4_900 },
  { name: 'suv', bufferMinutes: 120, dailyRateMinor: 7_900 },
  { name: 'van', bufferMinutes: 180, dailyRateMinor: 8_900 },
  { name: 'premium', bufferMinutes: 240, dailyRateMinor: 12_900 },
] as const;
const LOCATIONS = 8;

// Vehicle n (1..VEHICLES) has a stable id, class, location and plate, so each statement derives
// them again instead of joining. Plates start with a hash, so plate order is not id order.
const vehicleId = (n: string) => `md5('vehicle-' || ${n})::uuid`;
const locationId = (n: string) => `md5('location-' || ${n})::uuid`;
const classOf = (n: string) => `(ARRAY[${CLASSES.map((c) => `'${c.name}'`).join(', ')}])[${n} % ${CLASSES.length} + 1]`;
const planId = (vehicleClass: string) => `md5('plan-' || ${vehicleClass})::uuid`;
/**
 * A number in [0, 1) drawn for vehicle n and slot s from a hash, so the load is the same every run
 * (random() in a LATERAL subquery would be drawn once per slot and shared by every vehicle).
 */
const uniform = (draw: string) => `((hashtext('${draw}-' || n || '-' || s) & 2147483647) / 2147483648.0)`;
/** Where vehicle n's slots begin, as a fraction of a slot: vehicles are not all free at the same moments. */
const phase = `((hashtext('phase-' || n) & 2147483647) / 2147483648.0)`;

/**
 * Each vehicle's three years are cut into RENTALS_PER_VEHICLE slots of ~10.95 days, shifted by a
 * fraction of a slot of its own; a rental starts within the first two days of its slot and lasts 4 hours to 7 days, so its end plus the longest
 * buffer (4 h) is at most ~9.2 days in: never into the next slot, nor into a workshop window (9.5 to
 * 10.5 days in).
 */
function seedStatements(): string[] {
  const slot = `(interval '1 day' * ${(HISTORY_DAYS + FUTURE_DAYS) / RENTALS_PER_VEHICLE})`;
  const origin = `(date_trunc('hour', now()) - interval '${HISTORY_DAYS} days')`;
  const classes = CLASSES.map((c) => `('${c.name}', ${c.bufferMinutes}, ${c.dailyRateMinor})`).join(', ');
  return [
    `INSERT INTO rental.locations (id, name, type, time_zone)
      SELECT ${locationId('n')}, 'Depot ' || n, 'depot', 'Europe/Paris' FROM generate_series(0, ${LOCATIONS - 1}) AS n`,
    `INSERT INTO rental.vehicle_class_policies (vehicle_class, buffer_minutes)
      SELECT name, buffer FROM (VALUES ${classes}) AS c(name, buffer, rate)`,
    `INSERT INTO rental.pricing_plans (id, name, vehicle_class, currency, daily_rate_cents, hourly_rate_cents, included_km_per_day,
        extra_km_price_cents, late_fee_per_hour_cents, late_grace_minutes, cancellation_fee_cents, cancellation_window_hours,
        deposit_cents, valid_from)
      SELECT ${planId('name')}, 'Standard ' || name, name, 'EUR', rate, rate / 6, 250, 25, rate / 4, 59, rate / 2, 24, 30000,
             now() - interval '${HISTORY_DAYS + 30} days'
      FROM (VALUES ${classes}) AS c(name, buffer, rate)`,
    `INSERT INTO rental.vehicle_projection (vehicle_id, plate_number, vehicle_class, status, location_id, last_event_id, last_event_at)
      SELECT ${vehicleId('n')}, upper(substr(md5('plate-' || n), 1, 2)) || '-' || lpad(n::text, 6, '0'), ${classOf('n')},
             CASE WHEN n % 100 = 0 THEN 'decommissioned' ELSE 'active' END, ${locationId(`(n % ${LOCATIONS})`)},
             'bench-' || n, now() - interval '${HISTORY_DAYS} days'
      FROM generate_series(1, ${VEHICLES}) AS n`,
    `INSERT INTO rental.rentals (vehicle_id, customer_id, origin_location_id, destination_location_id, start_at, end_at, buffer_minutes,
        blocked_until, status, pricing_plan_id, currency, terms, deposit_required_cents, picked_up_at, returned_at, start_odometer_km,
        end_odometer_km, cancelled_at, cancellation_reason, created_at)
      SELECT ${vehicleId('n')}, md5('customer-' || (n * 7 + s) % 50000)::uuid, ${locationId(`(n % ${LOCATIONS})`)},
             ${locationId(`((n + s) % ${LOCATIONS})`)}, r.start_at, r.end_at, p.buffer_minutes,
             r.end_at + make_interval(mins => p.buffer_minutes), k.status, ${planId('p.vehicle_class')}, 'EUR',
             jsonb_build_object('currency', 'EUR', 'dailyRateMinor', pp.daily_rate_cents, 'hourlyRateMinor', pp.hourly_rate_cents,
               'includedKmPerDay', 250, 'extraKmPriceMinor', 25, 'lateFeePerHourMinor', pp.late_fee_per_hour_cents, 'lateGraceMinutes', 59,
               'cancellationFeeMinor', pp.cancellation_fee_cents, 'cancellationWindowHours', 24, 'depositMinor', 30000),
             30000,
             CASE WHEN k.status IN ('active', 'completed') THEN r.start_at END,
             CASE WHEN k.status = 'completed' THEN r.end_at END,
             CASE WHEN k.status IN ('active', 'completed') THEN 1000 + s * 900 END,
             CASE WHEN k.status = 'completed' THEN 1000 + s * 900 + r.km END,
             CASE WHEN k.status = 'cancelled' THEN least(r.start_at - interval '1 day', now()) END,
             CASE WHEN k.status = 'cancelled' THEN 'customer request' END,
             least(r.start_at - interval '3 days', now())
      FROM generate_series(1, ${VEHICLES}) AS n
      CROSS JOIN generate_series(0, ${RENTALS_PER_VEHICLE - 1}) AS s
      JOIN rental.vehicle_class_policies p ON p.vehicle_class = ${classOf('n')}
      JOIN rental.pricing_plans pp ON pp.id = ${planId('p.vehicle_class')}
      CROSS JOIN LATERAL (
        SELECT start_at, start_at + make_interval(hours => 4 + floor(${uniform('hours')} * 165)::int) AS end_at,
               floor(${uniform('km')} * 700)::int AS km, ${uniform('roll')} AS roll
        FROM (SELECT ${origin} + (s + ${phase}) * ${slot} + make_interval(hours => floor(${uniform('start')} * 48)::int) AS start_at) AS t
      ) AS r
      CROSS JOIN LATERAL (
        SELECT CASE
          WHEN r.end_at <= now() THEN CASE WHEN r.roll < 0.07 THEN 'cancelled' ELSE 'completed' END
          WHEN r.start_at <= now() THEN CASE WHEN n % 100 = 0 THEN 'cancelled' ELSE 'active' END
          WHEN n % 100 = 0 OR r.roll < 0.05 THEN 'cancelled'
          ELSE 'reserved'
        END AS status
      ) AS k`,
    `INSERT INTO rental.maintenance_windows (job_id, vehicle_id, kind, planned_start, planned_end, started_at, blocked_period, status,
        last_event_id, last_event_at)
      SELECT md5('job-' || n || '-' || s)::uuid, ${vehicleId('n')}, 'service', w.from_at, w.until_at,
             CASE WHEN w.from_at <= now() THEN w.from_at END, tstzrange(w.from_at, w.until_at, '[)'),
             CASE WHEN w.until_at <= now() THEN 'completed' WHEN w.from_at <= now() THEN 'in_progress' ELSE 'scheduled' END,
             'bench-job-' || n || '-' || s, least(w.from_at, now())
      FROM generate_series(25, ${VEHICLES}, 25) AS n
      CROSS JOIN generate_series(0, ${RENTALS_PER_VEHICLE - 1}, 5) AS s
      CROSS JOIN LATERAL (
        SELECT ${origin} + (s + ${phase}) * ${slot} + interval '9.5 days' AS from_at, ${origin} + (s + ${phase}) * ${slot} + interval '10.5 days' AS until_at
      ) AS w`,
    // What the fleet would have said: vehicles out on a rental are rented, those in the workshop under maintenance.
    `UPDATE rental.vehicle_projection v SET status = 'rented'
      WHERE v.status = 'active' AND EXISTS (SELECT 1 FROM rental.rentals r WHERE r.vehicle_id = v.vehicle_id AND r.status = 'active')`,
    `UPDATE rental.vehicle_projection v SET status = 'under_maintenance'
      WHERE v.status = 'active' AND EXISTS (SELECT 1 FROM rental.maintenance_windows m WHERE m.vehicle_id = v.vehicle_id AND m.status = 'in_progress')`,
  ];
}

async function load(admin: Knex): Promise<void> {
  const statements = seedStatements();
  const labels = ['locations', 'class policies', 'pricing plans', `${VEHICLES} vehicles`, `${VEHICLES * RENTALS_PER_VEHICLE} rentals`, 'maintenance windows', 'rented vehicles', 'vehicles in the workshop'];
  await admin.transaction(async (transaction) => {
    for (const [index, statement] of statements.entries()) await step(labels[index] ?? statement.slice(0, 40), () => transaction.raw(statement));
  });
  // VACUUM sets the visibility map (index-only scans), as autovacuum would on a table this age.
  await step('vacuum and analyze', () => admin.raw('VACUUM (ANALYZE) rental.vehicle_projection, rental.rentals, rental.maintenance_windows'));
  const counts = await admin.raw<{ rows: { status: string; rentals: string }[] }>('SELECT status, count(*) AS rentals FROM rental.rentals GROUP BY status ORDER BY status');
  console.error(`  rentals by status: ${counts.rows.map((row) => `${row.status} ${row.rentals}`).join(', ')}`);
}

interface Variant {
  readonly name: string;
  readonly filter: (from: Date) => AvailabilityFilter;
}

function variants(): Variant[] {
  const window = (from: Date) => ({ from, to: new Date(from.getTime() + WINDOW_DAYS * DAY_MS) });
  const someClass = () => CLASSES[Math.floor(Math.random() * CLASSES.length)]!.name;
  // The ids the seed gives locations: md5('location-' || n)::uuid.
  const someLocation = () => md5Uuid(`location-${Math.floor(Math.random() * LOCATIONS)}`);
  return [
    { name: 'no filter', filter: (from) => ({ ...window(from), limit: PAGE_SIZE_DEFAULT }) },
    { name: 'no filter, largest page', filter: (from) => ({ ...window(from), limit: AVAILABILITY_PAGE_SIZE_MAX }) },
    { name: 'class', filter: (from) => ({ ...window(from), vehicleClass: someClass(), limit: PAGE_SIZE_DEFAULT }) },
    { name: 'location', filter: (from) => ({ ...window(from), locationId: someLocation(), limit: PAGE_SIZE_DEFAULT }) },
    { name: 'class and location', filter: (from) => ({ ...window(from), vehicleClass: someClass(), locationId: someLocation(), limit: PAGE_SIZE_DEFAULT }) },
  ];
}

/** A random window start within the next WINDOW_START_DAYS_MAX days, on a minute. */
function randomFrom(): Date {
  const at = Date.now() + Math.random() * WINDOW_START_DAYS_MAX * DAY_MS;
  return new Date(Math.floor(at / 60_000) * 60_000);
}

async function timed(calls: number, call: () => Promise<unknown>): Promise<number[]> {
  const latencies: number[] = [];
  for (let index = 0; index < calls; index += 1) {
    const started = performance.now();
    await call();
    latencies.push(performance.now() - started);
  }
  return latencies;
}

async function main(): Promise<void> {
  const env = loadConfig(databaseAdminVariables);
  const database = new BenchDatabase(env.databaseAdminUrl, REUSED_DATABASE ?? `fleet_bench_${runSuffix()}`);
  let reader: Knex | undefined;
  try {
    if (REUSED_DATABASE === undefined) {
      const admin = await step(`database ${database.name}`, () => database.create());
      await load(admin);
    }
    reader = createDatabase({ url: database.loginUrl('gateway_reader'), poolSizeMax: 10, statementTimeoutMs: 10_000, applicationName: 'bench-availability' });
    const queries = new RentalQueries(reader);
    const roundTrip = () => reader!.raw('SELECT 1');
    await timed(WARMUP_CALLS, roundTrip);
    const baseline = summarize(await timed(CALLS, roundTrip));
    const results: Record<string, LatencySummary & { itemsMean: number; p50ToBaselineP50: number; p99ToBaselineP99: number }> = {};
    for (const variant of variants()) {
      await timed(WARMUP_CALLS, () => queries.available(variant.filter(randomFrom())));
      let items = 0;
      const latencies = await timed(CALLS, async () => (items += (await queries.available(variant.filter(randomFrom()))).items.length));
      const summary = summarize(latencies);
      results[variant.name] = {
        ...summary,
        itemsMean: Math.round(items / CALLS),
        p50ToBaselineP50: ratio(summary.p50Ms, baseline.p50Ms),
        p99ToBaselineP99: ratio(summary.p99Ms, baseline.p99Ms),
      };
    }
    for (const variant of variants().filter((candidate) => ['no filter', 'class and location'].includes(candidate.name))) {
      const { sql, bindings } = queries.availableQuery(variant.filter(randomFrom())).toSQL();
      const plan = await reader.raw<{ rows: { 'QUERY PLAN': string }[] }>(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, bindings);
      console.log(`\nplan of one call (${variant.name}):\n${plan.rows.map((row) => row['QUERY PLAN']).join('\n')}`);
    }
    const report = {
      machine: { cores: (await import('node:os')).cpus().length, node: process.version },
      data: { vehicles: VEHICLES, rentals: VEHICLES * RENTALS_PER_VEHICLE, windowDays: WINDOW_DAYS, windowStartDaysMax: WINDOW_START_DAYS_MAX },
      baselineSelect1: baseline,
      availability: results,
    };
    console.log(JSON.stringify(report, null, 2));
  } finally {
    await reader?.destroy();
    if (KEEP_DATABASE || REUSED_DATABASE !== undefined) {
      await database.disconnect();
      console.error(`kept database ${database.name}: DROP DATABASE ${database.name} once done with it`);
    } else {
      await database.drop();
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
