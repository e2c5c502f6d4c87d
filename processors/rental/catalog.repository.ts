import type { Knex } from 'knex';
import { ConstraintViolation, refusedBy } from '../../platform/database-errors';
import type { PricingTerms } from './pricing';
import type { MaintenanceWindow } from './projections';
import type { BlockedPeriod, Location, LocationType, PricingPlan, ProjectedVehicle, ProjectedVehicleStatus } from './rental-state';

/**
 * The rental context's SQL for what rentals are priced and placed with: locations, vehicle class
 * policies, pricing plans, and its copies of the fleet's vehicles and of maintenance windows.
 */

export type SaveLocationResult = 'saved' | 'name_taken';

interface PlanRecord {
  id: string;
  name: string;
  vehicle_class: string | null;
  vehicle_id: string | null;
  currency: string;
  daily_rate_cents: number;
  hourly_rate_cents: number;
  included_km_per_day: number;
  extra_km_price_cents: number;
  late_fee_per_hour_cents: number;
  late_grace_minutes: number;
  cancellation_fee_cents: number;
  cancellation_window_hours: number;
  deposit_cents: number;
  valid_from: Date;
  valid_to: Date | null;
  status: 'active' | 'retired';
}

const PLAN_COLUMNS = [
  'id',
  'name',
  'vehicle_class',
  'vehicle_id',
  'currency',
  'daily_rate_cents',
  'hourly_rate_cents',
  'included_km_per_day',
  'extra_km_price_cents',
  'late_fee_per_hour_cents',
  'late_grace_minutes',
  'cancellation_fee_cents',
  'cancellation_window_hours',
  'deposit_cents',
  'valid_from',
  'valid_to',
  'status',
];

function toPlan(row: PlanRecord): PricingPlan {
  const terms: PricingTerms = {
    currency: row.currency,
    dailyRateMinor: row.daily_rate_cents,
    hourlyRateMinor: row.hourly_rate_cents,
    includedKmPerDay: row.included_km_per_day,
    extraKmPriceMinor: row.extra_km_price_cents,
    lateFeePerHourMinor: row.late_fee_per_hour_cents,
    lateGraceMinutes: row.late_grace_minutes,
    cancellationFeeMinor: row.cancellation_fee_cents,
    cancellationWindowHours: row.cancellation_window_hours,
    depositMinor: row.deposit_cents,
  };
  return { id: row.id, name: row.name, vehicleClass: row.vehicle_class, vehicleId: row.vehicle_id, terms, validFrom: row.valid_from, validTo: row.valid_to, status: row.status };
}

interface VehicleRecord {
  vehicle_id: string;
  plate_number: string;
  vehicle_class: string;
  status: ProjectedVehicleStatus;
  location_id: string | null;
  last_event_id: string;
  last_event_at: Date;
}

interface WindowRecord {
  job_id: string;
  vehicle_id: string;
  kind: string | null;
  planned_start: Date | null;
  planned_end: Date | null;
  started_at: Date | null;
  window_from: Date;
  window_until: Date;
  status: MaintenanceWindow['status'];
  last_event_id: string;
  last_event_at: Date;
}

const OVERLAPS_MAX = 100;

export class CatalogRepository {
  async findLocation(transaction: Knex.Transaction, locationId: string): Promise<Location | undefined> {
    const row: { id: string; name: string; type: LocationType; address: string | null; time_zone: string } | undefined = await transaction
      .withSchema('rental')
      .table('locations')
      .where('id', locationId)
      .first('id', 'name', 'type', 'address', 'time_zone');
    return row === undefined ? undefined : { id: row.id, name: row.name, type: row.type, address: row.address, timeZone: row.time_zone };
  }

  /** Inserts or changes a location; another location's name is refused by the unique key. */
  async saveLocation(transaction: Knex.Transaction, location: Location, actorId: string | null): Promise<SaveLocationResult> {
    const result = await refusedBy(transaction, ['locations_name_key'], (savepoint) =>
      savepoint
        .withSchema('rental')
        .table('locations')
        .insert({ id: location.id, name: location.name, type: location.type, address: location.address, time_zone: location.timeZone, created_by: actorId, updated_by: actorId })
        .onConflict('id')
        .merge(['name', 'type', 'address', 'time_zone', 'updated_by']),
    );
    return result instanceof ConstraintViolation ? 'name_taken' : 'saved';
  }

