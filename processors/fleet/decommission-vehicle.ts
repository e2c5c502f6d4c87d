import { checkActorHolds, reject, type Acceptance, type CommandContext, type Decision } from '../runtime/command-handler';
import { isString, recordOf } from '../../platform/decoded';
import { checkStatusMove, isVehicleStatus, type VehicleStatus } from './vehicle-status';

/** fleet.DecommissionVehicle, as decoded from Avro. */
export interface DecommissionVehicle {
  readonly vehicleId: string;
  readonly reason: string;
}

export interface DecommissionVehicleState {
  /** The vehicle's status; undefined when there is no such vehicle. */
  readonly vehicleStatus: VehicleStatus | undefined;
}

export const VEHICLE_STATE_CHANGED = 'fleet.VehicleStateChanged';
export const DECOMMISSION_CAUSE = 'DecommissionVehicle';
export const DECOMMISSION_REASON_LENGTH_MAX = 500;

/**
 * The rule for taking a vehicle out of the fleet. The life cycle allows decommissioning from any
 * status but the terminal one; this command is stricter and refuses while the vehicle is rented,
 * so that a rental in progress is ended (and settled) by the rental context first. Only a holder
 * of vehicles.decommission may do it, asked before anything about the vehicle is told.
 */
export function decideDecommissionVehicle(state: DecommissionVehicleState, command: DecommissionVehicle, context: CommandContext): Decision {
  const forbidden = checkActorHolds(context, 'vehicles.decommission', 'FLEET');
  if (forbidden !== undefined) return forbidden;
  const from = state.vehicleStatus;
  if (from === undefined) return reject('FLEET.VEHICLE_NOT_FOUND', `There is no vehicle ${command.vehicleId}.`);
  if (from === 'rented') return reject('FLEET.VEHICLE_RENTED', `Vehicle ${command.vehicleId} is rented; end the rental first.`);
  const refused = checkStatusMove(command.vehicleId, from, 'decommissioned');
  if (refused !== undefined) return refused;
  const reason = command.reason.trim();
  if (reason === '' || reason.length > DECOMMISSION_REASON_LENGTH_MAX) {
    return reject('FLEET.INVALID_REASON', `A reason has 1 to ${DECOMMISSION_REASON_LENGTH_MAX} characters.`);
  }
  return {
    kind: 'accepted',
    aggregateId: command.vehicleId,
    resourcePath: `/v1/vehicles/${command.vehicleId}`,
    events: [
      {
        type: VEHICLE_STATE_CHANGED,
        aggregateType: 'vehicle',
        aggregateId: command.vehicleId,
        payload: {
          vehicleId: command.vehicleId,
          from,
          to: 'decommissioned',
          cause: DECOMMISSION_CAUSE,
          reason,
          at: context.now.getTime(),
          actor: context.metadata.actor,
        },
      },
    ],
  };
}

/** Asserts the decoded record's shape where it crosses into the domain. */
export function parseDecommissionVehicle(value: unknown): DecommissionVehicle {
  const field = recordOf('DecommissionVehicle', value);
  return { vehicleId: field('vehicleId', isString), reason: field('reason', isString) };
}

/** The status an accepted status change (a decommission, another context's move) leaves, as its VehicleStateChanged says. */
export function stateChangedFrom(decision: Acceptance): VehicleStatus {
  const from = decision.events.find((candidate) => candidate.type === VEHICLE_STATE_CHANGED)?.payload.from;
  if (!isVehicleStatus(from)) throw new Error('an accepted status change carries no VehicleStateChanged with a known status');
  return from;
}
