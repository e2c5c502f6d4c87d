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
import { membersAre } from '../../support/consumer-group';
import { eventually } from '../../support/eventually';
import { startFleetProcessor } from '../../support/fleet-processor';
import { uniqueName } from '../../support/names';
import { silentLogger } from '../../support/silent-logger';
import { stackEnv } from '../../support/stack-env';

/**
 * Partitions move while commands stream in: a second processor joins the group, then the first
 * one leaves. Every command must be handled exactly once in effect: one vehicle, one inbox row,
 * one VehicleRegistered in the outbox, one accepted result each; none lost, none refused as a
 * duplicate of itself.
 */
const env = stackEnv();
const COMMANDS = 600;
const CHUNK = 50;

describe('the fleet processor across rebalances', () => {
  const database = new ScratchDatabase();
  const topics = { commands: uniqueName('test.fleet.commands'), events: uniqueName('test.fleet.events'), results: uniqueName('test.command.results') };
  const groupId = uniqueName('test-fleet-rebalance');
  const kafka = createKafka({ brokers: env.kafkaBrokers, clientId: 'rebalance-test', logger: silentLogger });
  const admin = kafka.admin();
  const producer = createIdempotentProducer(kafka);
  const codec = new AvroCodec(createSchemaRegistry(env.schemaRegistryUrl));
  const results = new Map<string, { status: string; reasonCode: string | null }>();
  const eventIds = new Set<string>();
  const pools: Knex[] = [];
  const processors: ContextProcessor[] = [];
  let observer: KafkaJS.Consumer;

  beforeAll(async () => {
    await database.create({ migrate: true });
    await admin.connect();
    await admin.createTopics({ topics: Object.values(topics).map((topic) => ({ topic, numPartitions: 6, replicationFactor: 1 })) });
    await producer.connect();
    observer = kafka.consumer({ kafkaJS: { groupId: uniqueName('observer'), fromBeginning: true } });
    await observer.connect();
    await observer.subscribe({ topics: [topics.events, topics.results] });
    await observer.run({
      eachMessage: async ({ topic, message }) => {
        if (topic === topics.events) {
          eventIds.add(String(message.headers?.[Header.messageId]));
          return;
        }
        const result = (await codec.decode(message.value as Buffer)) as { commandId: string; status: string; reasonCode: string | null };
        results.set(result.commandId, { status: result.status, reasonCode: result.reasonCode });
      },
    });
  }, 120_000);

  afterAll(async () => {
    await observer.disconnect();
    for (const processor of processors) await processor.stop().catch(() => undefined);
    await producer.disconnect();
    await admin.deleteTopics({ topics: Object.values(topics) });
    await admin.disconnect();
    for (const pool of pools) await pool.destroy();
    await database.drop();
  });

  async function startProcessor(name: string): Promise<ContextProcessor> {
    const url = database.urlFor('fleet_svc');
    const pool = createDatabase({ url, poolSizeMax: 4, statementTimeoutMs: 10_000, applicationName: name });
    pools.push(pool);
    const processor = await startFleetProcessor({ kafka, producer, codec, database: pool, databaseUrl: url, topics, groupId });
    processors.push(processor);
    return processor;
  }



  async function sendChunk(from: number): Promise<string[]> {
    const messageIds: string[] = [];
    const messages = await Promise.all(
      Array.from({ length: CHUNK }, async (_, index) => {
        const vehicleId = randomUUID();
        const messageId = randomUUID();
        messageIds.push(messageId);
        const command = { vehicleId, plateNumber: `RB ${from + index}`, vin: null, make: 'Kia', model: 'EV6', variant: null, year: 2024, vehicleClass: 'suv' };
        return {
          key: vehicleId,
          value: await codec.encode(topics.commands, 'fleet.RegisterVehicle', command),
          headers: { [Header.messageId]: messageId, [Header.messageType]: 'fleet.RegisterVehicle', [Header.occurredAt]: new Date().toISOString() },
        };
      }),
    );
    // (The client rewrites the headers of the messages it sends, so the ids are kept aside.)
    await producer.send({ topic: topics.commands, messages });
    return messageIds;
  }

  it('handles every command once while a processor joins and another leaves', async () => {
    const first = await startProcessor('fleet-rebalance-a');
    const sent: string[] = [];
    for (let chunk = 0; chunk < COMMANDS / CHUNK; chunk += 1) {
      sent.push(...(await sendChunk(chunk * CHUNK)));
      // A second member joins a third of the way in, and the first leaves two thirds in, both mid-stream.
      if (chunk === 3) {
        await startProcessor('fleet-rebalance-b');
        await membersAre(admin, groupId, 2);
      }
      if (chunk === 7) {
        await first.stop();
        await membersAre(admin, groupId, 1);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }

    await eventually(() => (sent.every((id) => results.has(id)) ? true : undefined), 90_000, `results for all ${COMMANDS} commands`);
    const refused = sent.filter((id) => results.get(id)!.status !== 'accepted');
    expect(refused.map((id) => results.get(id))).toEqual([]);

    const fleet = pools[0]!;
    const count = async (query: Knex.QueryBuilder): Promise<number> => Number(((await query.count({ count: '*' }).first()) as { count: string }).count);
    expect(await count(fleet.withSchema('fleet').table('vehicles').where('plate_number', 'like', 'RB %'))).toBe(COMMANDS);
    expect(await count(fleet.withSchema('fleet').table('inbox_processed_messages').whereIn('message_id', sent))).toBe(COMMANDS);
    expect(await count(fleet.withSchema('fleet').table('outbox_events').where('event_type', 'fleet.VehicleRegistered'))).toBe(COMMANDS);
    // The relay may publish a row twice after a crash, never under a new id: distinct ids count events.
    await eventually(() => (eventIds.size >= COMMANDS ? true : undefined), 30_000, 'every VehicleRegistered on the topic');
    expect(eventIds.size).toBe(COMMANDS);
  }, 180_000);
});
