import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { AvroCodec } from '../../../platform/avro-codec';
import { createDatabase } from '../../../platform/database';
import { deadLetterTopicOf, retryTopicOf } from '../../../platform/failure-records';
import { createIdempotentProducer, createKafka } from '../../../platform/kafka';
import { createSchemaRegistry } from '../../../platform/schema-registry';
import { reportingHandlers } from '../../../processors/reporting/reporting.handlers';
import { ReportingRepository } from '../../../processors/reporting/reporting.repository';
import type { ContextProcessor } from '../../../processors/runtime/context-processor';
import { startContextProcessor } from '../../support/context-processor';
import { ScratchDatabase } from '../../support/database';
import { eventually } from '../../support/eventually';
import { encodedMessage, type Sent } from '../../support/messages';
import { uniqueName } from '../../support/names';
import { C1, C2, FIXTURE, posted, V1, V2, V3, type FixtureEvent } from '../../support/reporting-fixture';
import { runTool } from '../../support/run-tool';
import { silentLogger } from '../../support/silent-logger';
import { stackEnv } from '../../support/stack-env';

/**
 * The reporting processor on the real stack, fed a month of a small fleet's facts (the fixture) on
 * its source topics: each report against figures worked out by hand below; a report generated
 * again at an earlier snapshot's watermark, after more facts, a replayed event and a fact sent again
 * under a new id, is the same bytes; the rebuild tool replays the topics into fresh read models and
 * finds every snapshot reproduces, and names one that does not.
 */
const env = stackEnv();
const HOUR = 3_600_000;

