import { reject, type CommandContext, type Decision, type DomainEvent } from '../runtime/command-handler';
import { isString, recordOf } from '../../platform/decoded';
import type { VehicleStatus } from './vehicle-status';

/** fleet.VoidOdometerReading, as decoded from Avro. */
export interface VoidOdometerReading {
  readonly vehicleId: string;
  readonly readingId: string;
  readonly reason: string;
}

export interface VoidOdometerReadingState {
  /** The vehicle's status; undefined when there is no such vehicle. */
  readonly vehicleStatus: VehicleStatus | undefined;
  /** The reading, if it exists: its vehicle and whether it is voided already. */
  readonly reading: { readonly vehicleId: string; readonly voided: boolean } | undefined;
}

export const ODOMETER_READING_VOIDED = 'fleet.OdometerReadingVoided';
export const VOID_REASON_LENGTH_MAX = 500;

/** The fact that a reading no longer counts, with who voided it (the command's actor header). */
export function odometerReadingVoided(vehicleId: string, readingId: string, reason: string, context: CommandContext): DomainEvent {
  return {
    type: ODOMETER_READING_VOIDED,
    aggregateType: 'vehicle',
    aggregateId: vehicleId,
    payload: { vehicleId, readingId, reason, voidedAt: context.now.getTime(), actor: context.metadata.actor },
  };
}

/**
 * The rule for voiding a wrong reading: it must be a reading of this vehicle, not voided before
 * (a reading is voided once; the database's trigger refuses a second time), and the reason must
 * say why. A decommissioned vehicle's readings are closed like the rest of its record.
 */
export function decideVoidOdometerReading(state: VoidOdometerReadingState, command: VoidOdometerReading, context: CommandContext): Decision {
  if (state.vehicleStatus === undefined) return reject('FLEET.VEHICLE_NOT_FOUND', `There is no vehicle ${command.vehicleId}.`);
  if (state.reading === undefined || state.reading.vehicleId !== command.vehicleId) {
    return reject('FLEET.READING_NOT_FOUND', `Vehicle ${command.vehicleId} has no reading ${command.readingId}.`);
  }
  if (state.reading.voided) return reject('FLEET.READING_ALREADY_VOIDED', `Reading ${command.readingId} is voided already.`);
  if (state.vehicleStatus === 'decommissioned') {
    return reject('FLEET.VEHICLE_DECOMMISSIONED', `Vehicle ${command.vehicleId} is decommissioned; its readings can no longer change.`);
  }
  const reason = command.reason.trim();
  if (reason === '' || reason.length > VOID_REASON_LENGTH_MAX) {
    return reject('FLEET.INVALID_REASON', `A reason has 1 to ${VOID_REASON_LENGTH_MAX} characters.`);
  }
  return {
    kind: 'accepted',
    aggregateId: command.vehicleId,
    resourcePath: `/v1/vehicles/${command.vehicleId}`,
    events: [odometerReadingVoided(command.vehicleId, command.readingId, reason, context)],
  };
}

/** Asserts the decoded record's shape where it crosses into the domain. */
export function parseVoidOdometerReading(value: unknown): VoidOdometerReading {
  const field = recordOf('VoidOdometerReading', value);
  return { vehicleId: field('vehicleId', isString), readingId: field('readingId', isString), reason: field('reason', isString) };
}
