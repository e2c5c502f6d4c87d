/**
 * `npm run bench -- reporting`: how long reporting takes to compute a year's income statement and
 * fleet utilisation from its read models, for a fleet of BENCH_VEHICLES vehicles (1,000) whose
 * journal holds BENCH_JOURNAL_LINES lines (1,000,000), beside a baseline on the same machine.
 *
 * Its own database. The read models are loaded in bulk with SQL (as the processor would have
 * written them: every row with a stream position over six partitions per source topic): the
 * vehicles registered over the year before, a few decommissioned in the year; about one rental a
 * week per vehicle with its activation and return, four workshop jobs a year per vehicle; journal
 * entries of two to four lines spread over the year, on revenue, receivable, cash and expense
 * accounts. Then, as the reporting login, each report is computed ROUNDS times exactly as
 * GenerateReport does (its reads at the watermark, then the pure computation and the canonical
 * text and hash), timed from the first read to the hash; the median and the fastest are printed.
 *
 * The baseline is the cheapest statement that reads the same journal lines: the year's lines
 * summed per account, direction and currency with no watermark. The ratio is what reporting adds
 * to it (the watermark join, the per-day grouping, the computation). docs/performance.md has the
 * figures measured. BENCH_KEEP_DATABASE=1 keeps the database (its name is printed) to study plans.
 */
import knex, { type Knex } from 'knex';
import { loadConfig } from '../platform/config/load';
import { databaseAdminVariables } from '../platform/config/variables';
import { pgTypes } from '../platform/postgres';
import { hashOfText, canonicalJson } from '../processors/reporting/canonical';
import { computeReport } from '../processors/reporting/generate-report';
import { readInputs } from '../processors/reporting/reporting.handlers';
import { ReportingRepository } from '../processors/reporting/reporting.repository';
import type { ReportScope, ReportType } from '../schemas/reporting/report-parameters';
import { BenchDatabase, integerSetting, ratio, runSuffix, step } from './bench-support';

const VEHICLES = integerSetting('BENCH_VEHICLES', 1_000, 10, 100_000);
const JOURNAL_LINES = integerSetting('BENCH_JOURNAL_LINES', 1_000_000, 1_000, 50_000_000);
const ROUNDS = integerSetting('BENCH_ROUNDS', 5, 1, 50);
const PARTITIONS = 6;
const YEAR = { from: '2025-01-01', to: '2025-12-31' };
const DESIGN_TARGET_MS = 1_000;
/** BENCH_KEEP_DATABASE=1 leaves the loaded database in place (its name is printed), to look at plans. */
const KEEP_DATABASE = process.env.BENCH_KEEP_DATABASE === '1';

/**
 * The bulk load, in SQL. Positions: each source topic's rows are numbered in time order and dealt
 * round-robin over its partitions, so that every partition's offsets rise with time.
 */
