import type { Knex } from 'knex';
import { ConstraintViolation, refusedBy } from '../../platform/database-errors';
import type { Job, JobKind, JobStatus, VehicleStatus } from './maintenance-job';
import type { PartLine } from './parts';
import type { DueReason, DueStatus, ServiceBasis, ServicePlan } from './service-due';

export type { JobStatus };

export interface NewJob {
  readonly id: string;
  readonly vehicleId: string;
  readonly kind: JobKind;
  readonly title: string;
  readonly description: string | null;
  readonly windowStart: Date;
  readonly windowEnd: Date;
  readonly mechanicId: string | null;
  readonly createdBy: string | null;
}

export type ScheduleResult = 'scheduled' | 'window_overlaps' | 'id_taken';
export type PartsResult = 'recorded' | 'currency_mismatch' | 'job_closed';

export interface Completion {
  readonly jobId: string;
  readonly completedAt: Date;
  readonly laborCostCents: number;
  readonly currency: string;
  readonly odometerKm: number | null;
  readonly updatedBy: string | null;
}

export interface NewPlan extends ServicePlan {
  readonly createdBy: string | null;
}

/** A vehicle's schedule as the service_schedule_view computes it: its plan and where the count starts. */
export interface VehicleSchedule {
  readonly vehicleId: string;
  readonly plan: ServicePlan;
  readonly basis: ServiceBasis;
  readonly currentKm: number;
}

export interface Notice {
  readonly id: string;
  readonly vehicleId: string;
  readonly planId: string;
  readonly basis: string;
  readonly reason: DueReason;
  readonly status: Exclude<DueStatus, 'ok'>;
  readonly dueAtKm: number | null;
  readonly dueAt: Date | null;
  readonly noticedAt: Date;
}

interface JobRecord {
  id: string;
  vehicle_id: string;
  kind: JobKind;
  title: string;
  status: JobStatus;
  window_start: Date | null;
  window_end: Date | null;
  started_at: Date | null;
  mechanic_id: string | null;
  currency: string | null;
}

interface PartRecord {
  part_name: string;
  part_number: string | null;
  quantity: number;
  unit_cost_cents: number | null;
  currency: string | null;
}

interface PlanRecord {
  id: string;
  vehicle_id: string | null;
  vehicle_class: string | null;
  every_km: number | null;
  every_days: number | null;
  due_soon_km: number;
  due_soon_days: number;
}

interface ScheduleRecord {
  vehicle_id: string;
  plan_id: string;
  plan_for_vehicle: boolean;
  vehicle_class: string | null;
  every_km: number | null;
  every_days: number | null;
  due_soon_km: number;
  due_soon_days: number;
  basis: string;
  basis_at: Date;
  basis_km: number;
  current_km: number;
}

const PLAN_COLUMNS = ['id', 'vehicle_id', 'vehicle_class', 'every_km', 'every_days', 'due_soon_km', 'due_soon_days'] as const;

function toPlan(row: PlanRecord): ServicePlan {
  return {
    id: row.id,
    vehicleId: row.vehicle_id,
    vehicleClass: row.vehicle_class,
    everyKm: row.every_km,
    everyDays: row.every_days,
    dueSoonKm: row.due_soon_km,
    dueSoonDays: row.due_soon_days,
  };
}

function toSchedule(row: ScheduleRecord): VehicleSchedule {
  return {
    vehicleId: row.vehicle_id,
    plan: {
      id: row.plan_id,
      vehicleId: row.plan_for_vehicle ? row.vehicle_id : null,
      vehicleClass: row.plan_for_vehicle ? null : row.vehicle_class,
      everyKm: row.every_km,
      everyDays: row.every_days,
      dueSoonKm: row.due_soon_km,
      dueSoonDays: row.due_soon_days,
    },
    basis: { name: row.basis, at: row.basis_at, km: row.basis_km },
    currentKm: row.current_km,
  };
}

