import { reject, type Acceptance, type CommandContext, type Decision, type Rejection } from '../runtime/command-handler';
import { isNullableInteger, isNullableString, isString, recordOf } from '../../platform/decoded';
import { checkModelYear, checkText, checkVin } from './vehicle-details';
import type { VehicleStatus } from './vehicle-status';

/** The details UpdateVehicle may change; the status changes only through the life cycle. */
export interface VehicleDetails {
  readonly make: string;
  readonly model: string;
  readonly variant: string | null;
  readonly year: number | null;
  readonly vehicleClass: string;
  readonly vin: string | null;
}

export const DETAIL_FIELDS = ['make', 'model', 'variant', 'year', 'vehicleClass', 'vin'] as const;
export type DetailField = (typeof DETAIL_FIELDS)[number];

/** fleet.UpdateVehicle, as decoded from Avro: null means "leave as it is". */
export type UpdateVehicle = { readonly vehicleId: string; readonly expectedVersion: number | null } & {
  readonly [Field in DetailField]: NonNullable<VehicleDetails[Field]> | null;
};

export interface UpdateVehicleState {
  /** The vehicle as it is now; undefined when there is no such vehicle. */
  readonly vehicle: (VehicleDetails & { readonly status: VehicleStatus; readonly rowVersion: number }) | undefined;
}

/** The fields that change, with their new values. */
export type DetailChanges = { -readonly [Field in DetailField]?: NonNullable<VehicleDetails[Field]> };

export const VEHICLE_UPDATED = 'fleet.VehicleUpdated';

function normalised(command: UpdateVehicle): UpdateVehicle {
  const trim = (value: string | null) => (value === null ? null : value.trim());
  return { ...command, make: trim(command.make), model: trim(command.model), variant: trim(command.variant), vehicleClass: trim(command.vehicleClass) };
}

function invalidDetail(command: UpdateVehicle, now: Date): Rejection | undefined {
  for (const field of ['make', 'model', 'variant', 'vehicleClass'] as const) {
    const value = command[field];
    const refused = value === null ? undefined : checkText(field, value);
    if (refused !== undefined) return refused;
  }
  return (command.vin === null ? undefined : checkVin(command.vin)) ?? (command.year === null ? undefined : checkModelYear(command.year, now));
}

/** The fields whose given value differs from the vehicle's. */
export function changesOf(current: VehicleDetails, command: UpdateVehicle): DetailChanges {
  const changes: Record<string, string | number> = {};
  for (const field of DETAIL_FIELDS) {
    const value = command[field];
    if (value !== null && value !== current[field]) changes[field] = value;
  }
  return changes;
}

/**
 * The rule for changing a vehicle's details. An update that names no field is refused
 * (FLEET.NOTHING_TO_UPDATE: the sender has a bug); one whose values are all the vehicle's already
 * is accepted without effect (no event, no new version), so a retried update stays harmless.
 * expectedVersion, when given, must be the vehicle's row version (optimistic concurrency: the
 * sender saw it in vehicles_view). Whether a new VIN belongs to another vehicle is for the unique
 * key to say (the handler maps it to FLEET.VIN_TAKEN).
 */
export function decideUpdateVehicle(state: UpdateVehicleState, received: UpdateVehicle, context: CommandContext): Decision {
  const vehicle = state.vehicle;
  const command = normalised(received);
  if (vehicle === undefined) return reject('FLEET.VEHICLE_NOT_FOUND', `There is no vehicle ${command.vehicleId}.`);
  if (vehicle.status === 'decommissioned') return reject('FLEET.VEHICLE_DECOMMISSIONED', `Vehicle ${command.vehicleId} is decommissioned; its record is closed.`);
  if (command.expectedVersion !== null && command.expectedVersion !== vehicle.rowVersion) {
    return reject('FLEET.VERSION_CONFLICT', `Vehicle ${command.vehicleId} is at version ${vehicle.rowVersion}, not ${command.expectedVersion}; read it again.`);
  }
  if (DETAIL_FIELDS.every((field) => command[field] === null)) return reject('FLEET.NOTHING_TO_UPDATE', 'The update names no field to change.');
  const invalid = invalidDetail(command, context.now);
  if (invalid !== undefined) return invalid;
  const changes = changesOf(vehicle, command);
  const resourcePath = `/v1/vehicles/${command.vehicleId}`;
  if (Object.keys(changes).length === 0) return { kind: 'accepted', aggregateId: command.vehicleId, resourcePath, events: [] };
  return {
    kind: 'accepted',
    aggregateId: command.vehicleId,
    resourcePath,
    events: [
      {
        type: VEHICLE_UPDATED,
        aggregateType: 'vehicle',
        aggregateId: command.vehicleId,
        payload: {
          vehicleId: command.vehicleId,
          ...Object.fromEntries(DETAIL_FIELDS.map((field) => [field, changes[field] ?? null])),
          // touch_row() adds one to row_version on every UPDATE; the handler checks it did.
          version: vehicle.rowVersion + 1,
          updatedAt: context.now.getTime(),
        },
      },
    ],
  };
}

/** Asserts the decoded record's shape where it crosses into the domain. */
export function parseUpdateVehicle(value: unknown): UpdateVehicle {
  const field = recordOf('UpdateVehicle', value);
  return {
    vehicleId: field('vehicleId', isString),
    expectedVersion: field('expectedVersion', isNullableInteger),
    make: field('make', isNullableString),
    model: field('model', isNullableString),
    variant: field('variant', isNullableString),
    year: field('year', isNullableInteger),
    vehicleClass: field('vehicleClass', isNullableString),
    vin: field('vin', isNullableString),
  };
}

/** The change an accepted UpdateVehicle decided on; undefined when it changes nothing. */
export function plannedUpdate(decision: Acceptance): { readonly changes: DetailChanges; readonly version: number } | undefined {
  const event = decision.events.find((candidate) => candidate.type === VEHICLE_UPDATED);
  if (event === undefined) return undefined;
  const changes: Record<string, unknown> = {};
  for (const field of DETAIL_FIELDS) if (event.payload[field] !== null) changes[field] = event.payload[field];
  return { changes: changes, version: event.payload.version as number };
}
