/**
 * `npm run bench -- ledger`: how fast the ledger processor turns facts already on the events
 * topics into committed journal entries, beside the raw rate of inserting the same rows straight
 * into PostgreSQL from one session.
 *
 * Its own database and topics. BENCH_EVENTS facts are produced first (before the processor runs)
 * in the shape production sees them: mostly captured payments, then completed rentals (each after
 * its RentalReserved, on the same key), charges added by hand and completed workshop jobs; rentals
 * and charges are invoiced, so their postings also number and write an invoice. Then:
 *
 * 1. The ledger processor starts in a process of its own with production's default settings
 *    (batches of up to 200 messages, one transaction each) and works through the backlog. Postings
 *    per second = entries ÷ the time from the first message handled to the last (the inbox's own
 *    timestamps); the SQL statements its pool sent (BEGIN and COMMIT included, and the outbox
 *    relay's) are counted, per posting.
 * 2. The processor stopped, the rows it wrote (entries, lines, invoices and their lines, inbox and
 *    outbox rows, reservations) are read into memory and inserted again by one session into copies
 *    of the tables (same columns, checks and indexes; no triggers or foreign keys), in as many
 *    transactions as the processor committed batches, with one multi-row INSERT per table each.
 *
 * The ratio of the two is the price of what the processor adds to the inserts: decoding, rules,
 * dedupe, the hash chain under its lock, the gapless invoice counter, the outbox. docs/performance.md
 * has the figures measured and what they mean.
 */
import { randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import type { Knex } from 'knex';
import pg from 'pg';
import { AvroCodec } from '../platform/avro-codec';
import { loadConfig } from '../platform/config/load';
import { databaseAdminVariables, kafkaVariables, redisVariables, schemaRegistryVariables } from '../platform/config/variables';
import { deadLetterTopicOf, retryTopicOf } from '../platform/failure-records';
import { createIdempotentProducer, createKafka } from '../platform/kafka';
import { createLogger } from '../platform/logger';
import { writeMetadata } from '../platform/message-headers';
import { createSchemaRegistry } from '../platform/schema-registry';
import { BenchDatabase, BenchServices, integerSetting, ratio, runSuffix, step } from './bench-support';
import type { BenchSetup } from './bench-services';

const EVENTS = integerSetting('BENCH_EVENTS', 20_000, 100, 2_000_000);
const PRODUCE_CHUNK = 1_000;
const DRAIN_WAIT_MS_MAX = 600_000;
const DESIGN_TARGET_PER_SECOND = 5_000;
/** The tables a posting writes to, copied for the raw-insert baseline. */
const WRITTEN_TABLES = ['journal_entries', 'journal_lines', 'invoices', 'invoice_lines', 'inbox_processed_messages', 'outbox_events', 'rental_reservations'] as const;

const logger = createLogger('bench', 'warn');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Fact {
  readonly topic: 'rental' | 'maintenance';
  readonly key: string;
  readonly type: string;
  readonly value: Record<string, unknown>;
}

/** The i-th slot of the mix: six captures, two rentals (reserved, then completed), one charge, one workshop job in ten. */
function factsFor(index: number, at: number): Fact[] {
  const rentalId = randomUUID();
  const slot = index % 10;
  if (slot < 6) {
    return [{ topic: 'rental', key: rentalId, type: 'rental.PaymentCaptured', value: { paymentId: randomUUID(), rentalId, kind: slot === 0 ? 'deposit' : 'payment', provider: slot % 2 === 0 ? 'card' : 'cash', amountMinor: 1_000 + index, currency: 'EUR', capturedAt: at } }];
  }
  if (slot < 8) {
    const lines = [{ type: 'base', description: '2 days', quantity: 2, unitAmountMinor: 4_900, amountMinor: 9_800 }];
    return [
      { topic: 'rental', key: rentalId, type: 'rental.RentalReserved', value: reserved(rentalId, lines, at) },
      { topic: 'rental', key: rentalId, type: 'rental.RentalCompleted', value: completed(rentalId, index, at) },
    ];
  }
  if (slot === 8) {
    return [{ topic: 'rental', key: rentalId, type: 'rental.ChargeAdded', value: { chargeId: randomUUID(), rentalId, type: 'damage', description: 'Dent', quantity: 1, amountMinor: 5_000 + index, currency: 'EUR', addedAt: at } }];
  }
  const vehicleId = randomUUID();
  return [
    {
      topic: 'maintenance',
      key: vehicleId,
      type: 'maintenance.MaintenanceCompleted',
      value: { jobId: randomUUID(), vehicleId, completedAt: at, laborCostMinor: 8_000, partsCostMinor: 4_000 + index, totalCostMinor: 12_000 + index, currency: 'EUR', odometerKm: null, parts: [], actor: null },
    },
  ];
}

function reserved(rentalId: string, lines: readonly Record<string, unknown>[], at: number): Record<string, unknown> {
  const location = randomUUID();
  return {
    rentalId,
    vehicleId: randomUUID(),
    customerId: randomUUID(),
    quoteId: null,
    planId: randomUUID(),
    originLocationId: location,
    destinationLocationId: location,
    startAt: at,
    endAt: at + 2 * 86_400_000,
    blockedUntil: at + 2 * 86_400_000,
    currency: 'EUR',
    quotedTotalMinor: 9_800,
    lines,
    depositRequiredMinor: 30_000,
    reservedAt: at,
  };
}

function completed(rentalId: string, index: number, at: number): Record<string, unknown> {
  return {
    rentalId,
    vehicleId: randomUUID(),
    completedAt: at,
    odometerInKm: 1_000 + index,
    lines: [{ type: 'extra_km', description: '40 km', quantity: 40, unitAmountMinor: 25, amountMinor: 1_000 }],
    currency: 'EUR',
    totalMinor: 10_800,
    depositAppliedMinor: 10_800,
    depositReleasedMinor: 19_200,
    destinationLocationId: null,
  };
}

/** Produces the facts (the schemas registered on first use); how many messages and postings they are. */
async function preload(producer: ReturnType<typeof createIdempotentProducer>, codec: AvroCodec, topics: { rental: string; maintenance: string }) {
  const at = Date.now();
  let messages = 0;
  let postings = 0;
  for (let from = 0; from < EVENTS; from += PRODUCE_CHUNK) {
    const facts = Array.from({ length: Math.min(PRODUCE_CHUNK, EVENTS - from) }, (_, offset) => factsFor(from + offset, at)).flat();
    const byTopic = new Map<string, { key: string; value: Buffer; headers: Record<string, string> }[]>();
    for (const fact of facts) {
      const topic = topics[fact.topic];
      const headers = writeMetadata({ messageId: randomUUID(), messageType: fact.type, correlationId: randomUUID(), causationId: null, actor: null, actorPermissions: null, traceparent: null, occurredAt: new Date(at).toISOString() });
      byTopic.set(topic, [...(byTopic.get(topic) ?? []), { key: fact.key, value: await codec.encode(topic, fact.type, fact.value), headers }]);
      messages += 1;
      if (fact.type !== 'rental.RentalReserved') postings += 1;
    }
    for (const [topic, batch] of byTopic) await producer.send({ topic, messages: batch });
  }
  return { messages, postings };
}

/** A value read back as pg gives it, ready to be sent again (json documents as text). */
function sqlValue(value: unknown): unknown {
  return value !== null && typeof value === 'object' && !(value instanceof Date) && !Buffer.isBuffer(value) ? JSON.stringify(value) : value;
}

const countOf = async (admin: Knex, table: string): Promise<number> => Number(((await admin(table).count({ count: '*' }).first()) as { count: string }).count);

/** Inserts the rows the processor wrote again, into trigger-free copies of the tables, from one session; seconds taken. */
async function rawInserts(admin: Knex, adminUrl: URL, transactions: number): Promise<{ seconds: number; rows: Record<string, number> }> {
  await admin.raw('CREATE SCHEMA bench_raw');
  const rows: Record<string, Record<string, unknown>[]> = {};
  for (const table of WRITTEN_TABLES) {
    await admin.raw(`CREATE TABLE bench_raw.${table} (LIKE accounting.${table} INCLUDING ALL)`);
    rows[table] = (await admin.raw<{ rows: Record<string, unknown>[] }>(`SELECT * FROM accounting.${table}`)).rows;
  }
  const session = new pg.Client({ connectionString: adminUrl.toString() });
  await session.connect();
  const started = performance.now();
  try {
    for (let index = 0; index < transactions; index += 1) {
      await session.query('BEGIN');
      for (const table of WRITTEN_TABLES) {
        const all = rows[table]!;
        const size = Math.ceil(all.length / transactions);
        const slice = all.slice(index * size, (index + 1) * size);
        if (slice.length === 0) continue;
        const columns = Object.keys(slice[0]!);
        // One statement per table and transaction, within PostgreSQL's 65,535 parameters.
        const perStatement = Math.floor(60_000 / columns.length);
        for (let from = 0; from < slice.length; from += perStatement) {
          const chunk = slice.slice(from, from + perStatement);
          const values = chunk.map((_, row) => `(${columns.map((__, column) => `$${row * columns.length + column + 1}`).join(', ')})`);
          const parameters = chunk.flatMap((row) => columns.map((column) => sqlValue(row[column])));
          await session.query(`INSERT INTO bench_raw.${table} (${columns.map((column) => `"${column}"`).join(', ')}) VALUES ${values.join(', ')}`, parameters);
        }
      }
      await session.query('COMMIT');
    }
  } finally {
    await session.end();
  }
  const seconds = (performance.now() - started) / 1000;
  return { seconds, rows: Object.fromEntries(WRITTEN_TABLES.map((table) => [table, rows[table]!.length])) };
}

async function main(): Promise<void> {
  const env = loadConfig({ ...kafkaVariables, ...schemaRegistryVariables, ...redisVariables, ...databaseAdminVariables });
  const suffix = runSuffix();
  const database = new BenchDatabase(env.databaseAdminUrl, `fleet_bench_${suffix}`);
  const topics = {
    rental: `bench.rental.events.${suffix}`,
    maintenance: `bench.maintenance.events.${suffix}`,
    ledgerCommands: `bench.ledger.commands.${suffix}`,
    ledgerEvents: `bench.ledger.events.${suffix}`,
    results: `bench.command.results.${suffix}`,
  };
  const kafka = createKafka({ brokers: env.kafkaBrokers, clientId: 'bench', logger });
  const kafkaAdmin = kafka.admin();
  const producer = createIdempotentProducer(kafka);
  const codec = new AvroCodec(createSchemaRegistry(env.schemaRegistryUrl));
  let services: BenchServices | undefined;
  try {
    const admin = await step(`database ${database.name}`, () => database.create());
    await kafkaAdmin.connect();
    await kafkaAdmin.createTopics({ topics: Object.values(topics).map((topic) => ({ topic, numPartitions: 6, replicationFactor: 1 })) });
    await producer.connect();
    const loaded = await step(`${EVENTS} facts on the rental and maintenance events topics`, () => preload(producer, codec, topics));

    const setup: BenchSetup = {
      suffix,
      brokers: env.kafkaBrokers,
      registryUrl: env.schemaRegistryUrl.toString(),
      redisUrl: env.redisUrl.toString(),
      gatewayDatabaseUrl: database.loginUrl('gateway_svc').toString(),
      fleetDatabaseUrl: database.loginUrl('fleet_svc').toString(),
      jwksFile: '',
      topics: { commands: `bench.fleet.commands.${suffix}`, events: `bench.fleet.events.${suffix}`, results: topics.results },
      ledger: {
        databaseUrl: database.loginUrl('accounting_svc').toString(),
        topics: { commands: topics.ledgerCommands, events: topics.ledgerEvents, subscriptions: [topics.rental, topics.maintenance] },
      },
    };
    services = new BenchServices(setup, process.env.BENCH_PROFILE_DIR);
    const running = services;
    await step('the ledger processor through the backlog', async () => {
      await running.start('ledger');
      const deadline = Date.now() + DRAIN_WAIT_MS_MAX;
      while ((await countOf(admin, 'accounting.inbox_processed_messages')) < loaded.messages && Date.now() < deadline) await sleep(250);
      // The relay publishes LedgerPosted after the commit: wait for it too, so its statements are counted.
      while ((await admin('accounting.outbox_events').whereNull('published_at').first('id')) !== undefined && Date.now() < deadline) await sleep(250);
      await sleep(500);
    });
    const statements = running.stat('ledger', 'statements');
    const waitedMs = running.statsOf('ledger', 'waited_ms_');
    await running.stop();
    services = undefined;

    const entries = await countOf(admin, 'accounting.journal_entries');
    const { rows: windowRows } = await admin.raw<{ rows: { seconds: number; batches: string }[] }>(
      `SELECT extract(epoch FROM max(processed_at) - min(processed_at))::float8 AS seconds, count(DISTINCT processed_at) AS batches FROM accounting.inbox_processed_messages`,
    );
    const processorSeconds = windowRows[0]!.seconds;
    // now() is the transaction's start: messages of one batch share their processed_at.
    const batches = Number(windowRows[0]!.batches);
    const processorPerSecond = entries / processorSeconds;
    const raw = await step('the same rows inserted raw from one session', () => rawInserts(admin, database.adminUrl, batches));
    const rawPerSecond = entries / raw.seconds;

    const report = {
      machine: { cores: cpus().length, node: process.version },
      settings: { events: EVENTS, batchSizeMax: 200 },
      backlog: { messages: loaded.messages, postingsExpected: loaded.postings, entries, invoices: await countOf(admin, 'accounting.invoices') },
      processor: {
        postingsPerSecond: Math.round(processorPerSecond),
        seconds: Number(processorSeconds.toFixed(2)),
        transactions: batches,
        postingsPerTransaction: Number((entries / batches).toFixed(1)),
        sqlStatements: statements,
        sqlStatementsPerPosting: Number((statements / entries).toFixed(2)),
        // Summed over the statements in flight at once, so it can exceed the run's length.
        msWaitingForSqlByStatement: Object.fromEntries(Object.entries(waitedMs).sort(([, left], [, right]) => right - left)),
        designTargetPerSecond: DESIGN_TARGET_PER_SECOND,
        meetsDesignTarget: processorPerSecond >= DESIGN_TARGET_PER_SECOND,
      },
      rawInserts: { postingsPerSecond: Math.round(rawPerSecond), seconds: Number(raw.seconds.toFixed(2)), transactions: batches, rows: raw.rows },
      processorToRaw: ratio(processorPerSecond, rawPerSecond),
    };
    if (entries !== loaded.postings) throw new Error(`expected ${loaded.postings} entries, the ledger has ${entries}: ${JSON.stringify(report)}`);
    console.log(JSON.stringify(report, null, 2));
  } finally {
    await services?.stop();
    await producer.disconnect().catch(() => undefined);
    const groupId = `bench-accounting-${suffix}`;
    await kafkaAdmin.deleteTopics({ topics: [...Object.values(topics), retryTopicOf(groupId), deadLetterTopicOf(groupId)] }).catch(() => undefined);
    await kafkaAdmin.disconnect().catch(() => undefined);
    await database.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
