import { decideRegisterVehicle, parseRegisterVehicle, type RegisterVehicle } from '../../processors/fleet/register-vehicle';
import type { CommandContext } from '../../processors/runtime/command-handler';

const now = new Date('2026-11-23T12:00:00.000Z');
const context: CommandContext = {
  now,
  metadata: {
    messageId: 'c0a80101-0000-4000-8000-000000000001',
    messageType: 'fleet.RegisterVehicle',
    correlationId: 'corr-1',
    causationId: null,
    actor: null,
    actorPermissions: null,
    traceparent: null,
    occurredAt: now.toISOString(),
  },
};
const command: RegisterVehicle = {
  vehicleId: '3f2b8a51-96c4-4c1e-a7b2-2f0f3f9d1c01',
  plateNumber: ' B-XY 123 ',
  vin: 'WVWZZZ1KZAW000001',
  make: 'Volkswagen',
  model: 'Golf',
  variant: null,
  year: 2024,
  vehicleClass: 'compact',
};

describe('registering a vehicle', () => {
  it('accepts a new vehicle: VehicleRegistered with the trimmed plate, status active and the time', () => {
    expect(decideRegisterVehicle({ alreadyRegistered: false }, command, context)).toEqual({
      kind: 'accepted',
      aggregateId: command.vehicleId,
      resourcePath: `/v1/vehicles/${command.vehicleId}`,
      events: [
        {
          type: 'fleet.VehicleRegistered',
          aggregateType: 'vehicle',
          aggregateId: command.vehicleId,
          payload: { ...command, plateNumber: 'B-XY 123', status: 'active', registeredAt: now.getTime() },
        },
      ],
    });
  });

  it.each([
    ['an id that is already registered', { alreadyRegistered: true }, {}, 'FLEET.VEHICLE_ALREADY_REGISTERED'],
    ['an empty plate', { alreadyRegistered: false }, { plateNumber: '   ' }, 'FLEET.INVALID_PLATE_NUMBER'],
    ['a plate of 21 characters', { alreadyRegistered: false }, { plateNumber: 'X'.repeat(21) }, 'FLEET.INVALID_PLATE_NUMBER'],
    ['a VIN with the letter O', { alreadyRegistered: false }, { vin: 'WVWZZZ1KZAW00000O' }, 'FLEET.INVALID_VIN'],
    ['a model year before 1900', { alreadyRegistered: false }, { year: 1899 }, 'FLEET.INVALID_YEAR'],
    ['a model year after next year', { alreadyRegistered: false }, { year: 2028 }, 'FLEET.INVALID_YEAR'],
  ])('rejects %s', (_case, state, change, reasonCode) => {
    expect(decideRegisterVehicle(state, { ...command, ...change }, context)).toMatchObject({ kind: 'rejected', reasonCode });
  });

  it('accepts next year as a model year', () => {
    expect(decideRegisterVehicle({ alreadyRegistered: false }, { ...command, year: 2027 }, context).kind).toBe('accepted');
  });

  it('refuses a decoded record of the wrong shape, naming the field', () => {
    expect(() => parseRegisterVehicle({ ...command, year: 2024.5 })).toThrow('RegisterVehicle.year has an unexpected type');
    expect(() => parseRegisterVehicle(null)).toThrow('RegisterVehicle must be a record');
  });
});
