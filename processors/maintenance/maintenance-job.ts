import { actorHolds, checkActorHolds, reject, type CommandContext, type Rejection } from '../runtime/command-handler';
import type { PartLine } from './parts';

/**
 * A workshop job's life cycle: scheduled → in_progress → completed, or scheduled → cancelled.
 * Completed and cancelled are final; the database refuses any change to a completed job.
 */
export const JOB_STATUSES = ['scheduled', 'in_progress', 'completed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const JOB_KINDS = ['service', 'repair', 'inspection', 'tyres'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

/** What the maintenance context knows of a vehicle from the fleet's events. */
export const VEHICLE_STATUSES = ['active', 'rented', 'under_maintenance', 'decommissioned'] as const;
export type VehicleStatus = (typeof VEHICLE_STATUSES)[number];

/** A job with what its commands decide on. */
export interface Job {
  readonly id: string;
  readonly vehicleId: string;
  readonly kind: JobKind;
  readonly title: string;
  readonly status: JobStatus;
  readonly windowStart: Date | null;
  readonly windowEnd: Date | null;
  readonly startedAt: Date | null;
  /** The user the job is assigned to; null while it is nobody's. */
  readonly mechanicId: string | null;
  /** The job's currency: that of its labour or of the parts recorded so far; null before any cost. */
  readonly currency: string | null;
  readonly parts: readonly PartLine[];
}

export const MAINTENANCE_SCHEDULED = 'maintenance.MaintenanceScheduled';
export const MAINTENANCE_STARTED = 'maintenance.MaintenanceStarted';
export const PARTS_RECORDED = 'maintenance.PartsRecorded';
export const MAINTENANCE_COMPLETED = 'maintenance.MaintenanceCompleted';
export const MAINTENANCE_CANCELLED = 'maintenance.MaintenanceCancelled';

/** A time a workshop reports may run ahead of the processor's clock by this much, no more. */
export const CLOCK_SKEW_MS_MAX = 5 * 60 * 1000;

export function jobNotFound(jobId: string): Rejection {
  return reject('MAINTENANCE.JOB_NOT_FOUND', `There is no maintenance job ${jobId}.`);
}

/**
 * Who may work on a job (start it, record its parts, complete it): a holder of
 * maintenance.perform_any on any job; a holder of maintenance.perform only on a job assigned to
 * them, an unassigned job being nobody's yet. Asked once the job is known, before its state is.
 */
export function checkActorMayWorkOn(job: Job, context: CommandContext): Rejection | undefined {
  if (actorHolds(context, 'maintenance.perform_any')) return undefined;
  const forbidden = checkActorHolds(context, 'maintenance.perform', 'MAINTENANCE');
  if (forbidden !== undefined) return forbidden;
  if (job.mechanicId !== null && job.mechanicId === context.metadata.actor) return undefined;
  return reject('MAINTENANCE.NOT_ASSIGNED_TO_ACTOR', `Job ${job.id} is not assigned to the command's actor; only its mechanic or a holder of maintenance.perform_any may work on it.`);
}

export function jobPath(jobId: string): string {
  return `/v1/maintenance/jobs/${jobId}`;
}

/** An event about a job, keyed by its vehicle so that everything about one vehicle stays in order. */
export function jobEvent(type: string, job: { id: string; vehicleId: string }, payload: Record<string, unknown>) {
  return { type, aggregateType: 'maintenance_job', aggregateId: job.id, key: job.vehicleId, payload: { jobId: job.id, vehicleId: job.vehicleId, ...payload } };
}
