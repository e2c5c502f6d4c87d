import type { CommandContext } from '../../processors/runtime/command-handler';
import { decideStatusMove, parseStatusMoveEvent, STATUS_MOVES, type StatusMove } from '../../processors/fleet/status-moves';
import type { VehicleStatus } from '../../processors/fleet/vehicle-status';

/** The fleet follows other contexts' events through its life cycle; a move it refuses is a conflict. */
describe('status moves caused by other contexts', () => {
  const vehicleId = '0b8f2c71-6a0e-4f6b-9a52-3c1d2e4f5a60';
  const context: CommandContext = {
    now: new Date('2026-11-23T10:00:00Z'),
    metadata: { messageId: 'm-1', messageType: 'x', correlationId: 'c', causationId: null, actor: null, actorPermissions: null, traceparent: null, occurredAt: '2026-11-23T10:00:00Z' },
  };
  const move = (eventType: string): StatusMove => STATUS_MOVES.find((candidate) => candidate.eventType === eventType)!;
  const at = new Date('2026-11-23T09:59:00Z');
  const decide = (eventType: string, status: VehicleStatus | undefined) => decideStatusMove(move(eventType), { vehicleStatus: status }, { vehicleId, at }, context);

  it.each([
    ['rental.RentalActivated', 'active', 'rented'],
    ['rental.RentalCompleted', 'rented', 'active'],
    ['maintenance.MaintenanceStarted', 'active', 'under_maintenance'],
    ['maintenance.MaintenanceCompleted', 'under_maintenance', 'active'],
  ] as const)('%s moves a vehicle from %s to %s, and says so with its time and cause', (eventType, from, to) => {
    expect(decide(eventType, from)).toMatchObject({
      kind: 'accepted',
      events: [{ type: 'fleet.VehicleStateChanged', payload: { vehicleId, from, to, cause: eventType, at: at.getTime() } }],
    });
  });

  it.each([
    ['rental.RentalActivated', 'under_maintenance', 'FLEET.ILLEGAL_STATUS_CHANGE'],
    ['rental.RentalActivated', 'rented', 'FLEET.STATUS_UNCHANGED'],
    ['maintenance.MaintenanceStarted', 'rented', 'FLEET.ILLEGAL_STATUS_CHANGE'],
    ['maintenance.MaintenanceCompleted', 'active', 'FLEET.STATUS_UNCHANGED'],
    ['rental.RentalCompleted', 'decommissioned', 'FLEET.VEHICLE_DECOMMISSIONED'],
    ['rental.RentalCompleted', undefined, 'FLEET.VEHICLE_NOT_FOUND'],
  ] as const)('%s is refused for a vehicle that is %s (%s)', (eventType, from, reasonCode) => {
    expect(decide(eventType, from)).toMatchObject({ kind: 'rejected', reasonCode });
  });

  it('reads its event, and refuses a record of another shape', () => {
    expect(parseStatusMoveEvent(move('maintenance.MaintenanceStarted'), { jobId: 'j', vehicleId, startedAt: at.getTime() })).toEqual({ vehicleId, at });
    expect(() => parseStatusMoveEvent(move('maintenance.MaintenanceStarted'), { rentalId: 'r', vehicleId, activatedAt: 1 })).toThrow(TypeError);
  });
});
