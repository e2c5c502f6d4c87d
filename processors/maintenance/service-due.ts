import { nameBasedUuid } from '../../platform/identifiers';
import type { DomainEvent } from '../runtime/command-handler';

/**
 * When a vehicle's next service falls due. The count starts at the vehicle's last completed job
 * (its completion time and odometer) or, without one, at its registration; the service is due at
 * basis km + everyKm or basis time + everyDays, whichever comes first. It is due soon within
 * dueSoonKm kilometres or dueSoonDays days of that point, and overdue from the point on.
 */
export interface ServicePlan {
  readonly id: string;
  readonly vehicleId: string | null;
  readonly vehicleClass: string | null;
  readonly everyKm: number | null;
  readonly everyDays: number | null;
  readonly dueSoonKm: number;
  readonly dueSoonDays: number;
}

export interface ServiceBasis {
  /** 'registration', or 'job:<id>' of the last completed job. */
  readonly name: string;
  readonly at: Date;
  readonly km: number;
}

export type DueStatus = 'ok' | 'due_soon' | 'overdue';
export type DueReason = 'km' | 'days';

export interface DueAssessment {
  readonly status: DueStatus;
  /** What makes it due first (the worse status; on a tie, the smaller share of its interval left); null when ok. */
  readonly reason: DueReason | null;
  readonly byKm: DueStatus | null;
  readonly byDays: DueStatus | null;
  readonly dueAtKm: number | null;
  readonly dueAt: Date | null;
  readonly kmRemaining: number | null;
  /** Whole days left, rounded down (negative once overdue). */
  readonly daysRemaining: number | null;
}

export const DAY_MS = 24 * 60 * 60 * 1000;
export const SERVICE_DUE = 'maintenance.ServiceDue';

/** A vehicle's own plan beats its class's; undefined when neither exists. */
export function applicablePlan(vehiclePlan: ServicePlan | undefined, classPlan: ServicePlan | undefined): ServicePlan | undefined {
  return vehiclePlan ?? classPlan;
}

const RANK: Record<DueStatus, number> = { ok: 0, due_soon: 1, overdue: 2 };

function statusOf(remaining: number, dueSoonWithin: number): DueStatus {
  if (remaining <= 0) return 'overdue';
  return remaining <= dueSoonWithin ? 'due_soon' : 'ok';
}

export function assessServiceDue(plan: ServicePlan, basis: ServiceBasis, currentKm: number | null, now: Date): DueAssessment {
  const km = currentKm ?? basis.km;
  const dueAtKm = plan.everyKm === null ? null : basis.km + plan.everyKm;
  const dueAt = plan.everyDays === null ? null : new Date(basis.at.getTime() + plan.everyDays * DAY_MS);
  const kmRemaining = dueAtKm === null ? null : dueAtKm - km;
  const msRemaining = dueAt === null ? null : dueAt.getTime() - now.getTime();
  const byKm = kmRemaining === null ? null : statusOf(kmRemaining, plan.dueSoonKm);
  const byDays = msRemaining === null ? null : statusOf(msRemaining, plan.dueSoonDays * DAY_MS);
  const status = [byKm, byDays].reduce<DueStatus>((worst, candidate) => (candidate !== null && RANK[candidate] > RANK[worst] ? candidate : worst), 'ok');
  let reason: DueReason | null = null;
  if (status !== 'ok') {
    if (byKm !== status) reason = 'days';
    else if (byDays !== status) reason = 'km';
    else reason = kmRemaining! / plan.everyKm! <= msRemaining! / (plan.everyDays! * DAY_MS) ? 'km' : 'days';
  }
  return { status, reason, byKm, byDays, dueAtKm, dueAt, kmRemaining, daysRemaining: msRemaining === null ? null : Math.floor(msRemaining / DAY_MS) };
}

/**
 * The id of a reminder threshold: the same vehicle, plan, basis and reason always give the same
 * id (a name-based UUID, RFC 9562 version 5 layout), so a reminder can be recognised wherever it is seen.
 */
export function thresholdIdOf(vehicleId: string, planId: string, basis: string, reason: DueReason): string {
  return nameBasedUuid(`maintenance.service-due:${vehicleId}:${planId}:${basis}:${reason}`);
}

/** The reminder for `reason` when that threshold is reached (due soon or overdue); undefined while it is not. */
export function serviceDueEvent(vehicleId: string, plan: ServicePlan, basis: ServiceBasis, assessment: DueAssessment, reason: DueReason, now: Date): DomainEvent | undefined {
  const status = reason === 'km' ? assessment.byKm : assessment.byDays;
  if (status === null || status === 'ok') return undefined;
  const thresholdId = thresholdIdOf(vehicleId, plan.id, basis.name, reason);
  return {
    type: SERVICE_DUE,
    aggregateType: 'vehicle',
    aggregateId: vehicleId,
    key: vehicleId,
    payload: {
      vehicleId,
      planId: plan.id,
      reason,
      status,
      dueAtKm: assessment.dueAtKm,
      dueAt: assessment.dueAt?.getTime() ?? null,
      kmRemaining: assessment.kmRemaining,
      daysRemaining: assessment.daysRemaining,
      basis: basis.name,
      thresholdId,
      noticedAt: now.getTime(),
    },
  };
}
