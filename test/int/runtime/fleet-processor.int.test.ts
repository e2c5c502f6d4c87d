import type { KafkaJS } from '@confluentinc/kafka-javascript';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { AvroCodec } from '../../../platform/avro-codec';
import { createDatabase } from '../../../platform/database';
import { createIdempotentProducer, createKafka } from '../../../platform/kafka';
import { Header } from '../../../platform/message-headers';
import { createSchemaRegistry } from '../../../platform/schema-registry';
import type { ContextProcessor } from '../../../processors/runtime/context-processor';
import { ScratchDatabase } from '../../support/database';
import { startFleetProcessor } from '../../support/fleet-processor';
import { eventually } from '../../support/eventually';
import { uniqueName } from '../../support/names';
import { silentLogger } from '../../support/silent-logger';
import { stackEnv } from '../../support/stack-env';

/**
 * The processing guarantees with the fleet context's RegisterVehicle, on the real broker,
 * registry and PostgreSQL: one transaction for inbox, state and outbox; the relay publishes the
 * event and the command result with the command as causation; a redelivered message has one
 * effect; a refusal by the database is a rejection with its reason code.
 */
const env = stackEnv();

interface Received {
  readonly key: string;
  readonly headers: Record<string, string>;
  readonly value: unknown;
}

