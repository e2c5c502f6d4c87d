import { ROLE_PERMISSIONS } from '../../platform/access';
import {
  decideDefineAccount,
  decidePostManualJournalEntry,
  decideReverseJournalEntry,
  imbalanceOf,
  isDay,
  type KnownAccount,
  type ManualLine,
  type PostManualJournalEntry,
} from '../../processors/ledger/journal-commands';
import { postingOf } from '../../processors/ledger/ledger-posting';
import type { CommandContext, Decision } from '../../processors/runtime/command-handler';

/** The accountant's commands as pure rules: what is posted, what is refused and with which reason. */
const now = new Date('2026-11-23T10:00:00Z');
function contextOf(actorPermissions: ReadonlySet<string> | null): CommandContext {
  return {
    now,
    metadata: { messageId: 'c0a80101-0000-4000-8000-000000000001', messageType: 'ledger.X', correlationId: 'corr', causationId: null, actor: 'c0a80101-0000-4000-8000-0000000000aa', actorPermissions, traceparent: null, occurredAt: now.toISOString() },
  };
}
const accountant = contextOf(new Set(ROLE_PERMISSIONS.accountant));
const entryId = '5a1e7c2b-0000-4000-8000-000000000001';
const reversalId = '5a1e7c2b-0000-4000-8000-000000000002';
const secondReversalId = '5a1e7c2b-0000-4000-8000-000000000003';

const account = (code: string, type: KnownAccount['type'], active = true): KnownAccount => ({ id: `id-${code}`, code, name: code, type, active });
const accounts = new Map([account('CASH', 'asset'), account('CARD_CLEARING', 'asset'), account('BANK_FEES', 'expense'), account('OLD_FLOAT', 'asset', false)].map((known) => [known.code, known]));
const line = (accountCode: string, direction: 'debit' | 'credit', amountMinor: number, currency = 'EUR', memo: string | null = null): ManualLine => ({ accountCode, direction, amountMinor, currency, memo });
const manual = (lines: ManualLine[], overrides: Partial<PostManualJournalEntry> = {}): PostManualJournalEntry => ({ entryId, entryDate: '2026-11-20', reason: 'Card fees for November', lines, ...overrides });
const balanced = [line('BANK_FEES', 'debit', 4210, 'EUR', 'statement 2026-11'), line('CARD_CLEARING', 'credit', 4210)];

const reasonOf = (decision: Decision) => (decision.kind === 'rejected' ? decision.reasonCode : 'accepted');
const postedLines = (decision: Decision) => (decision.kind === 'accepted' && decision.events[0] !== undefined ? postingOf(decision.events[0].payload) : undefined);

