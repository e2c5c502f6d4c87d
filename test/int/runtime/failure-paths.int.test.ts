import type { KafkaJS } from '@confluentinc/kafka-javascript';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { AvroCodec } from '../../../platform/avro-codec';
import { createDatabase } from '../../../platform/database';
import { deadLetterTopicOf, FailureHeader, retryTopicOf } from '../../../platform/failure-records';
import { createIdempotentProducer, createKafka } from '../../../platform/kafka';
import { Header } from '../../../platform/message-headers';
import { createSchemaRegistry } from '../../../platform/schema-registry';
import { fleetHandlers } from '../../../processors/fleet/fleet.handlers';
import { FleetRepository } from '../../../processors/fleet/fleet.repository';
import type { CommandHandler } from '../../../processors/runtime/command-handler';
import type { ContextProcessor, ContextProcessorOptions } from '../../../processors/runtime/context-processor';
import { ScratchDatabase } from '../../support/database';
import { eventually } from '../../support/eventually';
import { startFleetProcessor } from '../../support/fleet-processor';
import { uniqueName } from '../../support/names';
import { silentLogger } from '../../support/silent-logger';
import { stackEnv } from '../../support/stack-env';
import { PrivatePostgres } from '../../support/private-postgres';

/**
 * The failure paths of a processor on the real broker, registry and PostgreSQL: poison goes
 * straight to the group's DLQ and the partition keeps flowing; a handler error is retried through
 * the group's retry topic with backoff, then dead-lettered, without touching another group; a
 * stopped database is waited out with nothing dead-lettered, lost or applied twice; a group
 * that fails too much stops instead of emptying its input into the DLQ.
 */
const env = stackEnv();

interface Seen {
  readonly topic: string;
  readonly key: string;
  readonly value: Buffer | null;
  readonly headers: Record<string, string>;
  readonly seenAt: number;
}

const REGISTER_VEHICLE = 'fleet.RegisterVehicle';