  async setClassPolicy(transaction: Knex.Transaction, policy: { vehicleClass: string; bufferMinutes: number; actorId: string | null }): Promise<void> {
    await transaction
      .withSchema('rental')
      .table('vehicle_class_policies')
      .insert({ vehicle_class: policy.vehicleClass, buffer_minutes: policy.bufferMinutes, created_by: policy.actorId, updated_by: policy.actorId })
      .onConflict('vehicle_class')
      .merge(['buffer_minutes', 'updated_by']);
  }

  /** The class's turnaround buffer in minutes; 0 for a class without a policy. */
  async bufferMinutesOf(transaction: Knex.Transaction, vehicleClass: string): Promise<number> {
    const row: { buffer_minutes: number } | undefined = await transaction.withSchema('rental').table('vehicle_class_policies').where('vehicle_class', vehicleClass).first('buffer_minutes');
    return row?.buffer_minutes ?? 0;
  }

  /** The rental context's copy of a vehicle, locked when `lock` (a projection write follows). */
  async findVehicle(transaction: Knex.Transaction, vehicleId: string, lock = false): Promise<ProjectedVehicle | undefined> {
    const query = transaction
      .withSchema('rental')
      .table('vehicle_projection')
      .where('vehicle_id', vehicleId)
      .first('vehicle_id', 'plate_number', 'vehicle_class', 'status', 'location_id', 'last_event_id', 'last_event_at');
    const row: VehicleRecord | undefined = await (lock ? query.forUpdate() : query);
    return row === undefined
      ? undefined
      : {
          vehicleId: row.vehicle_id,
          plateNumber: row.plate_number,
          vehicleClass: row.vehicle_class,
          status: row.status,
          locationId: row.location_id,
          lastEventId: row.last_event_id,
          lastEventAt: row.last_event_at,
        };
  }

  /** Writes the vehicle copy; a concurrent writer of a newer fact wins (the row keeps the newest). */
  async saveVehicle(transaction: Knex.Transaction, vehicle: ProjectedVehicle): Promise<void> {
    await transaction
      .withSchema('rental')
      .table('vehicle_projection')
      .insert({
        vehicle_id: vehicle.vehicleId,
        plate_number: vehicle.plateNumber,
        vehicle_class: vehicle.vehicleClass,
        status: vehicle.status,
        location_id: vehicle.locationId,
        last_event_id: vehicle.lastEventId,
        last_event_at: vehicle.lastEventAt,
      })
      .onConflict('vehicle_id')
      .merge(['plate_number', 'vehicle_class', 'status', 'last_event_id', 'last_event_at'])
      .where('vehicle_projection.last_event_at', '<=', vehicle.lastEventAt);
  }

  async assignLocation(transaction: Knex.Transaction, vehicleId: string, locationId: string): Promise<void> {
    await transaction.withSchema('rental').table('vehicle_projection').where('vehicle_id', vehicleId).update({ location_id: locationId });
  }

  /** A plan; its terms never change, so a reservation reads it without locking it. Locked when `lock` (to retire it). */
  async findPlan(transaction: Knex.Transaction, planId: string, lock = false): Promise<PricingPlan | undefined> {
    const query = transaction.withSchema('rental').table('pricing_plans').where('id', planId).first(PLAN_COLUMNS);
    const row: PlanRecord | undefined = await (lock ? query.forUpdate() : query);
    return row === undefined ? undefined : toPlan(row);
  }

  /**
   * The active plan in force at `at` for a vehicle: its own plan first, else its class's; among
   * several, the one that took effect last.
   */
  async planInForce(transaction: Knex.Transaction, target: { vehicleId: string | null; vehicleClass: string | null }, at: Date): Promise<PricingPlan | undefined> {
    const row: PlanRecord | undefined = await transaction
      .withSchema('rental')
      .table('pricing_plans')
      .where('status', 'active')
      .where('valid_from', '<=', at)
      .where((validTo) => validTo.whereNull('valid_to').orWhere('valid_to', '>', at))
      .where((targets) => {
        if (target.vehicleId !== null) targets.orWhere('vehicle_id', target.vehicleId);
        if (target.vehicleClass !== null) targets.orWhere((byClass) => byClass.whereNull('vehicle_id').where('vehicle_class', target.vehicleClass));
        if (target.vehicleId === null && target.vehicleClass === null) targets.whereRaw('false');
      })
      .orderByRaw('(vehicle_id IS NOT NULL) DESC, valid_from DESC, id')
      .first(PLAN_COLUMNS);
    return row === undefined ? undefined : toPlan(row);
  }

