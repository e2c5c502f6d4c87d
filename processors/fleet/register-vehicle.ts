import { reject, type CommandContext, type Decision } from '../runtime/command-handler';
import { isNullableInteger, isNullableString, isString, recordOf } from '../../platform/decoded';
import { checkModelYear, checkVin } from './vehicle-details';

/** fleet.RegisterVehicle, as decoded from Avro. */
export interface RegisterVehicle {
  readonly vehicleId: string;
  readonly plateNumber: string;
  readonly vin: string | null;
  readonly make: string;
  readonly model: string;
  readonly variant: string | null;
  readonly year: number | null;
  readonly vehicleClass: string;
}

export interface RegisterVehicleState {
  /** Whether a vehicle with this id already exists. */
  readonly alreadyRegistered: boolean;
}

export const VEHICLE_REGISTERED = 'fleet.VehicleRegistered';
const PLATE_NUMBER_LENGTH_MAX = 20;

/**
 * The rule for registering a vehicle: a new id, a plausible plate, VIN and year. Whether the plate
 * or VIN is taken is for the database's unique keys to say (the handler maps that refusal).
 */
export function decideRegisterVehicle(state: RegisterVehicleState, command: RegisterVehicle, context: CommandContext): Decision {
  if (state.alreadyRegistered) {
    return reject('FLEET.VEHICLE_ALREADY_REGISTERED', `Vehicle ${command.vehicleId} is already registered.`);
  }
  const plateNumber = command.plateNumber.trim();
  if (plateNumber === '' || plateNumber.length > PLATE_NUMBER_LENGTH_MAX) {
    return reject('FLEET.INVALID_PLATE_NUMBER', `A plate number has 1 to ${PLATE_NUMBER_LENGTH_MAX} characters.`);
  }
  const invalid = (command.vin === null ? undefined : checkVin(command.vin)) ?? (command.year === null ? undefined : checkModelYear(command.year, context.now));
  if (invalid !== undefined) return invalid;
  return {
    kind: 'accepted',
    aggregateId: command.vehicleId,
    resourcePath: `/v1/vehicles/${command.vehicleId}`,
    events: [
      {
        type: VEHICLE_REGISTERED,
        aggregateType: 'vehicle',
        aggregateId: command.vehicleId,
        payload: {
          vehicleId: command.vehicleId,
          plateNumber,
          vin: command.vin,
          make: command.make,
          model: command.model,
          variant: command.variant,
          year: command.year,
          vehicleClass: command.vehicleClass,
          status: 'active',
          registeredAt: context.now.getTime(),
        },
      },
    ],
  };
}

/** Asserts the decoded record's shape where it crosses into the domain. */
export function parseRegisterVehicle(value: unknown): RegisterVehicle {
  const field = recordOf('RegisterVehicle', value);
  return {
    vehicleId: field('vehicleId', isString),
    plateNumber: field('plateNumber', isString),
    vin: field('vin', isNullableString),
    make: field('make', isString),
    model: field('model', isString),
    variant: field('variant', isNullableString),
    year: field('year', isNullableInteger),
    vehicleClass: field('vehicleClass', isString),
  };
}
