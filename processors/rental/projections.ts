import { reject, type Decision } from '../runtime/command-handler';
import { dateOf, isInteger, isNullableString, isString, recordOf } from '../../platform/decoded';
import type { ProjectedVehicle, ProjectedVehicleStatus } from './rental-state';

/**
 * The rental context's copies of other contexts' facts: the fleet's vehicles and the maintenance
 * jobs that block them. Events may come late, twice or out of order: each copy keeps the newest
 * fact by the time it happened (ties go to the one applied last), and a fact older than what is
 * kept changes nothing. A fact about a vehicle the copy never saw registered is a conflict: the
 * runtime logs and counts it and the stream goes on.
 */

const VEHICLE_STATUSES: readonly ProjectedVehicleStatus[] = ['active', 'rented', 'under_maintenance', 'decommissioned'];

/** A fleet event as the vehicle copy uses it: what changed, and when. */
export interface VehicleFact {
  readonly type: 'registered' | 'updated' | 'state_changed';
  readonly vehicleId: string;
  readonly at: Date;
  readonly plateNumber?: string;
  readonly vehicleClass?: string;
  readonly status?: ProjectedVehicleStatus;
}

export interface VehicleFactState {
  readonly vehicle: ProjectedVehicle | undefined;
}

function statusOf(recordName: string, status: string): ProjectedVehicleStatus {
  if (!(VEHICLE_STATUSES as readonly string[]).includes(status)) throw new TypeError(`${recordName} has an unknown vehicle status ${JSON.stringify(status)}`);
  return status as ProjectedVehicleStatus;
}

export function parseVehicleRegistered(value: unknown): VehicleFact {
  const field = recordOf('VehicleRegistered', value);
  return {
    type: 'registered',
    vehicleId: field('vehicleId', isString),
    at: dateOf(field('registeredAt', isInteger)),
    plateNumber: field('plateNumber', isString),
    vehicleClass: field('vehicleClass', isString),
    status: statusOf('VehicleRegistered', field('status', isString)),
  };
}

export function parseVehicleUpdated(value: unknown): VehicleFact {
  const field = recordOf('VehicleUpdated', value);
  const vehicleClass = field('vehicleClass', isNullableString);
  return { type: 'updated', vehicleId: field('vehicleId', isString), at: dateOf(field('updatedAt', isInteger)), ...(vehicleClass === null ? {} : { vehicleClass }) };
}

export function parseVehicleStateChanged(value: unknown): VehicleFact {
  const field = recordOf('VehicleStateChanged', value);
  return { type: 'state_changed', vehicleId: field('vehicleId', isString), at: dateOf(field('at', isInteger)), status: statusOf('VehicleStateChanged', field('to', isString)) };
}

/** Whether the copy follows the fact: only a registration may introduce a vehicle. */
export function decideVehicleFact(state: VehicleFactState, fact: VehicleFact): Decision {
  if (state.vehicle === undefined && fact.type !== 'registered') {
    return reject('RENTAL.VEHICLE_NOT_FOUND', `The rental context never saw vehicle ${fact.vehicleId} registered.`);
  }
  return { kind: 'accepted', aggregateId: fact.vehicleId, resourcePath: null, events: [] };
}

/** The vehicle copy after the fact, or undefined when the fact is older than the copy (or a repeat). */
export function projectVehicle(existing: ProjectedVehicle | undefined, fact: VehicleFact, eventId: string): ProjectedVehicle | undefined {
  if (existing === undefined) {
    if (fact.type !== 'registered') return undefined;
    return { vehicleId: fact.vehicleId, plateNumber: fact.plateNumber!, vehicleClass: fact.vehicleClass!, status: fact.status!, locationId: null, lastEventId: eventId, lastEventAt: fact.at };
  }
  if (existing.lastEventId === eventId || fact.at.getTime() < existing.lastEventAt.getTime()) return undefined;
  return {
    ...existing,
    plateNumber: fact.plateNumber ?? existing.plateNumber,
    vehicleClass: fact.vehicleClass ?? existing.vehicleClass,
    status: fact.status ?? existing.status,
    lastEventId: eventId,
    lastEventAt: fact.at,
  };
}

/** A maintenance job as the rental context keeps it: the period it blocks its vehicle for. */
export interface MaintenanceWindow {
  readonly jobId: string;
  readonly vehicleId: string;
  readonly kind: string | null;
  readonly plannedStart: Date | null;
  readonly plannedEnd: Date | null;
  readonly startedAt: Date | null;
  readonly from: Date;
  readonly until: Date;
  readonly status: 'scheduled' | 'in_progress' | 'completed' | 'cancelled';
  readonly lastEventId: string;
  readonly lastEventAt: Date;
}

export type MaintenanceFact =
  | { readonly type: 'scheduled'; readonly jobId: string; readonly vehicleId: string; readonly kind: string; readonly windowStart: Date; readonly windowEnd: Date }
  | { readonly type: 'started'; readonly jobId: string; readonly vehicleId: string; readonly at: Date }
  | { readonly type: 'completed' | 'cancelled'; readonly jobId: string; readonly vehicleId: string; readonly at: Date };

