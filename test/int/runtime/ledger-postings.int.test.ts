import { randomBytes, randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { createDatabase } from '../../../platform/database';
import { ledgerHandlers } from '../../../processors/ledger/ledger.handlers';
import { LedgerRepository } from '../../../processors/ledger/ledger.repository';
import { CommandProcessor } from '../../../processors/runtime/command-processor';
import { IntegrationRepository } from '../../../processors/runtime/integration.repository';
import { compareLedger } from '../../../tools/reconcile/compare';
import { readLedgerEntries } from '../../../tools/reconcile/ledger-entries';
import { readSourceFacts } from '../../../tools/reconcile/source-facts';
import { verifyChain } from '../../../tools/reconcile/verify-chain';
import { sqlFailure } from '../../support/database';
import { encodedMessage, type Sent } from '../../support/messages';
import { HOUR_MS, hoursFromNow, RentalHarness, type RecordedEvent } from '../../support/rental-harness';
import { silentLogger } from '../../support/silent-logger';
import { uniqueName } from '../../support/names';

/**
 * The ledger processor on the rental processor's real events, on one scratch database and the
 * stack's registry: a rental's life books the entries docs/accounting.md describes, a redelivery or
 * a re-publish of a fact books nothing more, the books balance per currency, the reconcile tool
 * finds the ledger and the rental facts in agreement (and names a missing and a mismatched
 * posting), and the hash chain verifies until a row is tampered with.
 */
const harness = new RentalHarness();
const ledgerTopic = uniqueName('test.rental.events');

describe('the ledger processor', () => {
  let accounting: Knex;
  let admin: Knex;
  const processor = new CommandProcessor(
    new IntegrationRepository('accounting'),
    harness.codec,
    { events: 'ledger.events', results: 'command.results' },
    ledgerHandlers(new LedgerRepository()),
    silentLogger,
  );

  beforeAll(async () => {
    await harness.start();
    accounting = createDatabase({ url: harness.database.urlFor('accounting_svc'), poolSizeMax: 2, statementTimeoutMs: 30_000, applicationName: 'ledger-test', logger: silentLogger });
    admin = createDatabase({ url: harness.database.adminUrl, poolSizeMax: 2, statementTimeoutMs: 30_000, applicationName: 'ledger-test-admin', logger: silentLogger });
  }, 60_000);

  afterAll(async () => {
    await accounting.destroy();
    await admin.destroy();
    await harness.stop();
  });

  const delivered = (events: readonly RecordedEvent[]): Promise<Sent[]> =>
    Promise.all(events.map((event) => encodedMessage(harness.codec, ledgerTopic, event.type, event.payload, { actor: harness.actor })));
  const post = async (messages: readonly Sent[]) => (await processor.processBatch(accounting, messages, { othersEvents: true })).map((result) => result.outcome);

  const balances = async (): Promise<Record<string, number>> => {
    const rows: { code: string; debit_cents: string; credit_cents: string }[] = await accounting('accounting.account_balances_view').where('currency', 'EUR').select('code', 'debit_cents', 'credit_cents');
    return Object.fromEntries(rows.map((row) => [row.code, Number(row.debit_cents) - Number(row.credit_cents)]));
  };
  const reconcile = async () => compareLedger(await readSourceFacts(admin), await readLedgerEntries(admin));

  const events: RecordedEvent[] = [];
  let completedRentalId: string;
  let manualChargeId: string;

  it('books a rental with a deposit, a late return with damages, a released deposit, a charge after the return and a cancellation fee', async () => {
    const vehicleClass = `c${randomUUID().slice(0, 8)}`;
    const vehicleId = await harness.vehicle(vehicleClass);
    await harness.plan(vehicleClass, { depositMinor: 30_000 });
    const locationId = await harness.location('UTC');
    const startAt = hoursFromNow(1);
    const endAt = hoursFromNow(3);
    const reservation = harness.reservation(vehicleId, locationId, startAt, endAt);
    completedRentalId = reservation.rentalId as string;
    events.push(...(await harness.accepted('ReserveRental', reservation)));

    harness.now = startAt;
    const capture = async (kind: string, provider: string, amountMinor: number) => {
      const paymentId = randomUUID();
      events.push(...(await harness.accepted('RecordPayment', { paymentId, rentalId: completedRentalId, kind, provider, amountMinor, currency: 'EUR', providerReference: null })));
      events.push(...(await harness.accepted('CapturePayment', { paymentId, rentalId: completedRentalId })));
      return paymentId;
    };
    const depositId = await capture('deposit', 'card', 30_000);
    await capture('payment', 'cash', 4_000);
    events.push(...(await harness.accepted('ActivateRental', { rentalId: completedRentalId, odometerOutKm: 10_000, activatedAt: startAt.getTime() })));
    const returnedAt = new Date(endAt.getTime() + 2 * HOUR_MS);
    harness.now = returnedAt;
    // 10,000 base + 3,000 late + 3,000 extra km + 7,000 damage; 4,000 paid, the deposit pays 19,000 and 11,000 goes back.
    events.push(
      ...(await harness.accepted('CompleteRental', {
        rentalId: completedRentalId,
        odometerInKm: 10_500,
        returnedAt: returnedAt.getTime(),
        damages: [{ description: 'Scratch', amountMinor: 7_000 }],
        currency: 'EUR',
      })),
    );
    events.push(...(await harness.accepted('RefundPayment', { refundId: randomUUID(), paymentId: depositId, rentalId: completedRentalId, amountMinor: 11_000, currency: 'EUR', reason: 'deposit released' })));
    manualChargeId = randomUUID();
    events.push(...(await harness.accepted('AddCharge', { chargeId: manualChargeId, rentalId: completedRentalId, type: 'damage', description: 'Cracked mirror', quantity: 1, amountMinor: 2_000, currency: 'EUR' })));

    harness.now = undefined;
    const otherVehicle = await harness.vehicle(vehicleClass);
    const cancelled = harness.reservation(otherVehicle, locationId, hoursFromNow(0, new Date().getUTCHours() + 2), hoursFromNow(1, 12));
    events.push(...(await harness.accepted('ReserveRental', cancelled)));
    events.push(...(await harness.accepted('CancelRental', { rentalId: cancelled.rentalId, reason: 'plans changed' })));

    const outcomes = await post(await delivered(events));
    expect(outcomes.every((outcome) => outcome === 'accepted' || outcome === 'ignored')).toBe(true);
    const entries: { external_ref_type: string }[] = await accounting('accounting.journal_entries').orderBy('sequence').select('external_ref_type');
    expect(entries.map((entry) => entry.external_ref_type)).toEqual([
      'rental.PaymentCaptured',
      'rental.PaymentCaptured',
      'rental.RentalCompleted',
      'rental.PaymentRefunded',
      'rental.ChargeAdded',
      'rental.RentalCancelled',
    ]);
    expect(await balances()).toEqual({
      CARD_CLEARING: 19_000,
      CASH: 4_000,
      CUSTOMER_DEPOSITS: 0,
      ACCOUNTS_RECEIVABLE: 23_000 - 19_000 - 4_000 + 2_000 + 2_500,
      RENTAL_REVENUE: -10_000,
      LATE_FEE_REVENUE: -3_000,
      EXTRA_KM_REVENUE: -3_000,
      DAMAGE_RECOVERY_REVENUE: -9_000,
      CANCELLATION_FEE_REVENUE: -2_500,
    });
    const published: { event_type: string; payload: Record<string, unknown> }[] = await accounting('accounting.outbox_events').select('event_type', 'payload');
    expect(published.map((row) => row.event_type).sort()).toEqual([...Array(3).fill('ledger.InvoiceIssued'), ...Array(6).fill('ledger.LedgerPosted')]);
    // Invoiced: the completed rental, the charge after the return and the cancellation fee, numbered
    // without a gap, for exactly the revenue the ledger booked.
    const invoices: { invoice_number: string; year: number; sequence_number: number; total_cents: string; source_event_type: string }[] = await accounting('accounting.invoices')
      .orderBy(['year', 'sequence_number'])
      .select('invoice_number', 'year', 'sequence_number', 'total_cents', 'source_event_type');
    const numbersOf = (year: number) => invoices.filter((invoice) => invoice.year === year).map((invoice) => invoice.sequence_number);
    for (const { year } of invoices) expect(numbersOf(year)).toEqual(numbersOf(year).map((_number, index) => index + 1));
    for (const invoice of invoices) expect(invoice.invoice_number).toBe(`INV-${invoice.year}-${String(invoice.sequence_number).padStart(6, '0')}`);
    expect(invoices.map((invoice) => invoice.source_event_type).sort()).toEqual(['rental.ChargeAdded', 'rental.RentalCancelled', 'rental.RentalCompleted']);
    expect(invoices.reduce((sum, invoice) => sum + Number(invoice.total_cents), 0)).toBe(10_000 + 3_000 + 3_000 + 9_000 + 2_500);
    for (const row of published) await harness.codec.encode(uniqueName('test.ledger.events'), row.event_type, row.payload);
  });

  it('books nothing more for the same messages again or the same facts in new messages, and the trial balance is zero', async () => {
    const before = await balances();
    const again = await delivered(events);
    expect((await post(again)).filter((outcome) => outcome !== 'ignored').every((outcome) => outcome === 'accepted')).toBe(true);
    expect(await post(again)).toEqual(again.map(() => 'duplicate'));
    expect(await balances()).toEqual(before);
    expect(await accounting('accounting.journal_entries').count<{ count: number }[]>('*')).toEqual([{ count: 6 }]);
    const trial: { currency: string; net: string }[] = await accounting('accounting.journal_lines')
      .groupBy('currency')
      .select('currency', accounting.raw("sum(CASE WHEN direction = 'debit' THEN amount_cents ELSE -amount_cents END) AS net"));
    expect(trial.map((row) => [row.currency, Number(row.net)])).toEqual([['EUR', 0]]);
  });

  it('finds the ledger and the rental facts in agreement, then names a missing and a mismatched posting', async () => {
    expect(await reconcile()).toEqual([]);

    // A charge the ledger has not seen, and one it booked with another amount than the rental holds.
    const unseen = { chargeId: randomUUID(), rentalId: completedRentalId, type: 'late_fee', description: 'Late key return', quantity: 1, amountMinor: 500, currency: 'EUR' };
    await harness.accepted('AddCharge', unseen);
    const misbooked = { chargeId: randomUUID(), rentalId: completedRentalId, type: 'damage', description: 'Dent', quantity: 1, amountMinor: 900, currency: 'EUR' };
    const [misbookedEvent] = await harness.accepted('AddCharge', misbooked);
    const [message] = await delivered([{ ...misbookedEvent!, payload: { ...misbookedEvent!.payload, amountMinor: 800 } }]);
    expect(await post([message!])).toEqual(['accepted']);

    expect(await reconcile()).toEqual([
      {
        kind: 'missing',
        externalRefType: 'rental.ChargeAdded',
        externalRefId: unseen.chargeId,
        expected: [
          { account: 'ACCOUNTS_RECEIVABLE', direction: 'debit', amountMinor: 500, currency: 'EUR' },
          { account: 'LATE_FEE_REVENUE', direction: 'credit', amountMinor: 500, currency: 'EUR' },
        ],
      },
      {
        kind: 'mismatched',
        externalRefType: 'rental.ChargeAdded',
        externalRefId: misbooked.chargeId,
        entryId: expect.any(String) as string,
        expected: [
          { account: 'ACCOUNTS_RECEIVABLE', direction: 'debit', amountMinor: 900, currency: 'EUR' },
          { account: 'DAMAGE_RECOVERY_REVENUE', direction: 'credit', amountMinor: 900, currency: 'EUR' },
        ],
        posted: expect.arrayContaining([
          { account: 'ACCOUNTS_RECEIVABLE', direction: 'debit', amountMinor: 800, currency: 'EUR' },
          { account: 'DAMAGE_RECOVERY_REVENUE', direction: 'credit', amountMinor: 800, currency: 'EUR' },
        ]) as never,
      },
    ]);
  });

  it('refuses a second entry after the same one (a fork of the chain)', async () => {
    const head: { entry_hash: Buffer; sequence: string } = await admin('accounting.chain_head').first('entry_hash', 'sequence');
    const failure = await sqlFailure(
      admin.raw(
        `INSERT INTO accounting.journal_entries (external_ref_type, external_ref_id, entry_date, sequence, previous_hash, entry_hash)
         SELECT 'rental.ChargeAdded', gen_random_uuid(), current_date, ?, previous_hash, sha256(gen_random_uuid()::text::bytea)
         FROM accounting.journal_entries WHERE sequence = ?`,
        [Number(head.sequence) + 1, Number(head.sequence)],
      ),
    );
    expect(failure).toMatchObject({ code: '23505', constraint: 'journal_entries_previous_hash_key' });
  });

  it('moves the chain head only to the next sequence, and the ledger login can neither add nor remove a head', async () => {
    const head: { sequence: string } = await admin('accounting.chain_head').first('sequence');
    const skipped = await sqlFailure(admin('accounting.chain_head').update({ sequence: Number(head.sequence) + 2 }));
    expect(skipped).toMatchObject({ code: '23514', constraint: 'chain_head_forward' });
    const back = await sqlFailure(admin('accounting.chain_head').update({ sequence: Number(head.sequence) - 1 }));
    expect(back).toMatchObject({ code: '23514', constraint: 'chain_head_forward' });

    expect(await sqlFailure(accounting('accounting.chain_head').delete())).toMatchObject({ code: '42501' });
    expect(await sqlFailure(accounting('accounting.chain_head').insert({ singleton: false, sequence: 0, entry_hash: Buffer.alloc(32) }))).toMatchObject({ code: '42501' });
    expect(await admin('accounting.chain_head').first('sequence')).toEqual(head);
  });

  it('moves the chain head several steps only onto written entries, landing on the hash of the last', async () => {
    const head: { sequence: string; entry_hash: Buffer } = await admin('accounting.chain_head').first('sequence', 'entry_hash');
    const from = Number(head.sequence);
    const hashes = [randomBytes(32), randomBytes(32)];
    const moves = await admin
      .transaction(async (transaction) => {
        const attempt = async (sequence: number, hash: Buffer) => {
          await transaction.raw('SAVEPOINT move');
          const outcome = await transaction('accounting.chain_head').update({ sequence, entry_hash: hash }).then(
            () => 'moved',
            (error: { constraint?: string }) => `refused by ${error.constraint}`,
          );
          await transaction.raw(outcome === 'moved' ? 'RELEASE SAVEPOINT move' : 'ROLLBACK TO SAVEPOINT move');
          return outcome;
        };
        const overUnwritten = await attempt(from + 2, hashes[1]!);
        let previous = head.entry_hash;
        for (const [offset, hash] of hashes.entries()) {
          await transaction('accounting.journal_entries').insert({ external_ref_type: 'test.ChainMove', external_ref_id: randomUUID(), entry_date: '2026-11-24', sequence: from + offset + 1, previous_hash: previous, entry_hash: hash });
          previous = hash;
        }
        const wrongHash = await attempt(from + 2, hashes[0]!);
        const onto = await attempt(from + 2, hashes[1]!);
        // Never committed: the entries have no lines, which the database would refuse at commit anyway.
        throw Object.assign(new Error('rolled back'), { moves: [overUnwritten, wrongHash, onto] });
      })
      .catch((error: { moves?: string[] }) => error.moves);
    expect(moves).toEqual(['refused by chain_head_forward', 'refused by chain_head_forward', 'moved']);
    expect(await admin('accounting.chain_head').first('sequence', 'entry_hash')).toEqual(head);
  });

  it('verifies the hash chain, and names the entry whose line was changed behind the triggers', async () => {
    expect(await verifyChain(admin)).toEqual({ entriesChecked: 7, broken: undefined });

    const third: { id: string } = await admin('accounting.journal_entries').where('sequence', 3).first('id');
    await admin.transaction(async (transaction) => {
      await transaction.raw('ALTER TABLE accounting.journal_lines DISABLE TRIGGER USER');
      await transaction.raw("UPDATE accounting.journal_lines SET amount_cents = amount_cents + 100 WHERE journal_entry_id = ? AND direction = 'credit' AND amount_cents = 3000", [third.id]);
      await transaction.raw('ALTER TABLE accounting.journal_lines ENABLE TRIGGER USER');
    });

    expect(await verifyChain(admin)).toEqual({
      entriesChecked: 2,
      broken: { sequence: 3, entryId: third.id, problem: `entry 3 (${third.id}) was changed after it was posted: its content no longer hashes to its entry hash` },
    });
  });
});
