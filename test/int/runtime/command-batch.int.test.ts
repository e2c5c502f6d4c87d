import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { AvroCodec } from '../../../platform/avro-codec';
import { createDatabase } from '../../../platform/database';
import { Header } from '../../../platform/message-headers';
import { createSchemaRegistry } from '../../../platform/schema-registry';
import { fleetHandlers } from '../../../processors/fleet/fleet.handlers';
import { FleetRepository } from '../../../processors/fleet/fleet.repository';
import { CommandProcessor, type IncomingMessage } from '../../../processors/runtime/command-processor';
import { IntegrationRepository } from '../../../processors/runtime/integration.repository';
import { ScratchDatabase } from '../../support/database';
import { uniqueName } from '../../support/names';
import { silentLogger } from '../../support/silent-logger';
import { stackEnv } from '../../support/stack-env';

/**
 * One consumer batch through CommandProcessor on the real PostgreSQL and registry, as the fleet
 * login: accepted commands share one optimistic pass; a command the database refuses sends the
 * batch through again one savepoint per message, and leaves nothing but its rejection; a message
 * id seen before, in an earlier batch or earlier in the same one, has no second effect.
 */
const env = stackEnv();

describe('a batch of commands in one transaction', () => {
  const database = new ScratchDatabase();
  const topic = uniqueName('test.fleet.commands');
  const codec = new AvroCodec(createSchemaRegistry(env.schemaRegistryUrl));
  const topics = { events: 'fleet.events', results: 'command.results' };
  const processor = new CommandProcessor(new IntegrationRepository('fleet'), codec, topics, fleetHandlers(new FleetRepository()), silentLogger);
  let fleet: Knex;

  beforeAll(async () => {
    await database.create({ migrate: true });
    fleet = createDatabase({ url: database.urlFor('fleet_svc'), poolSizeMax: 2, statementTimeoutMs: 10_000, applicationName: 'command-batch-test' });
  }, 60_000);

  afterAll(async () => {
    await fleet.destroy();
    await database.drop();
  });

  async function registration(plateNumber: string, messageId = randomUUID(), messageType = 'fleet.RegisterVehicle'): Promise<IncomingMessage & { id: string; vehicleId: string }> {
    const vehicleId = randomUUID();
    const value = await codec.encode(topic, 'fleet.RegisterVehicle', {
      vehicleId,
      plateNumber,
      vin: null,
      make: 'Skoda',
      model: 'Enyaq',
      variant: null,
      year: 2025,
      vehicleClass: 'suv',
    });
    const headers = {
      [Header.messageId]: messageId,
      [Header.messageType]: messageType,
      [Header.correlationId]: randomUUID(),
      [Header.occurredAt]: new Date().toISOString(),
    };
    return { id: messageId, vehicleId, value, headers };
  }

  const count = async (query: Knex.QueryBuilder): Promise<number> => Number(((await query.count({ count: '*' }).first()) as { count: string }).count);

  const run = (messages: IncomingMessage[]) => processor.processBatch(fleet, messages);

  it('keeps the accepted neighbours of a refused command and records only its rejection', async () => {
    const first = await registration('B-AT 1');
    const samePlate = await registration('B-AT 1');
    const third = await registration('B-AT 3');

    expect(await run([first, samePlate, third, first])).toEqual(['accepted', 'rejected', 'accepted', 'duplicate']);

    const vehicles = await fleet.withSchema('fleet').table('vehicles').whereIn('plate_number', ['B-AT 1', 'B-AT 3']).orderBy('plate_number').pluck('id');
    expect(vehicles).toEqual([first.vehicleId, third.vehicleId]);
    const history: string[] = await fleet
      .withSchema('fleet')
      .table('vehicle_status_history')
      .whereIn('vehicle_id', [first.vehicleId, samePlate.vehicleId, third.vehicleId])
      .pluck('vehicle_id');
    expect(history.sort()).toEqual([first.vehicleId, third.vehicleId].sort());

    const inbox: { message_id: string; outcome: string; reason_code: string | null }[] = await fleet
      .withSchema('fleet')
      .table('inbox_processed_messages')
      .whereIn('message_id', [first.id, samePlate.id, third.id])
      .select('message_id', 'outcome', 'reason_code');
    expect(inbox).toHaveLength(3);
    expect(inbox.find((row) => row.message_id === samePlate.id)).toMatchObject({ outcome: 'rejected', reason_code: 'FLEET.PLATE_NUMBER_TAKEN' });
    expect(inbox.filter((row) => row.outcome === 'accepted').map((row) => row.message_id).sort()).toEqual([first.id, third.id].sort());

    // The outbox holds each command's events and its result, in the order the commands came.
    const outbox: { event_type: string; topic: string; headers: Record<string, string> }[] = await fleet
      .withSchema('fleet')
      .table('outbox_events')
      .whereRaw(`headers->>'causation-id' = ANY(?)`, [[first.id, samePlate.id, third.id]])
      .orderBy('sequence')
      .select('event_type', 'topic', 'headers');
    expect(outbox.map((row) => [row.headers['causation-id'], row.event_type, row.topic])).toEqual([
      [first.id, 'fleet.VehicleRegistered', topics.events],
      [first.id, 'platform.CommandResult', topics.results],
      [samePlate.id, 'platform.CommandResult', topics.results],
      [third.id, 'fleet.VehicleRegistered', topics.events],
      [third.id, 'platform.CommandResult', topics.results],
    ]);
  });

  it('gives a batch delivered again no second effect', async () => {
    const batch = [await registration('B-AT 10'), await registration('B-AT 11')];
    expect(await run(batch)).toEqual(['accepted', 'accepted']);
    const outboxBefore = await count(fleet.withSchema('fleet').table('outbox_events'));
    expect(await run(batch)).toEqual(['duplicate', 'duplicate']);
    expect(await count(fleet.withSchema('fleet').table('outbox_events'))).toBe(outboxBefore);
  });

  it('records a message type it has no handler for as ignored, without an event or a result', async () => {
    const unknown = await registration('B-AT 20', randomUUID(), 'fleet.SomethingNew');
    const accepted = await registration('B-AT 21');
    expect(await run([unknown, accepted])).toEqual(['ignored', 'accepted']);
    const inbox = await fleet.withSchema('fleet').table('inbox_processed_messages').where('message_id', unknown.id).first('outcome');
    expect(inbox).toEqual({ outcome: 'ignored' });
    expect(await count(fleet.withSchema('fleet').table('outbox_events').whereRaw(`headers->>'causation-id' = ?`, [unknown.id]))).toBe(0);
  });

  it('rolls the whole batch back when a handler fails, leaving every message to be handled again', async () => {
    const good = await registration('B-AT 30');
    const undecodable = { ...(await registration('B-AT 31')), value: Buffer.from('not avro') };
    await expect(run([good, undecodable])).rejects.toThrow();
    expect(await count(fleet.withSchema('fleet').table('inbox_processed_messages').whereIn('message_id', [good.id, undecodable.id]))).toBe(0);
    expect(await fleet.withSchema('fleet').table('vehicles').where('plate_number', 'B-AT 30').first()).toBeUndefined();
    // Handled again without the broken message, the good one goes through as new.
    expect(await run([good])).toEqual(['accepted']);
  });
});