/**
 * A job in progress may overrun its plan: it blocks its vehicle at least this long from its start,
 * or until its planned end when that is later, until it is completed.
 */
export const IN_PROGRESS_BLOCK_MS = 24 * 60 * 60 * 1000;

export function parseMaintenanceScheduled(value: unknown): MaintenanceFact {
  const field = recordOf('MaintenanceScheduled', value);
  return {
    type: 'scheduled',
    jobId: field('jobId', isString),
    vehicleId: field('vehicleId', isString),
    kind: field('kind', isString),
    windowStart: dateOf(field('windowStart', isInteger)),
    windowEnd: dateOf(field('windowEnd', isInteger)),
  };
}

export function parseMaintenanceStarted(value: unknown): MaintenanceFact {
  const field = recordOf('MaintenanceStarted', value);
  return { type: 'started', jobId: field('jobId', isString), vehicleId: field('vehicleId', isString), at: dateOf(field('startedAt', isInteger)) };
}

export function parseMaintenanceCompleted(value: unknown): MaintenanceFact {
  const field = recordOf('MaintenanceCompleted', value);
  return { type: 'completed', jobId: field('jobId', isString), vehicleId: field('vehicleId', isString), at: dateOf(field('completedAt', isInteger)) };
}

export function parseMaintenanceCancelled(value: unknown): MaintenanceFact {
  const field = recordOf('MaintenanceCancelled', value);
  return { type: 'cancelled', jobId: field('jobId', isString), vehicleId: field('vehicleId', isString), at: dateOf(field('cancelledAt', isInteger)) };
}

/** Maintenance facts are followed whatever the vehicle (a window of a vehicle the copy does not know yet still blocks it once it is known). */
export function decideMaintenanceFact(fact: MaintenanceFact): Decision {
  if (fact.type === 'scheduled' && fact.windowEnd.getTime() <= fact.windowStart.getTime()) {
    return reject('RENTAL.INVALID_MAINTENANCE_WINDOW', `Maintenance job ${fact.jobId} ends before it starts.`);
  }
  return { kind: 'accepted', aggregateId: fact.vehicleId, resourcePath: null, events: [] };
}

/**
 * The window after the fact, or undefined when the fact changes nothing: it is older than the one
 * kept, a repeat, or about a job already completed or cancelled (those are final). `occurredAt` is
 * when the fact happened (MaintenanceScheduled carries no time of its own: its message's time).
 */
export function projectMaintenance(existing: MaintenanceWindow | undefined, fact: MaintenanceFact, eventId: string, occurredAt: Date): MaintenanceWindow | undefined {
  const at = fact.type === 'scheduled' ? occurredAt : fact.at;
  if (existing !== undefined) {
    if (existing.lastEventId === eventId || existing.status === 'completed' || existing.status === 'cancelled') return undefined;
    if (at.getTime() < existing.lastEventAt.getTime()) return undefined;
  }
  const base = {
    jobId: fact.jobId,
    vehicleId: fact.vehicleId,
    kind: existing?.kind ?? null,
    plannedStart: existing?.plannedStart ?? null,
    plannedEnd: existing?.plannedEnd ?? null,
    startedAt: existing?.startedAt ?? null,
    lastEventId: eventId,
    lastEventAt: at,
  };
  switch (fact.type) {
    case 'scheduled':
      // A job already under way keeps blocking from its start; the new plan only moves its planned end.
      if (existing?.status === 'in_progress') return { ...existing, kind: fact.kind, plannedStart: fact.windowStart, plannedEnd: fact.windowEnd, until: inProgressUntil(existing.startedAt ?? existing.from, fact.windowEnd), lastEventId: eventId, lastEventAt: at };
      return { ...base, kind: fact.kind, plannedStart: fact.windowStart, plannedEnd: fact.windowEnd, from: fact.windowStart, until: fact.windowEnd, status: 'scheduled' };
    case 'started':
      return { ...base, startedAt: fact.at, from: fact.at, until: inProgressUntil(fact.at, base.plannedEnd), status: 'in_progress' };
    case 'completed':
    case 'cancelled':
      // Kept as a marker, so that a late MaintenanceScheduled of the same job does not block again.
      return { ...base, from: existing?.from ?? fact.at, until: existing?.until ?? new Date(fact.at.getTime() + 1), status: fact.type };
    default: {
      const unexpected: never = fact;
      throw new Error(`unexpected maintenance fact ${JSON.stringify(unexpected)}`);
    }
  }
}

function inProgressUntil(startedAt: Date, plannedEnd: Date | null): Date {
  return new Date(Math.max(plannedEnd?.getTime() ?? 0, startedAt.getTime() + IN_PROGRESS_BLOCK_MS));
}
