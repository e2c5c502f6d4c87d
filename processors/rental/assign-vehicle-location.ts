import { reject, type CommandContext, type Decision } from '../runtime/command-handler';
import { isString, recordOf } from '../../platform/decoded';
import type { ProjectedVehicle } from './rental-state';

/** rental.AssignVehicleLocation, as decoded from Avro. */
export interface AssignVehicleLocation {
  readonly vehicleId: string;
  readonly locationId: string;
}

export interface AssignVehicleLocationState {
  /** The vehicle as the rental context knows it from the fleet's events. */
  readonly vehicle: ProjectedVehicle | undefined;
  readonly locationExists: boolean;
}

/** Places a vehicle at a location: where its next rental is picked up, until a return moves it. */
export function decideAssignVehicleLocation(state: AssignVehicleLocationState, command: AssignVehicleLocation, context: CommandContext): Decision {
  const { vehicle } = state;
  if (vehicle === undefined) return reject('RENTAL.VEHICLE_NOT_FOUND', `The rental context knows no vehicle ${command.vehicleId}.`);
  if (vehicle.status === 'decommissioned') return reject('RENTAL.VEHICLE_DECOMMISSIONED', `Vehicle ${command.vehicleId} is decommissioned.`);
  if (!state.locationExists) return reject('RENTAL.LOCATION_NOT_FOUND', `There is no location ${command.locationId}.`);
  return {
    kind: 'accepted',
    aggregateId: command.vehicleId,
    resourcePath: `/v1/vehicles/${command.vehicleId}`,
    events:
      vehicle.locationId === command.locationId
        ? []
        : [
            {
              type: 'rental.VehicleLocationAssigned',
              aggregateType: 'vehicle',
              aggregateId: command.vehicleId,
              payload: { vehicleId: command.vehicleId, locationId: command.locationId, previousLocationId: vehicle.locationId, assignedAt: context.now.getTime() },
            },
          ],
  };
}

export function parseAssignVehicleLocation(value: unknown): AssignVehicleLocation {
  const field = recordOf('AssignVehicleLocation', value);
  return { vehicleId: field('vehicleId', isString), locationId: field('locationId', isString) };
}
