import type { KafkaJS } from '@confluentinc/kafka-javascript';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { AvroCodec } from '../../platform/avro-codec';
import { createDatabase } from '../../platform/database';
import { deadLetterTopicOf, retryTopicOf } from '../../platform/failure-records';
import { createIdempotentProducer, createKafka } from '../../platform/kafka';
import { Header } from '../../platform/message-headers';
import { createSchemaRegistry } from '../../platform/schema-registry';
import { fleetHandlers } from '../../processors/fleet/fleet.handlers';
import { FleetRepository } from '../../processors/fleet/fleet.repository';
import type { CommandHandler } from '../../processors/runtime/command-handler';
import type { ContextProcessor } from '../../processors/runtime/context-processor';
import { ScratchDatabase } from '../support/database';
import { eventually } from '../support/eventually';
import { runTool } from '../support/run-tool';
import { startFleetProcessor } from '../support/fleet-processor';
import { uniqueName } from '../support/names';
import { silentLogger } from '../support/silent-logger';
import { stackEnv } from '../support/stack-env';

/**
 * From failure to repair: commands whose handler is broken end in the group's DLQ; once the
 * handler is fixed, `npm run replay` brings them back through the group's retry topic and each is
 * applied once. A dry run changes nothing, and replaying the same records again (with --force)
 * applies nothing more, because the replayed records keep their message ids.
 */
const env = stackEnv();

