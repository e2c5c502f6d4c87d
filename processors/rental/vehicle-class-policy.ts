import { vehicleClassAggregateId } from '../../schemas/rental/vehicle-class-id';
import { reject, type CommandContext, type Decision } from '../runtime/command-handler';
import { isInteger, isString, recordOf } from '../../platform/decoded';
import { checkVehicleClass } from './rental-rules';

/** rental.SetVehicleClassPolicy, as decoded from Avro. */
export interface SetVehicleClassPolicy {
  readonly vehicleClass: string;
  readonly bufferMinutes: number;
}

/** The longest turnaround buffer, one week in minutes (the database checks the same bound). */
export const BUFFER_MINUTES_MAX = 10_080;


/**
 * Sets how long a vehicle of a class stays blocked after each rental ends (cleaning, checks). It
 * applies to reservations made afterwards; a rental keeps the buffer it was reserved with.
 */
export function decideSetVehicleClassPolicy(_state: undefined, command: SetVehicleClassPolicy, context: CommandContext): Decision {
  const invalid = checkVehicleClass(command.vehicleClass);
  if (invalid !== undefined) return invalid;
  if (!Number.isSafeInteger(command.bufferMinutes) || command.bufferMinutes < 0 || command.bufferMinutes > BUFFER_MINUTES_MAX) {
    return reject('RENTAL.INVALID_BUFFER', `bufferMinutes must be an integer from 0 to ${BUFFER_MINUTES_MAX}.`);
  }
  const aggregateId = vehicleClassAggregateId(command.vehicleClass);
  return {
    kind: 'accepted',
    aggregateId,
    resourcePath: null,
    events: [
      {
        type: 'rental.VehicleClassPolicySet',
        aggregateType: 'vehicle_class',
        aggregateId,
        key: command.vehicleClass,
        payload: { vehicleClass: command.vehicleClass, bufferMinutes: command.bufferMinutes, setAt: context.now.getTime() },
      },
    ],
  };
}

export function parseSetVehicleClassPolicy(value: unknown): SetVehicleClassPolicy {
  const field = recordOf('SetVehicleClassPolicy', value);
  return { vehicleClass: field('vehicleClass', isString), bufferMinutes: field('bufferMinutes', isInteger) };
}