describe('failure paths of the processor runtime', () => {
  const databases = [new ScratchDatabase(), new ScratchDatabase()];
  const kafka = createKafka({ brokers: env.kafkaBrokers, clientId: 'failure-paths-test', logger: silentLogger });
  const admin = kafka.admin();
  const producer = createIdempotentProducer(kafka);
  const codec = new AvroCodec(createSchemaRegistry(env.schemaRegistryUrl));
  const seen: Seen[] = [];
  const cleanups: (() => Promise<unknown>)[] = [];
  const observers: KafkaJS.Consumer[] = [];

  beforeAll(async () => {
    await Promise.all(databases.map((database) => database.create({ migrate: true })));
    await admin.connect();
    await producer.connect();
  }, 120_000);

  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    for (const observer of observers) await observer.disconnect();
    await producer.disconnect();
    await admin.disconnect();
    await Promise.all(databases.map((database) => database.drop()));
  });

  /** Fresh topics, a processor of a fresh group on them, and an observer of everything it writes. */
  async function setUp(options: {
    handlers?: CommandHandler[];
    settings?: Partial<ContextProcessorOptions>;
    database?: ScratchDatabase;
    commandsTopic?: string;
    partitions?: number;
  }): Promise<{ processor: ContextProcessor; groupId: string; topics: { commands: string; events: string; results: string }; fleet: Knex }> {
    const topics = {
      commands: options.commandsTopic ?? uniqueName('test.fleet.commands'),
      events: uniqueName('test.fleet.events'),
      results: uniqueName('test.command.results'),
    };
    const groupId = uniqueName('test-fleet-failures');
    const fresh = options.commandsTopic === undefined ? [topics.commands] : [];
    await admin.createTopics({ topics: [...fresh, topics.events, topics.results].map((topic) => ({ topic, numPartitions: options.partitions ?? 1 })) });
    const database = options.database ?? databases[0]!;
    const url = database.urlFor('fleet_svc');
    const fleet = createDatabase({ url, poolSizeMax: 4, statementTimeoutMs: 5_000, applicationName: 'failure-paths-test', logger: silentLogger });
    const processor = await startFleetProcessor({
      kafka,
      producer,
      codec,
      database: fleet,
      databaseUrl: url,
      topics,
      groupId,
      ...(options.handlers === undefined ? {} : { handlers: options.handlers }),
      options: { retryBackoffMsMin: 300, retryBackoffMsMax: 2_000, retryDelayMsMin: 200, retryDelayMsMax: 1_000, ...options.settings },
    });
    cleanups.push(
      () => admin.deleteTopics({ topics: [...fresh, topics.events, topics.results, retryTopicOf(groupId), deadLetterTopicOf(groupId)] }),
      () => fleet.destroy(),
      () => processor.stop(),
    );
    const observer = kafka.consumer({ kafkaJS: { groupId: uniqueName('observer'), fromBeginning: true } });
    observers.push(observer);
    await observer.connect();
    await observer.subscribe({ topics: [topics.events, topics.results, retryTopicOf(groupId), deadLetterTopicOf(groupId)] });
    await observer.run({
      eachMessage: async ({ topic, message }) => {
        const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)]));
        seen.push({ topic, key: String(message.key), value: message.value, headers, seenAt: Date.now() });
      },
    });
    return { processor, groupId, topics, fleet };
  }

  const on = (topic: string) => seen.filter((record) => record.topic === topic);
  const about = (topic: string, messageId: string) => on(topic).filter((record) => record.headers[Header.messageId] === messageId);

  async function resultsOf(topic: string, commandId: string): Promise<{ status: string; reasonCode: string | null }[]> {
    const records = on(topic).filter((record) => record.key === commandId);
    return Promise.all(records.map(async (record) => (await codec.decode(record.value!)) as { status: string; reasonCode: string | null }));
  }

  function command(plateNumber: string): Record<string, unknown> {
    return { vehicleId: randomUUID(), plateNumber, vin: null, make: 'Renault', model: 'Megane E-Tech', variant: null, year: 2024, vehicleClass: 'compact' };
  }

  async function send(topic: string, messages: { key: string; value: Buffer | null; messageId?: string; type?: string }[]): Promise<string[]> {
    const ids = messages.map((message) => message.messageId ?? randomUUID());
    await producer.send({
      topic,
      messages: messages.map((message, index) => ({
        key: message.key,
        value: message.value,
        headers: {
          [Header.messageId]: ids[index]!,
          [Header.messageType]: message.type ?? REGISTER_VEHICLE,
          [Header.correlationId]: `correlation-${ids[index]!}`,
          [Header.traceparent]: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
          [Header.occurredAt]: new Date().toISOString(),
        },
      })),
    });
    return ids;
  }

  async function registration(topic: string, plateNumber: string): Promise<{ key: string; value: Buffer }> {
    const payload = command(plateNumber);
    return { key: String(payload.vehicleId), value: await codec.encode(topic, REGISTER_VEHICLE, payload) };
  }

  /** The fleet handler, failing on chosen plates: `failures(plate)` says how often it still fails. */
  function failingOn(failures: (plateNumber: string) => boolean, calls: { plate: string; at: number; failed: boolean }[] = []): CommandHandler[] {
    const [registerVehicle] = fleetHandlers(new FleetRepository()) as [CommandHandler<{ plateNumber: string }>];
    const failing: CommandHandler<{ plateNumber: string }> = {
      ...registerVehicle,
      load: async (transaction, command) => {
        const failed = failures(command.plateNumber);
        calls.push({ plate: command.plateNumber, at: Date.now(), failed });
        if (failed) throw new Error(`the handler cannot register ${command.plateNumber}`);
        return registerVehicle.load(transaction, command);
      },
    };
    return [failing];
  }

  it('sends poison straight to the DLQ with its history in headers, and the partition keeps flowing', async () => {
    const { groupId, topics } = await setUp({});
    const valid = await registration(topics.commands, 'PSN 1');
    const unknownSchema = Buffer.concat([Buffer.from([0, 0x7f, 0xff, 0xff, 0x00]), valid.value.subarray(5)]);
    const garbage = Buffer.from('definitely not avro');
    const [garbageId, unknownId, validId] = await send(topics.commands, [
      { key: 'garbage-key', value: garbage },
      { key: 'unknown-schema-key', value: unknownSchema },
      valid,
    ]);

    // The message behind the poison went through.
    await eventually(async () => ((await resultsOf(topics.results, validId!)).length > 0 ? true : undefined), 30_000, 'the valid command');
    expect(await resultsOf(topics.results, validId!)).toEqual([expect.objectContaining({ status: 'accepted' })]);

    const dlq = deadLetterTopicOf(groupId);
    await eventually(() => (on(dlq).length >= 2 ? true : undefined), 30_000, 'two dead letters');
    const [garbageLetter] = about(dlq, garbageId!);
    const [unknownLetter] = about(dlq, unknownId!);
    expect(garbageLetter!.key).toBe('garbage-key');
    expect(garbageLetter!.value).toEqual(garbage);
    expect(unknownLetter!.value).toEqual(unknownSchema);
    expect(garbageLetter!.headers).toMatchObject({
      [FailureHeader.originalTopic]: topics.commands,
      [FailureHeader.originalPartition]: '0',
      [FailureHeader.originalOffset]: '0',
      [FailureHeader.consumerGroup]: groupId,
      [FailureHeader.attempts]: '1',
      [FailureHeader.errorClass]: 'poison/undecodable',
      [Header.messageId]: garbageId,
      [Header.correlationId]: `correlation-${garbageId}`,
      [Header.traceparent]: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    });
    expect(unknownLetter!.headers).toMatchObject({ [FailureHeader.originalOffset]: '1', [FailureHeader.errorClass]: 'poison/unknown-schema' });
    expect(Number(garbageLetter!.headers[FailureHeader.originalTimestamp])).toBeGreaterThan(Date.now() - 120_000);
    expect(garbageLetter!.headers[FailureHeader.errorMessage]).toMatch(/magic byte/);
    expect(Date.parse(garbageLetter!.headers[FailureHeader.firstFailureAt]!)).toBe(Date.parse(garbageLetter!.headers[FailureHeader.lastFailureAt]!));
    expect(garbageLetter!.headers[FailureHeader.dueAt]).toBeUndefined();
    // Poison is never retried, and whoever waits for the commands learns they failed.
    expect(on(retryTopicOf(groupId))).toEqual([]);
    await eventually(async () => ((await resultsOf(topics.results, garbageId!)).length > 0 ? true : undefined), 30_000, 'the failed result');
    expect(await resultsOf(topics.results, garbageId!)).toEqual([expect.objectContaining({ status: 'failed', reasonCode: 'poison/undecodable' })]);
  }, 90_000);

  it('retries a handler that fails twice, after its backoff, and applies the command once', async () => {
    const calls: { plate: string; at: number; failed: boolean }[] = [];
    let failuresLeft = 2;
    const { groupId, topics, fleet } = await setUp({ handlers: failingOn(() => failuresLeft-- > 0, calls) });
    const message = await registration(topics.commands, 'FLK 1');
    const [commandId] = await send(topics.commands, [message]);

    await eventually(async () => ((await resultsOf(topics.results, commandId!)).length > 0 ? true : undefined), 30_000, 'the result');
    expect(await resultsOf(topics.results, commandId!)).toEqual([expect.objectContaining({ status: 'accepted' })]);
    expect(calls.map((call) => call.failed)).toEqual([true, true, false]);
    // Backoff 300 ms then 600 ms: the attempts are at least that far apart.
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(300);
    expect(calls[2]!.at - calls[1]!.at).toBeGreaterThanOrEqual(600);
    const retries = about(retryTopicOf(groupId), commandId!);
    expect(retries.map((record) => record.headers[FailureHeader.attempts])).toEqual(['1', '2']);
    expect(retries.every((record) => record.headers[FailureHeader.originalTopic] === topics.commands && record.headers[FailureHeader.originalOffset] === '0')).toBe(true);
    expect(retries[1]!.headers[FailureHeader.firstFailureAt]).toBe(retries[0]!.headers[FailureHeader.firstFailureAt]);
    expect(retries[0]!.headers[FailureHeader.errorClass]).toBe('handler/Error');
    expect(on(deadLetterTopicOf(groupId))).toEqual([]);
    expect(await fleet('fleet.vehicles').where('id', message.key).count<{ count: number }[]>('* as count')).toEqual([{ count: 1 }]);
  }, 90_000);

  it('dead-letters a message that always fails after the configured attempts, and another group on the topic is unaffected', async () => {
    const failing = await setUp({ handlers: failingOn(() => true), settings: { attemptsMax: 3 } });
    const healthy = await setUp({ commandsTopic: failing.topics.commands, database: databases[1]! });
    const message = await registration(failing.topics.commands, 'DLQ 1');
    const [commandId] = await send(failing.topics.commands, [message]);

    const dlq = deadLetterTopicOf(failing.groupId);
    await eventually(() => (about(dlq, commandId!).length > 0 ? true : undefined), 30_000, 'the dead letter');
    const [letter] = about(dlq, commandId!);
    expect(letter!.headers).toMatchObject({ [FailureHeader.attempts]: '3', [FailureHeader.errorClass]: 'handler/Error', [FailureHeader.originalTopic]: failing.topics.commands });
    expect(letter!.headers[FailureHeader.errorMessage]).toContain('the handler cannot register DLQ 1');
    expect(letter!.value).toEqual(message.value);
    expect(about(retryTopicOf(failing.groupId), commandId!).map((record) => record.headers[FailureHeader.attempts])).toEqual(['1', '2']);

    // The other group read the same command and applied it; nothing of the first group's failures reached it.
    await eventually(async () => ((await resultsOf(healthy.topics.results, commandId!)).length > 0 ? true : undefined), 30_000, 'the healthy group');
    expect(await resultsOf(healthy.topics.results, commandId!)).toEqual([expect.objectContaining({ status: 'accepted' })]);
    expect(on(retryTopicOf(healthy.groupId))).toEqual([]);
    expect(on(deadLetterTopicOf(healthy.groupId))).toEqual([]);
    expect(await healthy.fleet('fleet.vehicles').where('id', message.key).count<{ count: number }[]>('* as count')).toEqual([{ count: 1 }]);
    await eventually(async () => ((await resultsOf(failing.topics.results, commandId!)).length > 0 ? true : undefined), 30_000, 'the failed result');
    expect(await resultsOf(failing.topics.results, commandId!)).toEqual([expect.objectContaining({ status: 'failed', reasonCode: 'handler/Error' })]);
  }, 90_000);

  it('waits out a stopped PostgreSQL: nothing dead-lettered, lost or applied twice, and it resumes by itself', async () => {
    // A server of this test's own, so that stopping it leaves the other suites' database alone.
    const server = new PrivatePostgres();
    cleanups.push(() => server.remove());
    await server.start();
    const database = new ScratchDatabase(server.adminUrl);
    await database.create({ migrate: true });
    cleanups.push(() => database.drop());
    const { processor, groupId, topics, fleet } = await setUp({ database, partitions: 3 });
    const before = await Promise.all(Array.from({ length: 10 }, (_, index) => registration(topics.commands, `OUT A${index}`)));
    const firstIds = await send(topics.commands, before);
    await eventually(async () => ((await Promise.all(firstIds.map((id) => resultsOf(topics.results, id)))).every((found) => found.length > 0) ? true : undefined), 30_000, 'the first commands');

    await server.stop();
    const during = await Promise.all(Array.from({ length: 20 }, (_, index) => registration(topics.commands, `OUT B${index}`)));
    const laterIds = await send(topics.commands, during);
    await eventually(() => (processor.metrics.sum('consumer_partition_pauses_total', { reason: 'outage' }) > 0 ? true : undefined), 30_000, 'a pause for the outage');
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await server.up();

    await eventually(
      async () => ((await Promise.all(laterIds.map((id) => resultsOf(topics.results, id)))).every((found) => found.length > 0) ? true : undefined),
      60_000,
      'the commands sent during the outage',
    );
    for (const id of [...firstIds, ...laterIds]) {
      expect((await resultsOf(topics.results, id)).map((result) => result.status)).toEqual(['accepted']);
    }
    expect(on(deadLetterTopicOf(groupId))).toEqual([]);
    expect(on(retryTopicOf(groupId))).toEqual([]);
    expect(processor.metrics.sum('consumer_messages_dead_lettered_total')).toBe(0);
    const vehicleIds = [...before, ...during].map((message) => message.key);
    expect(await fleet('fleet.vehicles').whereIn('id', vehicleIds).count<{ count: number }[]>('* as count')).toEqual([{ count: 30 }]);
    expect(await fleet('fleet.inbox_processed_messages').whereIn('message_id', [...firstIds, ...laterIds]).count<{ count: number }[]>('* as count')).toEqual([{ count: 30 }]);
  }, 120_000);

  it('stops a group that fails too much instead of emptying its input into the DLQ, and resumes once the cause is fixed', async () => {
    let broken = true;
    const { processor, groupId, topics, fleet } = await setUp({
      handlers: failingOn(() => broken),
      settings: { breaker: { windowSize: 10, failureShareMax: 0.5, openMs: 3_000 }, attemptsMax: 5 },
    });
    const messages = await Promise.all(Array.from({ length: 40 }, (_, index) => registration(topics.commands, `BRK ${index}`)));
    const ids = await send(topics.commands, messages);

    await eventually(() => (processor.metrics.value('consumer_breaker_open', { group: groupId }) === 1 ? true : undefined), 30_000, 'the breaker to open');
    // Far fewer than the 40 messages were routed anywhere.
    const routed = on(retryTopicOf(groupId)).length + on(deadLetterTopicOf(groupId)).length;
    expect(routed).toBeLessThan(20);
    expect(processor.metrics.sum('consumer_partition_pauses_total', { reason: 'breaker-open' })).toBeGreaterThan(0);

    broken = false;
    await eventually(
      async () => ((await Promise.all(ids.map((id) => resultsOf(topics.results, id)))).every((found) => found.some((result) => result.status === 'accepted')) ? true : undefined),
      60_000,
      'every command accepted after the fix',
    );
    expect(await fleet('fleet.vehicles').whereIn('id', messages.map((message) => message.key)).count<{ count: number }[]>('* as count')).toEqual([{ count: 40 }]);
  }, 120_000);
});
