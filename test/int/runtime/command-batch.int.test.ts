import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { AvroCodec } from '../../../platform/avro-codec';
import { createDatabase } from '../../../platform/database';
import { Header } from '../../../platform/message-headers';
import { createSchemaRegistry } from '../../../platform/schema-registry';
import { fleetHandlers } from '../../../processors/fleet/fleet.handlers';
import { FleetRepository } from '../../../processors/fleet/fleet.repository';
import { BatchWritesRefused, type CommandHandler } from '../../../processors/runtime/command-handler';
import { CommandProcessor, type IncomingMessage } from '../../../processors/runtime/command-processor';
import { isTransient } from '../../../platform/failures';
import { IntegrationRepository } from '../../../processors/runtime/integration.repository';
import { ScratchDatabase } from '../../support/database';
import { uniqueName } from '../../support/names';
import { silentLogger } from '../../support/silent-logger';
import { stackEnv } from '../../support/stack-env';

/**
 * One consumer batch through CommandProcessor on the real PostgreSQL and registry, as the fleet
 * login: accepted commands share one optimistic pass; a command the database refuses sends the
 * batch through again one savepoint per message, and leaves nothing but its rejection; a message
 * id seen before, in an earlier batch or earlier in the same one, has no second effect. A handler
 * may read ahead for the whole optimistic pass and defer its writes to its beforeCommit; if the
 * database refuses them, the batch runs again message by message with writes sent at once.
 */
const env = stackEnv();

