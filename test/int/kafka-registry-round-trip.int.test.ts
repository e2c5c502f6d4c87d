import type { KafkaJS } from '@confluentinc/kafka-javascript';
import { SchemaType } from '@kafkajs/confluent-schema-registry';
import { createIdempotentProducer, createKafka } from '../../platform/kafka';
import { createSchemaRegistry, subjectFor } from '../../platform/schema-registry';
import { uniqueName } from '../support/names';
import { silentLogger } from '../support/silent-logger';
import { stackEnv } from '../support/stack-env';

const env = stackEnv();

const vehicleRegisteredSchema = {
  type: 'record',
  name: 'VehicleRegistered',
  namespace: 'fleet.test',
  fields: [
    { name: 'vehicleId', type: 'string' },
    { name: 'vin', type: 'string' },
    { name: 'odometerKm', type: 'long' },
    { name: 'dailyRate', type: { type: 'record', name: 'Money', fields: [{ name: 'amountCents', type: 'long' }, { name: 'currency', type: 'string' }] } },
    { name: 'vehicleClass', type: ['null', 'string'], default: null },
  ],
};

describe('an Avro record through the real registry and broker', () => {
  const kafka = createKafka({ brokers: env.kafkaBrokers, clientId: 'round-trip-test', logger: silentLogger });
  const admin = kafka.admin();
  const producer = createIdempotentProducer(kafka);
  let consumer: KafkaJS.Consumer | undefined;
  const topic = uniqueName('test.round-trip');

  beforeAll(async () => {
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }] });
    await producer.connect();
  });

  afterAll(async () => {
    await consumer?.disconnect();
    await producer.disconnect();
    await admin.deleteTopics({ topics: [topic] });
    await admin.disconnect();
  });

  it('registers the schema, produces the encoded record, consumes it back and decodes it unchanged', async () => {
    const registry = createSchemaRegistry(env.schemaRegistryUrl);
    const subject = subjectFor(topic, 'fleet.test.VehicleRegistered');
    const { id } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(vehicleRegisteredSchema) }, { subject });
    const sent = {
      vehicleId: '6f1c1f7e-3c56-4c39-9a0e-5d7d3c1e0a11',
      vin: 'WVWZZZ1JZXW000001',
      odometerKm: 12_345,
      dailyRate: { amountCents: 4_999, currency: 'EUR' },
      vehicleClass: 'compact',
    };
    const value = await registry.encode(id, sent);
    // Confluent wire format: magic byte 0, then the schema id as a big-endian int32.
    expect(value[0]).toBe(0);
    expect(value.readInt32BE(1)).toBe(id);

    await producer.send({ topic, messages: [{ key: sent.vehicleId, value, headers: { 'message-id': 'round-trip-1' } }] });

    consumer = kafka.consumer({ kafkaJS: { groupId: uniqueName('round-trip-group'), fromBeginning: true } });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic] });
    const received = await new Promise<KafkaJS.Message>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no record consumed within 30 s')), 30_000);
      void consumer!.run({
        eachMessage: async ({ message }) => {
          clearTimeout(timer);
          resolve(message);
        },
      });
    });

    expect(received.key?.toString()).toBe(sent.vehicleId);
    expect(received.headers?.['message-id']?.toString()).toBe('round-trip-1');
    expect(Buffer.isBuffer(received.value)).toBe(true);
    expect(await registry.decode(received.value as Buffer)).toEqual(sent);
  });
});
