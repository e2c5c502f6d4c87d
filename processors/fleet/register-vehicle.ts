import { reject, type CommandContext, type Decision } from '../runtime/command-handler';

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
const VIN_PATTERN = /^[A-HJ-NPR-Z0-9]{17}$/;
const FIRST_YEAR = 1900;

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
  if (command.vin !== null && !VIN_PATTERN.test(command.vin)) {
    return reject('FLEET.INVALID_VIN', 'A VIN has 17 characters: digits and capital letters except I, O and Q.');
  }
  const latestYear = context.now.getUTCFullYear() + 1;
  if (command.year !== null && (command.year < FIRST_YEAR || command.year > latestYear)) {
    return reject('FLEET.INVALID_YEAR', `The model year must be between ${FIRST_YEAR} and ${latestYear}.`);
  }
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

function field<T>(value: Record<string, unknown>, name: string, check: (candidate: unknown) => candidate is T): T {
  const candidate = value[name];
  if (!check(candidate)) throw new TypeError(`RegisterVehicle.${name} has an unexpected type`);
  return candidate;
}
const isString = (candidate: unknown): candidate is string => typeof candidate === 'string';
const isNullableString = (candidate: unknown): candidate is string | null => candidate === null || typeof candidate === 'string';
const isNullableInteger = (candidate: unknown): candidate is number | null => candidate === null || Number.isSafeInteger(candidate);

/** Asserts the decoded record's shape where it crosses into the domain. */
export function parseRegisterVehicle(value: unknown): RegisterVehicle {
  if (typeof value !== 'object' || value === null) throw new TypeError('RegisterVehicle must be a record');
  const record = value as Record<string, unknown>;
  return {
    vehicleId: field(record, 'vehicleId', isString),
    plateNumber: field(record, 'plateNumber', isString),
    vin: field(record, 'vin', isNullableString),
    make: field(record, 'make', isString),
    model: field(record, 'model', isString),
    variant: field(record, 'variant', isNullableString),
    year: field(record, 'year', isNullableInteger),
    vehicleClass: field(record, 'vehicleClass', isString),
  };
}
