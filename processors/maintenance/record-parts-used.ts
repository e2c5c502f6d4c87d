import { reject, type CommandContext, type Decision } from '../runtime/command-handler';
import { isArray, isString, recordOf } from '../../platform/decoded';
import { checkActorMayWorkOn, jobEvent, jobNotFound, jobPath, PARTS_RECORDED, type Job } from './maintenance-job';
import { checkOneCurrency, checkPartLines, parsePartLines, partLinePayloads, partsCostMinor, type PartLine } from './parts';

/** maintenance.RecordPartsUsed, as decoded from Avro. */
export interface RecordPartsUsed {
  readonly jobId: string;
  readonly parts: readonly PartLine[];
}

export interface RecordPartsUsedState {
  readonly job: Job | undefined;
}

export function parseRecordPartsUsed(value: unknown): RecordPartsUsed {
  const field = recordOf('maintenance.RecordPartsUsed', value);
  return { jobId: field('jobId', isString), parts: parsePartLines('maintenance.RecordPartsUsed', field('parts', isArray)) };
}

/** The rule for recording parts: an open job (scheduled or in progress), at least one plausible line, the job's one currency. */
export function decideRecordPartsUsed(state: RecordPartsUsedState, command: RecordPartsUsed, context: CommandContext): Decision {
  const job = state.job;
  if (job === undefined) return jobNotFound(command.jobId);
  const forbidden = checkActorMayWorkOn(job, context);
  if (forbidden !== undefined) return forbidden;
  if (job.status === 'completed' || job.status === 'cancelled') return reject('MAINTENANCE.JOB_CLOSED', `Job ${job.id} is ${job.status}; its parts can no longer change.`);
  if (command.parts.length === 0) return reject('MAINTENANCE.INVALID_PARTS', 'Record at least one part.');
  const refused = checkPartLines(command.parts) ?? checkOneCurrency(job.id, job.currency, command.parts);
  if (refused !== undefined) return refused;
  return {
    kind: 'accepted',
    aggregateId: job.id,
    resourcePath: jobPath(job.id),
    events: [
      jobEvent(PARTS_RECORDED, job, {
        parts: partLinePayloads(command.parts),
        partsCostMinor: partsCostMinor(command.parts),
        currency: command.parts[0]!.currency,
        recordedAt: context.now.getTime(),
        actor: context.metadata.actor,
      }),
    ],
  };
}
