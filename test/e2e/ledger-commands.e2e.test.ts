import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { createDatabase } from '../../platform/database';
import { accountIdOf } from '../../platform/access';
import { verifyChain } from '../../tools/reconcile/verify-chain';
import { eventually } from '../support/eventually';
import { silentLogger } from '../support/silent-logger';
import { SystemHarness } from '../support/system';

/**
 * The accountant's commands through HTTP, Kafka and the ledger processor: a manual entry is
 * posted once and read back; an unbalanced one is refused by its reason and posts nothing; a role
 * without the permission is refused at the gateway (nothing produced) and a command produced past
 * the gateway is refused by the processor; an entry reversed, and the reversal reversed, nets to
 * zero with the chain intact; a new account is defined once and can be posted to.
 */
const ACCOUNTANT = 'b1c2d3e4-4f5a-4b6c-8d7e-8f9011121314';
const accountant = { subject: ACCOUNTANT, roles: ['accountant'] };
const DAY = '2026-11-20';

describe('the ledger commands through the gateway', () => {
  const harness = new SystemHarness();
  let admin: Knex;

  beforeAll(async () => {
    await harness.start();
    admin = createDatabase({ url: harness.database.adminUrl, poolSizeMax: 2, statementTimeoutMs: 10_000, applicationName: 'ledger-commands-e2e', logger: silentLogger });
  }, 180_000);

  afterAll(async () => {
    await admin.destroy();
    await harness.stop();
  }, 60_000);

  const entryCount = async () => Number(((await admin('accounting.journal_entries').count({ n: '*' }).first()) as { n: string }).n);
  const balanceOf = async (code: string, currency = 'EUR') => {
    const row: { debit_cents: string; credit_cents: string } | undefined = await admin('accounting.account_balances_view').where({ code, currency }).first('debit_cents', 'credit_cents');
    return row === undefined ? 0 : Number(row.debit_cents) - Number(row.credit_cents);
  };
  const feeLines = (amountMinor: number) => [
    { accountCode: 'CASH', direction: 'debit', amountMinor, currency: 'EUR', memo: 'till count' },
    { accountCode: 'CARD_CLEARING', direction: 'credit', amountMinor, currency: 'EUR' },
  ];

  it('posts a balanced manual entry once, answers 201 with where to read it, and reads it back with its memo', async () => {
    const entryId = randomUUID();
    const body = { entryId, entryDate: DAY, reason: 'Card takings counted as cash', lines: feeLines(2500) };
    const posted = await harness.send('POST', '/v1/accounting/journal', body, accountant);
    expect(posted.status).toBe(201);
    expect(posted.headers.get('location')).toBe(`/v1/accounting/journal/${entryId}`);

    const again = await harness.send('POST', '/v1/accounting/journal', body, accountant);
    expect(again.status).toBe(201);
    expect(await admin('accounting.journal_entries').where({ external_ref_type: 'ledger.PostManualJournalEntry', external_ref_id: entryId }).select('id')).toEqual([{ id: entryId }]);

    const read = await harness.get(`/v1/accounting/journal/${entryId}`, accountant);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      id: entryId,
      entryDate: DAY,
      description: 'Card takings counted as cash',
      externalRef: { type: 'ledger.PostManualJournalEntry', id: entryId },
      reversesEntryId: null,
      reversedBy: null,
      lines: [
        { accountCode: 'CASH', direction: 'debit', amountMinor: 2500, currency: 'EUR', memo: 'till count' },
        { accountCode: 'CARD_CLEARING', direction: 'credit', amountMinor: 2500, currency: 'EUR', memo: null },
      ],
    });
    await eventually(
      async () => (harness.events.get(harness.topics.ledgerEvents) ?? []).find((event) => event.type === 'ledger.LedgerPosted' && event.value.entryId === entryId),
      20_000,
      'LedgerPosted for the manual entry',
    );
  });

  it('refuses an unbalanced entry with LEDGER.UNBALANCED_ENTRY (422) and posts nothing', async () => {
    const before = await entryCount();
    const entryId = randomUUID();
    const refused = await harness.send(
      'POST',
      '/v1/accounting/journal',
      { entryId, entryDate: DAY, reason: 'Typo', lines: [{ accountCode: 'CASH', direction: 'debit', amountMinor: 1000, currency: 'EUR' }, { accountCode: 'CARD_CLEARING', direction: 'credit', amountMinor: 999, currency: 'EUR' }] },
      accountant,
    );
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ status: 'rejected', reasonCode: 'LEDGER.UNBALANCED_ENTRY', message: expect.stringContaining('EUR: debits 1000, credits 999') });
    expect(await entryCount()).toBe(before);
    expect((await harness.get(`/v1/accounting/journal/${entryId}`, accountant)).status).toBe(404);
  });

  it('answers 400 naming the field for a request of the wrong shape, before anything is produced', async () => {
    const produced = await harness.commandsProduced('ledger');
    const oneLine = await harness.send('POST', '/v1/accounting/journal', { entryDate: DAY, reason: 'x', lines: feeLines(10).slice(0, 1) }, accountant);
    expect(oneLine.status).toBe(400);
    expect(JSON.stringify(oneLine.body)).toContain('lines');
    const zero = await harness.send('POST', '/v1/accounting/journal', { entryDate: DAY, reason: 'x', lines: feeLines(0) }, accountant);
    expect(zero.status).toBe(400);
    expect(JSON.stringify(zero.body)).toContain('lines[0].amountMinor');
    const badDay = await harness.send('POST', '/v1/accounting/journal', { entryDate: '20-11-2026', reason: 'x', lines: feeLines(10) }, accountant);
    expect(badDay.status).toBe(400);
    expect(await harness.commandsProduced('ledger')).toBe(produced);
  });

  it('refuses a role without accounting.journal.post at the gateway (403, nothing produced), and the processor refuses a command produced past it', async () => {
    const produced = await harness.commandsProduced('ledger');
    const auditor = await harness.send('POST', '/v1/accounting/journal', { entryDate: DAY, reason: 'Not mine to post', lines: feeLines(10) }, { subject: ACCOUNTANT, roles: ['auditor'] });
    expect(auditor.status).toBe(403);
    expect(await harness.commandsProduced('ledger')).toBe(produced);

    const before = await entryCount();
    const entryId = randomUUID();
    const messageId = await harness.produceCommand(
      harness.topics.ledgerCommands,
      entryId,
      'ledger.PostManualJournalEntry',
      { entryId, entryDate: DAY, reason: 'Past the gateway', lines: feeLines(10) },
      ACCOUNTANT,
      ['accounting.read'],
    );
    const processed = await eventually<{ outcome: string; reason_code: string }>(
      async () => harness.ledger('accounting.inbox_processed_messages').where('message_id', messageId).first('outcome', 'reason_code'),
      30_000,
      'the ledger to handle the command produced past the gateway',
    );
    expect(processed).toEqual({ outcome: 'rejected', reason_code: 'LEDGER.NOT_PERMITTED' });
    expect(await entryCount()).toBe(before);
  });

  it('reverses an entry, then the reversal: the two net to zero on every account, a second reversal is refused, and the chain holds', async () => {
    const entryId = randomUUID();
    expect((await harness.send('POST', '/v1/accounting/journal', { entryId, entryDate: DAY, reason: 'To be taken back', lines: feeLines(700) }, accountant)).status).toBe(201);
    const cash = await balanceOf('CASH');
    const clearing = await balanceOf('CARD_CLEARING');

    const first = await harness.send('POST', `/v1/accounting/journal/${entryId}/reversal`, { reason: 'Wrong account' }, accountant);
    expect(first.status).toBe(201);
    const reversalId = first.body.aggregateId as string;
    expect(first.headers.get('location')).toBe(`/v1/accounting/journal/${reversalId}`);
    expect(await balanceOf('CASH')).toBe(cash - 700);
    expect(await balanceOf('CARD_CLEARING')).toBe(clearing + 700);
    expect((await harness.get(`/v1/accounting/journal/${entryId}`, accountant)).body).toMatchObject({ reversedBy: reversalId, links: { reversedBy: `/v1/accounting/journal/${reversalId}` } });

    const twice = await harness.send('POST', `/v1/accounting/journal/${entryId}/reversal`, { reason: 'Again' }, accountant);
    expect(twice.status).toBe(409);
    expect(twice.body).toMatchObject({ reasonCode: 'LEDGER.ENTRY_ALREADY_REVERSED' });

    const second = await harness.send('POST', `/v1/accounting/journal/${reversalId}/reversal`, { reason: 'It was the right account after all', entryDate: '2026-11-21' }, accountant);
    expect(second.status).toBe(201);
    const secondId = second.body.aggregateId as string;
    expect((await harness.get(`/v1/accounting/journal/${secondId}`, accountant)).body).toMatchObject({
      reversesEntryId: reversalId,
      entryDate: '2026-11-21',
      lines: [
        { accountCode: 'CASH', direction: 'debit', amountMinor: 700 },
        { accountCode: 'CARD_CLEARING', direction: 'credit', amountMinor: 700 },
      ],
    });
    expect(await balanceOf('CASH')).toBe(cash);
    expect(await balanceOf('CARD_CLEARING')).toBe(clearing);

    const unknown = await harness.send('POST', `/v1/accounting/journal/${randomUUID()}/reversal`, { reason: 'Nothing there' }, accountant);
    expect(unknown.status).toBe(422);
    expect(unknown.body).toMatchObject({ reasonCode: 'LEDGER.ENTRY_NOT_FOUND' });
    expect(await verifyChain(admin)).toEqual({ entriesChecked: await entryCount(), broken: undefined });
  });

  it('credits an invoice in full when its posting is reversed, and charges it again when the reversal is reversed', async () => {
    const rentalId = randomUUID();
    await harness.produceCommand(
      harness.topics.rentalEvents,
      randomUUID(),
      'rental.RentalCancelled',
      { rentalId, vehicleId: randomUUID(), feeMinor: 3_500, currency: 'EUR', reason: 'Plans changed', cancelledAt: Date.now() },
      ACCOUNTANT,
      null,
    );
    interface Document {
      id: string;
      kind: string;
      invoice_number: string;
      total_cents: number;
      credited_invoice_id: string | null;
      journal_entry_id: string;
    }
    const documentsOf = (): Promise<Document[]> =>
      admin('accounting.invoices').where('rental_id', rentalId).orderBy('sequence_number').select('id', 'kind', 'invoice_number', 'total_cents', 'credited_invoice_id', 'journal_entry_id');
    const [invoice] = await eventually(async () => ((await documentsOf()).length === 1 ? documentsOf() : undefined), 30_000, 'the invoice of the cancellation fee');
    expect(invoice).toMatchObject({ kind: 'invoice', total_cents: 3_500, invoice_number: expect.stringMatching(/^INV-\d{4}-\d{6}$/) as string });

    const reversal = await harness.send('POST', `/v1/accounting/journal/${invoice!.journal_entry_id}/reversal`, { reason: 'Fee waived' }, accountant);
    expect(reversal.status).toBe(201);
    const reversalId = reversal.body.aggregateId as string;
    const afterReversal = await documentsOf();
    expect(afterReversal).toHaveLength(2);
    expect(afterReversal[1]).toMatchObject({ kind: 'credit_note', total_cents: 3_500, credited_invoice_id: invoice!.id, journal_entry_id: reversalId, invoice_number: expect.stringMatching(/^CRN-\d{4}-\d{6}$/) as string });

    const again = await harness.send('POST', `/v1/accounting/journal/${reversalId}/reversal`, { reason: 'Fee due after all' }, accountant);
    expect(again.status).toBe(201);
    const documents = await documentsOf();
    expect(documents.map((document) => [document.kind, document.total_cents])).toEqual([
      ['invoice', 3_500],
      ['credit_note', 3_500],
      ['invoice', 3_500],
    ]);
    await eventually(
      async () => ((harness.events.get(harness.topics.ledgerEvents) ?? []).filter((event) => event.type === 'ledger.CreditNoteIssued' && event.value.rentalId === rentalId).length === 1 ? true : undefined),
      20_000,
      'CreditNoteIssued for the waived fee',
    );
  });

  it('defines an account once, posts to it, and refuses its code for another account', async () => {
    const definition = { code: 'FUEL_RECHARGE_REVENUE', name: 'Fuel recharged to customers', type: 'revenue' };
    const defined = await harness.send('POST', '/v1/accounting/accounts', definition, accountant);
    expect(defined.status).toBe(201);
    expect(defined.body).toMatchObject({ status: 'accepted', aggregateId: accountIdOf('FUEL_RECHARGE_REVENUE') });
    expect((await harness.send('POST', '/v1/accounting/accounts', definition, accountant)).status).toBe(201);
    const taken = await harness.send('POST', '/v1/accounting/accounts', { ...definition, type: 'expense' }, accountant);
    expect(taken.status).toBe(409);
    expect(taken.body).toMatchObject({ reasonCode: 'LEDGER.ACCOUNT_CODE_TAKEN' });

    const chart = await harness.get('/v1/accounting/accounts', accountant);
    expect((chart.body.items as { code: string }[]).filter((account) => account.code === 'FUEL_RECHARGE_REVENUE')).toEqual([
      expect.objectContaining({ id: accountIdOf('FUEL_RECHARGE_REVENUE'), name: 'Fuel recharged to customers', type: 'revenue', active: true }),
    ]);

    const posted = await harness.send(
      'POST',
      '/v1/accounting/journal',
      { entryDate: DAY, reason: 'Fuel recharged on a return', lines: [{ accountCode: 'ACCOUNTS_RECEIVABLE', direction: 'debit', amountMinor: 4500, currency: 'EUR' }, { accountCode: 'FUEL_RECHARGE_REVENUE', direction: 'credit', amountMinor: 4500, currency: 'EUR' }] },
      accountant,
    );
    expect(posted.status).toBe(201);
    expect(await balanceOf('FUEL_RECHARGE_REVENUE')).toBe(-4500);

    const manager = await harness.send('POST', '/v1/accounting/accounts', { code: 'PETTY_CASH', name: 'Petty cash', type: 'asset' }, { subject: ACCOUNTANT, roles: ['fleet_manager'] });
    expect(manager.status).toBe(403);
  });
});