function loadStatements(): string[] {
  const position = (topic: string, order: string) =>
    `'${topic}', (row_number() OVER (ORDER BY ${order}) % ${PARTITIONS})::int, (row_number() OVER (ORDER BY ${order}) / ${PARTITIONS})::bigint`;
  return [
    // Vehicles: registered during 2024, one in fifty decommissioned in the summer of 2025.
    `INSERT INTO reporting.facts (kind, subject_id, vehicle_id, at, vehicle_class, source_topic, source_partition, source_offset)
     SELECT 'vehicle_registered', v.id, v.id, v.registered_at, (ARRAY['compact', 'van', 'premium', 'suv'])[1 + v.n % 4], ${position('fleet.events', 'v.registered_at, v.n')}
     FROM (SELECT n, md5('vehicle' || n)::uuid AS id, timestamptz '2024-01-01' + (n % 360) * interval '1 day' AS registered_at FROM generate_series(1, ${VEHICLES}) n) v`,
    `INSERT INTO reporting.facts (kind, subject_id, vehicle_id, at, source_topic, source_partition, source_offset)
     SELECT 'vehicle_decommissioned', md5('vehicle' || n)::uuid, md5('vehicle' || n)::uuid, timestamptz '2025-07-01' + (n % 60) * interval '1 day', 'fleet.events', n % ${PARTITIONS}, 1000000 + n
     FROM generate_series(1, ${VEHICLES}) n WHERE n % 50 = 0`,
    // Rentals: each vehicle rented for two to five days from every seventh day of 2025.
    `INSERT INTO reporting.facts (kind, subject_id, rental_id, vehicle_id, at, source_topic, source_partition, source_offset)
     SELECT kind, r.id, r.id, r.vehicle_id, CASE kind WHEN 'rental_activated' THEN r.out_at ELSE r.out_at + (2 + r.n % 4) * interval '1 day' END,
            ${position('rental.events', "r.out_at, r.n, kind")}
     FROM (SELECT v * 100 + w AS n, md5('rental' || v || '/' || w)::uuid AS id, md5('vehicle' || v)::uuid AS vehicle_id,
                  timestamptz '2025-01-01' + (w * 7 + v % 7) * interval '1 day' + (v % 24) * interval '1 hour' AS out_at
           FROM generate_series(1, ${VEHICLES}) v, generate_series(0, 51) w) r,
          (VALUES ('rental_activated'), ('rental_completed')) AS k (kind)`,
    // Workshop jobs: four a year per vehicle, a day each.
    `INSERT INTO reporting.facts (kind, subject_id, vehicle_id, at, amount_minor, currency, source_topic, source_partition, source_offset)
     SELECT kind, j.id, j.vehicle_id, CASE kind WHEN 'maintenance_started' THEN j.start_at ELSE j.start_at + interval '1 day' END,
            CASE kind WHEN 'maintenance_completed' THEN 25000 ELSE NULL END, CASE kind WHEN 'maintenance_completed' THEN 'EUR' ELSE NULL END,
            ${position('maintenance.events', 'j.start_at, j.n, kind')}
     FROM (SELECT v * 10 + q AS n, md5('job' || v || '/' || q)::uuid AS id, md5('vehicle' || v)::uuid AS vehicle_id,
                  timestamptz '2025-02-01' + (q * 91 + v % 30) * interval '1 day' AS start_at
           FROM generate_series(1, ${VEHICLES}) v, generate_series(0, 3) q) j,
          (VALUES ('maintenance_started'), ('maintenance_completed')) AS k (kind)`,
    // Journal: entries of 3 lines (receivable against two revenue accounts) or 2 lines (cash
    // against the receivable, or an expense against payables), dated over the year.
    `INSERT INTO reporting.journal_lines (entry_id, line_number, entry_date, account_code, direction, amount_minor, currency, external_ref_type, external_ref_id, source_topic, source_partition, source_offset)
     SELECT md5('entry' || e.n)::uuid, l.line, date '2025-01-01' + (e.n % 365),
            CASE WHEN e.n % 3 = 0 THEN (ARRAY['ACCOUNTS_RECEIVABLE', 'RENTAL_REVENUE', 'LATE_FEE_REVENUE'])[l.line]
                 WHEN e.n % 3 = 1 THEN (ARRAY['CASH', 'ACCOUNTS_RECEIVABLE', NULL])[l.line]
                 ELSE (ARRAY['MAINTENANCE_PARTS_EXPENSE', 'ACCOUNTS_PAYABLE', NULL])[l.line] END,
            CASE WHEN l.line = 1 THEN 'debit' ELSE 'credit' END,
            CASE WHEN e.n % 3 = 0 AND l.line = 1 THEN 12000 WHEN e.n % 3 = 0 THEN 6000 ELSE 8000 END,
            CASE WHEN e.n % 10 = 0 THEN 'USD' ELSE 'EUR' END,
            'rental.RentalCompleted', md5('rental' || (1 + e.n % ${VEHICLES}) || '/' || (e.n % 52))::uuid,
            'ledger.events', (e.n % ${PARTITIONS})::int, (e.n / ${PARTITIONS})::bigint
     FROM generate_series(1, ${Math.ceil(JOURNAL_LINES / 2.33)}) e (n), generate_series(1, 3) l (line)
     WHERE l.line <= CASE WHEN e.n % 3 = 0 THEN 3 ELSE 2 END`,
    `INSERT INTO reporting.source_positions (topic, partition, last_offset)
     SELECT source_topic, source_partition, max(source_offset) FROM (
       SELECT source_topic, source_partition, source_offset FROM reporting.facts
       UNION ALL SELECT source_topic, source_partition, source_offset FROM reporting.journal_lines) positions
     GROUP BY 1, 2`,
    'ANALYZE reporting.facts',
    'ANALYZE reporting.journal_lines',
  ];
}

interface Timing {
  readonly medianMs: number;
  readonly fastestMs: number;
  readonly bytes: number;
}

