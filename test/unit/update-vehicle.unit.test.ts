import type { CommandContext } from '../../processors/runtime/command-handler';
import { decideUpdateVehicle, parseUpdateVehicle, plannedUpdate, type UpdateVehicle, type UpdateVehicleState } from '../../processors/fleet/update-vehicle';

const now = new Date('2026-11-23T12:00:00.000Z');
const context: CommandContext = {
  now,
  metadata: {
    messageId: 'c0a80101-0000-4000-8000-000000000005',
    messageType: 'fleet.UpdateVehicle',
    correlationId: 'corr-5',
    causationId: null,
    actor: null,
    actorPermissions: null,
    traceparent: null,
    occurredAt: now.toISOString(),
  },
};
const vehicleId = '3f2b8a51-96c4-4c1e-a7b2-2f0f3f9d1c01';
type Vehicle = NonNullable<UpdateVehicleState['vehicle']>;
const vehicle: Vehicle = { make: 'Skoda', model: 'Enyaq', variant: null, year: 2024, vehicleClass: 'suv', vin: null, status: 'active', rowVersion: 3 };
const nothing: UpdateVehicle = { vehicleId, expectedVersion: null, make: null, model: null, variant: null, year: null, vehicleClass: null, vin: null };
const state: UpdateVehicleState = { vehicle };

describe('updating a vehicle', () => {
  it('accepts changed fields: VehicleUpdated with the new values, null for the rest, and the next version', () => {
    const decision = decideUpdateVehicle(state, { ...nothing, expectedVersion: 3, model: ' Enyaq iV ', variant: '80', year: 2024, vin: 'TMBJB9NY5NF000001' }, context);
    expect(decision).toEqual({
      kind: 'accepted',
      aggregateId: vehicleId,
      resourcePath: `/v1/vehicles/${vehicleId}`,
      events: [
        {
          type: 'fleet.VehicleUpdated',
          aggregateType: 'vehicle',
          aggregateId: vehicleId,
          payload: { vehicleId, make: null, model: 'Enyaq iV', variant: '80', year: null, vehicleClass: null, vin: 'TMBJB9NY5NF000001', version: 4, updatedAt: now.getTime() },
        },
      ],
    });
    expect(decision.kind === 'accepted' && plannedUpdate(decision)).toEqual({ changes: { model: 'Enyaq iV', variant: '80', vin: 'TMBJB9NY5NF000001' }, version: 4 });
  });

  it('accepts values the vehicle has already, and no expected version, without an event', () => {
    const decision = decideUpdateVehicle(state, { ...nothing, make: 'Skoda', year: 2024 }, context);
    expect(decision).toEqual({ kind: 'accepted', aggregateId: vehicleId, resourcePath: `/v1/vehicles/${vehicleId}`, events: [] });
    expect(decision.kind === 'accepted' && plannedUpdate(decision)).toBeUndefined();
  });

  it.each<[string, Partial<Vehicle> | undefined, Partial<UpdateVehicle>, string]>([
    ['an unknown vehicle', undefined, { make: 'VW' }, 'FLEET.VEHICLE_NOT_FOUND'],
    ['a decommissioned vehicle', { status: 'decommissioned' }, { make: 'VW' }, 'FLEET.VEHICLE_DECOMMISSIONED'],
    ['a version the vehicle has moved on from', {}, { expectedVersion: 2, make: 'VW' }, 'FLEET.VERSION_CONFLICT'],
    ['an update that names no field', {}, {}, 'FLEET.NOTHING_TO_UPDATE'],
    ['a blank make', {}, { make: '  ' }, 'FLEET.INVALID_VEHICLE_DETAILS'],
    ['a blank variant (null leaves it, it cannot be cleared)', {}, { variant: '' }, 'FLEET.INVALID_VEHICLE_DETAILS'],
    ['a malformed VIN', {}, { vin: 'TMBJB9NY5NF00000O' }, 'FLEET.INVALID_VIN'],
    ['a model year after next year', {}, { year: 2028 }, 'FLEET.INVALID_YEAR'],
  ])('rejects %s', (_case, change, update, reasonCode) => {
    const given: UpdateVehicleState = { vehicle: change === undefined ? undefined : { ...vehicle, ...change } };
    expect(decideUpdateVehicle(given, { ...nothing, ...update }, context)).toMatchObject({ kind: 'rejected', reasonCode });
  });

  it('refuses a decoded record of the wrong shape, naming the field', () => {
    expect(parseUpdateVehicle({ ...nothing, expectedVersion: 7 })).toEqual({ ...nothing, expectedVersion: 7 });
    expect(() => parseUpdateVehicle({ ...nothing, year: '2024' })).toThrow('UpdateVehicle.year has an unexpected type');
  });
});
