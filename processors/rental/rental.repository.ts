import type { Knex } from 'knex';
import { ConstraintViolation, refusedBy } from '../../platform/database-errors';

export type RentalStatus = 'reserved' | 'active' | 'completed' | 'cancelled';

export interface NewRental {
  readonly id: string;
  readonly vehicleId: string;
  readonly customerId: string | null;
  readonly originLocationId: string;
  readonly destinationLocationId: string;
  readonly startAt: Date;
  readonly endAt: Date;
  readonly pricingPlanId: string | null;
  readonly createdBy: string | null;
}

export interface Booking {
  readonly rentalId: string;
  readonly startAt: Date;
  readonly endAt: Date;
  readonly status: RentalStatus;
}

export type ReserveResult = { readonly outcome: 'reserved' } | { readonly outcome: 'vehicle_already_booked' };
export type StatusChangeResult = 'changed' | 'stale';

/** The rental context's only SQL: rentals, their bookings, and status changes. */
export class RentalRepository {
  /**
   * Inserts a reservation. The exclusion constraint is the arbiter of double booking: when it
   * refuses, the outcome says so and the caller's transaction goes on.
   */
  async reserve(transaction: Knex.Transaction, rental: NewRental): Promise<ReserveResult> {
    const result = await refusedBy(transaction, ['rentals_no_double_booking'], (savepoint) =>
      savepoint.withSchema('rental').table('rentals').insert({
        id: rental.id,
        vehicle_id: rental.vehicleId,
        customer_id: rental.customerId,
        origin_location_id: rental.originLocationId,
        destination_location_id: rental.destinationLocationId,
        start_at: rental.startAt,
        end_at: rental.endAt,
        pricing_plan_id: rental.pricingPlanId,
        status: 'reserved',
        created_by: rental.createdBy,
      }),
    );
    return result instanceof ConstraintViolation ? { outcome: 'vehicle_already_booked' } : { outcome: 'reserved' };
  }

  /** Reserved and active rentals of a vehicle that overlap [from, to): served by the exclusion index. */
  async bookingsOverlapping(transaction: Knex.Transaction, vehicleId: string, from: Date, to: Date): Promise<Booking[]> {
    const rows: { id: string; start_at: Date; end_at: Date; status: RentalStatus }[] = await transaction
      .withSchema('rental')
      .table('rentals')
      .select('id', 'start_at', 'end_at', 'status')
      .where('vehicle_id', vehicleId)
      .whereIn('status', ['reserved', 'active'])
      .whereRaw("rental_period && tstzrange(?, ?, '[)')", [from, to])
      .orderBy('start_at');
    return rows.map((row) => ({ rentalId: row.id, startAt: row.start_at, endAt: row.end_at, status: row.status }));
  }

  /**
   * Moves a rental to `status` if it is still at `expectedRowVersion` (optimistic concurrency):
   * 'stale' means someone changed it first and the caller must re-read and decide again.
   */
  async changeStatus(
    transaction: Knex.Transaction,
    change: { rentalId: string; expectedRowVersion: number; status: RentalStatus; at: Date; actorId: string | null },
  ): Promise<StatusChangeResult> {
    const updated = await transaction
      .withSchema('rental')
      .table('rentals')
      .where({ id: change.rentalId, row_version: change.expectedRowVersion })
      .update({
        status: change.status,
        updated_by: change.actorId,
        cancelled_at: change.status === 'cancelled' ? change.at : null,
        picked_up_at: change.status === 'active' ? change.at : transaction.raw('picked_up_at'),
        returned_at: change.status === 'completed' ? change.at : transaction.raw('returned_at'),
      });
    return updated === 1 ? 'changed' : 'stale';
  }
}
