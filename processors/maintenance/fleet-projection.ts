import { reject, type Acceptance, type CommandContext, type Decision, type DomainEvent } from '../runtime/command-handler';
import { isInteger, isNullableString, isString, recordOf } from '../../platform/decoded';
import { VEHICLE_STATUSES, type VehicleStatus } from './maintenance-job';
import { applicablePlan, assessServiceDue, serviceDueEvent, type ServiceBasis, type ServicePlan } from './service-due';

/**
 * The fleet facts the workshop follows, each kept in the maintenance schema: a vehicle's
 * registration, class and status, and its odometer readings. Every one tolerates a duplicate and
 * a late arrival: a status or class older than the one held is ignored, a reading is stored once
 * by its id, and a void may come before the reading it voids.
 */
export interface VehicleRegistered {
  readonly vehicleId: string;
  readonly plateNumber: string;
  readonly vehicleClass: string;
  readonly status: VehicleStatus;
  readonly registeredAt: Date;
}

export interface VehicleClassChanged {
  readonly vehicleId: string;
  /** Null when this update left the class alone. */
  readonly vehicleClass: string | null;
  readonly version: number;
}

export interface VehicleStatusChanged {
  readonly vehicleId: string;
  readonly to: VehicleStatus;
  readonly at: Date;
}

export interface OdometerRecorded {
  readonly readingId: string;
  readonly vehicleId: string;
  readonly readingKm: number;
  readonly recordedAt: Date;
}

export interface OdometerReadingVoided {
  readonly readingId: string;
  readonly vehicleId: string;
  readonly voidedAt: Date;
}

function vehicleStatusOf(recordName: string, candidate: string): VehicleStatus {
  if (!VEHICLE_STATUSES.includes(candidate as VehicleStatus)) throw new TypeError(`${recordName} names an unknown vehicle status ${candidate}`);
  return candidate as VehicleStatus;
}

export function parseVehicleRegistered(value: unknown): VehicleRegistered {
  const field = recordOf('fleet.VehicleRegistered', value);
  return {
    vehicleId: field('vehicleId', isString),
    plateNumber: field('plateNumber', isString),
    vehicleClass: field('vehicleClass', isString),
    status: vehicleStatusOf('fleet.VehicleRegistered', field('status', isString)),
    registeredAt: new Date(field('registeredAt', isInteger)),
  };
}

export function parseVehicleUpdated(value: unknown): VehicleClassChanged {
  const field = recordOf('fleet.VehicleUpdated', value);
  return { vehicleId: field('vehicleId', isString), vehicleClass: field('vehicleClass', isNullableString), version: field('version', isInteger) };
}

export function parseVehicleStateChanged(value: unknown): VehicleStatusChanged {
  const field = recordOf('fleet.VehicleStateChanged', value);
  return { vehicleId: field('vehicleId', isString), to: vehicleStatusOf('fleet.VehicleStateChanged', field('to', isString)), at: new Date(field('at', isInteger)) };
}

export function parseOdometerRecorded(value: unknown): OdometerRecorded {
  const field = recordOf('fleet.OdometerRecorded', value);
  return { readingId: field('readingId', isString), vehicleId: field('vehicleId', isString), readingKm: field('readingKm', isInteger), recordedAt: new Date(field('recordedAt', isInteger)) };
}

export function parseOdometerReadingVoided(value: unknown): OdometerReadingVoided {
  const field = recordOf('fleet.OdometerReadingVoided', value);
  return { readingId: field('readingId', isString), vehicleId: field('vehicleId', isString), voidedAt: new Date(field('voidedAt', isInteger)) };
}

/** A fleet fact the projection takes in; it announces nothing itself. */
export function followed(vehicleId: string): Acceptance {
  return { kind: 'accepted', aggregateId: vehicleId, resourcePath: null, events: [] };
}

/** A fact about a vehicle the workshop has not heard of: a conflict the runtime logs and skips. */
export function unknownVehicle(vehicleId: string): Decision {
  return reject('MAINTENANCE.VEHICLE_NOT_FOUND', `The workshop has not heard of vehicle ${vehicleId} being registered.`);
}

/** What a new odometer reading is judged against. */
export interface OdometerState {
  /** Whether the workshop knows the vehicle (its registration arrived). */
  readonly vehicleKnown: boolean;
  /** Whether this reading was already voided (its void arrived first) or already stored. */
  readonly readingSettled: boolean;
  readonly vehiclePlan: ServicePlan | undefined;
  readonly classPlan: ServicePlan | undefined;
  readonly basis: ServiceBasis | undefined;
  /** The highest valid reading before this one; null before the vehicle's first valid reading. */
  readonly currentKm: number | null;
  /** Whether the distance reminder for this plan and basis was already announced. */
  readonly kmNoticed: (planId: string, basis: string) => boolean;
}

/**
 * Takes a reading in; when it brings the vehicle within reach of its distance threshold (due soon
 * or overdue) for the first time since the basis, the decision carries the ServiceDue reminder.
 */
export function decideOdometerRecorded(state: OdometerState, event: OdometerRecorded, context: CommandContext): Decision {
  const decision = followed(event.vehicleId);
  if (!state.vehicleKnown || state.readingSettled || state.basis === undefined) return decision;
  const plan = applicablePlan(state.vehiclePlan, state.classPlan);
  if (plan === undefined || plan.everyKm === null || state.kmNoticed(plan.id, state.basis.name)) return decision;
  // Counted from registration, the vehicle's first reading is where the count starts.
  const basis = state.currentKm === null && state.basis.name === 'registration' ? { ...state.basis, km: event.readingKm } : state.basis;
  const km = Math.max(state.currentKm ?? event.readingKm, event.readingKm);
  const reminder: DomainEvent | undefined = serviceDueEvent(event.vehicleId, plan, basis, assessServiceDue(plan, basis, km, context.now), 'km', context.now);
  return reminder === undefined ? decision : { ...decision, events: [reminder] };
}
