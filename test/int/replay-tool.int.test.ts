import type { KafkaJS } from '@confluentinc/kafka-javascript';
import { randomUUID } from 'node:crypto';
import { AvroCodec } from '../../platform/avro-codec';
import { deadLetterTopicOf, type ErrorClass, FailureHeader, failureHeaders, readFailure, REPLAY_COUNT_HEADER, retryTopicOf } from '../../platform/failure-records';
import { createIdempotentProducer, createKafka } from '../../platform/kafka';
import { Header } from '../../platform/message-headers';
import { createSchemaRegistry } from '../../platform/schema-registry';
import { ScratchDatabase } from '../support/database';
import { eventually } from '../support/eventually';
import { runTool, type ToolRun } from '../support/run-tool';
import { uniqueName } from '../support/names';
import { silentLogger } from '../support/silent-logger';
import { stackEnv } from '../support/stack-env';

/**
 * `npm run replay` as an operator runs it (a child process, its exit code and output), on the real
 * broker, registry and PostgreSQL: list and show read a group's DLQ without changing it; replay
 * re-delivers to the group's retry topic only, with the same key, value bytes and message id, a
 * fresh attempt count and one more replay, and records each delivery after its acknowledgement;
 * replays are not repeated without --force, parked records are left alone, filters and dry runs
 * touch only what they say, and a refused command produces nothing.
 */
const env = stackEnv();
const ORIGINAL_TOPIC = 'fleet.commands';
const REGISTER_VEHICLE = 'fleet.RegisterVehicle';

type Run = ToolRun;

/** A dead letter the test wrote, with what the tool must keep of it. */
interface Letter {
  readonly partition: number;
  readonly offset: number;
  readonly key: string;
  readonly value: Buffer;
  readonly messageId: string;
  readonly headers: Record<string, string>;
}

interface LetterOptions {
  readonly partition?: number;
  readonly errorClass?: ErrorClass;
  readonly messageType?: string;
  readonly key?: string;
  readonly failedAt?: Date;
  readonly replayCount?: number;
  readonly value?: Buffer;
  readonly extraHeaders?: Record<string, string>;
}

interface Received {
  readonly key: string;
  readonly value: Buffer;
  readonly headers: Record<string, string>;
}