/** The maintenance context's only SQL: workshop jobs and their parts, service plans and reminders, and its projection of the fleet. */
export class MaintenanceRepository {
  /** A job with its parts; `lock` holds the job's row until the transaction ends. */
  async findJob(transaction: Knex.Transaction, jobId: string, lock = false): Promise<Job | undefined> {
    const query = transaction
      .withSchema('maintenance')
      .table('maintenance_jobs')
      .where('id', jobId)
      .first<JobRecord | undefined>('id', 'vehicle_id', 'kind', 'title', 'status', 'window_start', 'window_end', 'started_at', 'mechanic_id', 'currency');
    const row = await (lock ? query.forUpdate() : query);
    if (row === undefined) return undefined;
    const parts: PartRecord[] = await transaction
      .withSchema('maintenance')
      .table('maintenance_parts_used')
      .where('maintenance_job_id', jobId)
      // Lines recorded together share a time (their transaction's): the name orders them within it.
      .orderBy([{ column: 'created_at' }, { column: 'part_name' }, { column: 'id' }])
      .select('part_name', 'part_number', 'quantity', 'unit_cost_cents', 'currency');
    const lines: PartLine[] = parts.map((part) => ({
      partName: part.part_name,
      partNumber: part.part_number,
      quantity: part.quantity,
      unitCostMinor: part.unit_cost_cents ?? 0,
      currency: part.currency ?? row.currency ?? '',
    }));
    return {
      id: row.id,
      vehicleId: row.vehicle_id,
      kind: row.kind,
      title: row.title,
      status: row.status,
      windowStart: row.window_start,
      windowEnd: row.window_end,
      startedAt: row.started_at,
      mechanicId: row.mechanic_id,
      currency: row.currency ?? parts.find((part) => part.currency !== null)?.currency ?? null,
      parts: lines,
    };
  }

  /** Books a job; the database refuses a window overlapping another open job of the vehicle. */
  async schedule(transaction: Knex.Transaction, job: NewJob): Promise<ScheduleResult> {
    // The id can be taken between load and insert by a booking of another vehicle (another partition).
    const result = await refusedBy(transaction, ['maintenance_jobs_no_overlap', 'maintenance_jobs_pkey'], (savepoint) =>
      savepoint.withSchema('maintenance').table('maintenance_jobs').insert({
        id: job.id,
        vehicle_id: job.vehicleId,
        kind: job.kind,
        title: job.title,
        description: job.description,
        scheduled_for: job.windowStart,
        window_start: job.windowStart,
        window_end: job.windowEnd,
        mechanic_id: job.mechanicId,
        created_by: job.createdBy,
      }),
    );
    if (!(result instanceof ConstraintViolation)) return 'scheduled';
    return result.constraint === 'maintenance_jobs_pkey' ? 'id_taken' : 'window_overlaps';
  }

  /** Another job of the vehicle in the workshop now, if any. */
  async jobInProgress(transaction: Knex.Transaction, vehicleId: string, exceptJobId: string): Promise<string | undefined> {
    const row: { id: string } | undefined = await transaction
      .withSchema('maintenance')
      .table('maintenance_jobs')
      .where({ vehicle_id: vehicleId, status: 'in_progress' })
      .whereNot('id', exceptJobId)
      .first('id');
    return row?.id;
  }

  async start(transaction: Knex.Transaction, jobId: string, startedAt: Date, updatedBy: string | null): Promise<void> {
    await this.moveJob(transaction, jobId, 'scheduled', { status: 'in_progress', started_at: startedAt, updated_by: updatedBy });
  }

  async cancel(transaction: Knex.Transaction, jobId: string, cancelledAt: Date, reason: string, updatedBy: string | null): Promise<void> {
    await this.moveJob(transaction, jobId, 'scheduled', { status: 'cancelled', cancelled_at: cancelledAt, cancel_reason: reason, updated_by: updatedBy });
  }

  async complete(transaction: Knex.Transaction, completion: Completion): Promise<PartsResult> {
    const result = await refusedBy(transaction, ['maintenance_parts_used_job_currency'], (savepoint) =>
      this.moveJob(savepoint, completion.jobId, 'in_progress', {
        status: 'completed',
        completed_at: completion.completedAt,
        labor_cost_cents: completion.laborCostCents,
        currency: completion.currency,
        odometer_km: completion.odometerKm,
        updated_by: completion.updatedBy,
      }),
    );
    return result instanceof ConstraintViolation ? 'currency_mismatch' : 'recorded';
  }

