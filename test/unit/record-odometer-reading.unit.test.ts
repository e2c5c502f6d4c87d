import {
  decideRecordOdometerReading,
  parseRecordOdometerReading,
  type RecordOdometerReading,
  type RecordOdometerReadingState,
  type StoredReading,
} from '../../processors/fleet/record-odometer-reading';
import type { CommandContext } from '../../processors/runtime/command-handler';

const now = new Date('2026-11-23T12:00:00.000Z');
const actor = '7d7c8b7e-1f1e-4c3a-9a55-0e4f3b2a1c11';
const context: CommandContext = {
  now,
  metadata: {
    messageId: 'c0a80101-0000-4000-8000-000000000002',
    messageType: 'fleet.RecordOdometerReading',
    correlationId: 'corr-2',
    causationId: null,
    actor,
    actorPermissions: null,
    traceparent: null,
    occurredAt: now.toISOString(),
  },
};
const vehicleId = '3f2b8a51-96c4-4c1e-a7b2-2f0f3f9d1c01';
const command: RecordOdometerReading = {
  readingId: '9a1d6f0e-2b3c-4d5e-8f90-a1b2c3d4e5f6',
  vehicleId,
  readingKm: 12_345,
  recordedAt: new Date('2026-11-23T09:30:00.000Z'),
  source: 'manual',
  supersedesReadingId: null,
};
const wrong: StoredReading = {
  id: '0b0b0b0b-0000-4000-8000-00000000000b',
  vehicleId,
  readingKm: 99_999,
  recordedAt: new Date('2026-11-23T09:00:00.000Z'),
  source: 'manual',
  supersedesReadingId: null,
  voided: false,
};
const state: RecordOdometerReadingState = { vehicleStatus: 'active', sameId: undefined, superseded: undefined };
const stored = (change: Partial<StoredReading> = {}): StoredReading => ({ id: command.readingId, ...command, voided: false, ...change });

describe('recording an odometer reading', () => {
  it('accepts a reading: OdometerRecorded with the time as epoch milliseconds', () => {
    expect(decideRecordOdometerReading(state, command, context)).toEqual({
      kind: 'accepted',
      aggregateId: vehicleId,
      resourcePath: `/v1/vehicles/${vehicleId}`,
      events: [
        {
          type: 'fleet.OdometerRecorded',
          aggregateType: 'vehicle',
          aggregateId: vehicleId,
          payload: { ...command, recordedAt: command.recordedAt.getTime() },
        },
      ],
    });
  });

  it('accepts a correcting reading: the wrong one is voided first, then the correction recorded', () => {
    const correcting = { ...command, supersedesReadingId: wrong.id };
    const decision = decideRecordOdometerReading({ ...state, superseded: wrong }, correcting, context);
    expect(decision).toMatchObject({ kind: 'accepted' });
    expect(decision.kind === 'accepted' ? decision.events.map((event) => [event.type, event.payload]) : []).toEqual([
      [
        'fleet.OdometerReadingVoided',
        { vehicleId, readingId: wrong.id, reason: `superseded by reading ${command.readingId}`, voidedAt: now.getTime(), actor },
      ],
      ['fleet.OdometerRecorded', { ...correcting, recordedAt: command.recordedAt.getTime() }],
    ]);
  });

  it('accepts the same reading recorded again, on a vehicle decommissioned since too, without an event', () => {
    for (const vehicleStatus of ['active', 'decommissioned'] as const) {
      expect(decideRecordOdometerReading({ ...state, vehicleStatus, sameId: stored() }, command, context)).toEqual({
        kind: 'accepted',
        aggregateId: vehicleId,
        resourcePath: `/v1/vehicles/${vehicleId}`,
        events: [],
      });
    }
  });

  it('accepts a reading dated up to five minutes ahead of the clock, and two readings on one day', () => {
    expect(decideRecordOdometerReading(state, { ...command, recordedAt: new Date(now.getTime() + 5 * 60 * 1000) }, context).kind).toBe('accepted');
    expect(decideRecordOdometerReading(state, { ...command, recordedAt: new Date('2026-11-23T11:59:00.000Z') }, context).kind).toBe('accepted');
  });

  it.each<[string, Partial<RecordOdometerReadingState>, Partial<RecordOdometerReading>, string]>([
    ['an unknown vehicle', { vehicleStatus: undefined }, {}, 'FLEET.VEHICLE_NOT_FOUND'],
    ['a decommissioned vehicle', { vehicleStatus: 'decommissioned' }, {}, 'FLEET.VEHICLE_DECOMMISSIONED'],
    ['a reading id recorded before with another value', { sameId: stored({ readingKm: 12_000 }) }, {}, 'FLEET.READING_ID_REUSED'],
    ['a reading id recorded before for another vehicle', { sameId: stored({ vehicleId: wrong.id }) }, {}, 'FLEET.READING_ID_REUSED'],
    ['a negative reading', {}, { readingKm: -1 }, 'FLEET.INVALID_READING'],
    ['an unknown source', {}, { source: 'guess' }, 'FLEET.INVALID_READING_SOURCE'],
    ['a reading dated more than five minutes ahead', {}, { recordedAt: new Date(now.getTime() + 5 * 60 * 1000 + 1) }, 'FLEET.READING_IN_FUTURE'],
    ['superseding a reading that does not exist', {}, { supersedesReadingId: wrong.id }, 'FLEET.SUPERSEDED_READING_NOT_FOUND'],
    ['superseding a reading of another vehicle', { superseded: { ...wrong, vehicleId: wrong.id } }, { supersedesReadingId: wrong.id }, 'FLEET.SUPERSEDED_READING_OF_ANOTHER_VEHICLE'],
    ['superseding a voided reading', { superseded: { ...wrong, voided: true } }, { supersedesReadingId: wrong.id }, 'FLEET.READING_ALREADY_VOIDED'],
  ])('rejects %s', (_case, given, change, reasonCode) => {
    expect(decideRecordOdometerReading({ ...state, ...given }, { ...command, ...change }, context)).toMatchObject({ kind: 'rejected', reasonCode });
  });

  it('reads the decoded record, with the time in epoch milliseconds, and refuses one of the wrong shape', () => {
    const decoded = { ...command, recordedAt: command.recordedAt.getTime() };
    expect(parseRecordOdometerReading(decoded)).toEqual(command);
    expect(() => parseRecordOdometerReading({ ...decoded, readingKm: 1.5 })).toThrow('RecordOdometerReading.readingKm has an unexpected type');
    expect(() => parseRecordOdometerReading({ ...decoded, supersedesReadingId: undefined })).toThrow('RecordOdometerReading.supersedesReadingId has an unexpected type');
  });
});
