import type { Knex } from 'knex';
import { ConstraintViolation, refusedBy } from '../../platform/database-errors';
import type { StoredReading } from './record-odometer-reading';
import type { DetailChanges, VehicleDetails } from './update-vehicle';
import type { VehicleStatus } from './vehicle-status';

export type { VehicleStatus };

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
export type ReadingResult =
  | { readonly outcome: 'recorded'; readonly readingId: string }
  | { readonly outcome: 'out_of_order'; readonly detail: string }
  | { readonly outcome: 'id_taken' };
export type VoidResult = 'voided' | 'already_voided';
export type UpdateResult = { readonly outcome: 'updated'; readonly version: number } | { readonly outcome: 'vin_taken' };

/** A vehicle with every field a command decides on. */
export interface VehicleState extends VehicleDetails {
  readonly id: string;
  readonly status: VehicleStatus;
  readonly rowVersion: number;
}

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

interface VehicleStateRecord {
  id: string;
  make: string;
  model: string;
  variant: string | null;
  year: number | null;
  vehicle_class: string;
  vin: string | null;
  status: VehicleStatus;
  row_version: number;
}

interface ReadingRecord {
  id: string;
  vehicle_id: string;
  reading_km: number;
  recorded_at: Date;
  source: string;
  supersedes_reading_id: string | null;
  voided_at: Date | null;
}

/** Column names of the detail fields UpdateVehicle may change. */
const DETAIL_COLUMNS: Readonly<Record<keyof DetailChanges, string>> = {
  make: 'make',
  model: 'model',
  variant: 'variant',
  year: 'year',
  vehicleClass: 'vehicle_class',
  vin: 'vin',
};

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

  /**
   * Records a reading; the database refuses one that would make the odometer run backwards, or
   * whose id (the sender's) a reading has already.
   */
  async recordReading(
    transaction: Knex.Transaction,
    reading: { id?: string; vehicleId: string; readingKm: number; recordedAt: Date; source: string; supersedesReadingId?: string | null; createdBy: string | null },
  ): Promise<ReadingResult> {
    const result = await refusedBy(transaction, ['vehicle_odometer_readings_non_decreasing', 'vehicle_odometer_readings_pkey'], (savepoint) =>
      savepoint
        .withSchema('fleet')
        .table('vehicle_odometer_readings')
        .insert({
          ...(reading.id === undefined ? {} : { id: reading.id }),
          supersedes_reading_id: reading.supersedesReadingId ?? null,
          vehicle_id: reading.vehicleId,
          reading_km: reading.readingKm,
          recorded_at: reading.recordedAt,
          source: reading.source,
          created_by: reading.createdBy,
        })
        .returning('id'),
    );
    if (result instanceof ConstraintViolation) {
      return result.constraint === 'vehicle_odometer_readings_pkey' ? { outcome: 'id_taken' } : { outcome: 'out_of_order', detail: result.message };
    }
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

  /**
   * The vehicle with every field a command decides on, its row locked until the transaction ends
   * so that no other transaction changes it between the decision and the write.
   */
  async lockVehicle(transaction: Knex.Transaction, vehicleId: string): Promise<VehicleState | undefined> {
    const row: VehicleStateRecord | undefined = await transaction
      .withSchema('fleet')
      .table('vehicles')
      .select('id', 'make', 'model', 'variant', 'year', 'vehicle_class', 'vin', 'status', 'row_version')
      .where('id', vehicleId)
      .forUpdate()
      .first();
    if (row === undefined) return undefined;
    return {
      id: row.id,
      make: row.make,
      model: row.model,
      variant: row.variant,
      year: row.year,
      vehicleClass: row.vehicle_class,
      vin: row.vin,
      status: row.status,
      rowVersion: row.row_version,
    };
  }

  async findReading(transaction: Knex.Transaction, readingId: string): Promise<StoredReading | undefined> {
    const row: ReadingRecord | undefined = await transaction
      .withSchema('fleet')
      .table('vehicle_odometer_readings')
      .select('id', 'vehicle_id', 'reading_km', 'recorded_at', 'source', 'supersedes_reading_id', 'voided_at')
      .where('id', readingId)
      .first();
    if (row === undefined) return undefined;
    return {
      id: row.id,
      vehicleId: row.vehicle_id,
      readingKm: row.reading_km,
      recordedAt: row.recorded_at,
      source: row.source,
      supersedesReadingId: row.supersedes_reading_id,
      voided: row.voided_at !== null,
    };
  }

  /**
   * Voids a reading of the vehicle, once: only the void columns change (the trigger
   * vehicle_odometer_readings_immutable refuses anything else, and a second void).
   */
  async voidReading(
    transaction: Knex.Transaction,
    change: { readingId: string; vehicleId: string; reason: string; voidedBy: string | null; at: Date },
  ): Promise<VoidResult> {
    const voided: number = await transaction
      .withSchema('fleet')
      .table('vehicle_odometer_readings')
      .where({ id: change.readingId, vehicle_id: change.vehicleId })
      .whereNull('voided_at')
      .update({ voided_at: change.at, void_reason: change.reason, voided_by: change.voidedBy });
    return voided === 1 ? 'voided' : 'already_voided';
  }

  /**
   * Moves a vehicle to decommissioned from the status the decision saw (`from`); throws when the
   * vehicle is no longer in it, which the row lock taken by lockVehicle rules out.
   */
  /** Moves the vehicle from one status to another (never to or from decommissioned: see decommission). */
  async changeStatus(transaction: Knex.Transaction, change: { vehicleId: string; from: VehicleStatus; to: VehicleStatus; updatedBy: string | null }): Promise<void> {
    const updated: number = await transaction
      .withSchema('fleet')
      .table('vehicles')
      .where({ id: change.vehicleId, status: change.from })
      .update({ status: change.to, updated_by: change.updatedBy });
    if (updated !== 1) throw new Error(`vehicle ${change.vehicleId} was not ${change.from} when it was to become ${change.to}`);
  }

  async decommission(transaction: Knex.Transaction, change: { vehicleId: string; from: VehicleStatus; at: Date; updatedBy: string | null }): Promise<void> {
    const updated: number = await transaction
      .withSchema('fleet')
      .table('vehicles')
      .where({ id: change.vehicleId, status: change.from })
      .update({ status: 'decommissioned', decommissioned_at: change.at, updated_by: change.updatedBy });
    if (updated !== 1) throw new Error(`vehicle ${change.vehicleId} was not ${change.from} when it was to be decommissioned`);
  }

  /**
   * Writes the changed details; the unique key refuses a VIN of another vehicle. Returns the new
   * row version (touch_row() counts it up).
   */
  async updateDetails(transaction: Knex.Transaction, change: { vehicleId: string; changes: DetailChanges; updatedBy: string | null }): Promise<UpdateResult> {
    const columns = Object.fromEntries(Object.entries(change.changes).map(([field, value]) => [DETAIL_COLUMNS[field as keyof DetailChanges], value]));
    const result = await refusedBy(transaction, ['vehicles_vin_key'], (savepoint) =>
      savepoint
        .withSchema('fleet')
        .table('vehicles')
        .where('id', change.vehicleId)
        .update({ ...columns, updated_by: change.updatedBy })
        .returning('row_version'),
    );
    if (result instanceof ConstraintViolation) return { outcome: 'vin_taken' };
    const [row] = result as { row_version: number }[];
    if (row === undefined) throw new Error(`vehicle ${change.vehicleId} vanished while it was updated`);
    return { outcome: 'updated', version: row.row_version };
  }
}