  /** All parts in one statement; the database refuses parts of a closed job and a second currency. */
  async addParts(transaction: Knex.Transaction, jobId: string, parts: readonly PartLine[], createdBy: string | null = null): Promise<PartsResult> {
    if (parts.length === 0) return 'recorded';
    const result = await refusedBy(transaction, ['maintenance_parts_used_job_currency', 'maintenance_parts_used_job_closed'], (savepoint) =>
      savepoint
        .withSchema('maintenance')
        .table('maintenance_parts_used')
        .insert(
          parts.map((part) => ({
            maintenance_job_id: jobId,
            part_name: part.partName.trim(),
            part_number: part.partNumber?.trim() ?? null,
            quantity: part.quantity,
            unit_cost_cents: part.unitCostMinor,
            currency: part.currency,
            created_by: createdBy,
          })),
        ),
    );
    if (!(result instanceof ConstraintViolation)) return 'recorded';
    return result.constraint === 'maintenance_parts_used_job_closed' ? 'job_closed' : 'currency_mismatch';
  }

  /** The jobs of a vehicle in the given statuses, oldest first, with what their parts cost. */
  async jobsOfVehicle(
    transaction: Knex.Transaction,
    vehicleId: string,
    statuses: readonly JobStatus[],
  ): Promise<{ id: string; status: JobStatus; partsCostCents: number }[]> {
    const rows: { id: string; status: JobStatus; parts_cost_cents: number }[] = await transaction
      .from('maintenance.maintenance_jobs as j')
      .leftJoin('maintenance.maintenance_parts_used as p', 'p.maintenance_job_id', 'j.id')
      .select('j.id', 'j.status')
      .select(transaction.raw('coalesce(sum(p.quantity * p.unit_cost_cents), 0)::bigint AS parts_cost_cents'))
      .where('j.vehicle_id', vehicleId)
      .whereIn('j.status', statuses)
      .groupBy('j.id')
      .orderBy('j.created_at');
    return rows.map((row) => ({ id: row.id, status: row.status, partsCostCents: row.parts_cost_cents }));
  }

  /** Moves a job out of `from`; the row was locked by findJob, so it is still in `from`. */
  private async moveJob(transaction: Knex.Transaction, jobId: string, from: JobStatus, changes: Record<string, unknown>): Promise<void> {
    const moved = await transaction.withSchema('maintenance').table('maintenance_jobs').where({ id: jobId, status: from }).update(changes);
    if (moved !== 1) throw new Error(`maintenance job ${jobId} was not ${from} any more although its row was locked`);
  }

  // Service plans and reminders.

  async findPlan(transaction: Knex.Transaction, planId: string): Promise<ServicePlan | undefined> {
    const row: PlanRecord | undefined = await transaction.withSchema('maintenance').table('service_plans').where('id', planId).first(PLAN_COLUMNS);
    return row === undefined ? undefined : toPlan(row);
  }

  /** The plan in force for a vehicle or a class (locked: a new plan is about to supersede it). */
  async planInForce(transaction: Knex.Transaction, target: { vehicleId: string | null; vehicleClass: string | null }): Promise<ServicePlan | undefined> {
    const query = transaction.withSchema('maintenance').table('service_plans').whereNull('superseded_at');
    void (target.vehicleId !== null ? query.where('vehicle_id', target.vehicleId) : query.where('vehicle_class', target.vehicleClass));
    const row: PlanRecord | undefined = await query.forUpdate().first(PLAN_COLUMNS);
    return row === undefined ? undefined : toPlan(row);
  }

  /** The vehicle's own plan and its class's plan in force. */
  async plansFor(transaction: Knex.Transaction, vehicleId: string, vehicleClass: string | null): Promise<{ vehiclePlan?: ServicePlan; classPlan?: ServicePlan }> {
    const rows: PlanRecord[] = await transaction
      .withSchema('maintenance')
      .table('service_plans')
      .whereNull('superseded_at')
      .where((where) => void where.where('vehicle_id', vehicleId).orWhere('vehicle_class', vehicleClass ?? ''))
      .select(PLAN_COLUMNS);
    const vehicleRow = rows.find((row) => row.vehicle_id !== null);
    const classRow = rows.find((row) => row.vehicle_class !== null);
    return { ...(vehicleRow === undefined ? {} : { vehiclePlan: toPlan(vehicleRow) }), ...(classRow === undefined ? {} : { classPlan: toPlan(classRow) }) };
  }

