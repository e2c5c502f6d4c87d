import { decideVoidOdometerReading, parseVoidOdometerReading, type VoidOdometerReading, type VoidOdometerReadingState } from '../../processors/fleet/void-odometer-reading';
import type { CommandContext } from '../../processors/runtime/command-handler';

const now = new Date('2026-11-23T12:00:00.000Z');
const actor = '7d7c8b7e-1f1e-4c3a-9a55-0e4f3b2a1c11';
const context: CommandContext = {
  now,
  metadata: {
    messageId: 'c0a80101-0000-4000-8000-000000000003',
    messageType: 'fleet.VoidOdometerReading',
    correlationId: 'corr-3',
    causationId: null,
    actor,
    actorPermissions: null,
    traceparent: null,
    occurredAt: now.toISOString(),
  },
};
const vehicleId = '3f2b8a51-96c4-4c1e-a7b2-2f0f3f9d1c01';
const command: VoidOdometerReading = { vehicleId, readingId: '9a1d6f0e-2b3c-4d5e-8f90-a1b2c3d4e5f6', reason: ' typed 12345 as 123450 ' };
const state: VoidOdometerReadingState = { vehicleStatus: 'rented', reading: { vehicleId, voided: false } };

describe('voiding an odometer reading', () => {
  it('accepts: OdometerReadingVoided with the trimmed reason, the time and the actor', () => {
    expect(decideVoidOdometerReading(state, command, context)).toEqual({
      kind: 'accepted',
      aggregateId: vehicleId,
      resourcePath: `/v1/vehicles/${vehicleId}`,
      events: [
        {
          type: 'fleet.OdometerReadingVoided',
          aggregateType: 'vehicle',
          aggregateId: vehicleId,
          payload: { vehicleId, readingId: command.readingId, reason: 'typed 12345 as 123450', voidedAt: now.getTime(), actor },
        },
      ],
    });
  });

  it.each<[string, Partial<VoidOdometerReadingState>, Partial<VoidOdometerReading>, string]>([
    ['an unknown vehicle', { vehicleStatus: undefined }, {}, 'FLEET.VEHICLE_NOT_FOUND'],
    ['an unknown reading', { reading: undefined }, {}, 'FLEET.READING_NOT_FOUND'],
    ['a reading of another vehicle', { reading: { vehicleId: command.readingId, voided: false } }, {}, 'FLEET.READING_NOT_FOUND'],
    ['a reading voided before', { reading: { vehicleId, voided: true } }, {}, 'FLEET.READING_ALREADY_VOIDED'],
    ['a reading of a decommissioned vehicle', { vehicleStatus: 'decommissioned' }, {}, 'FLEET.VEHICLE_DECOMMISSIONED'],
    ['a blank reason', {}, { reason: '  ' }, 'FLEET.INVALID_REASON'],
    ['a reason of 501 characters', {}, { reason: 'x'.repeat(501) }, 'FLEET.INVALID_REASON'],
  ])('rejects %s', (_case, given, change, reasonCode) => {
    expect(decideVoidOdometerReading({ ...state, ...given }, { ...command, ...change }, context)).toMatchObject({ kind: 'rejected', reasonCode });
  });

  it('refuses a decoded record of the wrong shape, naming the field', () => {
    expect(parseVoidOdometerReading(command)).toEqual(command);
    expect(() => parseVoidOdometerReading({ ...command, reason: null })).toThrow('VoidOdometerReading.reason has an unexpected type');
  });
});
