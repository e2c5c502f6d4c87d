import { reject, type CommandContext, type Decision, type DomainEvent } from '../runtime/command-handler';
import { isInteger, isNullableString, isString, recordOf } from '../../platform/decoded';
import { odometerReadingVoided } from './void-odometer-reading';
import type { VehicleStatus } from './vehicle-status';

/** fleet.RecordOdometerReading, as decoded from Avro. */
export interface RecordOdometerReading {
  readonly readingId: string;
  readonly vehicleId: string;
  readonly readingKm: number;
  readonly recordedAt: Date;
  readonly source: string;
  readonly supersedesReadingId: string | null;
}

/** A reading as stored, with whether it still counts. */
export interface StoredReading {
  readonly id: string;
  readonly vehicleId: string;
  readonly readingKm: number;
  readonly recordedAt: Date;
  readonly source: string;
  readonly supersedesReadingId: string | null;
  readonly voided: boolean;
}

export interface RecordOdometerReadingState {
  /** The vehicle's status; undefined when there is no such vehicle. */
  readonly vehicleStatus: VehicleStatus | undefined;
  /** A reading with the command's readingId, if one was recorded before. */
  readonly sameId: StoredReading | undefined;
  /** The reading named by supersedesReadingId, if any. */
  readonly superseded: StoredReading | undefined;
}

export const ODOMETER_RECORDED = 'fleet.OdometerRecorded';
/** The sources the database accepts (vehicle_odometer_readings_source_check). */
export const READING_SOURCES = ['manual', 'rental_pickup', 'rental_return', 'maintenance', 'telematics'] as const;
/** How far ahead of the processor's clock a reading may be dated: the sender's clock may run fast. */
export const READING_CLOCK_SKEW_MS_MAX = 5 * 60 * 1000;
/** The largest reading the database column (int) holds. */
const READING_KM_MAX = 2_147_483_647;

/** The reason a superseded reading is voided with. */
export function supersededReason(readingId: string): string {
  return `superseded by reading ${readingId}`;
}

function sameReading(stored: StoredReading, command: RecordOdometerReading): boolean {
  return (
    stored.vehicleId === command.vehicleId &&
    stored.readingKm === command.readingKm &&
    stored.recordedAt.getTime() === command.recordedAt.getTime() &&
    stored.source === command.source &&
    stored.supersedesReadingId === command.supersedesReadingId
  );
}

/**
 * The rule for recording an odometer reading. The id is the sender's, so a retry that records the
 * same reading again is accepted without effect (no event, nothing written), while the same id
 * with different data is refused. Whether the reading fits between its valid neighbours in time
 * is for the database's trigger to say (the handler maps that refusal to
 * FLEET.ODOMETER_OUT_OF_ORDER): it sees the readings other transactions committed.
 */
export function decideRecordOdometerReading(state: RecordOdometerReadingState, command: RecordOdometerReading, context: CommandContext): Decision {
  if (state.vehicleStatus === undefined) return reject('FLEET.VEHICLE_NOT_FOUND', `There is no vehicle ${command.vehicleId}.`);
  if (state.sameId !== undefined) {
    return sameReading(state.sameId, command)
      ? { kind: 'accepted', aggregateId: command.vehicleId, resourcePath: `/v1/vehicles/${command.vehicleId}`, events: [] }
      : reject('FLEET.READING_ID_REUSED', `Reading ${command.readingId} was recorded before with other data.`);
  }
  if (state.vehicleStatus === 'decommissioned') {
    return reject('FLEET.VEHICLE_DECOMMISSIONED', `Vehicle ${command.vehicleId} is decommissioned; its readings can no longer change.`);
  }
  if (command.readingKm < 0 || command.readingKm > READING_KM_MAX) {
    return reject('FLEET.INVALID_READING', `An odometer reading is between 0 and ${READING_KM_MAX} km.`);
  }
  if (!(READING_SOURCES as readonly string[]).includes(command.source)) {
    return reject('FLEET.INVALID_READING_SOURCE', `A reading's source is one of ${READING_SOURCES.join(', ')}.`);
  }
  if (command.recordedAt.getTime() > context.now.getTime() + READING_CLOCK_SKEW_MS_MAX) {
    return reject('FLEET.READING_IN_FUTURE', `A reading cannot be dated after ${new Date(context.now.getTime() + READING_CLOCK_SKEW_MS_MAX).toISOString()}.`);
  }
  const events: DomainEvent[] = [];
  if (command.supersedesReadingId !== null) {
    const superseded = state.superseded;
    if (superseded === undefined) return reject('FLEET.SUPERSEDED_READING_NOT_FOUND', `There is no reading ${command.supersedesReadingId}.`);
    if (superseded.vehicleId !== command.vehicleId) {
      return reject('FLEET.SUPERSEDED_READING_OF_ANOTHER_VEHICLE', `Reading ${superseded.id} belongs to another vehicle.`);
    }
    if (superseded.voided) return reject('FLEET.READING_ALREADY_VOIDED', `Reading ${superseded.id} is voided already.`);
    events.push(odometerReadingVoided(command.vehicleId, superseded.id, supersededReason(command.readingId), context));
  }
  events.push({
    type: ODOMETER_RECORDED,
    aggregateType: 'vehicle',
    aggregateId: command.vehicleId,
    payload: {
      readingId: command.readingId,
      vehicleId: command.vehicleId,
      readingKm: command.readingKm,
      recordedAt: command.recordedAt.getTime(),
      source: command.source,
      supersedesReadingId: command.supersedesReadingId,
    },
  });
  return { kind: 'accepted', aggregateId: command.vehicleId, resourcePath: `/v1/vehicles/${command.vehicleId}`, events };
}

/** An acceptance without events changes nothing: the reading was recorded before. */
export function isRepeatedReading(decision: { readonly events: readonly DomainEvent[] }): boolean {
  return decision.events.length === 0;
}

/** Asserts the decoded record's shape where it crosses into the domain. */
export function parseRecordOdometerReading(value: unknown): RecordOdometerReading {
  const field = recordOf('RecordOdometerReading', value);
  return {
    readingId: field('readingId', isString),
    vehicleId: field('vehicleId', isString),
    readingKm: field('readingKm', isInteger),
    recordedAt: new Date(field('recordedAt', isInteger)),
    source: field('source', isString),
    supersedesReadingId: field('supersedesReadingId', isNullableString),
  };
}