describe('a manual journal entry', () => {
  const decide = (command: PostManualJournalEntry, context = accountant) => decidePostManualJournalEntry({ accounts, postedBefore: undefined }, command, context);

  it('is posted as written, with its reason as the description and its memos, and points at the entry', () => {
    const decision = decide(manual(balanced, { reason: '  Card fees for November  ' }));
    expect(decision).toMatchObject({ kind: 'accepted', aggregateId: entryId, resourcePath: `/v1/accounting/journal/${entryId}` });
    expect(postedLines(decision)).toEqual({
      externalRefType: 'ledger.PostManualJournalEntry',
      externalRefId: entryId,
      entryDate: '2026-11-20',
      description: 'Card fees for November',
      reversesEntryId: null,
      lines: [
        { account: 'BANK_FEES', direction: 'debit', amountMinor: 4210, currency: 'EUR', memo: 'statement 2026-11' },
        { account: 'CARD_CLEARING', direction: 'credit', amountMinor: 4210, currency: 'EUR' },
      ],
    });
  });

  it('balances in each currency on its own: two balanced currencies pass, a total that hides an imbalance does not', () => {
    const twoCurrencies = [line('CASH', 'debit', 1000, 'EUR'), line('CARD_CLEARING', 'credit', 1000, 'EUR'), line('CASH', 'debit', 700, 'GBP'), line('BANK_FEES', 'credit', 700, 'GBP')];
    expect(reasonOf(decide(manual(twoCurrencies)))).toBe('accepted');
    const hidden = [line('CASH', 'debit', 1000, 'EUR'), line('CARD_CLEARING', 'credit', 700, 'EUR'), line('CASH', 'debit', 700, 'GBP'), line('BANK_FEES', 'credit', 1000, 'GBP')];
    const refused = decide(manual(hidden));
    expect(refused).toEqual({
      kind: 'rejected',
      reasonCode: 'LEDGER.UNBALANCED_ENTRY',
      message: 'The entry does not balance in EUR: debits 1000, credits 700 (minor units); every currency must balance on its own.',
    });
    expect(imbalanceOf(hidden)).toEqual({ currency: 'EUR', debits: 1000, credits: 700 });
    expect(imbalanceOf(twoCurrencies)).toBeUndefined();
  });

  it.each([
    ['one line', manual([line('CASH', 'debit', 100)]), 'LEDGER.INVALID_LINE_COUNT'],
    ['no line', manual([]), 'LEDGER.INVALID_LINE_COUNT'],
    ['an account the chart does not have', manual([line('NO_SUCH', 'debit', 100), line('CASH', 'credit', 100)]), 'LEDGER.UNKNOWN_ACCOUNT'],
    ['a closed account', manual([line('OLD_FLOAT', 'debit', 100), line('CASH', 'credit', 100)]), 'LEDGER.ACCOUNT_INACTIVE'],
    ['a zero amount', manual([line('CASH', 'debit', 0), line('BANK_FEES', 'credit', 0)]), 'LEDGER.INVALID_AMOUNT'],
    ['a negative amount', manual([line('CASH', 'debit', -5), line('BANK_FEES', 'credit', -5)]), 'LEDGER.INVALID_AMOUNT'],
    ['a lower-case currency', manual([line('CASH', 'debit', 5, 'eur'), line('BANK_FEES', 'credit', 5, 'eur')]), 'LEDGER.INVALID_CURRENCY'],
    ['a blank reason', manual(balanced, { reason: '   ' }), 'LEDGER.INVALID_REASON'],
    ['a day that does not exist', manual(balanced, { entryDate: '2026-02-30' }), 'LEDGER.INVALID_ENTRY_DATE'],
  ])('is refused with %s', (_case, command, reasonCode) => {
    const decision = decide(command);
    expect(reasonOf(decision)).toBe(reasonCode);
    expect(decision.kind === 'rejected' && decision.message.length).toBeGreaterThan(0);
  });

  it('is refused to an actor without accounting.journal.post, and to a command that does not say what its actor holds', () => {
    expect(reasonOf(decide(manual(balanced), contextOf(new Set(ROLE_PERMISSIONS.auditor))))).toBe('LEDGER.NOT_PERMITTED');
    expect(reasonOf(decide(manual(balanced), contextOf(null)))).toBe('LEDGER.NOT_PERMITTED');
  });

  it('posts nothing again when sent again, and refuses other lines under the same id', () => {
    const postedBefore = { id: entryId, lines: [{ account: 'CARD_CLEARING', direction: 'credit' as const, amountMinor: 4210, currency: 'EUR' }, { account: 'BANK_FEES', direction: 'debit' as const, amountMinor: 4210, currency: 'EUR', memo: 'statement 2026-11' }] };
    expect(decidePostManualJournalEntry({ accounts, postedBefore }, manual(balanced), accountant)).toEqual({ kind: 'accepted', aggregateId: entryId, events: [], resourcePath: `/v1/accounting/journal/${entryId}` });
    const other = manual([line('BANK_FEES', 'debit', 4211), line('CARD_CLEARING', 'credit', 4211)]);
    expect(reasonOf(decidePostManualJournalEntry({ accounts, postedBefore }, other, accountant))).toBe('LEDGER.ENTRY_ID_REUSED');
  });
});

