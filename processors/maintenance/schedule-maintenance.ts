import { reject, type CommandContext, type Decision } from '../runtime/command-handler';
import { isInteger, isNullableString, isString, recordOf } from '../../platform/decoded';
import { JOB_KINDS, jobEvent, jobPath, MAINTENANCE_SCHEDULED, type Job, type JobKind, type VehicleStatus } from './maintenance-job';

/** maintenance.ScheduleMaintenance, as decoded from Avro. */
export interface ScheduleMaintenance {
  readonly jobId: string;
  readonly vehicleId: string;
  readonly kind: string;
  readonly title: string;
  readonly description: string | null;
  readonly windowStart: Date;
  readonly windowEnd: Date;
  readonly mechanicId: string | null;
}

export interface ScheduleMaintenanceState {
  /** A job that already has this id. */
  readonly existing: Job | undefined;
  /** The vehicle's status as the fleet last told; undefined when the fleet has not told of it. */
  readonly vehicleStatus: VehicleStatus | undefined;
}

const TITLE_LENGTH_MAX = 200;
const DESCRIPTION_LENGTH_MAX = 4_000;
/** A booking reaches at most this far ahead, and lasts at most this long. */
const WINDOW_AHEAD_MS_MAX = 2 * 365 * 24 * 60 * 60 * 1000;
const WINDOW_LENGTH_MS_MAX = 90 * 24 * 60 * 60 * 1000;

export function parseScheduleMaintenance(value: unknown): ScheduleMaintenance {
  const field = recordOf('maintenance.ScheduleMaintenance', value);
  return {
    jobId: field('jobId', isString),
    vehicleId: field('vehicleId', isString),
    kind: field('kind', isString),
    title: field('title', isString),
    description: field('description', isNullableString),
    windowStart: new Date(field('windowStart', isInteger)),
    windowEnd: new Date(field('windowEnd', isInteger)),
    mechanicId: field('mechanicId', isNullableString),
  };
}

/**
 * The rule for booking a job: a known vehicle still in the fleet, a known kind, a sensible
 * window. Whether the window overlaps another open job of the vehicle is the database's to say
 * (its exclusion constraint; the handler maps the refusal to MAINTENANCE.WINDOW_OVERLAPS).
 */
export function decideScheduleMaintenance(state: ScheduleMaintenanceState, command: ScheduleMaintenance, context: CommandContext): Decision {
  if (state.existing !== undefined) {
    const same = state.existing.vehicleId === command.vehicleId && state.existing.kind === command.kind && state.existing.title === command.title.trim()
      && state.existing.windowStart?.getTime() === command.windowStart.getTime() && state.existing.windowEnd?.getTime() === command.windowEnd.getTime();
    // The same booking sent again is already done; another booking under the same id is refused.
    if (same) return { kind: 'accepted', aggregateId: command.jobId, resourcePath: jobPath(command.jobId), events: [] };
    return reject('MAINTENANCE.JOB_ID_TAKEN', `Job id ${command.jobId} belongs to another booking.`);
  }
  if (state.vehicleStatus === undefined) return reject('MAINTENANCE.VEHICLE_NOT_FOUND', `The workshop knows no vehicle ${command.vehicleId}.`);
  if (state.vehicleStatus === 'decommissioned') return reject('MAINTENANCE.VEHICLE_DECOMMISSIONED', `Vehicle ${command.vehicleId} has left the fleet.`);
  if (!JOB_KINDS.includes(command.kind as JobKind)) return reject('MAINTENANCE.INVALID_KIND', `A job's kind is one of ${JOB_KINDS.join(', ')}.`);
  const title = command.title.trim();
  if (title === '' || title.length > TITLE_LENGTH_MAX) return reject('MAINTENANCE.INVALID_TITLE', `A title has 1 to ${TITLE_LENGTH_MAX} characters.`);
  if (command.description !== null && command.description.length > DESCRIPTION_LENGTH_MAX) {
    return reject('MAINTENANCE.INVALID_DESCRIPTION', `A description has at most ${DESCRIPTION_LENGTH_MAX} characters.`);
  }
  const start = command.windowStart.getTime();
  const end = command.windowEnd.getTime();
  if (end <= start) return reject('MAINTENANCE.INVALID_WINDOW', 'A window ends after it starts.');
  if (end - start > WINDOW_LENGTH_MS_MAX) return reject('MAINTENANCE.INVALID_WINDOW', 'A window lasts at most 90 days.');
  if (start > context.now.getTime() + WINDOW_AHEAD_MS_MAX) return reject('MAINTENANCE.INVALID_WINDOW', 'A window starts within two years.');
  return {
    kind: 'accepted',
    aggregateId: command.jobId,
    resourcePath: jobPath(command.jobId),
    events: [
      jobEvent(MAINTENANCE_SCHEDULED, { id: command.jobId, vehicleId: command.vehicleId }, {
        kind: command.kind,
        windowStart: start,
        windowEnd: end,
        title,
        description: command.description,
        mechanicId: command.mechanicId,
        actor: context.metadata.actor,
      }),
    ],
  };
}
