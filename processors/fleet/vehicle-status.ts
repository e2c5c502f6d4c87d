/**
 * The life cycle of a vehicle (spec: `active -> rented -> active`, `active -> under_maintenance ->
 * active`, `* -> decommissioned`). Every status change of the fleet context, whether a command
 * (DecommissionVehicle) or an event of another context (a rental starting, a job finishing),
 * asks this one table whether the move is allowed.
 */
import { VEHICLE_STATUSES, type VehicleStatus } from '../../schemas/fleet/vehicle-statuses';
import { reject, type Rejection } from '../runtime/command-handler';

export { VEHICLE_STATUSES, type VehicleStatus };

/** Decommissioned is terminal: nothing moves a vehicle out of it. */
export const TERMINAL_STATUSES: ReadonlySet<VehicleStatus> = new Set(['decommissioned']);

const ALLOWED_MOVES: Readonly<Record<VehicleStatus, readonly VehicleStatus[]>> = {
  active: ['rented', 'under_maintenance', 'decommissioned'],
  rented: ['active', 'decommissioned'],
  under_maintenance: ['active', 'decommissioned'],
  decommissioned: [],
};

export function isVehicleStatus(candidate: unknown): candidate is VehicleStatus {
  return typeof candidate === 'string' && (VEHICLE_STATUSES as readonly string[]).includes(candidate);
}

/**
 * Whether a vehicle may move from `from` to `to`: undefined when it may, otherwise the rejection.
 * A move to the status it already has is refused too (FLEET.STATUS_UNCHANGED): a caller that
 * wants idempotence decides so itself rather than emitting a change that did not happen.
 */
export function checkStatusMove(vehicleId: string, from: VehicleStatus, to: VehicleStatus): Rejection | undefined {
  if (TERMINAL_STATUSES.has(from)) {
    return reject('FLEET.VEHICLE_DECOMMISSIONED', `Vehicle ${vehicleId} is decommissioned; its status can no longer change.`);
  }
  if (from === to) return reject('FLEET.STATUS_UNCHANGED', `Vehicle ${vehicleId} is ${from} already.`);
  if (!ALLOWED_MOVES[from].includes(to)) {
    return reject('FLEET.ILLEGAL_STATUS_CHANGE', `A vehicle cannot go from ${from} to ${to}.`);
  }
  return undefined;
}
