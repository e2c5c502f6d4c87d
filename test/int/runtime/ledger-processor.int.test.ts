import type { KafkaJS } from '@confluentinc/kafka-javascript';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { AvroCodec } from '../../../platform/avro-codec';
import { createDatabase } from '../../../platform/database';
import { createIdempotentProducer, createKafka } from '../../../platform/kafka';
import { createSchemaRegistry } from '../../../platform/schema-registry';
import { ledgerHandlers } from '../../../processors/ledger/ledger.handlers';
import { LedgerRepository } from '../../../processors/ledger/ledger.repository';
import type { ContextProcessor } from '../../../processors/runtime/context-processor';
import { startContextProcessor } from '../../support/context-processor';
import { ScratchDatabase } from '../../support/database';
import { eventually } from '../../support/eventually';
import { encodedMessage, type Sent } from '../../support/messages';
import { uniqueName } from '../../support/names';
import { silentLogger } from '../../support/silent-logger';
import { stackEnv } from '../../support/stack-env';

/**
 * The ledger processor through the real broker, registry and PostgreSQL: it follows the rental and
 * maintenance events topics in its own group; a message delivered twice and the same fact carried
 * by two messages each book one entry, a type it does not book is acknowledged and skipped, every
 * entry is published as LedgerPosted, and the trial balance is zero in each currency.
 */
const env = stackEnv();

