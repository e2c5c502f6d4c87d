import type { DomainEvent } from '../runtime/command-handler';
import type { ScheduledTask } from '../runtime/scheduled-task';
import type { MaintenanceRepository, Notice } from './maintenance.repository';
import { assessServiceDue, serviceDueEvent, type DueReason } from './service-due';

/** How many reminders one sweep announces at most; the next sweep takes the rest. */
export const SWEEP_VEHICLES_MAX = 500;

/** The notice row that makes a reminder happen once, from the reminder's payload. */
export function noticeOf(payload: { reason: DueReason } & Record<string, unknown>): Notice {
  return {
    id: payload.thresholdId as string,
    vehicleId: payload.vehicleId as string,
    planId: payload.planId as string,
    basis: payload.basis as string,
    reason: payload.reason,
    status: payload.status as Notice['status'],
    dueAtKm: payload.dueAtKm as number | null,
    dueAt: payload.dueAt === null ? null : new Date(payload.dueAt as number),
    noticedAt: new Date(payload.noticedAt as number),
  };
}

/**
 * The time side of service reminders: every interval, each vehicle whose date threshold (due soon
 * or overdue) has come gets its ServiceDue once. The distance side needs no sweep: an odometer
 * reading is what moves a vehicle closer, and its handler announces the reminder.
 */
export function serviceDueTask(repository: MaintenanceRepository, intervalMs: number): ScheduledTask {
  return {
    name: 'maintenance.service-due',
    intervalMs,
    async sweep(transaction, now) {
      const events: DomainEvent[] = [];
      for (const schedule of await repository.reachedTimeThreshold(transaction, now, SWEEP_VEHICLES_MAX)) {
        const assessment = assessServiceDue(schedule.plan, schedule.basis, schedule.currentKm, now);
        const reminder = serviceDueEvent(schedule.vehicleId, schedule.plan, schedule.basis, assessment, 'days', now);
        if (reminder === undefined) continue;
        // The unique threshold key decides: a reminder already recorded is not announced again.
        if (await repository.recordNotice(transaction, noticeOf(reminder.payload as { reason: DueReason } & Record<string, unknown>))) events.push(reminder);
      }
      return events;
    },
  };
}