describe('dead letters replayed after the fix', () => {
  const database = new ScratchDatabase();
  const kafka = createKafka({ brokers: env.kafkaBrokers, clientId: 'replay-e2e-test', logger: silentLogger });
  const admin = kafka.admin();
  const producer = createIdempotentProducer(kafka);
  const codec = new AvroCodec(createSchemaRegistry(env.schemaRegistryUrl));
  const topics = { commands: uniqueName('test.fleet.commands'), events: uniqueName('test.fleet.events'), results: uniqueName('test.command.results') };
  const groupId = uniqueName('test-fleet-replay');
  const seen: { topic: string; key: string; messageId: string }[] = [];
  let broken = true;
  let fleet: Knex;
  let processor: ContextProcessor;
  let observer: KafkaJS.Consumer;

  beforeAll(async () => {
    await database.create({ migrate: true });
    await admin.connect();
    await producer.connect();
    await admin.createTopics({ topics: Object.values(topics).map((topic) => ({ topic, numPartitions: 2 })) });
    const url = database.urlFor('fleet_svc');
    fleet = createDatabase({ url, poolSizeMax: 4, statementTimeoutMs: 5_000, applicationName: 'replay-e2e-test', logger: silentLogger });
    const [registerVehicle] = fleetHandlers(new FleetRepository()) as [CommandHandler<{ plateNumber: string }>];
    const breakable: CommandHandler<{ plateNumber: string }> = {
      ...registerVehicle,
      load: async (transaction, command) => {
        if (broken) throw new Error('vehicle classes are not loaded (a bad deploy)');
        return registerVehicle.load(transaction, command);
      },
    };
    processor = await startFleetProcessor({
      kafka,
      producer,
      codec,
      database: fleet,
      databaseUrl: url,
      topics,
      groupId,
      handlers: [breakable],
      options: { attemptsMax: 2, retryBackoffMsMin: 200, retryBackoffMsMax: 500 },
    });
    observer = kafka.consumer({ kafkaJS: { groupId: uniqueName('observer'), fromBeginning: true } });
    await observer.connect();
    await observer.subscribe({ topics: [topics.events, topics.results, retryTopicOf(groupId), deadLetterTopicOf(groupId)] });
    await observer.run({
      eachMessage: async ({ topic, message }) =>
        void seen.push({ topic, key: String(message.key), messageId: String(message.headers?.[Header.messageId] ?? '') }),
    });
  }, 120_000);

  afterAll(async () => {
    await observer.disconnect();
    await processor.stop();
    await producer.disconnect();
    await admin.deleteTopics({ topics: [...Object.values(topics), retryTopicOf(groupId), deadLetterTopicOf(groupId)] });
    await admin.disconnect();
    await fleet.destroy();
    await database.drop();
  });

  const replay = (...args: string[]) => runTool('tools/replay.ts', args, { DATABASE_URL: database.urlFor('gateway_svc').toString() });


  const vehicles = async (ids: string[]) => Number(((await fleet('fleet.vehicles').whereIn('id', ids).count({ count: '*' }).first()) as { count: string }).count);
  const on = (topic: string) => seen.filter((record) => record.topic === topic);

  it('applies each dead-lettered command once, however often it is replayed', async () => {
    const commands = Array.from({ length: 3 }, (_, index) => ({
      vehicleId: randomUUID(),
      plateNumber: `RPL ${index}`,
      vin: null,
      make: 'Toyota',
      model: 'bZ4X',
      variant: null,
      year: 2025,
      vehicleClass: 'suv',
    }));
    const ids: string[] = commands.map(() => randomUUID());
    await producer.send({
      topic: topics.commands,
      messages: await Promise.all(
        commands.map(async (command, index) => ({
          key: command.vehicleId,
          value: await codec.encode(topics.commands, 'fleet.RegisterVehicle', command),
          headers: { [Header.messageId]: ids[index]!, [Header.messageType]: 'fleet.RegisterVehicle', [Header.occurredAt]: new Date().toISOString() },
        })),
      ),
    });
    const vehicleIds: string[] = commands.map((command) => command.vehicleId);
    await eventually(() => (on(deadLetterTopicOf(groupId)).length >= 3 ? true : undefined), 30_000, 'three dead letters');
    expect(await vehicles(vehicleIds)).toBe(0);

    broken = false;
    const retriesBefore = on(retryTopicOf(groupId)).length;
    const dryRun = await replay('replay', '--group', groupId, '--dry-run');
    expect(dryRun.code).toBe(0);
    expect(dryRun.stdout).toMatch(/would be replayed\s+3/);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(on(retryTopicOf(groupId))).toHaveLength(retriesBefore);
    expect(await vehicles(vehicleIds)).toBe(0);

    const first = await replay('replay', '--group', groupId, '--rate', '100');
    expect([first.code, first.stderr]).toEqual([0, expect.any(String)]);
    expect(first.stdout).toMatch(/replayed\s+3/);
    await eventually(async () => ((await vehicles(vehicleIds)) === 3 ? true : undefined), 30_000, 'the replayed commands applied');
    await eventually(() => (ids.every((id) => on(topics.results).some((record) => record.key === id)) ? true : undefined), 30_000, 'their results');

    // Without --force the same records are not replayed again; with it they are, and change nothing.
    const again = await replay('replay', '--group', groupId);
    expect(again.stdout).toMatch(/replayed\s+0/);
    expect(again.stdout).toMatch(/already replayed\s+3/);
    const eventsBefore = on(topics.events).length;
    const forced = await replay('replay', '--group', groupId, '--force');
    expect(forced.stdout).toMatch(/replayed\s+3/);
    await eventually(
      async () => (Number(((await fleet('fleet.inbox_processed_messages').whereIn('message_id', ids).count({ count: '*' }).first()) as { count: string }).count) === 3 ? true : undefined),
      30_000,
      'the inbox rows',
    );
    // Give the forced copies time to be consumed; they must have no effect.
    await eventually(() => (on(retryTopicOf(groupId)).filter((record) => ids.includes(record.messageId)).length >= retriesBefore + 6 ? true : undefined), 30_000, 'the forced copies on the retry topic');
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(await vehicles(vehicleIds)).toBe(3);
    expect(on(topics.events)).toHaveLength(eventsBefore);
    expect(on(topics.events).filter((record) => vehicleIds.includes(record.key))).toHaveLength(3);
  }, 120_000);
});
