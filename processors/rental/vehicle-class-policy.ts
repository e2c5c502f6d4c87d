import { createHash } from 'node:crypto';
import { reject, type CommandContext, type Decision } from '../runtime/command-handler';
import { isInteger, isString, recordOf } from './decoded';
import { checkVehicleClass } from './rental-rules';

/** rental.SetVehicleClassPolicy, as decoded from Avro. */
export interface SetVehicleClassPolicy {
  readonly vehicleClass: string;
  readonly bufferMinutes: number;
}

/** The longest turnaround buffer, one week in minutes (the database checks the same bound). */
export const BUFFER_MINUTES_MAX = 10_080;

/**
 * A vehicle class has no id of its own, but the outbox and command results name aggregates by
 * uuid: a name-based uuid (RFC 9562 version 5 layout over SHA-1) gives each class a stable one.
 */
export function vehicleClassAggregateId(vehicleClass: string): string {
  const hash = createHash('sha1').update(`rental.vehicle-class:${vehicleClass}`).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

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