  async definePlan(transaction: Knex.Transaction, plan: PricingPlan, actorId: string | null): Promise<void> {
    const { terms } = plan;
    await transaction.withSchema('rental').table('pricing_plans').insert({
      id: plan.id,
      name: plan.name,
      vehicle_class: plan.vehicleClass,
      vehicle_id: plan.vehicleId,
      currency: terms.currency,
      daily_rate_cents: terms.dailyRateMinor,
      hourly_rate_cents: terms.hourlyRateMinor,
      included_km_per_day: terms.includedKmPerDay,
      extra_km_price_cents: terms.extraKmPriceMinor,
      late_fee_per_hour_cents: terms.lateFeePerHourMinor,
      late_grace_minutes: terms.lateGraceMinutes,
      cancellation_fee_cents: terms.cancellationFeeMinor,
      cancellation_window_hours: terms.cancellationWindowHours,
      deposit_cents: terms.depositMinor,
      valid_from: plan.validFrom,
      valid_to: plan.validTo,
      status: 'active',
      created_by: actorId,
      updated_by: actorId,
    });
  }

  async retirePlan(transaction: Knex.Transaction, planId: string, actorId: string | null): Promise<void> {
    await transaction.withSchema('rental').table('pricing_plans').where({ id: planId, status: 'active' }).update({ status: 'retired', updated_by: actorId });
  }

  async findWindow(transaction: Knex.Transaction, jobId: string): Promise<MaintenanceWindow | undefined> {
    const row: WindowRecord | undefined = await transaction
      .withSchema('rental')
      .table('maintenance_windows')
      .where('job_id', jobId)
      .first(
        'job_id',
        'vehicle_id',
        'kind',
        'planned_start',
        'planned_end',
        'started_at',
        transaction.raw('lower(blocked_period) AS window_from'),
        transaction.raw('upper(blocked_period) AS window_until'),
        'status',
        'last_event_id',
        'last_event_at',
      )
      .forUpdate();
    return row === undefined
      ? undefined
      : {
          jobId: row.job_id,
          vehicleId: row.vehicle_id,
          kind: row.kind,
          plannedStart: row.planned_start,
          plannedEnd: row.planned_end,
          startedAt: row.started_at,
          from: row.window_from,
          until: row.window_until,
          status: row.status,
          lastEventId: row.last_event_id,
          lastEventAt: row.last_event_at,
        };
  }

  async saveWindow(transaction: Knex.Transaction, window: MaintenanceWindow): Promise<void> {
    await transaction
      .withSchema('rental')
      .table('maintenance_windows')
      .insert({
        job_id: window.jobId,
        vehicle_id: window.vehicleId,
        kind: window.kind,
        planned_start: window.plannedStart,
        planned_end: window.plannedEnd,
        started_at: window.startedAt,
        blocked_period: transaction.raw("tstzrange(?, ?, '[)')", [window.from, window.until]),
        status: window.status,
        last_event_id: window.lastEventId,
        last_event_at: window.lastEventAt,
      })
      .onConflict('job_id')
      .merge(['kind', 'planned_start', 'planned_end', 'started_at', 'blocked_period', 'status', 'last_event_id', 'last_event_at']);
  }

  /** Scheduled and in-progress maintenance windows of a vehicle overlapping [from, until). */
  async maintenanceOverlapping(transaction: Knex.Transaction, vehicleId: string, from: Date, until: Date): Promise<BlockedPeriod[]> {
    const rows: { job_id: string; window_from: Date; window_until: Date }[] = await transaction
      .withSchema('rental')
      .table('maintenance_windows')
      .select('job_id', transaction.raw('lower(blocked_period) AS window_from'), transaction.raw('upper(blocked_period) AS window_until'))
      .where('vehicle_id', vehicleId)
      .whereIn('status', ['scheduled', 'in_progress'])
      .whereRaw("blocked_period && tstzrange(?, ?, '[)')", [from, until])
      .orderByRaw('lower(blocked_period)')
      .limit(OVERLAPS_MAX);
    return rows.map((row) => ({ id: row.job_id, from: row.window_from, until: row.window_until }));
  }
}