async function timed(rounds: number, work: () => Promise<number>): Promise<Timing> {
  const times: number[] = [];
  let bytes = 0;
  for (let round = 0; round < rounds; round += 1) {
    const started = performance.now();
    bytes = await work();
    times.push(performance.now() - started);
  }
  times.sort((left, right) => left - right);
  return { medianMs: times[Math.floor(times.length / 2)]!, fastestMs: times[0]!, bytes };
}

async function main(): Promise<void> {
  const { databaseAdminUrl } = loadConfig(databaseAdminVariables);
  const database = new BenchDatabase(databaseAdminUrl, `fleet_bench_${runSuffix()}`);
  const admin = await step(`creating and migrating ${database.name}`, () => database.create());
  let reporting: Knex | undefined;
  try {
    await step(`loading ${VEHICLES} vehicles and about ${JOURNAL_LINES.toLocaleString('en')} journal lines`, async () => {
      for (const statement of loadStatements()) await admin.raw(statement);
    });
    const counts: { rows: { lines: number; facts: number }[] } = await admin.raw('SELECT (SELECT count(*) FROM reporting.journal_lines)::int AS lines, (SELECT count(*) FROM reporting.facts)::int AS facts');
    const { lines, facts } = counts.rows[0]!;
    reporting = knex({ client: 'pg', connection: { connectionString: database.loginUrl('reporting_svc').toString(), types: pgTypes as Knex.PgConnectionConfig['types'] }, pool: { min: 1, max: 1 } });
    const repository = new ReportingRepository();
    const watermark = await reporting.transaction((transaction) => repository.watermark(transaction));
    const scope: ReportScope = { kind: 'period', ...YEAR };
    const generate = (reportType: ReportType) => () =>
      reporting!.transaction(async (transaction) => {
        const text = canonicalJson(computeReport(await readInputs(repository, transaction, reportType, scope, watermark), scope));
        hashOfText(text);
        return text.length;
      });
    // One warm-up round each: the first read of a table after loading it pays for the page cache.
    const income = await step('income statement for 2025', async () => (await generate('income_statement')(), timed(ROUNDS, generate('income_statement'))));
    const use = await step('fleet utilisation for 2025', async () => (await generate('fleet_utilisation')(), timed(ROUNDS, generate('fleet_utilisation'))));
    const byVehicle = await step('revenue per vehicle for 2025', async () => (await generate('revenue_by_vehicle')(), timed(ROUNDS, generate('revenue_by_vehicle'))));
    const baseline = await step('baseline: the year\'s lines summed per account', async () =>
      timed(ROUNDS, async () => {
        const result: { rows: unknown[] } = await reporting!.raw(
          `SELECT account_code, direction, currency, sum(amount_minor) FROM reporting.journal_lines WHERE entry_date BETWEEN ? AND ? GROUP BY 1, 2, 3`,
          [YEAR.from, YEAR.to],
        );
        return result.rows.length;
      }),
    );
    const line = (label: string, timing: Timing) =>
      `${label.padEnd(34)} median ${timing.medianMs.toFixed(0).padStart(6)} ms   fastest ${timing.fastestMs.toFixed(0).padStart(6)} ms   ${(timing.bytes / 1024).toFixed(0).padStart(5)} KiB   ×${ratio(timing.medianMs, baseline.medianMs)} baseline`;
    console.log(`reporting benchmark: ${VEHICLES} vehicles, ${lines.toLocaleString('en')} journal lines, ${facts.toLocaleString('en')} other facts, ${PARTITIONS} partitions per topic, ${ROUNDS} rounds`);
    console.log(line('income statement, a year', income));
    console.log(line('fleet utilisation, a year', use));
    console.log(line('revenue per vehicle, a year', byVehicle));
    console.log(`${'baseline (lines summed, no watermark)'.padEnd(34)} median ${baseline.medianMs.toFixed(0).padStart(6)} ms   fastest ${baseline.fastestMs.toFixed(0).padStart(6)} ms`);
    for (const [name, timing] of [['income statement', income], ['fleet utilisation', use]] as const) {
      console.log(`${name}: ${timing.medianMs <= DESIGN_TARGET_MS ? 'within' : 'over'} the ${DESIGN_TARGET_MS} ms design target (median ${timing.medianMs.toFixed(0)} ms)`);
    }
  } finally {
    await reporting?.destroy();
    if (KEEP_DATABASE) {
      await database.disconnect();
      console.log(`kept database ${database.name}`);
    } else await database.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
