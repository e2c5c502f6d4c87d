import { reject, type CommandContext, type Decision } from '../runtime/command-handler';
import { isString, recordOf } from '../../platform/decoded';
import { jobEvent, jobNotFound, jobPath, MAINTENANCE_CANCELLED, type Job } from './maintenance-job';

/** maintenance.CancelMaintenance, as decoded from Avro. */
export interface CancelMaintenance {
  readonly jobId: string;
  readonly reason: string;
}

export interface CancelMaintenanceState {
  readonly job: Job | undefined;
}

export const CANCEL_REASON_LENGTH_MAX = 500;

export function parseCancelMaintenance(value: unknown): CancelMaintenance {
  const field = recordOf('maintenance.CancelMaintenance', value);
  return { jobId: field('jobId', isString), reason: field('reason', isString) };
}

/** The rule for calling a job off: only before it starts, with a reason. Its window is free again. */
export function decideCancelMaintenance(state: CancelMaintenanceState, command: CancelMaintenance, context: CommandContext): Decision {
  const job = state.job;
  if (job === undefined) return jobNotFound(command.jobId);
  if (job.status !== 'scheduled') return reject('MAINTENANCE.JOB_NOT_SCHEDULED', `Job ${job.id} is ${job.status}; only a scheduled job can be cancelled.`);
  const reason = command.reason.trim();
  if (reason === '' || reason.length > CANCEL_REASON_LENGTH_MAX) return reject('MAINTENANCE.INVALID_REASON', `A reason has 1 to ${CANCEL_REASON_LENGTH_MAX} characters.`);
  return {
    kind: 'accepted',
    aggregateId: job.id,
    resourcePath: jobPath(job.id),
    events: [jobEvent(MAINTENANCE_CANCELLED, job, { cancelledAt: context.now.getTime(), reason, actor: context.metadata.actor })],
  };
}
