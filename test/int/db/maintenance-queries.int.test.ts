import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { MaintenanceQueries, type ServiceDueEntry } from '../../../gateway/queries/maintenance.queries';
import { createDatabase } from '../../../platform/database';
import { assessServiceDue, DAY_MS, type ServicePlan } from '../../../processors/maintenance/service-due';
import { ScratchDatabase } from '../../support/database';

/**
 * The gateway's maintenance reads on the published views, as the read-only login: the due list
 * judged in SQL agrees with the processor's rule (service-due.ts) vehicle by vehicle, is ordered by
 * urgency and pages by cursor without loss or repeat; jobs page by window and filter by time and
 * by the mechanic they are assigned to.
 */
describe('the maintenance reads', () => {
  const database = new ScratchDatabase();
  const now = new Date('2026-11-23T12:00:00.000Z');
  let admin: Knex;
  let reader: Knex;
  let queries: MaintenanceQueries;
  const vehicleClass = 'due_test';
  const plan: ServicePlan = { id: randomUUID(), vehicleId: null, vehicleClass, everyKm: 10_000, everyDays: 100, dueSoonKm: 1_000, dueSoonDays: 10 };

  /** A vehicle of the class registered `daysAgo` days before now, with readings at registration and now. */
  const cases: { name: string; daysAgo: number; firstKm: number; km: number }[] = [
    { name: 'ok', daysAgo: 10, firstKm: 0, km: 1_000 },
    { name: 'due soon by km', daysAgo: 10, firstKm: 0, km: 9_600 },
    { name: 'due soon by days', daysAgo: 95, firstKm: 0, km: 100 },
    { name: 'overdue by km', daysAgo: 10, firstKm: 500, km: 11_000 },
    { name: 'overdue by days', daysAgo: 120, firstKm: 0, km: 100 },
    { name: 'overdue by both, km further', daysAgo: 105, firstKm: 0, km: 15_000 },
    { name: 'due soon by both, days closer', daysAgo: 98, firstKm: 0, km: 9_500 },
  ];
  const vehicles = new Map<string, string>();

  beforeAll(async () => {
    await database.create({ migrate: true });
    admin = database.knex();
    reader = createDatabase({ url: database.urlFor('gateway_reader'), poolSizeMax: 2, statementTimeoutMs: 10_000, applicationName: 'maintenance-queries-test' });
    queries = new MaintenanceQueries(reader);
    await admin('maintenance.service_plans').insert({ id: plan.id, vehicle_class: vehicleClass, every_km: plan.everyKm, every_days: plan.everyDays, due_soon_km: plan.dueSoonKm, due_soon_days: plan.dueSoonDays });
    for (const [index, which] of cases.entries()) {
      const vehicleId = randomUUID();
      vehicles.set(which.name, vehicleId);
      const registeredAt = new Date(now.getTime() - which.daysAgo * DAY_MS);
      await admin('maintenance.vehicle_projection').insert({
        vehicle_id: vehicleId,
        plate_number: `DUE ${index}`,
        status: 'active',
        vehicle_class: vehicleClass,
        registered_at: registeredAt,
        status_at: registeredAt,
        last_event_id: 'test',
        last_event_at: registeredAt,
      });
      await admin('maintenance.odometer_readings').insert([
        { reading_id: randomUUID(), vehicle_id: vehicleId, reading_km: which.firstKm, recorded_at: registeredAt },
        { reading_id: randomUUID(), vehicle_id: vehicleId, reading_km: which.km, recorded_at: now },
      ]);
    }
  }, 60_000);

  afterAll(async () => {
    await reader.destroy();
    await database.drop();
  });

  async function everyPage(limit: number): Promise<ServiceDueEntry[]> {
    const items: ServiceDueEntry[] = [];
    let after: { rank: number; share: number; id: string } | undefined;
    for (let pages = 0; pages < 20; pages += 1) {
      const page = await queries.due({ now, vehicleClass, limit, ...(after === undefined ? {} : { after }) });
      items.push(...page.items);
      if (page.next === null) return items;
      after = JSON.parse(Buffer.from(page.next, 'base64url').toString('utf8')) as typeof after;
    }
    throw new Error('the due list did not end');
  }

  it('judges each vehicle as the processor rule does, and lists only those due soon or overdue', async () => {
    const listed = new Map((await everyPage(100)).map((entry) => [entry.vehicleId, entry]));
    for (const which of cases) {
      const vehicleId = vehicles.get(which.name)!;
      const expected = assessServiceDue(plan, { name: 'registration', at: new Date(now.getTime() - which.daysAgo * DAY_MS), km: which.firstKm }, which.km, now);
      const entry = listed.get(vehicleId);
      if (expected.status === 'ok') {
        expect({ name: which.name, entry }).toEqual({ name: which.name, entry: undefined });
        continue;
      }
      expect({ name: which.name, status: entry?.status, reason: entry?.reason, kmRemaining: entry?.kmRemaining, daysRemaining: entry?.daysRemaining, dueAtKm: entry?.dueAtKm, dueAt: entry?.dueAt }).toEqual({
        name: which.name,
        status: expected.status,
        reason: expected.reason,
        kmRemaining: expected.kmRemaining,
        daysRemaining: expected.daysRemaining,
        dueAtKm: expected.dueAtKm,
        dueAt: expected.dueAt?.toISOString(),
      });
    }
  });

  it('orders by urgency (overdue first, then the smallest share left) and pages by cursor without loss or repeat', async () => {
    const all = await everyPage(100);
    // Shares of the interval left: overdue 5 (km -0.5), 4 (days -0.2), 3 (km -0.05); due soon 6 (days 0.02), 1 (km 0.04), 2 (days 0.05).
    expect(all.map((entry) => entry.plateNumber)).toEqual(['DUE 5', 'DUE 4', 'DUE 3', 'DUE 6', 'DUE 1', 'DUE 2']);
    expect((await everyPage(2)).map((entry) => entry.vehicleId)).toEqual(all.map((entry) => entry.vehicleId));
    expect((await queries.due({ now, vehicleClass, status: 'overdue', limit: 100 })).items.map((entry) => entry.plateNumber)).toEqual(['DUE 5', 'DUE 4', 'DUE 3']);
  });

  it('pages jobs by window start and keeps those whose window meets [from, to)', async () => {
    const vehicleId = vehicles.get('ok')!;
    const day = (offset: number) => new Date(now.getTime() + offset * DAY_MS);
    const ids: string[] = [];
    for (const offset of [3, 1, 2]) {
      const [row] = await admin('maintenance.maintenance_jobs')
        .insert({ vehicle_id: vehicleId, kind: 'service', title: `day ${offset}`, window_start: day(offset), window_end: new Date(day(offset).getTime() + 3_600_000) })
        .returning('id');
      ids[offset] = (row as { id: string }).id;
    }
    const first = await queries.list({ vehicleId, limit: 2 });
    expect(first.items.map((job) => job.title)).toEqual(['day 1', 'day 2']);
    const cursor = JSON.parse(Buffer.from(first.next!, 'base64url').toString('utf8')) as { at: string; id: string };
    const second = await queries.list({ vehicleId, limit: 2, after: cursor });
    expect({ titles: second.items.map((job) => job.title), next: second.next }).toEqual({ titles: ['day 3'], next: null });
    expect((await queries.list({ vehicleId, from: day(1.5), to: day(3), limit: 10 })).items.map((job) => job.id)).toEqual([ids[2]]);
    expect(await queries.find(ids[1]!)).toMatchObject({ id: ids[1], status: 'scheduled', partsCostMinor: 0, totalCostMinor: null, parts: [] });
  });

  it("keeps a mechanic's jobs only, in SQL, and answers another's job as if it did not exist", async () => {
    const vehicleId = vehicles.get('due soon by km')!;
    const [mechanic, other] = [randomUUID(), randomUUID()];
    const day = (offset: number) => new Date(now.getTime() + offset * DAY_MS);
    const job = async (offset: number, mechanicId: string | null, status = 'scheduled') => {
      const [row] = await admin('maintenance.maintenance_jobs')
        .insert({
          vehicle_id: vehicleId,
          kind: 'repair',
          title: `day ${offset}`,
          mechanic_id: mechanicId,
          status,
          window_start: day(offset),
          window_end: new Date(day(offset).getTime() + 3_600_000),
          ...(status === 'cancelled' ? { cancelled_at: now, cancel_reason: 'not needed' } : {}),
        })
        .returning('id');
      return (row as { id: string }).id;
    };
    const own = await job(10, mechanic);
    const cancelled = await job(11, mechanic, 'cancelled');
    const others = await job(12, other);
    await job(13, null);

    expect((await queries.list({ vehicleId, mechanicId: mechanic, limit: 10 })).items.map((found) => found.id)).toEqual([own, cancelled]);
    expect((await queries.list({ vehicleId, mechanicId: mechanic, statuses: ['scheduled', 'in_progress'], limit: 10 })).items.map((found) => found.id)).toEqual([own]);
    expect(await queries.find(own, mechanic)).toMatchObject({ id: own, mechanicId: mechanic });
    expect(await queries.find(others, mechanic)).toBeUndefined();
    expect(await queries.find(others)).toMatchObject({ id: others, mechanicId: other });
  });
});
