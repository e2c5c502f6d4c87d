import { decideDecommissionVehicle, stateChangedFrom, parseDecommissionVehicle, type DecommissionVehicle } from '../../processors/fleet/decommission-vehicle';
import type { CommandContext } from '../../processors/runtime/command-handler';
import type { VehicleStatus } from '../../processors/fleet/vehicle-status';
import { ROLE_PERMISSIONS } from '../../platform/access';

const now = new Date('2026-11-23T12:00:00.000Z');
const actor = '7d7c8b7e-1f1e-4c3a-9a55-0e4f3b2a1c11';
const context: CommandContext = {
  now,
  metadata: {
    messageId: 'c0a80101-0000-4000-8000-000000000004',
    messageType: 'fleet.DecommissionVehicle',
    correlationId: 'corr-4',
    causationId: null,
    actor,
    actorPermissions: new Set(ROLE_PERMISSIONS.fleet_manager),
    traceparent: null,
    occurredAt: now.toISOString(),
  },
};
const vehicleId = '3f2b8a51-96c4-4c1e-a7b2-2f0f3f9d1c01';
const command: DecommissionVehicle = { vehicleId, reason: ' sold at auction ' };

describe('decommissioning a vehicle', () => {
  it.each<VehicleStatus>(['active', 'under_maintenance'])('accepts a vehicle that is %s: VehicleStateChanged with cause, reason, time and actor', (from) => {
    const decision = decideDecommissionVehicle({ vehicleStatus: from }, command, context);
    expect(decision).toEqual({
      kind: 'accepted',
      aggregateId: vehicleId,
      resourcePath: `/v1/vehicles/${vehicleId}`,
      events: [
        {
          type: 'fleet.VehicleStateChanged',
          aggregateType: 'vehicle',
          aggregateId: vehicleId,
          payload: { vehicleId, from, to: 'decommissioned', cause: 'DecommissionVehicle', reason: 'sold at auction', at: now.getTime(), actor },
        },
      ],
    });
    expect(decision.kind === 'accepted' && stateChangedFrom(decision)).toBe(from);
  });

  it.each<[string, VehicleStatus | undefined, Partial<DecommissionVehicle>, string]>([
    ['an unknown vehicle', undefined, {}, 'FLEET.VEHICLE_NOT_FOUND'],
    ['a rented vehicle (the life cycle would allow it; this command does not)', 'rented', {}, 'FLEET.VEHICLE_RENTED'],
    ['a vehicle decommissioned already', 'decommissioned', {}, 'FLEET.VEHICLE_DECOMMISSIONED'],
    ['a blank reason', 'active', { reason: ' ' }, 'FLEET.INVALID_REASON'],
  ])('rejects %s', (_case, vehicleStatus, change, reasonCode) => {
    expect(decideDecommissionVehicle({ vehicleStatus }, { ...command, ...change }, context)).toMatchObject({ kind: 'rejected', reasonCode });
  });

  it.each<[string, ReadonlySet<string> | null]>([
    ['an actor without vehicles.decommission', new Set(ROLE_PERMISSIONS.mechanic)],
    ['a command that does not say what its actor holds', null],
  ])('refuses %s, before telling anything about the vehicle', (_case, actorPermissions) => {
    const refused = { kind: 'rejected', reasonCode: 'FLEET.NOT_PERMITTED', message: "This needs the permission vehicles.decommission, which the command's actor does not hold." };
    const unpermitted: CommandContext = { ...context, metadata: { ...context.metadata, actorPermissions } };
    expect(decideDecommissionVehicle({ vehicleStatus: 'active' }, command, unpermitted)).toEqual(refused);
    expect(decideDecommissionVehicle({ vehicleStatus: undefined }, command, unpermitted)).toEqual(refused);
  });

  it('refuses a decoded record of the wrong shape, naming the field', () => {
    expect(parseDecommissionVehicle(command)).toEqual(command);
    expect(() => parseDecommissionVehicle({ vehicleId })).toThrow('DecommissionVehicle.reason has an unexpected type');
  });
});
