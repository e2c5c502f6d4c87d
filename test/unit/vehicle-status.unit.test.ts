import { checkStatusMove, VEHICLE_STATUSES, type VehicleStatus } from '../../processors/fleet/vehicle-status';

/**
 * The vehicle life cycle, every pair of statuses: the spec's moves (active ⇄ rented, active ⇄
 * under_maintenance, any non-terminal status → decommissioned) are allowed and every other one
 * is refused with its reason code.
 */
const vehicleId = '3f2b8a51-96c4-4c1e-a7b2-2f0f3f9d1c01';
const allowed: [VehicleStatus, VehicleStatus][] = [
  ['active', 'rented'],
  ['rented', 'active'],
  ['active', 'under_maintenance'],
  ['under_maintenance', 'active'],
  ['active', 'decommissioned'],
  ['rented', 'decommissioned'],
  ['under_maintenance', 'decommissioned'],
];
const isAllowed = (from: VehicleStatus, to: VehicleStatus) => allowed.some(([allowedFrom, allowedTo]) => allowedFrom === from && allowedTo === to);
const forbidden = VEHICLE_STATUSES.flatMap((from) => VEHICLE_STATUSES.map((to): [VehicleStatus, VehicleStatus] => [from, to])).filter(([from, to]) => !isAllowed(from, to));

function expectedReason(from: VehicleStatus, to: VehicleStatus): string {
  if (from === 'decommissioned') return 'FLEET.VEHICLE_DECOMMISSIONED';
  if (from === to) return 'FLEET.STATUS_UNCHANGED';
  return 'FLEET.ILLEGAL_STATUS_CHANGE';
}

describe('the vehicle life cycle', () => {
  it.each(allowed)('allows %s → %s', (from, to) => {
    expect(checkStatusMove(vehicleId, from, to)).toBeUndefined();
  });

  it.each(forbidden)('refuses %s → %s', (from, to) => {
    expect(checkStatusMove(vehicleId, from, to)).toMatchObject({ kind: 'rejected', reasonCode: expectedReason(from, to) });
  });

  it('covers all sixteen pairs of statuses', () => {
    expect(allowed.length + forbidden.length).toBe(VEHICLE_STATUSES.length ** 2);
    expect(forbidden).toEqual(
      expect.arrayContaining([
        ['rented', 'under_maintenance'],
        ['under_maintenance', 'rented'],
        ['decommissioned', 'active'],
        ['decommissioned', 'decommissioned'],
      ]),
    );
  });
});
