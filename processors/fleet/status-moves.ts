import { reject, type CommandContext, type Decision } from '../runtime/command-handler';
import { isInteger, isString, recordOf } from '../../platform/decoded';
import { VEHICLE_STATE_CHANGED } from './decommission-vehicle';
import { checkStatusMove, type VehicleStatus } from './vehicle-status';

/**
 * The status moves other contexts cause: their events, which the fleet follows. A rental starting
 * makes the vehicle rented and its end makes it active again; a maintenance job does the same with
 * under_maintenance. The life cycle (vehicle-status.ts) judges each move; a move it refuses is a
 * conflict (the runtime logs and counts it and the stream goes on), never an error.
 */
export interface StatusMoveEvent {
  readonly vehicleId: string;
  /** When it happened in the other context. */
  readonly at: Date;
}

export interface StatusMoveState {
  /** The vehicle's status; undefined when the fleet does not know the vehicle. */
  readonly vehicleStatus: VehicleStatus | undefined;
}

export interface StatusMove {
  /** The other context's event type, e.g. rental.RentalActivated; also the history's cause. */
  readonly eventType: string;
  readonly to: VehicleStatus;
  /** The record's name of its id field (rentalId, jobId) and of its time field. */
  readonly idField: string;
  readonly atField: string;
}

export const STATUS_MOVES: readonly StatusMove[] = [
  { eventType: 'rental.RentalActivated', to: 'rented', idField: 'rentalId', atField: 'activatedAt' },
  { eventType: 'rental.RentalCompleted', to: 'active', idField: 'rentalId', atField: 'completedAt' },
  { eventType: 'maintenance.MaintenanceStarted', to: 'under_maintenance', idField: 'jobId', atField: 'startedAt' },
  { eventType: 'maintenance.MaintenanceCompleted', to: 'active', idField: 'jobId', atField: 'completedAt' },
];

export function parseStatusMoveEvent(move: StatusMove, value: unknown): StatusMoveEvent {
  const field = recordOf(move.eventType, value);
  field(move.idField, isString);
  return { vehicleId: field('vehicleId', isString), at: new Date(field(move.atField, isInteger)) };
}

/** Whether the fleet follows the move, with the VehicleStateChanged it then publishes. */
export function decideStatusMove(move: StatusMove, state: StatusMoveState, event: StatusMoveEvent, context: CommandContext): Decision {
  const from = state.vehicleStatus;
  if (from === undefined) return reject('FLEET.VEHICLE_NOT_FOUND', `There is no vehicle ${event.vehicleId}.`);
  const refused = checkStatusMove(event.vehicleId, from, move.to);
  if (refused !== undefined) return refused;
  return {
    kind: 'accepted',
    aggregateId: event.vehicleId,
    resourcePath: `/v1/vehicles/${event.vehicleId}`,
    events: [
      {
        type: VEHICLE_STATE_CHANGED,
        aggregateType: 'vehicle',
        aggregateId: event.vehicleId,
        payload: { vehicleId: event.vehicleId, from, to: move.to, cause: move.eventType, reason: null, at: event.at.getTime(), actor: context.metadata.actor },
      },
    ],
  };
}
