import { rejectionStatus } from '../../gateway/commands/command-responses';
import { Header, readMetadata, writeMetadata, type MessageMetadata } from '../../platform/message-headers';

/** The actor's permissions travel in a header of their own, and a refusal about the actor answers 403. */
const metadata: MessageMetadata = {
  messageId: 'c0a80101-0000-4000-8000-000000000001',
  messageType: 'fleet.DecommissionVehicle',
  correlationId: 'c0a80101-0000-4000-8000-000000000002',
  causationId: null,
  actor: '7d7c8b7e-1f1e-4c3a-9a55-0e4f3b2a1c11',
  actorPermissions: new Set(['vehicles.read', 'vehicles.decommission']),
  traceparent: null,
  occurredAt: '2026-11-23T12:00:00.000Z',
};

describe('the actor-permissions header', () => {
  it('is written space-separated and sorted, and read back as the same set', () => {
    const headers = writeMetadata(metadata);
    expect(headers[Header.actorPermissions]).toBe('vehicles.decommission vehicles.read');
    expect(readMetadata(headers)).toEqual(metadata);
  });

  it('tells an empty set (the actor holds nothing) from an absent header (nobody said)', () => {
    expect(readMetadata(writeMetadata({ ...metadata, actorPermissions: new Set() })).actorPermissions).toEqual(new Set());
    const withoutPermissions = writeMetadata(metadata);
    delete withoutPermissions[Header.actorPermissions];
    expect(readMetadata(withoutPermissions).actorPermissions).toBeNull();
    expect(writeMetadata({ ...metadata, actorPermissions: null })).not.toHaveProperty(Header.actorPermissions);
  });
});

describe('the HTTP status of a rejection', () => {
  it.each([
    ['FLEET.NOT_PERMITTED', 403],
    ['MAINTENANCE.NOT_PERMITTED', 403],
    ['MAINTENANCE.NOT_ASSIGNED_TO_ACTOR', 403],
    ['RENTAL.NOT_PRICED', 422],
    ['MAINTENANCE.VEHICLE_IN_WORKSHOP', 409],
    ['MAINTENANCE.JOB_NOT_SCHEDULED', 422],
  ])('answers %s with %d', (reasonCode, status) => {
    expect(rejectionStatus(reasonCode)).toBe(status);
  });
});
