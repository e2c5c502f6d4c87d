import type { Knex } from 'knex';
import { VEHICLE_STATUSES, type VehicleStatus } from '../../schemas/fleet/vehicle-statuses';

export { VEHICLE_STATUSES, type VehicleStatus };

export interface Vehicle {
  readonly id: string;
  readonly plateNumber: string;
  readonly vin: string | null;
  readonly make: string;
  readonly model: string;
  readonly variant: string | null;
  readonly year: number | null;
  readonly vehicleClass: string;
  readonly status: VehicleStatus;
  /** The latest valid (not voided) reading, if any. */
  readonly odometerKm: number | null;
  readonly odometerRecordedAt: string | null;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface StatusChange {
  readonly from: VehicleStatus | null;
  readonly to: VehicleStatus;
  readonly cause: string;
  readonly actorId: string | null;
  readonly changedAt: string;
}

interface VehicleViewRow {
  id: string;
  plate_number: string;
  vin: string | null;
  make: string;
  model: string;
  variant: string | null;
  year: number | null;
  vehicle_class: string;
  status: VehicleStatus;
  odometer_km: number | null;
  odometer_recorded_at: Date | null;
  row_version: number;
  created_at: Date;
  updated_at: Date;
}

interface StatusHistoryRow {
  from_status: VehicleStatus | null;
  to_status: VehicleStatus;
  cause: string;
  actor_id: string | null;
  changed_at: Date;
}

export const PAGE_SIZE_MAX = 100;

function toVehicle(row: VehicleViewRow): Vehicle {
  return {
    id: row.id,
    plateNumber: row.plate_number,
    vin: row.vin,
    make: row.make,
    model: row.model,
    variant: row.variant,
    year: row.year,
    vehicleClass: row.vehicle_class,
    status: row.status,
    odometerKm: row.odometer_km,
    odometerRecordedAt: row.odometer_recorded_at?.toISOString() ?? null,
    version: row.row_version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

const VEHICLE_COLUMNS = [
  'id',
  'plate_number',
  'vin',
  'make',
  'model',
  'variant',
  'year',
  'vehicle_class',
  'status',
  'odometer_km',
  'odometer_recorded_at',
  'row_version',
  'created_at',
  'updated_at',
] as const;

/**
 * The fleet's published views, read as the gateway's read-only login: the gateway never reads a
 * context's tables, only what the context chose to publish (fleet.vehicles_view,
 * fleet.vehicle_status_history_view).
 */
export class VehicleQueries {
  constructor(private readonly reader: Knex) {}

  async find(vehicleId: string): Promise<Vehicle | undefined> {
    const row: VehicleViewRow | undefined = await this.reader.withSchema('fleet').table('vehicles_view').where('id', vehicleId).first(VEHICLE_COLUMNS);
    return row === undefined ? undefined : toVehicle(row);
  }

  /** One page in id order (keyset pagination: pass the last id seen); one more row tells whether there is a next page. */
  async list(filter: { status?: VehicleStatus; vehicleClass?: string; afterId?: string; limit: number }): Promise<{ items: Vehicle[]; nextAfterId: string | null }> {
    const limit = Math.min(Math.max(filter.limit, 1), PAGE_SIZE_MAX);
    const query = this.reader.withSchema('fleet').table<VehicleViewRow>('vehicles_view').select(VEHICLE_COLUMNS).orderBy('id').limit(limit + 1);
    if (filter.status !== undefined) void query.where('status', filter.status);
    if (filter.vehicleClass !== undefined) void query.where('vehicle_class', filter.vehicleClass);
    if (filter.afterId !== undefined) void query.where('id', '>', filter.afterId);
    const rows = (await query) as VehicleViewRow[];
    const items = rows.slice(0, limit).map(toVehicle);
    return { items, nextAfterId: rows.length > limit ? items.at(-1)!.id : null };
  }

  /** Every status change of the vehicle, oldest first; changes at the same instant in the order they were recorded. */
  async history(vehicleId: string): Promise<StatusChange[]> {
    const rows: StatusHistoryRow[] = await this.reader
      .withSchema('fleet')
      .table('vehicle_status_history_view')
      .where('vehicle_id', vehicleId)
      .orderBy([{ column: 'changed_at' }, { column: 'recorded_sequence' }])
      .select('from_status', 'to_status', 'cause', 'actor_id', 'changed_at');
    return rows.map((row) => ({ from: row.from_status, to: row.to_status, cause: row.cause, actorId: row.actor_id, changedAt: row.changed_at.toISOString() }));
  }
}

/** The status a history says the vehicle had at `at`: that of the latest change not after it; null before the first. */
export function statusAsOf(history: readonly StatusChange[], at: Date): VehicleStatus | null {
  let status: VehicleStatus | null = null;
  for (const change of history) {
    if (Date.parse(change.changedAt) > at.getTime()) break;
    status = change.to;
  }
  return status;
}
