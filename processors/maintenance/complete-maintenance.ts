import { reject, type CommandContext, type Decision } from '../runtime/command-handler';
import { isArray, isInteger, isNullableInteger, isString, nullableDateOf, recordOf } from '../../platform/decoded';
import { checkActorMayWorkOn, CLOCK_SKEW_MS_MAX, jobEvent, jobNotFound, jobPath, MAINTENANCE_COMPLETED, type Job } from './maintenance-job';
import { checkOneCurrency, checkPartLines, COST_MINOR_MAX, isCurrencyCode, parsePartLines, partLinePayloads, partsCostMinor, type PartLine } from './parts';

/** maintenance.CompleteMaintenance, as decoded from Avro. */
export interface CompleteMaintenance {
  readonly jobId: string;
  readonly completedAt: Date | null;
  readonly laborCostMinor: number;
  readonly currency: string;
  readonly odometerKm: number | null;
  /** Parts not recorded yet; the job's earlier parts count too. */
  readonly parts: readonly PartLine[];
}

export interface CompleteMaintenanceState {
  readonly job: Job | undefined;
}

const ODOMETER_KM_MAX = 2_000_000_000;

export function parseCompleteMaintenance(value: unknown): CompleteMaintenance {
  const field = recordOf('maintenance.CompleteMaintenance', value);
  return {
    jobId: field('jobId', isString),
    completedAt: nullableDateOf(field('completedAt', isNullableInteger)),
    laborCostMinor: field('laborCostMinor', isInteger),
    currency: field('currency', isString),
    odometerKm: field('odometerKm', isNullableInteger),
    parts: parsePartLines('maintenance.CompleteMaintenance', field('parts', isArray)),
  };
}

/**
 * The rule for finishing a job: only one in progress, ending after it started; its cost is the
 * labour plus every part (those recorded before and those given now), all in one currency. The
 * fleet follows the MaintenanceCompleted event and puts the vehicle back in service.
 */
export function decideCompleteMaintenance(state: CompleteMaintenanceState, command: CompleteMaintenance, context: CommandContext): Decision {
  const job = state.job;
  if (job === undefined) return jobNotFound(command.jobId);
  const forbidden = checkActorMayWorkOn(job, context);
  if (forbidden !== undefined) return forbidden;
  if (job.status !== 'in_progress') return reject('MAINTENANCE.JOB_NOT_IN_PROGRESS', `Job ${job.id} is ${job.status}; only a job in progress can be completed.`);
  if (command.laborCostMinor < 0 || command.laborCostMinor > COST_MINOR_MAX) return reject('MAINTENANCE.INVALID_COST', `A labour cost is from 0 to ${COST_MINOR_MAX} minor units.`);
  if (!isCurrencyCode(command.currency)) return reject('MAINTENANCE.INVALID_CURRENCY', `${command.currency} is not an ISO 4217 currency code.`);
  if (command.odometerKm !== null && (command.odometerKm < 0 || command.odometerKm > ODOMETER_KM_MAX)) return reject('MAINTENANCE.INVALID_ODOMETER', 'An odometer reading is a whole number of kilometres, at least 0.');
  if (job.currency !== null && job.currency !== command.currency) {
    return reject('MAINTENANCE.CURRENCY_MISMATCH', `Job ${job.id} is costed in ${job.currency}; its labour cannot be in ${command.currency}.`);
  }
  const refused = checkPartLines(command.parts) ?? checkOneCurrency(job.id, command.currency, command.parts);
  if (refused !== undefined) return refused;
  const completedAt = command.completedAt ?? context.now;
  if (completedAt.getTime() > context.now.getTime() + CLOCK_SKEW_MS_MAX) return reject('MAINTENANCE.INVALID_TIME', 'A job cannot end in the future.');
  if (job.startedAt !== null && completedAt.getTime() < job.startedAt.getTime()) {
    return reject('MAINTENANCE.INVALID_TIME', `Job ${job.id} started at ${job.startedAt.toISOString()}; it cannot end before.`);
  }
  const parts = [...job.parts, ...command.parts];
  const partsCost = partsCostMinor(parts);
  return {
    kind: 'accepted',
    aggregateId: job.id,
    resourcePath: jobPath(job.id),
    events: [
      jobEvent(MAINTENANCE_COMPLETED, job, {
        completedAt: completedAt.getTime(),
        laborCostMinor: command.laborCostMinor,
        partsCostMinor: partsCost,
        totalCostMinor: command.laborCostMinor + partsCost,
        currency: command.currency,
        odometerKm: command.odometerKm,
        parts: partLinePayloads(parts),
        actor: context.metadata.actor,
      }),
    ],
  };
}

export function completedAtOf(command: CompleteMaintenance, context: CommandContext): Date {
  return command.completedAt ?? context.now;
}
