import type { Knex } from 'knex';
import { ConstraintViolation, refusedBy } from '../../platform/database-errors';

export type VehicleStatus = 'active' | 'rented' | 'under_maintenance' | 'decommissioned';

export interface NewVehicle {
  readonly id: string;
  readonly plateNumber: string;
  readonly vin: string | null;
  readonly make: string;
  readonly model: string;
  readonly variant: string | null;
  readonly year: number | null;
  readonly vehicleClass: string;
  readonly createdBy: string | null;
}

export interface VehicleRow {
  readonly id: string;
  readonly plateNumber: string;
  readonly make: string;
  readonly model: string;
  readonly vehicleClass: string;
  readonly status: VehicleStatus;
  readonly rowVersion: number;
}

export type RegisterResult = 'registered' | 'plate_number_taken' | 'vin_taken';
export type ReadingResult = { readonly outcome: 'recorded'; readonly readingId: string } | { readonly outcome: 'out_of_order'; readonly detail: string };

const PAGE_SIZE_MAX = 500;

interface VehicleRecord {
  id: string;
  plate_number: string;
  make: string;
  model: string;
  vehicle_class: string;
  status: VehicleStatus;
  row_version: number;
}

function toVehicle(row: VehicleRecord): VehicleRow {
  return {
    id: row.id,
    plateNumber: row.plate_number,
    make: row.make,
    model: row.model,
    vehicleClass: row.vehicle_class,
    status: row.status,
    rowVersion: row.row_version,
  };
}

/** The fleet context's only SQL: vehicles, odometer readings and status history. */
export class FleetRepository {
  /**
   * Inserts the vehicle unless its plate number or VIN already belongs to another one. The
   * unique constraints decide (a concurrent registration of the same plate waits for the other
   * transaction); ON CONFLICT spares the savepoint a refused INSERT would need.
   */
  async register(transaction: Knex.Transaction, vehicle: NewVehicle): Promise<RegisterResult> {
    const inserted: { id: string }[] = await transaction
      .withSchema('fleet')
      .table('vehicles')
      .insert({
        id: vehicle.id,
        plate_number: vehicle.plateNumber,
        vin: vehicle.vin,
        make: vehicle.make,
        model: vehicle.model,
        variant: vehicle.variant,
        year: vehicle.year,
        vehicle_class: vehicle.vehicleClass,
        created_by: vehicle.createdBy,
      })
      .onConflict()
      .ignore()
      .returning('id');
    if (inserted.length === 1) return 'registered';
    const plateTaken = await transaction.withSchema('fleet').table('vehicles').where('plate_number', vehicle.plateNumber).first('id');
    if (plateTaken !== undefined) return 'plate_number_taken';
    if (vehicle.vin !== null && (await transaction.withSchema('fleet').table('vehicles').where('vin', vehicle.vin).first('id')) !== undefined) {
      return 'vin_taken';
    }
    throw new Error(`vehicle ${vehicle.id} was not inserted and neither its plate number nor its VIN is taken (its id exists already?)`);
  }

  /** Appends one status change to the vehicle's history (a fact: never updated). */
  async appendStatusChange(
    transaction: Knex.Transaction,
    change: { vehicleId: string; from: VehicleStatus | null; to: VehicleStatus; cause: string; causeMessageId: string; actorId: string | null; at: Date },
  ): Promise<void> {
    await transaction.withSchema('fleet').table('vehicle_status_history').insert({
      vehicle_id: change.vehicleId,
      from_status: change.from,
      to_status: change.to,
      cause: change.cause,
      cause_message_id: change.causeMessageId,
      actor_id: change.actorId,
      changed_at: change.at,
    });
  }

  async find(transaction: Knex.Transaction, vehicleId: string): Promise<VehicleRow | undefined> {
    const row: VehicleRecord | undefined = await transaction
      .withSchema('fleet')
      .table('vehicles')
      .select('id', 'plate_number', 'make', 'model', 'vehicle_class', 'status', 'row_version')
      .where('id', vehicleId)
      .first();
    return row === undefined ? undefined : toVehicle(row);
  }

  /** One page of vehicles in a status, in id order; pass the last id seen to get the next page. */
  async listByStatus(transaction: Knex.Transaction, status: VehicleStatus, page: { afterId?: string; size: number }): Promise<VehicleRow[]> {
    const query = transaction
      .withSchema('fleet')
      .table('vehicles')
      .select('id', 'plate_number', 'make', 'model', 'vehicle_class', 'status', 'row_version')
      .where('status', status)
      .orderBy('id')
      .limit(Math.min(Math.max(page.size, 1), PAGE_SIZE_MAX));
    if (page.afterId !== undefined) void query.where('id', '>', page.afterId);
    const rows: VehicleRecord[] = await query;
    return rows.map(toVehicle);
  }

  /** Records a reading; the database refuses one that would make the odometer run backwards. */
  async recordReading(
    transaction: Knex.Transaction,
    reading: { vehicleId: string; readingKm: number; recordedAt: Date; source: string; createdBy: string | null },
  ): Promise<ReadingResult> {
    const result = await refusedBy(transaction, ['vehicle_odometer_readings_non_decreasing'], (savepoint) =>
      savepoint
        .withSchema('fleet')
        .table('vehicle_odometer_readings')
        .insert({
          vehicle_id: reading.vehicleId,
          reading_km: reading.readingKm,
          recorded_at: reading.recordedAt,
          source: reading.source,
          created_by: reading.createdBy,
        })
        .returning('id'),
    );
    if (result instanceof ConstraintViolation) return { outcome: 'out_of_order', detail: result.message };
    return { outcome: 'recorded', readingId: (result[0] as { id: string }).id };
  }

  async latestReading(transaction: Knex.Transaction, vehicleId: string): Promise<{ readingKm: number; recordedAt: Date } | undefined> {
    const row: { reading_km: number; recorded_at: Date } | undefined = await transaction
      .withSchema('fleet')
      .table('vehicle_odometer_readings')
      .select('reading_km', 'recorded_at')
      .where('vehicle_id', vehicleId)
      .whereNull('voided_at')
      .orderBy([{ column: 'recorded_at', order: 'desc' }, { column: 'reading_km', order: 'desc' }])
      .first();
    return row === undefined ? undefined : { readingKm: row.reading_km, recordedAt: row.recorded_at };
  }
}
