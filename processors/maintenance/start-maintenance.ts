import { reject, type CommandContext, type Decision } from '../runtime/command-handler';
import { isNullableInteger, isString, nullableDateOf, recordOf } from '../../platform/decoded';
import { checkActorMayWorkOn, CLOCK_SKEW_MS_MAX, jobEvent, jobNotFound, jobPath, MAINTENANCE_STARTED, type Job, type VehicleStatus } from './maintenance-job';

/** maintenance.StartMaintenance, as decoded from Avro. */
export interface StartMaintenance {
  readonly jobId: string;
  /** When the work began; the processor's now when absent. */
  readonly startedAt: Date | null;
}

export interface StartMaintenanceState {
  readonly job: Job | undefined;
  readonly vehicleStatus: VehicleStatus | undefined;
  /** Another job of the same vehicle already in progress. */
  readonly otherJobInProgress: string | undefined;
}

export function parseStartMaintenance(value: unknown): StartMaintenance {
  const field = recordOf('maintenance.StartMaintenance', value);
  return { jobId: field('jobId', isString), startedAt: nullableDateOf(field('startedAt', isNullableInteger)) };
}

/**
 * The rule for starting a job: only a scheduled one, and not while the vehicle is with a customer
 * or out of the fleet, nor while another job of it is in the workshop. The fleet follows the
 * MaintenanceStarted event and moves the vehicle to under_maintenance.
 */
export function decideStartMaintenance(state: StartMaintenanceState, command: StartMaintenance, context: CommandContext): Decision {
  const job = state.job;
  if (job === undefined) return jobNotFound(command.jobId);
  const forbidden = checkActorMayWorkOn(job, context);
  if (forbidden !== undefined) return forbidden;
  if (job.status !== 'scheduled') return reject('MAINTENANCE.JOB_NOT_SCHEDULED', `Job ${job.id} is ${job.status}; only a scheduled job can start.`);
  if (state.vehicleStatus === 'rented') return reject('MAINTENANCE.VEHICLE_RENTED', `Vehicle ${job.vehicleId} is rented; it can go to the workshop once it is returned.`);
  if (state.vehicleStatus === 'decommissioned') return reject('MAINTENANCE.VEHICLE_DECOMMISSIONED', `Vehicle ${job.vehicleId} has left the fleet.`);
  if (state.otherJobInProgress !== undefined) {
    return reject('MAINTENANCE.VEHICLE_IN_WORKSHOP', `Vehicle ${job.vehicleId} is already in the workshop for job ${state.otherJobInProgress}.`);
  }
  const startedAt = command.startedAt ?? context.now;
  if (startedAt.getTime() > context.now.getTime() + CLOCK_SKEW_MS_MAX) return reject('MAINTENANCE.INVALID_TIME', 'A job cannot start in the future.');
  return {
    kind: 'accepted',
    aggregateId: job.id,
    resourcePath: jobPath(job.id),
    events: [jobEvent(MAINTENANCE_STARTED, job, { startedAt: startedAt.getTime(), actor: context.metadata.actor })],
  };
}

export function startedAtOf(command: StartMaintenance, context: CommandContext): Date {
  return command.startedAt ?? context.now;
}