describe('the fleet processor on the real stack', () => {
  const database = new ScratchDatabase();
  const topics = { commands: uniqueName('test.fleet.commands'), events: uniqueName('test.fleet.events'), results: uniqueName('test.command.results') };
  const kafka = createKafka({ brokers: env.kafkaBrokers, clientId: 'fleet-processor-test', logger: silentLogger });
  const admin = kafka.admin();
  const producer = createIdempotentProducer(kafka);
  const codec = new AvroCodec(createSchemaRegistry(env.schemaRegistryUrl));
  const received: Record<string, Received[]> = { [topics.events]: [], [topics.results]: [] };
  let fleetDatabase: Knex;
  let processor: ContextProcessor;
  let observer: KafkaJS.Consumer;

  beforeAll(async () => {
    await database.create({ migrate: true });
    await admin.connect();
    await admin.createTopics({ topics: Object.values(topics).map((topic) => ({ topic, numPartitions: 2, replicationFactor: 1 })) });
    await producer.connect();
    const fleetUrl = database.urlFor('fleet_svc');
    fleetDatabase = createDatabase({ url: fleetUrl, poolSizeMax: 4, statementTimeoutMs: 10_000, applicationName: 'fleet-test' });
    processor = await startFleetProcessor({ kafka, producer, codec, database: fleetDatabase, databaseUrl: fleetUrl, topics });
    observer = kafka.consumer({ kafkaJS: { groupId: uniqueName('observer'), fromBeginning: true } });
    await observer.connect();
    await observer.subscribe({ topics: [topics.events, topics.results] });
    await observer.run({
      eachMessage: async ({ topic, message }) => {
        const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)]));
        received[topic]!.push({ key: String(message.key), headers, value: await codec.decode(message.value as Buffer) });
      },
    });
  }, 120_000);

  afterAll(async () => {
    await observer.disconnect();
    await processor.stop();
    await producer.disconnect();
    await admin.deleteTopics({ topics: Object.values(topics) });
    await admin.disconnect();
    await fleetDatabase.destroy();
    await database.drop();
  });

  async function send(command: Record<string, unknown>, messageId = randomUUID(), correlationId = randomUUID()): Promise<string> {
    await producer.send({
      topic: topics.commands,
      messages: [
        {
          key: String(command.vehicleId),
          value: await codec.encode(topics.commands, 'fleet.RegisterVehicle', command),
          headers: {
            [Header.messageId]: messageId,
            [Header.messageType]: 'fleet.RegisterVehicle',
            [Header.correlationId]: correlationId,
            [Header.actor]: '7b0f8a9e-5a43-4c5e-9d7e-0c7d2d9c1a11',
            [Header.occurredAt]: new Date().toISOString(),
          },
        },
      ],
    });
    return messageId;
  }

  const registration = (plateNumber: string) => ({
    vehicleId: randomUUID(),
    plateNumber,
    vin: null,
    make: 'Volkswagen',
    model: 'ID.3',
    variant: null,
    year: 2025,
    vehicleClass: 'compact',
  });

  const resultOf = (commandId: string) =>
    eventually(() => received[topics.results]!.find((result) => result.key === commandId), 30_000, `the result of ${commandId}`);

  it('registers the vehicle, publishes VehicleRegistered caused by the command, and answers accepted', async () => {
    const command = registration('HH-RV 101');
    const correlationId = randomUUID();
    const commandId = await send(command, randomUUID(), correlationId);

    const result = await resultOf(commandId);
    const event = await eventually(() => received[topics.events]!.find((candidate) => candidate.key === command.vehicleId), 30_000, 'the event');

    expect(result.value).toEqual({
      commandId,
      commandType: 'fleet.RegisterVehicle',
      status: 'accepted',
      reasonCode: null,
      message: null,
      aggregateId: command.vehicleId,
      resourcePath: `/v1/vehicles/${command.vehicleId}`,
      completedAt: expect.any(Number),
    });
    expect(event.value).toEqual({ ...command, status: 'active', registeredAt: expect.any(Number) });
    expect(event.headers).toMatchObject({
      [Header.messageType]: 'fleet.VehicleRegistered',
      [Header.correlationId]: correlationId,
      [Header.causationId]: commandId,
      [Header.actor]: '7b0f8a9e-5a43-4c5e-9d7e-0c7d2d9c1a11',
    });
    expect(event.headers[Header.messageId]).toMatch(/^[0-9a-f-]{36}$/);
    expect(await fleetDatabase('fleet.vehicles').where('id', command.vehicleId).select('plate_number', 'status')).toEqual([
      { plate_number: 'HH-RV 101', status: 'active' },
    ]);
    expect(await fleetDatabase('fleet.vehicle_status_history').where('vehicle_id', command.vehicleId).select('from_status', 'to_status')).toEqual([
      { from_status: null, to_status: 'active' },
    ]);
  });

  it('has one effect when the same message is delivered twice', async () => {
    const command = registration('HH-RV 202');
    const messageId = randomUUID();
    await send(command, messageId);
    await send(command, messageId);
    const marker = await send(registration('HH-RV 203'));

    // The marker was produced after both copies to the same topic; once it is answered, both copies were handled.
    await resultOf(marker);
    await resultOf(messageId);
    expect(received[topics.results]!.filter((result) => result.key === messageId)).toHaveLength(1);
    expect(received[topics.events]!.filter((event) => event.key === command.vehicleId)).toHaveLength(1);
    expect(await fleetDatabase('fleet.vehicles').where('id', command.vehicleId).count<{ count: number }[]>('* as count')).toEqual([{ count: 1 }]);
  });

  it('rejects a second vehicle with a taken plate, with its reason code and no event', async () => {
    const first = registration('HH-RV 303');
    await resultOf(await send(first));
    const duplicate = registration('HH-RV 303');

    const result = await resultOf(await send(duplicate));

    expect(result.value).toMatchObject({ status: 'rejected', reasonCode: 'FLEET.PLATE_NUMBER_TAKEN', aggregateId: null });
    expect(received[topics.events]!.filter((event) => event.key === duplicate.vehicleId)).toEqual([]);
    expect(await fleetDatabase('fleet.vehicles').where('id', duplicate.vehicleId)).toEqual([]);
    expect(await fleetDatabase('fleet.inbox_processed_messages').where('reason_code', 'FLEET.PLATE_NUMBER_TAKEN').select('outcome')).toEqual([
      { outcome: 'rejected' },
    ]);
  });
});