describe('a batch of commands in one transaction', () => {
  const database = new ScratchDatabase();
  const topic = uniqueName('test.fleet.commands');
  const codec = new AvroCodec(createSchemaRegistry(env.schemaRegistryUrl));
  const topics = { events: 'fleet.events', results: 'command.results' };
  // The fleet handlers, with one that fails the way a bug would on plates starting BOOM.
  const [registerVehicle] = fleetHandlers(new FleetRepository()) as [CommandHandler<{ plateNumber: string }>];
  const exploding: CommandHandler<{ plateNumber: string }> = {
    ...registerVehicle,
    load: async (transaction, command) => {
      if (command.plateNumber.startsWith('BOOM')) {
        // A statement the database refuses, as a handler bug might write: it aborts the transaction.
        await transaction.raw('SELECT 1 / 0');
      }
      return registerVehicle.load(transaction, command);
    },
  };
  const processor = new CommandProcessor(new IntegrationRepository('fleet'), codec, topics, [exploding], silentLogger);
  let fleet: Knex;

  beforeAll(async () => {
    await database.create({ migrate: true });
    fleet = createDatabase({ url: database.urlFor('fleet_svc'), poolSizeMax: 2, statementTimeoutMs: 10_000, applicationName: 'command-batch-test' });
  }, 60_000);

  afterAll(async () => {
    await fleet.destroy();
    await database.drop();
  });

  async function registration(
    plateNumber: string,
    messageId = randomUUID(),
    messageType = 'fleet.RegisterVehicle',
  ): Promise<{ id: string; vehicleId: string; value: Buffer; headers: Record<string, string> }> {
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

  const run = async (messages: IncomingMessage[]) => (await processor.processBatch(fleet, messages)).map((result) => result.outcome);

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

  it('reads ahead once per optimistic pass, lets it defer writes, and runs it again message by message when the deferred writes are refused', async () => {
    const calls: string[] = [];
    let refuse = true;
    const deferring: CommandHandler<{ plateNumber: string }> = {
      ...registerVehicle,
      prepare: async (_transaction, commands) => void calls.push(`prepare ${commands.length}`),
      apply: async (transaction, decision, command, context) => {
        calls.push(`apply ${context.deferWrites === true ? 'deferred' : 'at once'}`);
        return registerVehicle.apply(transaction, decision, command, context);
      },
      beforeCommit: async () => {
        calls.push('beforeCommit');
        if (refuse) {
          refuse = false;
          throw new BatchWritesRefused(new Error('a unique key another transaction took'));
        }
      },
    };
    const hooked = new CommandProcessor(new IntegrationRepository('fleet'), codec, topics, [deferring], silentLogger);
    const batch = [await registration('B-AT 90'), await registration('B-AT 91')];

    expect((await hooked.processBatch(fleet, batch)).map((result) => result.outcome)).toEqual(['accepted', 'accepted']);
    // The refused optimistic pass left nothing; the second pass wrote each message in its savepoint.
    expect(calls).toEqual(['prepare 2', 'apply deferred', 'apply deferred', 'beforeCommit', 'apply at once', 'apply at once']);
    expect(await count(fleet.withSchema('fleet').table('vehicles').whereIn('plate_number', ['B-AT 90', 'B-AT 91']))).toBe(2);
    expect(await count(fleet.withSchema('fleet').table('inbox_processed_messages').whereIn('message_id', batch.map((message) => message.id)))).toBe(2);

    calls.length = 0;
    expect((await hooked.processBatch(fleet, [await registration('B-AT 92')])).map((result) => result.outcome)).toEqual(['accepted']);
    expect(calls).toEqual(['prepare 1', 'apply deferred', 'beforeCommit']);

    // A read-ahead that fails for good (not an outage) does not stop the batch either.
    calls.length = 0;
    const failingReadAhead = new CommandProcessor(
      new IntegrationRepository('fleet'),
      codec,
      topics,
      [{ ...deferring, prepare: () => Promise.reject(new Error('a read-ahead bug')) }],
      silentLogger,
    );
    expect((await failingReadAhead.processBatch(fleet, [await registration('B-AT 93')])).map((result) => result.outcome)).toEqual(['accepted']);
    expect(calls).toEqual(['apply at once']);
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

  it('leaves out a message whose handler fails, and commits its neighbours', async () => {
    const before = await registration('B-AT 30');
    const failing = await registration('BOOM 31');
    const after = await registration('B-AT 32');
    const results = await processor.processBatch(fleet, [before, failing, after]);
    expect(results.map((result) => result.outcome)).toEqual(['accepted', 'failed', 'accepted']);
    expect(results[1]).toMatchObject({ kind: 'handler', errorClass: 'handler/DatabaseError:22012', metadata: { messageId: failing.id } });
    // The failed one left nothing behind, not even its inbox row: a retry can still process it.
    expect(await count(fleet.withSchema('fleet').table('inbox_processed_messages').where('message_id', failing.id))).toBe(0);
    expect(await count(fleet.withSchema('fleet').table('vehicles').whereIn('plate_number', ['B-AT 30', 'B-AT 32']))).toBe(2);
    expect(await count(fleet.withSchema('fleet').table('outbox_events').whereRaw(`headers->>'causation-id' = ?`, [failing.id]))).toBe(0);
  });

  it('tells poison apart: no value, bytes that are not Avro, a schema id the registry does not know, a missing header', async () => {
    const good = await registration('B-AT 40');
    const notAvro = { ...(await registration('B-AT 41')), value: Buffer.from('not avro') };
    const base = await registration('B-AT 42');
    const unknownSchema = { ...base, value: Buffer.concat([Buffer.from([0, 0x7f, 0xff, 0xff, 0x00]), base.value.subarray(5)]) };
    const noValue = { ...(await registration('B-AT 43')), value: null };
    const headersWithoutId = { ...(await registration('B-AT 44')).headers };
    delete headersWithoutId[Header.messageId];
    const noMessageId = { value: good.value, headers: headersWithoutId };
    const results = await processor.processBatch(fleet, [good, notAvro, unknownSchema, noValue, noMessageId]);
    expect(results.map((result) => (result.outcome === 'failed' ? `${result.kind} ${result.errorClass}` : result.outcome))).toEqual([
      'accepted',
      'poison poison/undecodable',
      'poison poison/unknown-schema',
      'poison poison/undecodable',
      'poison poison/missing-header',
    ]);
    expect(await count(fleet.withSchema('fleet').table('inbox_processed_messages').whereIn('message_id', [notAvro.id, unknownSchema.id, noValue.id]))).toBe(0);
  });

  it('fails the whole batch, committing nothing, when the database is unreachable', async () => {
    const unreachable = createDatabase({ url: new URL('postgres://fleet_svc:x@127.0.0.1:1/nowhere'), poolSizeMax: 1, statementTimeoutMs: 1_000, applicationName: 'unreachable', logger: silentLogger });
    try {
      const message = await registration('B-AT 50');
      const failure = await processor.processBatch(unreachable, [message]).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(isTransient(failure)).toBe(true);
    } finally {
      await unreachable.destroy();
    }
  });
});
