import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { AvroCodec } from '../../../platform/avro-codec';
import { createDatabase } from '../../../platform/database';
import { deadLetterTopicOf, retryTopicOf } from '../../../platform/failure-records';
import { createIdempotentProducer, createKafka } from '../../../platform/kafka';
import { createSchemaRegistry } from '../../../platform/schema-registry';
import { ledgerHandlers } from '../../../processors/ledger/ledger.handlers';
import { LedgerRepository } from '../../../processors/ledger/ledger.repository';
import type { CommandHandler } from '../../../processors/runtime/command-handler';
import type { ContextProcessor } from '../../../processors/runtime/context-processor';
import { verifyChain } from '../../../tools/reconcile/verify-chain';
import { startContextProcessor } from '../../support/context-processor';
import { ScratchDatabase } from '../../support/database';
import { membersAre } from '../../support/consumer-group';
import { eventually } from '../../support/eventually';
import { encodedMessage, type Sent } from '../../support/messages';
import { uniqueName } from '../../support/names';
import { silentLogger } from '../../support/silent-logger';
import { stackEnv } from '../../support/stack-env';

/**
 * Two ledger processors in one consumer group while partitions move under them. Each fact is
 * published twice under different keys and message ids, so its two messages mostly land on
 * different partitions; one chunk, sent while both instances are members, puts the two messages of
 * each fact on partitions of different members and holds each until both are being handled, so
 * that the two instances post the same fact at the same moment. Meanwhile the second instance joins and the first leaves. However the race falls, each fact has one entry, one LedgerPosted, at most one invoice,
 * the invoice numbers have no gap, the hash chain has no fork, and nothing is dead-lettered.
 */
const env = stackEnv();
const FACTS = 600;
const CHUNK = 60;

