import type { DomainEvent } from '../runtime/command-handler';
import type { ScheduledTask } from '../runtime/scheduled-task';
import { OVERDUE_SWEEP_BATCH_MAX, OVERDUE_TASK_NAME, overdueRentals } from './overdue';
import type { RentalRepository } from './rental.repository';

/**
 * The overdue sweep: active rentals past their end plus grace get overdue_at set and one
 * RentalOverdue each. Several instances may sweep: the runtime's advisory lock lets one at a
 * time, and the update's overdue_at IS NULL condition marks (and announces) each rental once.
 */
export function overdueRentalsTask(rentals: RentalRepository, intervalMs: number): ScheduledTask {
  return {
    name: OVERDUE_TASK_NAME,
    intervalMs,
    async sweep(transaction, now) {
      const events: DomainEvent[] = [];
      for (const overdue of overdueRentals(await rentals.overdueCandidates(transaction, now, OVERDUE_SWEEP_BATCH_MAX), now)) {
        if (await rentals.markOverdue(transaction, overdue.rental.id, overdue.overdueAt)) events.push(overdue.event);
      }
      return events;
    },
  };
}