  async definePlan(transaction: Knex.Transaction, plan: NewPlan, supersedes: string | null, at: Date): Promise<void> {
    if (supersedes !== null) {
      await transaction.withSchema('maintenance').table('service_plans').where('id', supersedes).update({ superseded_at: at, updated_by: plan.createdBy });
    }
    await transaction.withSchema('maintenance').table('service_plans').insert({
      id: plan.id,
      vehicle_id: plan.vehicleId,
      vehicle_class: plan.vehicleClass,
      every_km: plan.everyKm,
      every_days: plan.everyDays,
      due_soon_km: plan.dueSoonKm,
      due_soon_days: plan.dueSoonDays,
      created_by: plan.createdBy,
    });
  }

  /** Where the vehicle's count towards its next service starts; undefined without a plan or registration. */
  async scheduleOf(transaction: Knex.Transaction, vehicleId: string): Promise<VehicleSchedule | undefined> {
    const row: ScheduleRecord | undefined = await transaction.withSchema('maintenance').table('service_schedule_view').where('vehicle_id', vehicleId).first();
    return row === undefined ? undefined : toSchedule(row);
  }

  /**
   * Vehicles whose time threshold (due soon or overdue) has been reached at `now` and whose
   * reminder for it has not been announced, at most `limit` of them (the next sweep takes the rest).
   */
  async reachedTimeThreshold(transaction: Knex.Transaction, now: Date, limit: number): Promise<VehicleSchedule[]> {
    const rows: ScheduleRecord[] = await transaction
      .withSchema('maintenance')
      .table('service_schedule_view as s')
      .whereNotNull('s.due_at')
      .where('s.due_at', '<=', transaction.raw(`?::timestamptz + make_interval(days => s.due_soon_days)`, [now]))
      .whereNotExists((notices) =>
        void notices
          .from('maintenance.service_due_notices as n')
          .whereRaw(`n.vehicle_id = s.vehicle_id AND n.plan_id = s.plan_id AND n.basis = s.basis AND n.reason = 'days'`),
      )
      .orderBy([{ column: 's.due_at' }, { column: 's.vehicle_id' }])
      .limit(limit)
      .select('s.*');
    return rows.map(toSchedule);
  }

  /** Whether the reminder for this vehicle, plan, basis and reason was announced. */
  async noticed(transaction: Knex.Transaction, vehicleId: string, reason: DueReason): Promise<Set<string>> {
    const rows: { plan_id: string; basis: string }[] = await transaction
      .withSchema('maintenance')
      .table('service_due_notices')
      .where({ vehicle_id: vehicleId, reason })
      .select('plan_id', 'basis');
    return new Set(rows.map((row) => `${row.plan_id}|${row.basis}`));
  }

  /** Records a reminder once: false when it was already recorded (its threshold key exists). */
  async recordNotice(transaction: Knex.Transaction, notice: Notice): Promise<boolean> {
    const inserted: { id: string }[] = await transaction
      .withSchema('maintenance')
      .table('service_due_notices')
      .insert({
        id: notice.id,
        vehicle_id: notice.vehicleId,
        plan_id: notice.planId,
        basis: notice.basis,
        reason: notice.reason,
        status: notice.status,
        due_at_km: notice.dueAtKm,
        due_at: notice.dueAt,
        noticed_at: notice.noticedAt,
      })
      .onConflict(['vehicle_id', 'plan_id', 'basis', 'reason'])
      .ignore()
      .returning('id');
    return inserted.length === 1;
  }

  // The projection of the fleet.

  /** The vehicle's projection row, locked so that facts about one vehicle apply one at a time. */
  async lockVehicle(transaction: Knex.Transaction, vehicleId: string): Promise<{ status: VehicleStatus; vehicleClass: string | null } | undefined> {
    const row: { status: VehicleStatus; vehicle_class: string | null } | undefined = await transaction
      .withSchema('maintenance')
      .table('vehicle_projection')
      .where('vehicle_id', vehicleId)
      .forUpdate()
      .first('status', 'vehicle_class');
    return row === undefined ? undefined : { status: row.status, vehicleClass: row.vehicle_class };
  }

