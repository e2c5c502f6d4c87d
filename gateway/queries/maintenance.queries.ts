import type { Knex } from 'knex';

export const JOB_STATUSES = ['scheduled', 'in_progress', 'completed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const DUE_STATUSES = ['due_soon', 'overdue'] as const;
export type DueStatus = (typeof DUE_STATUSES)[number];

export const PAGE_SIZE_MAX = 100;

export interface PartUsed {
  readonly partName: string;
  readonly partNumber: string | null;
  readonly quantity: number;
  readonly unitCostMinor: number | null;
  readonly currency: string | null;
  readonly recordedAt: string;
}

export interface MaintenanceJob {
  readonly id: string;
  readonly vehicleId: string;
  readonly kind: string;
  readonly title: string;
  readonly description: string | null;
  readonly status: JobStatus;
  readonly windowStart: string | null;
  readonly windowEnd: string | null;
  readonly mechanicId: string | null;
  readonly startedAt: string | null;
  readonly completedAt: string | null;
  readonly cancelledAt: string | null;
  readonly cancelReason: string | null;
  readonly odometerKm: number | null;
  /** Costs in minor units of currency; labour and total only once the job is completed. */
  readonly laborCostMinor: number | null;
  readonly partsCostMinor: number;
  readonly totalCostMinor: number | null;
  readonly currency: string | null;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface ServicePlanView {
  readonly id: string;
  readonly vehicleId: string | null;
  readonly vehicleClass: string | null;
  readonly everyKm: number | null;
  readonly everyDays: number | null;
  readonly dueSoonKm: number;
  readonly dueSoonDays: number;
  readonly supersededAt: string | null;
  readonly createdAt: string;
}

export interface ServiceDueEntry {
  readonly vehicleId: string;
  readonly plateNumber: string;
  readonly vehicleClass: string | null;
  readonly planId: string;
  readonly status: DueStatus;
  /** What makes it due first: km or days. */
  readonly reason: 'km' | 'days';
  readonly currentKm: number;
  readonly dueAtKm: number | null;
  readonly kmRemaining: number | null;
  readonly dueAt: string | null;
  readonly daysRemaining: number | null;
  /** registration, or job:<id> of the last completed job. */
  readonly basis: string;
  readonly basisAt: string;
}

interface JobRow {
  id: string;
  vehicle_id: string;
  kind: string;
  title: string;
  description: string | null;
  status: JobStatus;
  window_start: Date | null;
  window_end: Date | null;
  mechanic_id: string | null;
  started_at: Date | null;
  completed_at: Date | null;
  cancelled_at: Date | null;
  cancel_reason: string | null;
  odometer_km: number | null;
  labor_cost_cents: number | null;
  parts_cost_cents: number;
  currency: string | null;
  parts_currency: string | null;
  row_version: number;
  created_at: Date;
  updated_at: Date;
  sort_at: Date;
}

interface PlanRow {
  id: string;
  vehicle_id: string | null;
  vehicle_class: string | null;
  every_km: number | null;
  every_days: number | null;
  due_soon_km: number;
  due_soon_days: number;
  superseded_at: Date | null;
  created_at: Date;
}

interface DueRow {
  vehicle_id: string;
  plate_number: string;
  vehicle_class: string | null;
  plan_id: string;
  basis: string;
  basis_at: Date;
  current_km: number;
  due_at_km: number | null;
  due_at: Date | null;
  km_remaining: number | null;
  ms_remaining: number | null;
  rank: number;
  share: number;
  reason: 'km' | 'days';
}

/** Where a page ended, for the next page's query; opaque to clients (base64url JSON). */
export function encodeCursor(position: unknown): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

export function decodeCursor(cursor: string): unknown {
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

interface JobCursor {
  readonly at: string;
  readonly id: string;
}
interface DueCursor {
  readonly rank: number;
  readonly share: number;
  readonly id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isJobCursor(candidate: unknown): candidate is JobCursor {
  const cursor = candidate as Partial<JobCursor> | null;
  return typeof cursor === 'object' && cursor !== null && typeof cursor.at === 'string' && !Number.isNaN(Date.parse(cursor.at)) && typeof cursor.id === 'string' && UUID.test(cursor.id);
}

export function isDueCursor(candidate: unknown): candidate is DueCursor {
  const cursor = candidate as Partial<DueCursor> | null;
  return typeof cursor === 'object' && cursor !== null && (cursor.rank === 1 || cursor.rank === 2) && typeof cursor.share === 'number' && Number.isFinite(cursor.share)
    && typeof cursor.id === 'string' && UUID.test(cursor.id);
}

const iso = (at: Date | null): string | null => at?.toISOString() ?? null;
const DAY_MS = 24 * 60 * 60 * 1000;

function toJob(row: JobRow): MaintenanceJob {
  const partsCost = Number(row.parts_cost_cents);
  return {
    id: row.id,
    vehicleId: row.vehicle_id,
    kind: row.kind,
    title: row.title,
    description: row.description,
    status: row.status,
    windowStart: iso(row.window_start),
    windowEnd: iso(row.window_end),
    mechanicId: row.mechanic_id,
    startedAt: iso(row.started_at),
    completedAt: iso(row.completed_at),
    cancelledAt: iso(row.cancelled_at),
    cancelReason: row.cancel_reason,
    odometerKm: row.odometer_km,
    laborCostMinor: row.labor_cost_cents,
    partsCostMinor: partsCost,
    totalCostMinor: row.labor_cost_cents === null ? null : row.labor_cost_cents + partsCost,
    currency: row.currency ?? row.parts_currency,
    version: row.row_version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function toPlan(row: PlanRow): ServicePlanView {
  return {
    id: row.id,
    vehicleId: row.vehicle_id,
    vehicleClass: row.vehicle_class,
    everyKm: row.every_km,
    everyDays: row.every_days,
    dueSoonKm: row.due_soon_km,
    dueSoonDays: row.due_soon_days,
    supersededAt: iso(row.superseded_at),
    createdAt: row.created_at.toISOString(),
  };
}

function toDue(row: DueRow): ServiceDueEntry {
  return {
    vehicleId: row.vehicle_id,
    plateNumber: row.plate_number,
    vehicleClass: row.vehicle_class,
    planId: row.plan_id,
    status: row.rank === 2 ? 'overdue' : 'due_soon',
    reason: row.reason,
    currentKm: row.current_km,
    dueAtKm: row.due_at_km,
    kmRemaining: row.km_remaining,
    dueAt: iso(row.due_at),
    daysRemaining: row.ms_remaining === null ? null : Math.floor(row.ms_remaining / DAY_MS),
    basis: row.basis,
    basisAt: row.basis_at.toISOString(),
  };
}

/**
 * When each vehicle with a plan falls due at `now` (bindings: now, now, now), computed the way the
 * maintenance processor does (processors/maintenance/service-due.ts): a status per threshold (0 ok,
 * 1 due soon, 2 overdue), the worse one wins, and on a tie the smaller share of its interval left.
 */
const DUE_SQL = `
  WITH schedule AS (
    SELECT s.*,
           s.due_at_km - s.current_km AS km_remaining,
           (extract(epoch FROM s.due_at - ?::timestamptz) * 1000)::float8 AS ms_remaining,
           CASE WHEN s.due_at_km IS NULL THEN NULL WHEN s.due_at_km - s.current_km <= 0 THEN 2
                WHEN s.due_at_km - s.current_km <= s.due_soon_km THEN 1 ELSE 0 END AS by_km,
           CASE WHEN s.due_at IS NULL THEN NULL WHEN s.due_at <= ?::timestamptz THEN 2
                WHEN s.due_at <= ?::timestamptz + make_interval(days => s.due_soon_days) THEN 1 ELSE 0 END AS by_days
    FROM maintenance.service_schedule_view s
  ), ranked AS (
    SELECT *, greatest(coalesce(by_km, 0), coalesce(by_days, 0)) AS rank,
           (km_remaining::float8 / every_km) AS km_share,
           (ms_remaining / (every_days * 86400000.0)) AS days_share
    FROM schedule
  ), judged AS (
    SELECT *,
           CASE WHEN by_km IS DISTINCT FROM rank THEN 'days'
                WHEN by_days IS DISTINCT FROM rank THEN 'km'
                WHEN km_share <= days_share THEN 'km' ELSE 'days' END AS reason
    FROM ranked WHERE rank > 0
  )
  SELECT vehicle_id, plate_number, vehicle_class, plan_id, basis, basis_at, current_km, due_at_km, due_at, km_remaining, ms_remaining, rank,
         CASE WHEN reason = 'km' THEN km_share ELSE days_share END AS share, reason
  FROM judged`;

/**
 * The maintenance context's published views, read as the gateway's read-only login
 * (maintenance_jobs_view, maintenance_job_parts_view, service_plans_view, service_schedule_view).
 */
export class MaintenanceQueries {
  constructor(private readonly reader: Knex) {}

  private jobs() {
    return this.reader
      .withSchema('maintenance')
      .table('maintenance_jobs_view')
      .select(
        'id', 'vehicle_id', 'kind', 'title', 'description', 'status', 'window_start', 'window_end', 'mechanic_id', 'started_at', 'completed_at', 'cancelled_at',
        'cancel_reason', 'odometer_km', 'labor_cost_cents', 'currency', 'row_version', 'created_at', 'updated_at',
        this.reader.raw('parts_cost_cents::bigint AS parts_cost_cents'),
        this.reader.raw('parts_currencies[1] AS parts_currency'),
        this.reader.raw('coalesce(window_start, scheduled_for, created_at) AS sort_at'),
      );
  }

  /** A job with its parts, or undefined; with `mechanicId`, undefined too when the job is not assigned to them. */
  async find(jobId: string, mechanicId?: string): Promise<(MaintenanceJob & { parts: PartUsed[] }) | undefined> {
    const query = this.jobs().where('id', jobId);
    if (mechanicId !== undefined) void query.where('mechanic_id', mechanicId);
    const row = (await query.first()) as JobRow | undefined;
    if (row === undefined) return undefined;
    const parts: { part_name: string; part_number: string | null; quantity: number; unit_cost_cents: number | null; currency: string | null; created_at: Date }[] = await this.reader
      .withSchema('maintenance')
      .table('maintenance_job_parts_view')
      .where('job_id', jobId)
      .orderBy([{ column: 'created_at' }, { column: 'part_name' }, { column: 'id' }])
      .select('part_name', 'part_number', 'quantity', 'unit_cost_cents', 'currency', 'created_at');
    return {
      ...toJob(row),
      parts: parts.map((part) => ({
        partName: part.part_name,
        partNumber: part.part_number,
        quantity: part.quantity,
        unitCostMinor: part.unit_cost_cents,
        currency: part.currency,
        recordedAt: part.created_at.toISOString(),
      })),
    };
  }

  /**
   * Jobs by window start (then id), a page at a time: `after` is the cursor of the previous page.
   * from/to keep jobs whose window meets [from, to); `mechanicId` keeps only the jobs assigned to
   * that user, and `statuses` only jobs in one of them.
   */
  async list(filter: {
    vehicleId?: string;
    mechanicId?: string;
    status?: JobStatus;
    statuses?: readonly JobStatus[];
    from?: Date;
    to?: Date;
    after?: JobCursor;
    limit: number;
  }): Promise<{ items: MaintenanceJob[]; next: string | null }> {
    const limit = Math.min(Math.max(filter.limit, 1), PAGE_SIZE_MAX);
    const query = this.jobs()
      .orderByRaw('coalesce(window_start, scheduled_for, created_at), id')
      .limit(limit + 1);
    if (filter.vehicleId !== undefined) void query.where('vehicle_id', filter.vehicleId);
    if (filter.mechanicId !== undefined) void query.where('mechanic_id', filter.mechanicId);
    if (filter.status !== undefined) void query.where('status', filter.status);
    if (filter.statuses !== undefined) void query.whereIn('status', filter.statuses);
    if (filter.from !== undefined) void query.whereRaw('coalesce(window_end, window_start, scheduled_for, created_at) > ?', [filter.from]);
    if (filter.to !== undefined) void query.whereRaw('coalesce(window_start, scheduled_for, created_at) < ?', [filter.to]);
    if (filter.after !== undefined) void query.whereRaw('(coalesce(window_start, scheduled_for, created_at), id) > (?::timestamptz, ?::uuid)', [filter.after.at, filter.after.id]);
    const rows = (await query) as JobRow[];
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return { items: page.map(toJob), next: rows.length > limit && last !== undefined ? encodeCursor({ at: last.sort_at.toISOString(), id: last.id }) : null };
  }

  /** Service plans (those in force unless `includeSuperseded`), in id order a page at a time. */
  async plans(filter: { vehicleId?: string; vehicleClass?: string; includeSuperseded: boolean; afterId?: string; limit: number }): Promise<{ items: ServicePlanView[]; nextAfterId: string | null }> {
    const limit = Math.min(Math.max(filter.limit, 1), PAGE_SIZE_MAX);
    const query = this.reader
      .withSchema('maintenance')
      .table('service_plans_view')
      .select('id', 'vehicle_id', 'vehicle_class', 'every_km', 'every_days', 'due_soon_km', 'due_soon_days', 'superseded_at', 'created_at')
      .orderBy('id')
      .limit(limit + 1);
    if (!filter.includeSuperseded) void query.whereNull('superseded_at');
    if (filter.vehicleId !== undefined) void query.where('vehicle_id', filter.vehicleId);
    if (filter.vehicleClass !== undefined) void query.where('vehicle_class', filter.vehicleClass);
    if (filter.afterId !== undefined) void query.where('id', '>', filter.afterId);
    const rows = (await query) as PlanRow[];
    const items = rows.slice(0, limit).map(toPlan);
    return { items, nextAfterId: rows.length > limit ? items.at(-1)!.id : null };
  }

  /**
   * Vehicles due soon or overdue at `now`, most urgent first: overdue before due soon, then the
   * smallest share of the interval left, then vehicle id. `after` is the previous page's cursor.
   */
  async due(filter: { now: Date; status?: DueStatus; vehicleClass?: string; after?: DueCursor; limit: number }): Promise<{ items: ServiceDueEntry[]; next: string | null }> {
    const limit = Math.min(Math.max(filter.limit, 1), PAGE_SIZE_MAX);
    const conditions: string[] = [];
    const bindings: unknown[] = [filter.now, filter.now, filter.now];
    if (filter.status !== undefined) {
      conditions.push('rank = ?');
      bindings.push(filter.status === 'overdue' ? 2 : 1);
    }
    if (filter.vehicleClass !== undefined) {
      conditions.push('vehicle_class = ?');
      bindings.push(filter.vehicleClass);
    }
    if (filter.after !== undefined) {
      conditions.push('(rank < ? OR (rank = ? AND (share > ? OR (share = ? AND vehicle_id > ?::uuid))))');
      bindings.push(filter.after.rank, filter.after.rank, filter.after.share, filter.after.share, filter.after.id);
    }
    bindings.push(limit + 1);
    const result: { rows: DueRow[] } = await this.reader.raw(
      `SELECT * FROM (${DUE_SQL}) due ${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''} ORDER BY rank DESC, share ASC, vehicle_id ASC LIMIT ?`,
      bindings as Knex.RawBinding[],
    );
    const page = result.rows.slice(0, limit);
    const last = page.at(-1);
    return { items: page.map(toDue), next: result.rows.length > limit && last !== undefined ? encodeCursor({ rank: last.rank, share: last.share, id: last.vehicle_id }) : null };
  }
}