describe('the replay tool', () => {
  const database = new ScratchDatabase();
  const kafka = createKafka({ brokers: env.kafkaBrokers, clientId: 'replay-tool-test', logger: silentLogger });
  const admin = kafka.admin();
  const producer = createIdempotentProducer(kafka);
  const codec = new AvroCodec(createSchemaRegistry(env.schemaRegistryUrl));
  const topicsCreated: string[] = [];
  let gatewayUrl: string;

  beforeAll(async () => {
    await database.create({ migrate: true });
    gatewayUrl = database.urlFor('gateway_svc').toString();
    await admin.connect();
    await producer.connect();
  }, 120_000);

  afterAll(async () => {
    if (topicsCreated.length > 0) await admin.deleteTopics({ topics: topicsCreated });
    await producer.disconnect();
    await admin.disconnect();
    await database.drop();
  });

  /** A fresh group with its dead-letter and retry topics, two partitions each. */
  async function newGroup(retryConfig: { name: string; value: string }[] = []): Promise<string> {
    const group = uniqueName('test-replay');
    const topics = [
      { topic: deadLetterTopicOf(group), numPartitions: 2, replicationFactor: 1 },
      { topic: retryTopicOf(group), numPartitions: 2, replicationFactor: 1, configEntries: retryConfig },
    ];
    await admin.createTopics({ topics });
    topicsCreated.push(...topics.map((topic) => topic.topic));
    return group;
  }

  /** Writes a dead letter the way a processor's failure routing does: original headers plus failure headers. */
  async function deadLetter(group: string, options: LetterOptions = {}): Promise<Letter> {
    const key = options.key ?? randomUUID();
    const messageId = randomUUID();
    const value =
      options.value ??
      (await codec.encode(ORIGINAL_TOPIC, REGISTER_VEHICLE, {
        vehicleId: key,
        plateNumber: 'HH-RP 1',
        vin: null,
        make: 'Volkswagen',
        model: 'ID.3',
        variant: null,
        year: 2025,
        vehicleClass: 'compact',
      }));
    const failedAt = options.failedAt ?? new Date();
    const original: Record<string, string> = {
      [Header.messageId]: messageId,
      [Header.messageType]: options.messageType ?? REGISTER_VEHICLE,
      [Header.correlationId]: `correlation-${messageId}`,
      [Header.traceparent]: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      [Header.occurredAt]: new Date(failedAt.getTime() - 60_000).toISOString(),
      ...options.extraHeaders,
    };
    if (options.replayCount !== undefined) original[REPLAY_COUNT_HEADER] = String(options.replayCount);
    const headers = failureHeaders(
      { topic: ORIGINAL_TOPIC, partition: 3, offset: '41', timestamp: String(failedAt.getTime() - 60_000), headers: original },
      { groupId: group, errorClass: options.errorClass ?? 'handler/Error', errorMessage: 'the handler cannot register HH-RP 1', at: failedAt },
      5,
    );
    const texts = Object.fromEntries(Object.entries(headers).map(([name, text]) => [name, String(text)]));
    // The client rewrites the headers object it is given: it gets a copy.
    const [metadata] = await producer.send({
      topic: deadLetterTopicOf(group),
      messages: [{ key, value, partition: options.partition ?? 0, headers: { ...texts } }],
    });
    return { partition: options.partition ?? 0, offset: Number(metadata!.baseOffset), key, value, messageId, headers: texts };
  }

  const replayTool = (args: readonly string[], environment: NodeJS.ProcessEnv = {}): Promise<Run> => runTool('tools/replay.ts', args, { DATABASE_URL: gatewayUrl, LOG_LEVEL: 'info', ...environment });


  /** The summary a replay prints, by label. */
  function summaryOf(run: Run): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const match of run.stdout.matchAll(/^ {2}(\S.*?)\s{2,}(\d+)$/gm)) counts[match[1]!] = Number(match[2]);
    return counts;
  }

  function summary(counts: { replayed?: number; already?: number; parked?: number; filtered?: number; failed?: number }, options = { dryRun: false, cap: 3 }) {
    return {
      [options.dryRun ? 'would be replayed' : 'replayed']: counts.replayed ?? 0,
      'skipped, already replayed': counts.already ?? 0,
      [`parked (replay-count at the cap of ${options.cap})`]: counts.parked ?? 0,
      'filtered out': counts.filtered ?? 0,
      failed: counts.failed ?? 0,
    };
  }

  /** Positions a dry run says it would replay. */
  function wouldReplay(run: Run): string[] {
    return [...run.stdout.matchAll(/^would replay (\d+:\d+) /gm)].map((match) => match[1]!);
  }

  const at = (letter: Letter) => `${letter.partition}:${letter.offset}`;

  async function rowsOf(group: string) {
    return database
      .knex()('gateway.dlq_replays')
      .where({ consumer_group: group })
      .orderBy([{ column: 'replayed_at' }, { column: 'dlq_partition' }, { column: 'dlq_offset' }])
      .select('consumer_group', 'dlq_topic', 'dlq_partition', 'dlq_offset', 'message_id', 'original_topic', 'target_topic', 'outcome', 'reason', 'replayed_by');
  }

  function replayedRow(group: string, letter: Letter, replayedBy: string) {
    return {
      consumer_group: group,
      dlq_topic: deadLetterTopicOf(group),
      dlq_partition: letter.partition,
      dlq_offset: letter.offset,
      message_id: letter.messageId,
      original_topic: ORIGINAL_TOPIC,
      target_topic: retryTopicOf(group),
      outcome: 'replayed',
      reason: null,
      replayed_by: replayedBy,
    };
  }

  async function retryRecordCount(group: string): Promise<number> {
    const offsets = await admin.fetchTopicOffsets(retryTopicOf(group));
    return offsets.reduce((sum, partition) => sum + Number(partition.high) - Number(partition.low), 0);
  }

  /** Every record of the group's retry topic, read by a consumer of its own. */
  async function retryRecords(group: string, count: number): Promise<Received[]> {
    const received: Received[] = [];
    const consumer: KafkaJS.Consumer = kafka.consumer({ kafkaJS: { groupId: uniqueName('test-replay-observer'), fromBeginning: true, autoCommit: false } });
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [retryTopicOf(group)] });
      await consumer.run({
        eachMessage: async ({ message }) => {
          const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)]));
          received.push({ key: String(message.key), value: message.value!, headers });
        },
      });
      await eventually(() => (received.length >= count ? true : undefined), 30_000, `${count} records on ${retryTopicOf(group)}`);
    } finally {
      await consumer.disconnect();
    }
    return received;
  }

  it('lists the dead letters by error class and message type, with counts, time span, parked and replayed', async () => {
    const group = await newGroup();
    const base = Date.parse('2026-11-20T10:00:00.000Z');
    const minutes = (count: number) => new Date(base + count * 60_000);
    const stored = await deadLetter(group, { errorClass: 'handler/Error', failedAt: minutes(0) });
    await deadLetter(group, { errorClass: 'handler/Error', failedAt: minutes(5), partition: 1 });
    await deadLetter(group, { errorClass: 'handler/Error', failedAt: minutes(2), replayCount: 3 });
    await deadLetter(group, { errorClass: 'poison/undecodable', messageType: 'fleet.RetireVehicle', failedAt: minutes(9), value: Buffer.from('not avro') });
    expect((await replayTool(['replay', '--group', group, '--partition', '0', '--offsets', `${stored.offset}-${stored.offset}`])).code).toBe(0);

    const json = await replayTool(['list', '--group', group, '--json']);
    const table = await replayTool(['list', '--group', group]);

    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({
      group,
      topic: deadLetterTopicOf(group),
      replayCap: 3,
      records: 4,
      parked: 1,
      alreadyReplayed: 1,
      kinds: [
        {
          errorClass: 'handler/Error',
          messageType: REGISTER_VEHICLE,
          records: 3,
          parked: 1,
          alreadyReplayed: 1,
          oldest: minutes(0).toISOString(),
          newest: minutes(5).toISOString(),
        },
        {
          errorClass: 'poison/undecodable',
          messageType: 'fleet.RetireVehicle',
          records: 1,
          parked: 0,
          alreadyReplayed: 0,
          oldest: minutes(9).toISOString(),
          newest: minutes(9).toISOString(),
        },
      ],
    });
    expect(table.code).toBe(0);
    expect(table.stdout).toContain(`${deadLetterTopicOf(group)}: 4 records, 1 parked (replay-count at the cap of 3), 1 already replayed`);
    expect(table.stdout).toMatch(/^handler\/Error\s+fleet\.RegisterVehicle\s+3\s+1\s+1\s+2026-11-20T10:00:00\.000Z\s+2026-11-20T10:05:00\.000Z$/m);
    expect(table.stdout).toMatch(/^poison\/undecodable\s+fleet\.RetireVehicle\s+1\s+0\s+0\s+2026-11-20T10:09:00\.000Z\s+2026-11-20T10:09:00\.000Z$/m);
  }, 90_000);

  it('shows one record: key, every header, the failure read from them, the value decoded through the registry, and its replays', async () => {
    const group = await newGroup();
    await deadLetter(group, { partition: 1 });
    const letter = await deadLetter(group, { partition: 1, errorClass: 'handler/Error' });
    const undecodable = await deadLetter(group, { partition: 1, value: Buffer.from('not avro'), errorClass: 'poison/undecodable' });
    const offsets = `${letter.offset}-${letter.offset}`;
    expect((await replayTool(['replay', '--group', group, '--partition', '1', '--offsets', offsets, '--by', 'ops-carol'])).code).toBe(0);

    const run = await replayTool(['show', '--group', group, '--partition', '1', '--offset', String(letter.offset), '--json']);
    const human = await replayTool(['show', '--group', group, '--partition', '1', '--offset', String(letter.offset)]);
    const poison = await replayTool(['show', '--group', group, '--partition', '1', '--offset', String(undecodable.offset), '--json']);

    expect(run.code).toBe(0);
    const shown = JSON.parse(run.stdout) as { value: { schemaId: number } };
    expect(shown).toEqual({
      topic: deadLetterTopicOf(group),
      partition: 1,
      offset: letter.offset,
      timestamp: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      key: letter.key,
      headers: letter.headers,
      failure: readFailure(letter.headers),
      replayCount: 0,
      value: {
        schemaId: letter.value.readInt32BE(1),
        recordName: REGISTER_VEHICLE,
        decoded: { vehicleId: letter.key, plateNumber: 'HH-RP 1', vin: null, make: 'Volkswagen', model: 'ID.3', variant: null, year: 2025, vehicleClass: 'compact' },
      },
      // The dead letter itself is unchanged by its replay; the replay is in its history.
      replays: [{ outcome: 'replayed', targetTopic: retryTopicOf(group), reason: null, replayedBy: 'ops-carol', replayedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/) }],
    });
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(`key       ${letter.key}`);
    expect(human.stdout).toContain(`failure   handler/Error after 5 attempts in ${group}`);
    expect(human.stdout).toMatch(new RegExp(`^  message-id\\s+${letter.messageId}$`, 'm'));
    expect(human.stdout).toContain('"plateNumber": "HH-RP 1"');
    expect(human.stdout).toMatch(new RegExp(`^  \\S+Z\\s+replayed\\s+ops-carol\\s+${retryTopicOf(group)}$`, 'm'));
    expect(poison.code).toBe(0);
    expect((JSON.parse(poison.stdout) as { value: unknown }).value).toEqual({
      undecodable: 'not in the Confluent wire format (magic byte 0, schema id, Avro)',
      base64: Buffer.from('not avro').toString('base64'),
    });
  }, 90_000);

  it('replays to the retry topic with the same key, value bytes and headers, attempts 0, one more replay, and a row per record', async () => {
    const group = await newGroup();
    const first = await deadLetter(group, { partition: 0 });
    const second = await deadLetter(group, { partition: 1, replayCount: 1 });
    const startedAt = Date.now();

    const run = await replayTool(['replay', '--group', group, '--by', 'ops-alice']);

    expect(run.code).toBe(0);
    expect(summaryOf(run)).toEqual(summary({ replayed: 2 }));
    const received = await retryRecords(group, 2);
    expect(received).toHaveLength(2);
    for (const [letter, replayCount] of [
      [first, '1'],
      [second, '2'],
    ] as const) {
      const record = received.find((candidate) => candidate.headers[Header.messageId] === letter.messageId);
      expect(record).toEqual({
        key: letter.key,
        value: letter.value,
        headers: { ...letter.headers, [FailureHeader.attempts]: '0', [FailureHeader.dueAt]: expect.any(String), [REPLAY_COUNT_HEADER]: replayCount },
      });
      const dueAt = Date.parse(record!.headers[FailureHeader.dueAt]!);
      expect(dueAt).toBeGreaterThanOrEqual(startedAt - 1_000);
      expect(dueAt).toBeLessThanOrEqual(Date.now());
    }
    expect(await rowsOf(group)).toEqual([replayedRow(group, first, 'ops-alice'), replayedRow(group, second, 'ops-alice')]);
    // The original topic never sees a replay: only the retry topic grew.
    expect(await retryRecordCount(group)).toBe(2);
  }, 90_000);

  it('replays nothing a second time, as already replayed, and again with --force', async () => {
    const group = await newGroup();
    const letters = [await deadLetter(group, { partition: 0 }), await deadLetter(group, { partition: 1 })];
    expect((await replayTool(['replay', '--group', group, '--by', 'first'])).code).toBe(0);

    const again = await replayTool(['replay', '--group', group, '--by', 'second']);
    const afterAgain = await retryRecordCount(group);
    const forced = await replayTool(['replay', '--group', group, '--by', 'forced', '--force']);

    expect(again.code).toBe(0);
    expect(summaryOf(again)).toEqual(summary({ already: 2 }));
    expect(afterAgain).toBe(2);
    expect(forced.code).toBe(0);
    expect(summaryOf(forced)).toEqual(summary({ replayed: 2 }));
    expect(await retryRecordCount(group)).toBe(4);
    expect(await rowsOf(group)).toEqual([...letters.map((letter) => replayedRow(group, letter, 'first')), ...letters.map((letter) => replayedRow(group, letter, 'forced'))]);
  }, 90_000);

  it('--dry-run lists what would be replayed and produces nothing, records nothing', async () => {
    const group = await newGroup();
    const letters = [await deadLetter(group, { partition: 0 }), await deadLetter(group, { partition: 0 }), await deadLetter(group, { partition: 1 })];
    const before = await admin.fetchTopicOffsets(retryTopicOf(group));

    const run = await replayTool(['replay', '--group', group, '--dry-run']);

    expect(run.code).toBe(0);
    expect(wouldReplay(run)).toEqual(letters.map(at));
    expect(summaryOf(run)).toEqual(summary({ replayed: 3 }, { dryRun: true, cap: 3 }));
    expect(await admin.fetchTopicOffsets(retryTopicOf(group))).toEqual(before);
    expect(await rowsOf(group)).toEqual([]);
  }, 90_000);

  it('selects only the records its filters match', async () => {
    const group = await newGroup();
    const hour = (count: number) => new Date(Date.parse('2026-11-20T10:00:00.000Z') + count * 3_600_000);
    const registerAt10 = await deadLetter(group, { partition: 0, errorClass: 'handler/Error', failedAt: hour(0) });
    const retireAt11 = await deadLetter(group, { partition: 0, errorClass: 'handler/Error', messageType: 'fleet.RetireVehicle', failedAt: hour(1), key: 'vehicle-retire' });
    const undecodableAt12 = await deadLetter(group, { partition: 0, errorClass: 'poison/undecodable', failedAt: hour(2), value: Buffer.from('not avro') });
    const unknownSchemaAt13 = await deadLetter(group, { partition: 1, errorClass: 'poison/unknown-schema', failedAt: hour(3) });
    const registerAt14 = await deadLetter(group, { partition: 1, errorClass: 'handler/Error', failedAt: hour(4) });
    const dryRun = async (...filters: string[]) => {
      const run = await replayTool(['replay', '--group', group, '--dry-run', ...filters]);
      expect(run.code).toBe(0);
      return wouldReplay(run);
    };

    expect(await dryRun('--error-class', 'poison/')).toEqual([undecodableAt12, unknownSchemaAt13].map(at));
    expect(await dryRun('--error-class', 'poison/undecodable')).toEqual([at(undecodableAt12)]);
    expect(await dryRun('--error-class', 'poison')).toEqual([]);
    expect(await dryRun('--error-class', 'handler/Error', '--type', REGISTER_VEHICLE)).toEqual([registerAt10, registerAt14].map(at));
    expect(await dryRun('--key', 'vehicle-retire')).toEqual([at(retireAt11)]);
    expect(await dryRun('--partition', '1')).toEqual([unknownSchemaAt13, registerAt14].map(at));
    expect(await dryRun('--partition', '0', '--offsets', `${retireAt11.offset}-${undecodableAt12.offset}`)).toEqual([retireAt11, undecodableAt12].map(at));
    expect(await dryRun('--since', '2026-11-20T11:00:00Z', '--until', '2026-11-20T13:00:00Z')).toEqual([retireAt11, undecodableAt12].map(at));

    const run = await replayTool(['replay', '--group', group, '--error-class', 'poison/', '--by', 'filtered']);

    expect(run.code).toBe(0);
    expect(summaryOf(run)).toEqual(summary({ replayed: 2, filtered: 3 }));
    expect(await rowsOf(group)).toEqual([replayedRow(group, undecodableAt12, 'filtered'), replayedRow(group, unknownSchemaAt13, 'filtered')]);
    expect((await retryRecords(group, 2)).map((record) => record.headers[Header.messageId]).sort()).toEqual(
      [undecodableAt12.messageId, unknownSchemaAt13.messageId].sort(),
    );
  }, 120_000);

  it('parks a record whose replay-count reached the cap, unless the cap is raised', async () => {
    const group = await newGroup();
    const parked = await deadLetter(group, { partition: 0, replayCount: 3 });
    const fresh = await deadLetter(group, { partition: 0, replayCount: 2 });

    const run = await replayTool(['replay', '--group', group, '--by', 'capped']);
    const raised = await replayTool(['replay', '--group', group, '--by', 'raised', '--replay-cap', '4']);

    expect(run.code).toBe(0);
    expect(summaryOf(run)).toEqual(summary({ replayed: 1, parked: 1 }));
    expect(run.stdout).toMatch(new RegExp(`^parked ${at(parked)} .* replay-count 3$`, 'm'));
    expect(raised.code).toBe(0);
    expect(summaryOf(raised)).toEqual(summary({ replayed: 1, already: 1 }, { dryRun: false, cap: 4 }));
    expect(await rowsOf(group)).toEqual([replayedRow(group, fresh, 'capped'), replayedRow(group, parked, 'raised')]);
    const received = await retryRecords(group, 2);
    expect(received.find((record) => record.headers[Header.messageId] === parked.messageId)!.headers[REPLAY_COUNT_HEADER]).toBe('4');
  }, 90_000);

  it('stops at a delivery the broker refuses, records it as failed, and prints the command that resumes from it', async () => {
    // The retry topic takes records up to 2 KB; one dead letter carries a 4 KB header.
    const group = await newGroup([{ name: 'max.message.bytes', value: '2048' }]);
    const before = [await deadLetter(group, { partition: 0 }), await deadLetter(group, { partition: 0 })];
    const tooLarge = await deadLetter(group, { partition: 0, extraHeaders: { padding: 'x'.repeat(4_096) } });
    await deadLetter(group, { partition: 0 });

    const run = await replayTool(['replay', '--group', group, '--by', 'ops-bob']);

    expect(run.code).toBe(1);
    expect(summaryOf(run)).toEqual(summary({ replayed: 2, failed: 1 }));
    const resume = `npm run replay -- replay --group ${group} --resume-from ${at(tooLarge)} --rate 50 --by ops-bob --replay-cap 3`;
    expect(run.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^replay stopped at ${deadLetterTopicOf(group)} ${at(tooLarge)}: ${retryTopicOf(group)} did not take it: .*too large`, 'i')),
      'recorded as failed in gateway.dlq_replays',
      `resume with: ${resume}`,
    ]);
    const rows = await rowsOf(group);
    expect(rows).toEqual([
      ...before.map((letter) => replayedRow(group, letter, 'ops-bob')),
      { ...replayedRow(group, tooLarge, 'ops-bob'), outcome: 'failed', reason: expect.stringMatching(/too large/i) },
    ]);

    // The printed command starts at the refused record: the two before it are not delivered again.
    const resumed = await replayTool(resume.split(' ').slice(4));

    expect(resumed.code).toBe(1);
    expect(summaryOf(resumed)).toEqual(summary({ failed: 1, filtered: 2 }));
    expect(await retryRecordCount(group)).toBe(2);
  }, 90_000);

  it('refuses bad input with one line and exit code 2, producing and recording nothing', async () => {
    const group = await newGroup();
    await deadLetter(group, { partition: 0 });
    const unknownGroup = uniqueName('test-replay-unknown');

    const runs = {
      unknownGroup: await replayTool(['replay', '--group', unknownGroup]),
      badSince: await replayTool(['replay', '--group', group, '--since', '2026-02-30T10:00:00Z']),
      offsetsWithoutPartition: await replayTool(['replay', '--group', group, '--offsets', '0-5']),
      notAnInteger: await replayTool(['replay', '--group', group, '--partition', 'one']),
      unknownCommand: await replayTool(['purge', '--group', group]),
      missingGroup: await replayTool(['list']),
    };

    expect(Object.fromEntries(Object.entries(runs).map(([name, run]) => [name, { code: run.code, stdout: run.stdout, stderr: run.stderr }]))).toEqual({
      unknownGroup: { code: 2, stdout: '', stderr: `no dead-letter topic ${unknownGroup}.dlq: is ${unknownGroup} a consumer group of this product?\n` },
      badSince: { code: 2, stdout: '', stderr: '--since must be an ISO 8601 time such as 2026-11-23T14:00:00Z or 2026-11-23, got "2026-02-30T10:00:00Z"\n' },
      offsetsWithoutPartition: { code: 2, stdout: '', stderr: '--offsets needs --partition: offsets are counted per partition\n' },
      notAnInteger: { code: 2, stdout: '', stderr: `--partition must be an integer from 0 to ${Number.MAX_SAFE_INTEGER}, got "one"\n` },
      unknownCommand: { code: 2, stdout: '', stderr: 'unknown command "purge": expected list, show or replay (npm run replay -- --help)\n' },
      missingGroup: { code: 2, stdout: '', stderr: '--group GROUP is required: the consumer group whose dead letters to read\n' },
    });
    expect(await retryRecordCount(group)).toBe(0);
    expect(await rowsOf(group)).toEqual([]);
    expect(await rowsOf(unknownGroup)).toEqual([]);
  }, 90_000);

  it('says in one line that the registry did not answer when show cannot decode through it', async () => {
    const group = await newGroup();
    const letter = await deadLetter(group, { partition: 0 });

    const run = await replayTool(['show', '--group', group, '--partition', '0', '--offset', String(letter.offset)], {
      SCHEMA_REGISTRY_URL: 'http://127.0.0.1:1/apis/ccompat/v7',
    });

    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^the schema registry \(SCHEMA_REGISTRY_URL\) did not answer: .*ECONNREFUSED.*\n$/);
  }, 60_000);
});