  async vehicleStatus(transaction: Knex.Transaction, vehicleId: string): Promise<VehicleStatus | undefined> {
    const row: { status: VehicleStatus } | undefined = await transaction.withSchema('maintenance').table('vehicle_projection').where('vehicle_id', vehicleId).first('status');
    return row?.status;
  }

  /** A registration; a repeated one changes nothing. */
  async registerVehicle(
    transaction: Knex.Transaction,
    vehicle: { vehicleId: string; plateNumber: string; vehicleClass: string; status: VehicleStatus; registeredAt: Date; messageId: string },
  ): Promise<void> {
    await transaction
      .withSchema('maintenance')
      .table('vehicle_projection')
      .insert({
        vehicle_id: vehicle.vehicleId,
        plate_number: vehicle.plateNumber,
        vehicle_class: vehicle.vehicleClass,
        status: vehicle.status,
        status_at: vehicle.registeredAt,
        registered_at: vehicle.registeredAt,
        last_event_id: vehicle.messageId,
        last_event_at: vehicle.registeredAt,
      })
      .onConflict('vehicle_id')
      .ignore();
  }

  /** A class change, unless a later version of the vehicle is already held. */
  async changeClass(transaction: Knex.Transaction, change: { vehicleId: string; vehicleClass: string; version: number; messageId: string; at: Date }): Promise<void> {
    await transaction
      .withSchema('maintenance')
      .table('vehicle_projection')
      .where('vehicle_id', change.vehicleId)
      .where('class_version', '<', change.version)
      .update({ vehicle_class: change.vehicleClass, class_version: change.version, last_event_id: change.messageId, last_event_at: change.at });
  }

  /** A status change, unless a later one is already held. */
  async changeStatus(transaction: Knex.Transaction, change: { vehicleId: string; status: VehicleStatus; at: Date; messageId: string }): Promise<void> {
    await transaction
      .withSchema('maintenance')
      .table('vehicle_projection')
      .where('vehicle_id', change.vehicleId)
      .where((where) => void where.whereNull('status_at').orWhere('status_at', '<=', change.at))
      .update({ status: change.status, status_at: change.at, last_event_id: change.messageId, last_event_at: change.at });
  }

  /** Whether the reading is already known: stored, or voided before it arrived. */
  async readingKnown(transaction: Knex.Transaction, readingId: string): Promise<boolean> {
    return (await transaction.withSchema('maintenance').table('odometer_readings').where('reading_id', readingId).first('reading_id')) !== undefined;
  }

  /** Whether the vehicle has at least one valid (not voided) reading. */
  async hasValidReading(transaction: Knex.Transaction, vehicleId: string): Promise<boolean> {
    const row = await transaction
      .withSchema('maintenance')
      .table('odometer_readings')
      .where('vehicle_id', vehicleId)
      .whereNull('voided_at')
      .whereNotNull('reading_km')
      .first('reading_id');
    return row !== undefined;
  }

  /** Stores a reading once; a void that came first keeps it void. */
  async recordReading(transaction: Knex.Transaction, reading: { readingId: string; vehicleId: string; readingKm: number; recordedAt: Date }): Promise<void> {
    await transaction
      .withSchema('maintenance')
      .table('odometer_readings')
      .insert({ reading_id: reading.readingId, vehicle_id: reading.vehicleId, reading_km: reading.readingKm, recorded_at: reading.recordedAt })
      .onConflict('reading_id')
      .merge({ reading_km: reading.readingKm, recorded_at: reading.recordedAt })
      .whereNull('odometer_readings.reading_km');
  }

  /** Voids a reading, also one not seen yet (its row then waits for the reading). */
  async voidReading(transaction: Knex.Transaction, reading: { readingId: string; vehicleId: string; voidedAt: Date }): Promise<void> {
    await transaction
      .withSchema('maintenance')
      .table('odometer_readings')
      .insert({ reading_id: reading.readingId, vehicle_id: reading.vehicleId, voided_at: reading.voidedAt })
      .onConflict('reading_id')
      .merge({ voided_at: reading.voidedAt })
      .whereNull('odometer_readings.voided_at');
  }
}