describe('reports from the reporting read models', () => {
  const database = new ScratchDatabase();
  const topics = {
    commands: uniqueName('test.reporting.commands'),
    events: uniqueName('test.reporting.events'),
    results: uniqueName('test.command.results'),
    fleet: uniqueName('test.fleet.events'),
    rental: uniqueName('test.rental.events'),
    maintenance: uniqueName('test.maintenance.events'),
    ledger: uniqueName('test.ledger.events'),
  };
  const groupId = uniqueName('test-reporting');
  const kafka = createKafka({ brokers: env.kafkaBrokers, clientId: 'reporting-test', logger: silentLogger });
  const admin = kafka.admin();
  const producer = createIdempotentProducer(kafka);
  const codec = new AvroCodec(createSchemaRegistry(env.schemaRegistryUrl));
  const actor = randomUUID();
  let pool: Knex;
  let processor: ContextProcessor;
  /** Every message sent to a source topic, to send one again (a replay) with the same id. */
  const sent: { event: FixtureEvent; message: Sent }[] = [];

  async function publish(events: readonly FixtureEvent[], options: { id?: string } = {}): Promise<Sent[]> {
    const messages: Sent[] = [];
    for (const event of events) {
      const message = await encodedMessage(codec, topics[event.topic], event.type, event.value, { actor, ...options });
      await producer.send({ topic: topics[event.topic], messages: [{ key: event.key, value: message.value, headers: message.headers }] });
      sent.push({ event, message });
      messages.push(message);
    }
    return messages;
  }

  /** Waits until reporting has handled every message sent so far (each has an inbox row). */
  async function caughtUp(): Promise<void> {
    const ids = [...new Set(sent.map(({ message }) => message.id))];
    await eventually(async () => {
      const { count } = (await pool.withSchema('reporting').table('inbox_processed_messages').whereIn('message_id', ids).count({ count: '*' }).first()) as { count: string };
      return Number(count) === ids.length ? true : undefined;
    }, 30_000, `reporting to handle the ${ids.length} messages sent`);
  }

  /** Sends GenerateReport and waits for its outcome: the snapshot, or the rejection's reason code. */
  async function generate(request: Record<string, unknown>, options: { permissions?: readonly string[] | null } = {}): Promise<{ reportId: string; reasonCode: string | null; snapshot: Record<string, unknown> | undefined }> {
    const reportId = (request.reportId as string | undefined) ?? randomUUID();
    const value = { reportId, from: null, to: null, asOf: null, watermark: null, ...request };
    const message = await encodedMessage(codec, topics.commands, 'reporting.GenerateReport', value, { actor, ...options });
    await producer.send({ topic: topics.commands, messages: [{ key: reportId, value: message.value, headers: message.headers }] });
    const outcome = await eventually<{ outcome: string; reason_code: string | null }>(
      () => pool.withSchema('reporting').table('inbox_processed_messages').where('message_id', message.id).first('outcome', 'reason_code'),
      30_000,
      `the outcome of GenerateReport ${reportId}`,
    );
    const snapshot = outcome.outcome === 'accepted' ? ((await pool.withSchema('reporting').table('report_snapshots').where('id', reportId).first()) as Record<string, unknown>) : undefined;
    return { reportId, reasonCode: outcome.reason_code, snapshot };
  }

  beforeAll(async () => {
    await database.create({ migrate: true });
    await admin.connect();
    await admin.createTopics({ topics: Object.values(topics).map((topic) => ({ topic, numPartitions: 3, replicationFactor: 1 })) });
    await producer.connect();
    const url = database.urlFor('reporting_svc');
    pool = createDatabase({ url, poolSizeMax: 4, statementTimeoutMs: 10_000, applicationName: 'reporting-test', logger: silentLogger });
    processor = await startContextProcessor('reporting', reportingHandlers(new ReportingRepository()), {
      kafka,
      producer,
      codec,
      database: pool,
      databaseUrl: url,
      topics: { commands: topics.commands, events: topics.events, results: topics.results, subscriptions: [topics.fleet, topics.rental, topics.maintenance, topics.ledger] },
      groupId,
    });
    await publish(FIXTURE);
    await caughtUp();
  }, 120_000);

  afterAll(async () => {
    await processor?.stop().catch(() => undefined);
    await producer.disconnect();
    await admin.deleteTopics({ topics: [...Object.values(topics), retryTopicOf(groupId), deadLetterTopicOf(groupId)] }).catch(() => undefined);
    await admin.disconnect();
    await pool?.destroy();
    await database.drop();
  });

  const snapshots: Record<string, { reportId: string; snapshot: Record<string, unknown> }> = {};

  it('computes the trial balance as of the last day of March, April lines left out, debits equal to credits per currency', async () => {
    const { reportId, snapshot } = await generate({ reportType: 'trial_balance', asOf: '2026-03-31' });
    snapshots.trialBalance = { reportId, snapshot: snapshot! };
    const account = (code: string, type: string, debitMinor: number, creditMinor: number) => ({ code, type, debitMinor, creditMinor, balanceMinor: debitMinor - creditMinor });
    expect(snapshot!.result).toEqual({
      asOf: '2026-03-31',
      currencies: [
        {
          currency: 'EUR',
          accounts: [
            account('ACCOUNTS_PAYABLE', 'liability', 0, 30_000),
            account('ACCOUNTS_RECEIVABLE', 'asset', 60_500, 35_000),
            account('CANCELLATION_FEE_REVENUE', 'revenue', 0, 2_500),
            account('CARD_CLEARING', 'asset', 30_000, 0),
            account('CASH', 'asset', 1_000, 0),
            account('DAMAGE_RECOVERY_REVENUE', 'revenue', 0, 8_000),
            account('DISCOUNTS', 'revenue', 5_000, 0),
            account('LATE_FEE_REVENUE', 'revenue', 0, 10_000),
            account('MAINTENANCE_LABOUR_EXPENSE', 'expense', 10_000, 0),
            account('MAINTENANCE_PARTS_EXPENSE', 'expense', 20_000, 0),
            account('RENTAL_REVENUE', 'revenue', 0, 41_000),
          ],
          totalDebitMinor: 126_500,
          totalCreditMinor: 126_500,
        },
        { currency: 'USD', accounts: [account('ACCOUNTS_RECEIVABLE', 'asset', 7_000, 0), account('RENTAL_REVENUE', 'revenue', 0, 7_000)], totalDebitMinor: 7_000, totalCreditMinor: 7_000 },
      ],
    });
    expect(snapshot!.parameters).toEqual({ asOf: '2026-03-31' });
    // The consumer timed the batches that brought the ledger's events, per topic.
    expect(processor.metrics.observations('consumer_batch_duration_seconds', { group: groupId, topic: topics.ledger })).toBeGreaterThan(0);
    expect(snapshot!.content_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('computes the income statement for March: revenue by account, discounts, the workshop as expense, the net', async () => {
    const { reportId, snapshot } = await generate({ reportType: 'income_statement', from: '2026-03-01', to: '2026-03-31' });
    snapshots.incomeStatement = { reportId, snapshot: snapshot! };
    expect(snapshot!.result).toEqual({
      period: { from: '2026-03-01', to: '2026-03-31' },
      currencies: [
        {
          currency: 'EUR',
          revenue: [
            { code: 'DAMAGE_RECOVERY_REVENUE', amountMinor: 8_000 },
            { code: 'LATE_FEE_REVENUE', amountMinor: 10_000 },
            { code: 'RENTAL_REVENUE', amountMinor: 41_000 },
          ],
          grossRevenueMinor: 59_000,
          discountsMinor: 5_000,
          netRevenueMinor: 54_000,
          expenses: [
            { code: 'MAINTENANCE_LABOUR_EXPENSE', amountMinor: 10_000 },
            { code: 'MAINTENANCE_PARTS_EXPENSE', amountMinor: 20_000 },
          ],
          expensesMinor: 30_000,
          netIncomeMinor: 24_000,
        },
        { currency: 'USD', revenue: [{ code: 'RENTAL_REVENUE', amountMinor: 7_000 }], grossRevenueMinor: 7_000, discountsMinor: 0, netRevenueMinor: 7_000, expenses: [], expensesMinor: 0, netIncomeMinor: 7_000 },
      ],
    });
  });

  it('computes revenue per vehicle and per class for March, a manual entry unattributed, each vehicle under its class at the watermark', async () => {
    const byVehicle = await generate({ reportType: 'revenue_by_vehicle', from: '2026-03-01', to: '2026-03-31' });
    snapshots.revenueByVehicle = { reportId: byVehicle.reportId, snapshot: byVehicle.snapshot! };
    const figures = (grossRevenueMinor: number, discountsMinor: number) => ({ grossRevenueMinor, discountsMinor, netRevenueMinor: grossRevenueMinor - discountsMinor });
    expect(byVehicle.snapshot!.result).toEqual({
      period: { from: '2026-03-01', to: '2026-03-31' },
      currencies: [
        {
          currency: 'EUR',
          vehicles: [
            { vehicleId: V1, vehicleClass: 'premium', ...figures(50_000, 5_000) },
            { vehicleId: V3, vehicleClass: 'compact', ...figures(8_000, 0) },
          ],
          unattributed: figures(1_000, 0),
          total: figures(59_000, 5_000),
        },
        { currency: 'USD', vehicles: [{ vehicleId: V2, vehicleClass: 'van', ...figures(7_000, 0) }], unattributed: figures(0, 0), total: figures(7_000, 0) },
      ],
    });
    const byClass = await generate({ reportType: 'revenue_by_vehicle_class', from: '2026-03-01', to: '2026-03-31' });
    snapshots.revenueByClass = { reportId: byClass.reportId, snapshot: byClass.snapshot! };
    expect(byClass.snapshot!.result).toEqual({
      period: { from: '2026-03-01', to: '2026-03-31' },
      currencies: [
        {
          currency: 'EUR',
          classes: [
            { vehicleClass: 'compact', vehicles: 1, ...figures(8_000, 0) },
            { vehicleClass: 'premium', vehicles: 1, ...figures(50_000, 5_000) },
          ],
          unattributed: figures(1_000, 0),
          total: figures(59_000, 5_000),
        },
        { currency: 'USD', classes: [{ vehicleClass: 'van', vehicles: 1, ...figures(7_000, 0) }], unattributed: figures(0, 0), total: figures(7_000, 0) },
      ],
    });
  });

  it('computes March utilisation: in service less workshop windows, rented time inside it, a rental still out counted to the month end', async () => {
    const { reportId, snapshot } = await generate({ reportType: 'fleet_utilisation', from: '2026-03-01', to: '2026-03-31' });
    snapshots.utilisation = { reportId, snapshot: snapshot! };
    // V1: 744 h in March less the 48 h job = 696 h; rented 2–12 March (240 h) less the job inside it = 192 h.
    // V2: in service from 11 March (504 h) less the 24 h cancelled job's window = 480 h; rented from 25 March to the end = 168 h.
    // V3: in service until 21 March (480 h) less the job's 24 h in March = 456 h; rented 15–21 March = 144 h.
    expect(snapshot!.result).toEqual({
      period: { from: '2026-03-01', to: '2026-03-31' },
      vehicles: [
        { vehicleId: V1, vehicleClass: 'premium', availableMs: 696 * HOUR, rentedMs: 192 * HOUR, utilisationBp: 2_758 },
        { vehicleId: V2, vehicleClass: 'van', availableMs: 480 * HOUR, rentedMs: 168 * HOUR, utilisationBp: 3_500 },
        { vehicleId: V3, vehicleClass: 'compact', availableMs: 456 * HOUR, rentedMs: 144 * HOUR, utilisationBp: 3_157 },
      ],
      overall: { availableMs: 1_632 * HOUR, rentedMs: 504 * HOUR, utilisationBp: 3_088 },
    });
  });

  it('computes March maintenance cost per vehicle and per 1,000 km from the standing odometer readings', async () => {
    const { reportId, snapshot } = await generate({ reportType: 'maintenance_cost', from: '2026-03-01', to: '2026-03-31' });
    snapshots.maintenance = { reportId, snapshot: snapshot! };
    // V1: 10,000 km at the start (28 Feb); 12,100 at the end (the 20 March correction; the voided 99,999 does not stand).
    // V3: no reading before March, so from its first one in March (5,000) to 5,600.
    expect(snapshot!.result).toEqual({
      period: { from: '2026-03-01', to: '2026-03-31' },
      currencies: [
        {
          currency: 'EUR',
          vehicles: [
            { vehicleId: V1, vehicleClass: 'premium', jobs: 1, costMinor: 30_000, kilometres: 2_100, costPer1000KmMinor: 14_285 },
            { vehicleId: V3, vehicleClass: 'compact', jobs: 1, costMinor: 12_000, kilometres: 600, costPer1000KmMinor: 20_000 },
          ],
          jobs: 2,
          costMinor: 42_000,
          kilometres: 2_700,
          costPer1000KmMinor: 15_555,
        },
      ],
    });
  });

  it('ages receivables as of 15 April per rental, due on the day of its first charge', async () => {
    const { reportId, snapshot } = await generate({ reportType: 'receivables_aging', asOf: '2026-04-15' });
    snapshots.aging = { reportId, snapshot: snapshot! };
    const buckets = (values: Partial<Record<'current' | '1-30' | '31-60' | '61-90' | 'over-90', number>>) => ({ current: 0, '1-30': 0, '31-60': 0, '61-90': 0, 'over-90': 0, ...values });
    // R1 (C1): 50,000 − 30,000 − 5,000 + 999 = 15,999 due 12 March → 34 days. R3 (C2): 8,000 due 20 March → 26 days.
    // R4 (C2): 2,500 due 20 February → 54 days. R5 (C1): 7,000 USD due 28 March → 18 days.
    expect(snapshot!.result).toEqual({
      asOf: '2026-04-15',
      currencies: [
        {
          currency: 'EUR',
          buckets: buckets({ '1-30': 8_000, '31-60': 18_499 }),
          totalMinor: 26_499,
          customers: [
            { customerId: C1, buckets: buckets({ '31-60': 15_999 }), totalMinor: 15_999 },
            { customerId: C2, buckets: buckets({ '1-30': 8_000, '31-60': 2_500 }), totalMinor: 10_500 },
          ],
        },
        { currency: 'USD', buckets: buckets({ '1-30': 7_000 }), totalMinor: 7_000, customers: [{ customerId: C1, buckets: buckets({ '1-30': 7_000 }), totalMinor: 7_000 }] },
      ],
    });
  });

  it('gives empty reports for a period or day with no facts', async () => {
    const future = await generate({ reportType: 'income_statement', from: '2030-01-01', to: '2030-12-31' });
    expect(future.snapshot!.result).toEqual({ period: { from: '2030-01-01', to: '2030-12-31' }, currencies: [] });
    const before = await generate({ reportType: 'trial_balance', asOf: '2000-01-01' });
    expect(before.snapshot!.result).toEqual({ asOf: '2000-01-01', currencies: [] });
    const quiet = await generate({ reportType: 'fleet_utilisation', from: '2001-01-01', to: '2001-12-31' });
    expect(quiet.snapshot!.result).toEqual({ period: { from: '2001-01-01', to: '2001-12-31' }, vehicles: [], overall: { availableMs: 0, rentedMs: 0, utilisationBp: null } });
  });

  it('refuses what it cannot compute, and a requester without reports.generate, with reason codes and no snapshot', async () => {
    expect((await generate({ reportType: 'income_statement', from: '2026-03-31', to: '2026-03-01' })).reasonCode).toBe('REPORTING.INVALID_PARAMETERS');
    expect((await generate({ reportType: 'trial_balance', from: '2026-03-01', to: '2026-03-31' })).reasonCode).toBe('REPORTING.INVALID_PARAMETERS');
    expect((await generate({ reportType: 'cash_flow', asOf: '2026-03-31' })).reasonCode).toBe('REPORTING.INVALID_PARAMETERS');
    expect((await generate({ reportType: 'trial_balance', asOf: '2026-03-31' }, { permissions: ['reports.read'] })).reasonCode).toBe('REPORTING.NOT_PERMITTED');
    expect((await generate({ reportType: 'trial_balance', asOf: '2026-03-31' }, { permissions: null })).reasonCode).toBe('REPORTING.NOT_PERMITTED');
    const beyond = [{ topic: topics.ledger, partition: 0, offset: 1_000_000 }];
    expect((await generate({ reportType: 'trial_balance', asOf: '2026-03-31', watermark: beyond })).reasonCode).toBe('REPORTING.WATERMARK_NOT_REACHED');
    const again = await generate({ reportType: 'trial_balance', asOf: '2026-03-31', reportId: snapshots.trialBalance!.reportId });
    expect(again.reasonCode).toBe('REPORTING.REPORT_ID_TAKEN');
    const kept: { content_hash: string } | undefined = await pool.withSchema('reporting').table('report_snapshots').where('id', snapshots.trialBalance!.reportId).first('content_hash');
    expect(kept?.content_hash).toBe(snapshots.trialBalance!.snapshot.content_hash);
  });

  it('reproduces a snapshot byte for byte at its watermark after later facts, a replayed event and a fact sent again under a new id', async () => {
    const first = snapshots.incomeStatement!.snapshot;
    // A replay: the first LedgerPosted again with its own message id. A duplicate: the damage entry again under a new id.
    const replayed = sent.find(({ event }) => event.type === 'ledger.LedgerPosted')!;
    await producer.send({ topic: topics.ledger, messages: [{ key: replayed.event.key, value: replayed.message.value, headers: replayed.message.headers }] });
    const damage = sent.find(({ event }) => event.type === 'ledger.LedgerPosted' && (event.value.lines as { accountCode: string }[]).some((line) => line.accountCode === 'DAMAGE_RECOVERY_REVENUE'))!;
    await publish([damage.event]);
    // A later fact in the same period: another March charge on R1.
    await publish([posted('rental.ChargeAdded', randomUUID(), '2026-03-30', [['ACCOUNTS_RECEIVABLE', 'debit', 700], ['LATE_FEE_REVENUE', 'credit', 700]])]);
    await caughtUp();

    const again = await generate({ reportType: 'income_statement', from: '2026-03-01', to: '2026-03-31', watermark: first.watermark });
    expect(again.snapshot!.content_hash).toBe(first.content_hash);
    expect(again.snapshot!.result).toEqual(first.result);

    const now = await generate({ reportType: 'income_statement', from: '2026-03-01', to: '2026-03-31' });
    const eur = (now.snapshot!.result as { currencies: { currency: string; grossRevenueMinor: number }[] }).currencies.find((currency) => currency.currency === 'EUR')!;
    // The later charge counts once; the replayed and the resent entries not again.
    expect(eur.grossRevenueMinor).toBe(59_000 + 700);
    expect(now.snapshot!.content_hash).not.toBe(first.content_hash);
    snapshots.incomeStatementLater = { reportId: now.reportId, snapshot: now.snapshot! };
  });

  it('rebuilds the read models from the topics and finds every snapshot reproduces; a snapshot that does not is named, exit 3', async () => {
    const rebuild = (args: string[]) =>
      runTool('tools/reporting-rebuild.ts', ['--topics', [topics.fleet, topics.rental, topics.maintenance, topics.ledger].join(','), ...args], { DATABASE_ADMIN_URL: database.adminUrl.toString() });
    const ids = Object.values(snapshots).map(({ reportId }) => reportId);
    const clean = await rebuild(ids.flatMap((reportId) => ['--report', reportId]));
    expect(clean.stderr).toBe('');
    expect(clean.code).toBe(0);
    for (const reportId of ids) expect(clean.stdout).toMatch(new RegExp(`^reproduced  ${reportId} `, 'm'));
    expect(clean.stdout).toContain(`rebuild: ${ids.length} reproduced, 0 differ, 0 skipped`);

    // A snapshot whose stored bytes are not what its watermark gives (written past the processor).
    const forged = randomUUID();
    const original = snapshots.trialBalance!.snapshot;
    const adminPool = createDatabase({ url: database.adminUrl, poolSizeMax: 1, statementTimeoutMs: 10_000, applicationName: 'reporting-test-admin', logger: silentLogger });
    try {
      await adminPool.withSchema('reporting').table('report_snapshots').insert({
        ...original,
        id: forged,
        parameters: JSON.stringify(original.parameters),
        watermark: JSON.stringify(original.watermark),
        result: JSON.stringify({ asOf: '2026-03-31', currencies: [] }),
        content_hash: 'f'.repeat(64),
        created_at: undefined,
      });
    } finally {
      await adminPool.destroy();
    }
    const forgedRun = await rebuild(['--report', forged, '--report', snapshots.aging!.reportId]);
    expect(forgedRun.code).toBe(3);
    expect(forgedRun.stdout).toMatch(new RegExp(`^differs     ${forged} trial_balance: stored f{64}, rebuilt ${original.content_hash as string}$`, 'm'));
    expect(forgedRun.stdout).toMatch(new RegExp(`^reproduced  ${snapshots.aging!.reportId} `, 'm'));
  }, 120_000);
});