describe('the ledger processor on the real stack', () => {
  const database = new ScratchDatabase();
  const topics = {
    commands: uniqueName('test.ledger.commands'),
    events: uniqueName('test.ledger.events'),
    results: uniqueName('test.command.results'),
    rental: uniqueName('test.rental.events'),
    maintenance: uniqueName('test.maintenance.events'),
  };
  const kafka = createKafka({ brokers: env.kafkaBrokers, clientId: 'ledger-processor-test', logger: silentLogger });
  const admin = kafka.admin();
  const producer = createIdempotentProducer(kafka);
  const codec = new AvroCodec(createSchemaRegistry(env.schemaRegistryUrl));
  const posted: Record<string, unknown>[] = [];
  const documents: Record<string, unknown>[] = [];
  let ledgerDatabase: Knex;
  let processor: ContextProcessor;
  let observer: KafkaJS.Consumer;

  beforeAll(async () => {
    await database.create({ migrate: true });
    await admin.connect();
    await admin.createTopics({ topics: Object.values(topics).map((topic) => ({ topic, numPartitions: 3, replicationFactor: 1 })) });
    await producer.connect();
    const ledgerUrl = database.urlFor('accounting_svc');
    ledgerDatabase = createDatabase({ url: ledgerUrl, poolSizeMax: 4, statementTimeoutMs: 10_000, applicationName: 'ledger-test', logger: silentLogger });
    processor = await startContextProcessor('accounting', ledgerHandlers(new LedgerRepository()), {
      kafka,
      producer,
      codec,
      database: ledgerDatabase,
      databaseUrl: ledgerUrl,
      topics: { commands: topics.commands, events: topics.events, results: topics.results, subscriptions: [topics.rental, topics.maintenance] },
    });
    observer = kafka.consumer({ kafkaJS: { groupId: uniqueName('observer'), fromBeginning: true } });
    await observer.connect();
    await observer.subscribe({ topics: [topics.events] });
    await observer.run({
      eachMessage: async ({ message }) => {
        const decoded = (await codec.decode(message.value as Buffer)) as Record<string, unknown>;
        if (String(message.headers?.['message-type']) === 'ledger.LedgerPosted') posted.push(decoded);
        else documents.push(decoded);
      },
    });
  }, 120_000);

  afterAll(async () => {
    await observer.disconnect();
    await processor.stop();
    await producer.disconnect();
    await admin.deleteTopics({ topics: Object.values(topics) });
    await admin.disconnect();
    await ledgerDatabase.destroy();
    await database.drop();
  });

  const actor = randomUUID();
  const message = (topic: string, type: string, value: Record<string, unknown>) => encodedMessage(codec, topic, type, value, { actor, permissions: null });
  const produce = (topic: string, key: string, messages: readonly Sent[]) =>
    producer.send({ topic, messages: messages.map((sent) => ({ key, value: sent.value, headers: sent.headers })) });

  it('books each fact once however often it arrives, skips what it does not book, and balances per currency', async () => {
    const rentalId = randomUUID();
    const vehicleId = randomUUID();
    const jobId = randomUUID();
    const now = Date.now();
    const capture = { paymentId: randomUUID(), rentalId, kind: 'deposit', provider: 'card', amountMinor: 30_000, currency: 'EUR', capturedAt: now };
    const captured = await message(topics.rental, 'rental.PaymentCaptured', capture);
    const capturedAgain = await message(topics.rental, 'rental.PaymentCaptured', capture);
    const cancelled = await message(topics.rental, 'rental.RentalCancelled', { rentalId: randomUUID(), vehicleId, feeMinor: 2_500, currency: 'USD', reason: 'plans changed', cancelledAt: now });
    const activated = await message(topics.rental, 'rental.RentalActivated', { rentalId, vehicleId, activatedAt: now, odometerOutKm: 100 });
    const job = { jobId, vehicleId, completedAt: now, laborCostMinor: 8_000, partsCostMinor: 12_500, totalCostMinor: 20_500, currency: 'EUR', odometerKm: null, parts: [], actor: null };
    const completed = await message(topics.maintenance, 'maintenance.MaintenanceCompleted', job);
    const completedAgain = await message(topics.maintenance, 'maintenance.MaintenanceCompleted', job);

    await produce(topics.rental, rentalId, [captured, captured, capturedAgain]);
    await produce(topics.rental, vehicleId, [cancelled, activated, cancelled]);
    await produce(topics.maintenance, vehicleId, [completed, completedAgain, completed]);

    const distinctMessages = 6;
    await eventually(async () => {
      const [row] = await ledgerDatabase('accounting.inbox_processed_messages').count<{ count: number }[]>('*');
      return Number(row?.count) === distinctMessages ? true : undefined;
    }, 60_000, 'every distinct message in the inbox');
    const entries: { external_ref_type: string; external_ref_id: string }[] = await ledgerDatabase('accounting.journal_entries').orderBy('external_ref_type').select('external_ref_type', 'external_ref_id');
    expect(entries).toEqual([
      { external_ref_type: 'maintenance.MaintenanceCompleted', external_ref_id: jobId },
      { external_ref_type: 'rental.PaymentCaptured', external_ref_id: capture.paymentId },
      { external_ref_type: 'rental.RentalCancelled', external_ref_id: expect.any(String) as string },
    ]);
    const ignored: { message_type: string; outcome: string }[] = await ledgerDatabase('accounting.inbox_processed_messages').where('outcome', 'ignored').select('message_type', 'outcome');
    expect(ignored).toEqual([{ message_type: 'rental.RentalActivated', outcome: 'ignored' }]);

    const trial: { currency: string; debits: number; credits: number }[] = await ledgerDatabase('accounting.journal_lines')
      .groupBy('currency')
      .orderBy('currency')
      .select('currency', ledgerDatabase.raw("sum(amount_cents) FILTER (WHERE direction = 'debit')::bigint AS debits"), ledgerDatabase.raw("sum(amount_cents) FILTER (WHERE direction = 'credit')::bigint AS credits"));
    expect(trial.map((row) => [row.currency, Number(row.debits), Number(row.credits)])).toEqual([
      ['EUR', 50_500, 50_500],
      ['USD', 2_500, 2_500],
    ]);

    await eventually(() => (posted.length >= 3 ? true : undefined), 30_000, 'three LedgerPosted events');
    expect(posted.map((event) => [event.externalRefType, event.totals])).toEqual(
      expect.arrayContaining([
        ['rental.PaymentCaptured', [{ currency: 'EUR', amountMinor: 30_000 }]],
        ['rental.RentalCancelled', [{ currency: 'USD', amountMinor: 2_500 }]],
        ['maintenance.MaintenanceCompleted', [{ currency: 'EUR', amountMinor: 20_500 }]],
      ]),
    );
    expect(posted).toHaveLength(3);
    // The cancellation fee is the one fact here that charges a customer: one invoice, issued once.
    expect(documents).toEqual([expect.objectContaining({ sourceEventType: 'rental.RentalCancelled', totalMinor: 2_500, currency: 'USD', creditedInvoiceId: null })]);
  }, 90_000);
});
