import type { DomainEvent } from '../runtime/command-handler';
import { overdueAt } from './pricing';
import type { Rental } from './rental-state';

/**
 * When an active rental becomes overdue: its end plus the late grace of its frozen terms, with the
 * vehicle still out. The sweep marks it once and announces it once (RentalOverdue).
 */

export const OVERDUE_TASK_NAME = 'rental.overdue-rentals';
/** Rentals one sweep handles at most; the rest wait for the next sweep. */
export const OVERDUE_SWEEP_BATCH_MAX = 500;

export interface OverdueRental {
  readonly rental: Rental;
  readonly overdueAt: Date;
  readonly event: DomainEvent;
}

/** The candidates that are overdue at `now`, each with the moment it became so and its event. */
export function overdueRentals(candidates: readonly Rental[], now: Date): OverdueRental[] {
  const overdue: OverdueRental[] = [];
  for (const rental of candidates) {
    if (rental.status !== 'active' || rental.terms === null) continue;
    const at = overdueAt(rental.terms, { startAt: rental.startAt, endAt: rental.endAt, timeZone: rental.timeZone });
    if (at.getTime() > now.getTime()) continue;
    overdue.push({
      rental,
      overdueAt: at,
      event: {
        type: 'rental.RentalOverdue',
        aggregateType: 'rental',
        aggregateId: rental.id,
        key: rental.vehicleId,
        payload: { rentalId: rental.id, vehicleId: rental.vehicleId, endAt: rental.endAt.getTime(), overdueAt: at.getTime() },
      },
    });
  }
  return overdue;
}