describe('two ledger processors in one group during a rebalance', () => {
  const database = new ScratchDatabase();
  const topics = {
    commands: uniqueName('test.ledger.commands'),
    events: uniqueName('test.ledger.events'),
    results: uniqueName('test.command.results'),
    rental: uniqueName('test.rental.events'),
  };
  const groupId = uniqueName('test-ledger-rebalance');
  const kafka = createKafka({ brokers: env.kafkaBrokers, clientId: 'ledger-rebalance-test', logger: silentLogger });
  const admin = kafka.admin();
  const producer = createIdempotentProducer(kafka);
  const codec = new AvroCodec(createSchemaRegistry(env.schemaRegistryUrl));
  const pools: Knex[] = [];
  const processors: ContextProcessor[] = [];
  const actor = randomUUID();
  /** Facts whose two messages are held until both are being handled (or a second has passed). */
  const raced = new Set<string>();
  const waiting = new Map<string, { instance: string; meet: () => void }>();
  /** Raced facts whose two messages met in the two instances: both were being posted at once. */
  let metAcrossInstances = 0;

  /** The ledger's handlers, with a meeting point for the raced facts before each loads its state. */
  function racingHandlers(instance: string): CommandHandler[] {
    return ledgerHandlers(new LedgerRepository()).map((handler) => ({
      ...handler,
      load: async (transaction, command) => {
        const fields = command as { paymentId?: string; chargeId?: string; rentalId?: string };
        const factId = fields.paymentId ?? fields.chargeId ?? fields.rentalId ?? '';
        if (raced.has(factId)) {
          const partner = waiting.get(factId);
          if (partner === undefined) await new Promise<void>((resolve) => (waiting.set(factId, { instance, meet: resolve }), setTimeout(resolve, 1_000)));
          else {
            if (partner.instance !== instance) metAcrossInstances += 1;
            partner.meet();
          }
        }
        return handler.load(transaction, command);
      },
    }));
  }

  beforeAll(async () => {
    await database.create({ migrate: true });
    await admin.connect();
    await admin.createTopics({ topics: Object.values(topics).map((topic) => ({ topic, numPartitions: 6, replicationFactor: 1 })) });
    await producer.connect();
  }, 120_000);

  afterAll(async () => {
    for (const processor of processors) await processor.stop().catch(() => undefined);
    await producer.disconnect();
    await admin.deleteTopics({ topics: [...Object.values(topics), retryTopicOf(groupId), deadLetterTopicOf(groupId)] }).catch(() => undefined);
    await admin.disconnect();
    for (const pool of pools) await pool.destroy();
    await database.drop();
  });

  async function startInstance(name: string): Promise<ContextProcessor> {
    const url = database.urlFor('accounting_svc');
    const pool = createDatabase({ url, poolSizeMax: 4, statementTimeoutMs: 10_000, applicationName: name, logger: silentLogger });
    pools.push(pool);
    const processor = await startContextProcessor('accounting', racingHandlers(name), {
      kafka,
      producer,
      codec,
      database: pool,
      databaseUrl: url,
      topics: { commands: topics.commands, events: topics.events, results: topics.results, subscriptions: [topics.rental] },
      groupId,
      // A batch is one transaction and every posting in it takes the chain head's lock until the
      // commit; one message per batch lets the two instances' transactions meet on a single fact.
      options: { batchSizeMax: 1 },
    });
    processors.push(processor);
    return processor;
  }



  /** A partition of the rental topic held by each of the two members. */
  async function partitionsOfEachMember(): Promise<[number, number]> {
    return eventually(
      async () => {
        const { groups } = await admin.describeGroups([groupId]);
        const held = (groups[0]?.members ?? []).map((member) => member.assignment.topicPartitions.filter((held) => held.topic === topics.rental).map((held) => held.partition));
        return held.length === 2 && held[0]!.length > 0 && held[1]!.length > 0 ? ([held[0]![0]!, held[1]![0]!] as [number, number]) : undefined;
      },
      60_000,
      'both members holding a partition of the rental topic',
    );
  }

  /** A fact that books money, as the rental context announces it: a capture, a charge or a cancellation fee. */
  function fact(index: number): { type: string; value: Record<string, unknown> } {
    const rentalId = randomUUID();
    const at = Date.now();
    switch (index % 3) {
      case 0:
        return { type: 'rental.PaymentCaptured', value: { paymentId: randomUUID(), rentalId, kind: 'payment', provider: 'card', amountMinor: 1_000 + index, currency: 'EUR', capturedAt: at } };
      case 1:
        return { type: 'rental.ChargeAdded', value: { chargeId: randomUUID(), rentalId, type: 'damage', description: 'Dent', quantity: 1, amountMinor: 2_000 + index, currency: 'EUR', addedAt: at } };
      default:
        return { type: 'rental.RentalCancelled', value: { rentalId, vehicleId: randomUUID(), feeMinor: 500 + index, currency: 'USD', reason: 'Plans changed.', cancelledAt: at } };
    }
  }

  /** Each fact twice, under two keys and message ids: on two partitions most of the time, or on the two given. */
  async function sendChunk(from: number, racedOn?: readonly [number, number]): Promise<string[]> {
    const ids: string[] = [];
    const messages = (
      await Promise.all(
        Array.from({ length: CHUNK }, async (_, offset) => {
          const { type, value } = fact(from + offset);
          if (racedOn !== undefined) raced.add(String(value.paymentId ?? value.chargeId ?? value.rentalId));
          const copies: Sent[] = [await encodedMessage(codec, topics.rental, type, value, { actor }), await encodedMessage(codec, topics.rental, type, value, { actor })];
          ids.push(...copies.map((copy) => copy.id));
          return copies.map((copy, index) => ({ key: randomUUID(), value: copy.value, headers: copy.headers, ...(racedOn === undefined ? {} : { partition: racedOn[index]! }) }));
        }),
      )
    ).flat();
    await producer.send({ topic: topics.rental, messages });
    return ids;
  }

  const count = async (query: Knex.QueryBuilder): Promise<number> => Number(((await query.count({ count: '*' }).first()) as { count: string }).count);
  const handled = (messageIds: readonly string[]) => count(pools[0]!('accounting.inbox_processed_messages').whereIn('message_id', messageIds));

  it('posts each fact once, with one invoice and an unforked chain, however the two instances race', async () => {
    const first = await startInstance('ledger-rebalance-a');
    const sent: string[] = [];
    for (let chunk = 0; chunk < FACTS / CHUNK; chunk += 1) {
      sent.push(...(await sendChunk(chunk * CHUNK, chunk === 3 ? await partitionsOfEachMember() : undefined)));
      // Both instances stay members until every message of the raced chunk has been handled.
      if (chunk === 3) await eventually(async () => ((await handled(sent)) === sent.length ? true : undefined), 120_000, 'the raced chunk handled');
      if (chunk === 2) {
        await startInstance('ledger-rebalance-b');
        await membersAre(admin, groupId, 2);
      }
      if (chunk === 5) {
        await first.stop();
        await membersAre(admin, groupId, 1);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }

    await eventually(async () => ((await handled(sent)) === sent.length ? true : undefined), 120_000, `all ${sent.length} messages handled`);

    const ledger = pools[0]!;
    expect(await count(ledger('accounting.journal_entries'))).toBe(FACTS);
    // The race did happen: some facts were being posted by both instances at once.
    expect(metAcrossInstances).toBeGreaterThan(0);
    // The instance that lost a race finds the fact posted when its batch runs again: nothing is refused.
    expect(await count(ledger('accounting.inbox_processed_messages').where('outcome', 'rejected'))).toBe(0);
    const references: { external_ref_type: string; count: string }[] = await ledger('accounting.journal_entries')
      .select('external_ref_type', ledger.raw('count(*) AS count'))
      .groupBy('external_ref_type')
      .orderBy('external_ref_type');
    expect(references.map((row) => [row.external_ref_type, Number(row.count)])).toEqual([
      ['rental.ChargeAdded', FACTS / 3],
      ['rental.PaymentCaptured', FACTS / 3],
      ['rental.RentalCancelled', FACTS / 3],
    ]);
    expect(await count(ledger('accounting.outbox_events').where('event_type', 'ledger.LedgerPosted'))).toBe(FACTS);
    // Captures are not invoiced; charges and fees are, once each, numbered 1..n in their year.
    const invoiced = (2 * FACTS) / 3;
    expect(await count(ledger('accounting.outbox_events').where('event_type', 'ledger.InvoiceIssued'))).toBe(invoiced);
    const numbers: { year: number; sequence_number: number }[] = await ledger('accounting.invoices').orderBy(['year', 'sequence_number']).select('year', 'sequence_number');
    expect(numbers).toHaveLength(invoiced);
    const years = [...new Set(numbers.map((row) => row.year))];
    for (const year of years) {
      const inYear = numbers.filter((row) => row.year === year).map((row) => row.sequence_number);
      expect(inYear).toEqual(inYear.map((_, index) => index + 1));
    }

    const trial: { currency: string; balance: string }[] = await ledger('accounting.journal_lines')
      .groupBy('currency')
      .select('currency', ledger.raw("sum(CASE direction WHEN 'debit' THEN amount_cents ELSE -amount_cents END) AS balance"));
    expect(trial.map((row) => [row.currency, Number(row.balance)]).sort()).toEqual([
      ['EUR', 0],
      ['USD', 0],
    ]);
    expect(await verifyChain(database.knex())).toEqual({ entriesChecked: FACTS, broken: undefined });
    const deadLetters = await admin.fetchTopicOffsets(deadLetterTopicOf(groupId));
    expect(deadLetters.reduce((sum, partition) => sum + Number(partition.high), 0)).toBe(0);
  }, 240_000);
});