describe('a reversal', () => {
  const original = {
    id: entryId,
    description: 'Card fees for November',
    reversedBy: undefined,
    lines: [
      { account: 'BANK_FEES', direction: 'debit' as const, amountMinor: 4210, currency: 'EUR', memo: 'statement 2026-11' },
      { account: 'CARD_CLEARING', direction: 'credit' as const, amountMinor: 4210, currency: 'EUR' },
    ],
  };
  const reverse = (id: string, of: string, entryDate: string | null = null) => ({ reversalId: id, entryId: of, reason: 'Wrong account', entryDate });

  it('mirrors every line, keeps the memos, links to the original and is dated today unless told', () => {
    const decision = decideReverseJournalEntry({ original, postedBefore: undefined }, reverse(reversalId, entryId), accountant);
    expect(decision).toMatchObject({ kind: 'accepted', aggregateId: reversalId, resourcePath: `/v1/accounting/journal/${reversalId}` });
    expect(postedLines(decision)).toEqual({
      externalRefType: 'ledger.ReverseJournalEntry',
      externalRefId: reversalId,
      entryDate: '2026-11-23',
      description: `Reversal of entry ${entryId}: Wrong account`,
      reversesEntryId: entryId,
      lines: [
        { account: 'BANK_FEES', direction: 'credit', amountMinor: 4210, currency: 'EUR', memo: 'statement 2026-11' },
        { account: 'CARD_CLEARING', direction: 'debit', amountMinor: 4210, currency: 'EUR' },
      ],
    });
    expect(postedLines(decideReverseJournalEntry({ original, postedBefore: undefined }, reverse(reversalId, entryId, '2026-11-30'), accountant))?.entryDate).toBe('2026-11-30');
  });

  it('of a reversal gives the original lines back, so that the two reversals net to zero on every account', () => {
    const first = postedLines(decideReverseJournalEntry({ original, postedBefore: undefined }, reverse(reversalId, entryId), accountant))!;
    const second = postedLines(
      decideReverseJournalEntry({ original: { id: reversalId, description: first.description, reversedBy: undefined, lines: [...first.lines] }, postedBefore: undefined }, reverse(secondReversalId, reversalId), accountant),
    )!;
    expect(second.lines).toEqual(original.lines);
    expect(second.reversesEntryId).toBe(reversalId);
    const net = new Map<string, number>();
    for (const posted of [...first.lines, ...second.lines]) net.set(posted.account, (net.get(posted.account) ?? 0) + (posted.direction === 'debit' ? posted.amountMinor : -posted.amountMinor));
    expect([...net.values()]).toEqual([0, 0]);
  });

  it('is refused for an unknown entry, an entry reversed already, a reused id, and without the permission', () => {
    expect(reasonOf(decideReverseJournalEntry({ original: undefined, postedBefore: undefined }, reverse(reversalId, entryId), accountant))).toBe('LEDGER.ENTRY_NOT_FOUND');
    expect(reasonOf(decideReverseJournalEntry({ original: { ...original, reversedBy: reversalId }, postedBefore: undefined }, reverse(secondReversalId, entryId), accountant))).toBe('LEDGER.ENTRY_ALREADY_REVERSED');
    expect(reasonOf(decideReverseJournalEntry({ original, postedBefore: { id: reversalId, lines: [], reversesEntryId: secondReversalId } }, reverse(reversalId, entryId), accountant))).toBe('LEDGER.ENTRY_ID_REUSED');
    expect(reasonOf(decideReverseJournalEntry({ original, postedBefore: undefined }, reverse(reversalId, entryId), contextOf(new Set(['accounting.read']))))).toBe('LEDGER.NOT_PERMITTED');
  });

  it('sent again is accepted without posting anything more', () => {
    expect(decideReverseJournalEntry({ original: { ...original, reversedBy: reversalId }, postedBefore: { id: reversalId, lines: [], reversesEntryId: entryId } }, reverse(reversalId, entryId), accountant)).toEqual({
      kind: 'accepted',
      aggregateId: reversalId,
      events: [],
      resourcePath: `/v1/accounting/journal/${reversalId}`,
    });
  });
});

describe('a new account', () => {
  const define = (overrides: Partial<{ code: string; name: string; type: KnownAccount['type'] }> = {}) => ({ accountId: 'acc-1', code: 'FUEL_RECHARGE_REVENUE', name: 'Fuel recharged', type: 'revenue' as const, ...overrides });

  it('is defined with AccountDefined; the same definition again changes nothing; another one under its code is refused', () => {
    expect(decideDefineAccount({ existing: undefined }, define(), accountant)).toMatchObject({
      kind: 'accepted',
      aggregateId: 'acc-1',
      events: [{ type: 'ledger.AccountDefined', payload: { accountId: 'acc-1', code: 'FUEL_RECHARGE_REVENUE', name: 'Fuel recharged', type: 'revenue', definedAt: now.getTime() } }],
    });
    const existing = { id: 'acc-1', code: 'FUEL_RECHARGE_REVENUE', name: 'Fuel recharged', type: 'revenue' as const, active: true };
    expect(decideDefineAccount({ existing }, define(), accountant)).toEqual({ kind: 'accepted', aggregateId: 'acc-1', events: [], resourcePath: null });
    expect(reasonOf(decideDefineAccount({ existing }, define({ type: 'expense' }), accountant))).toBe('LEDGER.ACCOUNT_CODE_TAKEN');
  });

  it('is refused with a malformed code or a blank name, and without accounting.accounts.manage', () => {
    expect(reasonOf(decideDefineAccount({ existing: undefined }, define({ code: 'fuel' }), accountant))).toBe('LEDGER.INVALID_ACCOUNT_CODE');
    expect(reasonOf(decideDefineAccount({ existing: undefined }, define({ name: ' ' }), accountant))).toBe('LEDGER.INVALID_ACCOUNT_NAME');
    expect(reasonOf(decideDefineAccount({ existing: undefined }, define(), contextOf(new Set(['accounting.journal.post']))))).toBe('LEDGER.NOT_PERMITTED');
  });
});

describe('a day', () => {
  it.each([
    ['2026-11-23', true],
    ['2024-02-29', true],
    ['2026-02-29', false],
    ['2026-13-01', false],
    ['26-11-23', false],
    ['2026-11-23T00:00:00Z', false],
  ])('%s is a day: %s', (candidate, expected) => {
    expect(isDay(candidate)).toBe(expected);
  });
});
