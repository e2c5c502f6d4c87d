import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { poolFor, ScratchDatabase, sqlFailure } from '../../support/database';

/**
 * The maintenance invariants attacked directly in SQL as the maintenance login (as a buggy
 * processor would) and refused by the database with a stable SQLSTATE and constraint name: no two
 * open jobs of a vehicle in overlapping windows, costs never negative, one currency per job, the
 * parts and the job itself frozen once completed, a reminder recorded once per threshold.
 */
describe('invariants the maintenance schema enforces', () => {
  const database = new ScratchDatabase();
  let maintenance: pg.Pool;
  let reader: pg.Pool;

  beforeAll(async () => {
    await database.create({ migrate: true });
    maintenance = poolFor(database.urlFor('maintenance_svc'));
    reader = poolFor(database.urlFor('gateway_reader'));
  }, 60_000);

  afterAll(async () => {
    await Promise.all([maintenance.end(), reader.end()]);
    await database.drop();
  });

  async function job(vehicleId: string, windowStart: string, windowEnd: string, status = 'scheduled'): Promise<string> {
    const { rows } = await maintenance.query<{ id: string }>(
      `INSERT INTO maintenance.maintenance_jobs (vehicle_id, kind, title, window_start, window_end, status, started_at)
       VALUES ($1, 'service', 'service', $2, $3, $4, CASE WHEN $4 = 'in_progress' THEN now() END) RETURNING id`,
      [vehicleId, windowStart, windowEnd, status],
    );
    return rows[0]!.id;
  }

  const addPart = (jobId: string, unitCostCents: number, currency = 'EUR') =>
    maintenance.query(`INSERT INTO maintenance.maintenance_parts_used (maintenance_job_id, part_name, quantity, unit_cost_cents, currency) VALUES ($1, 'filter', 1, $2, $3)`, [jobId, unitCostCents, currency]);

  async function completedJob(): Promise<string> {
    const jobId = await job(randomUUID(), '2026-12-01T08:00:00Z', '2026-12-01T12:00:00Z', 'in_progress');
    await addPart(jobId, 1_000);
    await maintenance.query(`UPDATE maintenance.maintenance_jobs SET status = 'completed', completed_at = now(), labor_cost_cents = 5000, currency = 'EUR' WHERE id = $1`, [jobId]);
    return jobId;
  }

  describe('no two open jobs of a vehicle in overlapping windows', () => {
    const vehicleId = randomUUID();
    beforeAll(() => job(vehicleId, '2026-12-01T08:00:00Z', '2026-12-01T12:00:00Z'));

    it('refuses a scheduled job overlapping another (23P01)', async () => {
      expect(await sqlFailure(job(vehicleId, '2026-12-01T11:00:00Z', '2026-12-01T13:00:00Z'))).toMatchObject({ code: '23P01', constraint: 'maintenance_jobs_no_overlap' });
    });

    it('refuses a job in progress overlapping it too', async () => {
      expect(await sqlFailure(job(vehicleId, '2026-12-01T07:00:00Z', '2026-12-01T09:00:00Z', 'in_progress'))).toMatchObject({ code: '23P01', constraint: 'maintenance_jobs_no_overlap' });
    });

    it('allows a window that only touches it, and an overlapping cancelled job', async () => {
      await job(vehicleId, '2026-12-01T12:00:00Z', '2026-12-01T14:00:00Z');
      await maintenance.query(
        `INSERT INTO maintenance.maintenance_jobs (vehicle_id, title, window_start, window_end, status, cancelled_at, cancel_reason)
         VALUES ($1, 'x', '2026-12-01T09:00:00Z', '2026-12-01T10:00:00Z', 'cancelled', now(), 'moved')`,
        [vehicleId],
      );
    });

    it('refuses a window that ends before it starts (22000) and an unknown kind (23514)', async () => {
      // The window's range column is computed before the checks run, and a backwards range is already a data error.
      expect(await sqlFailure(job(randomUUID(), '2026-12-01T12:00:00Z', '2026-12-01T08:00:00Z'))).toMatchObject({ code: '22000' });
      expect(await sqlFailure(job(randomUUID(), '2026-12-01T12:00:00Z', '2026-12-01T12:00:00Z'))).toMatchObject({ code: '23514', constraint: 'maintenance_jobs_window_check' });
      expect(await sqlFailure(maintenance.query(`INSERT INTO maintenance.maintenance_jobs (vehicle_id, kind) VALUES ($1, 'paint')`, [randomUUID()]))).toMatchObject({
        code: '23514',
        constraint: 'maintenance_jobs_kind_check',
      });
    });
  });

  describe('costs', () => {
    it('refuses a negative part cost and a negative labour cost (23514)', async () => {
      const jobId = await job(randomUUID(), '2026-12-02T08:00:00Z', '2026-12-02T12:00:00Z', 'in_progress');
      expect(await sqlFailure(addPart(jobId, -1))).toMatchObject({ code: '23514', constraint: 'maintenance_parts_used_unit_cost_cents_check' });
      expect(await sqlFailure(maintenance.query(`UPDATE maintenance.maintenance_jobs SET labor_cost_cents = -5, currency = 'EUR' WHERE id = $1`, [jobId]))).toMatchObject({
        code: '23514',
        constraint: 'maintenance_jobs_labor_cost_cents_check',
      });
    });

    it('refuses a second currency on one job, from a part or from the labour (23514)', async () => {
      const jobId = await job(randomUUID(), '2026-12-02T08:00:00Z', '2026-12-02T12:00:00Z', 'in_progress');
      await addPart(jobId, 1_000, 'EUR');
      expect(await sqlFailure(addPart(jobId, 1_000, 'USD'))).toMatchObject({ code: '23514', constraint: 'maintenance_parts_used_job_currency' });
      expect(await sqlFailure(maintenance.query(`UPDATE maintenance.maintenance_jobs SET labor_cost_cents = 5, currency = 'USD' WHERE id = $1`, [jobId]))).toMatchObject({
        code: '23514',
        constraint: 'maintenance_parts_used_job_currency',
      });
    });

    it('refuses completing a job without its labour cost (23514)', async () => {
      const jobId = await job(randomUUID(), '2026-12-02T08:00:00Z', '2026-12-02T12:00:00Z', 'in_progress');
      expect(await sqlFailure(maintenance.query(`UPDATE maintenance.maintenance_jobs SET status = 'completed', completed_at = now() WHERE id = $1`, [jobId]))).toMatchObject({
        code: '23514',
        constraint: 'maintenance_jobs_completed_cost_check',
      });
    });
  });

  describe('a completed job is frozen', () => {
    it('refuses adding, changing or removing its parts (23001)', async () => {
      const jobId = await completedJob();
      expect(await sqlFailure(addPart(jobId, 10))).toMatchObject({ code: '23001', constraint: 'maintenance_parts_used_job_closed' });
      expect(await sqlFailure(maintenance.query('UPDATE maintenance.maintenance_parts_used SET quantity = 9 WHERE maintenance_job_id = $1', [jobId]))).toMatchObject({
        code: '23001',
        constraint: 'maintenance_parts_used_job_closed',
      });
      expect(await sqlFailure(maintenance.query('DELETE FROM maintenance.maintenance_parts_used WHERE maintenance_job_id = $1', [jobId]))).toMatchObject({
        code: '23001',
        constraint: 'maintenance_parts_used_job_closed',
      });
    });

    it('refuses changing or deleting the job (23001)', async () => {
      const jobId = await completedJob();
      expect(await sqlFailure(maintenance.query('UPDATE maintenance.maintenance_jobs SET labor_cost_cents = 1 WHERE id = $1', [jobId]))).toMatchObject({
        code: '23001',
        constraint: 'maintenance_jobs_completed_immutable',
      });
      expect(await sqlFailure(maintenance.query('DELETE FROM maintenance.maintenance_jobs WHERE id = $1', [jobId]))).toMatchObject({ code: '23001', constraint: 'maintenance_jobs_completed_immutable' });
    });
  });

  describe('service plans and reminders', () => {
    async function plan(): Promise<string> {
      const { rows } = await maintenance.query<{ id: string }>(`INSERT INTO maintenance.service_plans (id, vehicle_id, every_km) VALUES ($1, $2, 10000) RETURNING id`, [randomUUID(), randomUUID()]);
      return rows[0]!.id;
    }

    it('refuses a plan without an interval, and one for both a vehicle and a class (23514)', async () => {
      expect(await sqlFailure(maintenance.query(`INSERT INTO maintenance.service_plans (id, vehicle_class) VALUES ($1, 'suv')`, [randomUUID()]))).toMatchObject({
        code: '23514',
        constraint: 'service_plans_interval_check',
      });
      expect(await sqlFailure(maintenance.query(`INSERT INTO maintenance.service_plans (id, vehicle_id, vehicle_class, every_days) VALUES ($1, $2, 'suv', 30)`, [randomUUID(), randomUUID()]))).toMatchObject({
        code: '23514',
        constraint: 'service_plans_target_check',
      });
    });

    it('refuses a second plan in force for one class (23505)', async () => {
      await maintenance.query(`INSERT INTO maintenance.service_plans (id, vehicle_class, every_days) VALUES ($1, 'limousine', 30)`, [randomUUID()]);
      expect(await sqlFailure(maintenance.query(`INSERT INTO maintenance.service_plans (id, vehicle_class, every_days) VALUES ($1, 'limousine', 60)`, [randomUUID()]))).toMatchObject({
        code: '23505',
        constraint: 'service_plans_class_key',
      });
    });

    it('records one reminder per vehicle, plan, basis and reason (23505), and never changes it (23001)', async () => {
      const planId = await plan();
      const vehicleId = randomUUID();
      const notice = (id: string) =>
        maintenance.query(
          `INSERT INTO maintenance.service_due_notices (id, vehicle_id, plan_id, basis, reason, status, due_at_km, noticed_at) VALUES ($1, $2, $3, 'registration', 'km', 'due_soon', 10000, now())`,
          [id, vehicleId, planId],
        );
      const first = randomUUID();
      await notice(first);
      expect(await sqlFailure(notice(randomUUID()))).toMatchObject({ code: '23505', constraint: 'service_due_notices_threshold_key' });
      expect(await sqlFailure(maintenance.query(`UPDATE maintenance.service_due_notices SET status = 'overdue' WHERE id = $1`, [first]))).toMatchObject({
        code: '23001',
        constraint: 'service_due_notices_immutable',
      });
    });
  });

  describe('what the gateway may read', () => {
    it('reads the published views and none of the tables', async () => {
      for (const view of ['maintenance_jobs_view', 'maintenance_job_parts_view', 'service_plans_view', 'service_schedule_view']) {
        await reader.query(`SELECT * FROM maintenance.${view} LIMIT 1`);
      }
      expect(await sqlFailure(reader.query('SELECT * FROM maintenance.maintenance_jobs LIMIT 1'))).toMatchObject({ code: '42501' });
    });
  });
});
