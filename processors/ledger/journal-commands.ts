import { isArray, isNullableString, isInteger, isString, recordOf } from '../../platform/decoded';
import { checkActorHolds, reject, type CommandContext, type Decision } from '../runtime/command-handler';
import { ACCOUNT_TYPES, type AccountType } from './chart-of-accounts';
import { documentEvent, documentForReversal, issue, type IssuedDocument } from './invoices';
import { ledgerPostedEvent } from './ledger-posting';
import type { Direction, Posting, PostingLine, PostedEntry } from './posting-rules';
import { sameLines } from './same-lines';

/**
 * The accountant's own commands: a manual journal entry, the reversal of an entry, and a new
 * account in the chart. Pure rules; the handlers (journal.handlers.ts) load the state they read.
 * Every rule checks the actor's permission itself, so a command that reached the topic some other
 * way than through the gateway is held to the same rule.
 */

export const MANUAL_ENTRY = 'ledger.PostManualJournalEntry';
export const REVERSAL = 'ledger.ReverseJournalEntry';
export const ACCOUNT_DEFINED = 'ledger.AccountDefined';

export const REASON_LENGTH_MAX = 500;
export const MEMO_LENGTH_MAX = 500;
export const MANUAL_LINES_MAX = 100;
export const ACCOUNT_NAME_LENGTH_MAX = 200;
/** The largest single line: ten billion in major units, far beyond any rental, far below 2^53. */
export const LINE_AMOUNT_MINOR_MAX = 1_000_000_000_000;
export const ACCOUNT_CODE = /^[A-Z][A-Z0-9_]{0,49}$/;
const CURRENCY = /^[A-Z]{3}$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

export interface ManualLine {
  readonly accountCode: string;
  readonly direction: Direction;
  readonly amountMinor: number;
  readonly currency: string;
  readonly memo: string | null;
}

/** ledger.PostManualJournalEntry, as decoded from Avro. */
export interface PostManualJournalEntry {
  readonly entryId: string;
  readonly entryDate: string;
  readonly reason: string;
  readonly lines: readonly ManualLine[];
}

/** ledger.ReverseJournalEntry, as decoded from Avro. */
export interface ReverseJournalEntry {
  readonly reversalId: string;
  readonly entryId: string;
  readonly reason: string;
  /** The reversal's day; the day it is handled (UTC) when null. */
  readonly entryDate: string | null;
}

/** ledger.DefineAccount, as decoded from Avro. */
export interface DefineAccount {
  readonly accountId: string;
  readonly code: string;
  readonly name: string;
  readonly type: AccountType;
}

export interface KnownAccount {
  readonly id: string;
  readonly code: string;
  readonly name: string;
  readonly type: AccountType;
  readonly active: boolean;
}

export interface ManualEntryState {
  /** The accounts the command names that exist, by code. */
  readonly accounts: ReadonlyMap<string, KnownAccount>;
  /** The entry already posted under the command's entry id, if any (a command sent again). */
  readonly postedBefore: PostedEntry | undefined;
}

/** An entry as the ledger holds it, with what a reversal needs. */
export interface EntryToReverse extends PostedEntry {
  readonly description: string | null;
  /** The entry that reversed this one already, if any. */
  readonly reversedBy: string | undefined;
}

export interface ReversalState {
  readonly original: EntryToReverse | undefined;
  /**
   * The invoice or credit note the original entry issued, if any, with the id, the time of issue
   * and that year's last number for the document its reversal issues.
   */
  readonly document?: { readonly reversed: IssuedDocument; readonly id: string; readonly issuedAt: Date; readonly lastNumber: number };
  /** The entry already posted under the command's reversal id, and what it reversed. */
  readonly postedBefore: (PostedEntry & { readonly reversesEntryId: string | null }) | undefined;
}

export interface DefineAccountState {
  readonly existing: KnownAccount | undefined;
}

const isDirection = (candidate: unknown): candidate is Direction => candidate === 'debit' || candidate === 'credit';
const isAccountType = (candidate: unknown): candidate is AccountType => (ACCOUNT_TYPES as readonly unknown[]).includes(candidate);

export function parsePostManualJournalEntry(value: unknown): PostManualJournalEntry {
  const field = recordOf(MANUAL_ENTRY, value);
  return {
    entryId: field('entryId', isString),
    entryDate: field('entryDate', isString),
    reason: field('reason', isString),
    lines: field('lines', isArray).map((line) => {
      const lineField = recordOf(`${MANUAL_ENTRY}.lines`, line);
      return {
        accountCode: lineField('accountCode', isString),
        direction: lineField('direction', isDirection),
        amountMinor: lineField('amountMinor', isInteger),
        currency: lineField('currency', isString),
        memo: lineField('memo', isNullableString),
      };
    }),
  };
}

export function parseReverseJournalEntry(value: unknown): ReverseJournalEntry {
  const field = recordOf(REVERSAL, value);
  return { reversalId: field('reversalId', isString), entryId: field('entryId', isString), reason: field('reason', isString), entryDate: field('entryDate', isNullableString) };
}

export function parseDefineAccount(value: unknown): DefineAccount {
  const field = recordOf('ledger.DefineAccount', value);
  return { accountId: field('accountId', isString), code: field('code', isString), name: field('name', isString), type: field('type', isAccountType) };
}

/** A calendar day written YYYY-MM-DD that exists (no 2026-02-30). */
export function isDay(candidate: string): boolean {
  if (!DAY.test(candidate)) return false;
  const parsed = new Date(`${candidate}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === candidate;
}

/** The first currency whose debits and credits differ, with both sums; undefined when every currency balances. */
export function imbalanceOf(lines: readonly Pick<PostingLine, 'direction' | 'amountMinor' | 'currency'>[]): { currency: string; debits: number; credits: number } | undefined {
  const sums = new Map<string, { debits: number; credits: number }>();
  for (const line of lines) {
    const sum = sums.get(line.currency) ?? { debits: 0, credits: 0 };
    sums.set(line.currency, line.direction === 'debit' ? { ...sum, debits: sum.debits + line.amountMinor } : { ...sum, credits: sum.credits + line.amountMinor });
  }
  const [currency, sum] = [...sums].sort(([left], [right]) => left.localeCompare(right)).find(([, { debits, credits }]) => debits !== credits) ?? [];
  return currency === undefined || sum === undefined ? undefined : { currency, ...sum };
}

/** The reason, trimmed, or a rejection when it is empty or too long. */
function reasonOf(reason: string): string | ReturnType<typeof reject> {
  const trimmed = reason.trim();
  if (trimmed === '' || trimmed.length > REASON_LENGTH_MAX) return reject('LEDGER.INVALID_REASON', `A reason has 1 to ${REASON_LENGTH_MAX} characters.`);
  return trimmed;
}

/** Why one line of a manual entry cannot be posted, or undefined. */
function lineProblem(line: ManualLine, index: number, accounts: ReadonlyMap<string, KnownAccount>): ReturnType<typeof reject> | undefined {
  const where = `Line ${index + 1}`;
  if (!Number.isSafeInteger(line.amountMinor) || line.amountMinor <= 0 || line.amountMinor > LINE_AMOUNT_MINOR_MAX) {
    return reject('LEDGER.INVALID_AMOUNT', `${where}: an amount is a whole number of minor units from 1 to ${LINE_AMOUNT_MINOR_MAX}.`);
  }
  if (!CURRENCY.test(line.currency)) return reject('LEDGER.INVALID_CURRENCY', `${where}: ${JSON.stringify(line.currency)} is not an ISO 4217 code.`);
  if (line.memo !== null && line.memo.length > MEMO_LENGTH_MAX) return reject('LEDGER.INVALID_MEMO', `${where}: a memo has at most ${MEMO_LENGTH_MAX} characters.`);
  const account = accounts.get(line.accountCode);
  if (account === undefined) return reject('LEDGER.UNKNOWN_ACCOUNT', `${where}: there is no account ${line.accountCode}.`);
  if (!account.active) return reject('LEDGER.ACCOUNT_INACTIVE', `${where}: account ${line.accountCode} is closed to postings.`);
  return undefined;
}

/**
 * A manual entry is posted as the accountant wrote it, once: at least two lines on open accounts,
 * balanced in every currency (no conversion between them), with a reason kept as its description.
 * The same command again is a no-op; another entry under the same id is refused.
 */
export function decidePostManualJournalEntry(state: ManualEntryState, command: PostManualJournalEntry, context: CommandContext): Decision {
  const forbidden = checkActorHolds(context, 'accounting.journal.post', 'LEDGER');
  if (forbidden !== undefined) return forbidden;
  const reason = reasonOf(command.reason);
  if (typeof reason !== 'string') return reason;
  if (!isDay(command.entryDate)) return reject('LEDGER.INVALID_ENTRY_DATE', `${JSON.stringify(command.entryDate)} is not a day written YYYY-MM-DD.`);
  if (command.lines.length < 2 || command.lines.length > MANUAL_LINES_MAX) {
    return reject('LEDGER.INVALID_LINE_COUNT', `An entry has 2 to ${MANUAL_LINES_MAX} lines; this one has ${command.lines.length}.`);
  }
  for (const [index, line] of command.lines.entries()) {
    const problem = lineProblem(line, index, state.accounts);
    if (problem !== undefined) return problem;
  }
  const imbalance = imbalanceOf(command.lines);
  if (imbalance !== undefined) {
    return reject(
      'LEDGER.UNBALANCED_ENTRY',
      `The entry does not balance in ${imbalance.currency}: debits ${imbalance.debits}, credits ${imbalance.credits} (minor units); every currency must balance on its own.`,
    );
  }
  const posting: Posting = {
    externalRefType: MANUAL_ENTRY,
    externalRefId: command.entryId,
    entryDate: command.entryDate,
    description: reason,
    lines: command.lines.map((line) => ({ account: line.accountCode, direction: line.direction, amountMinor: line.amountMinor, currency: line.currency, memo: line.memo })),
  };
  if (state.postedBefore !== undefined) {
    if (sameLines(state.postedBefore.lines, posting.lines)) return { kind: 'accepted', aggregateId: command.entryId, events: [], resourcePath: entryPath(command.entryId) };
    return reject('LEDGER.ENTRY_ID_REUSED', `Entry ${command.entryId} is posted already with other lines.`);
  }
  return { kind: 'accepted', aggregateId: command.entryId, resourcePath: entryPath(command.entryId), events: [ledgerPostedEvent(command.entryId, posting, null)] };
}

/** Where a posted entry is read. */
export const entryPath = (entryId: string) => `/v1/accounting/journal/${entryId}`;

/**
 * A reversal is a new entry with every line of the original on the other side, linked to it; an
 * entry is reversed at most once, and a reversal can itself be reversed (the two then net to zero).
 */
export function decideReverseJournalEntry(state: ReversalState, command: ReverseJournalEntry, context: CommandContext): Decision {
  const forbidden = checkActorHolds(context, 'accounting.journal.post', 'LEDGER');
  if (forbidden !== undefined) return forbidden;
  const reason = reasonOf(command.reason);
  if (typeof reason !== 'string') return reason;
  const entryDate = command.entryDate ?? context.now.toISOString().slice(0, 10);
  if (!isDay(entryDate)) return reject('LEDGER.INVALID_ENTRY_DATE', `${JSON.stringify(entryDate)} is not a day written YYYY-MM-DD.`);
  const accepted: Decision = { kind: 'accepted', aggregateId: command.reversalId, events: [], resourcePath: entryPath(command.reversalId) };
  if (state.postedBefore !== undefined) {
    if (state.postedBefore.reversesEntryId === command.entryId) return accepted;
    return reject('LEDGER.ENTRY_ID_REUSED', `Entry ${command.reversalId} is posted already, and it does not reverse ${command.entryId}.`);
  }
  const original = state.original;
  if (original === undefined) return reject('LEDGER.ENTRY_NOT_FOUND', `There is no journal entry ${command.entryId}.`);
  if (original.reversedBy !== undefined) return reject('LEDGER.ENTRY_ALREADY_REVERSED', `Entry ${original.id} is reversed already, by entry ${original.reversedBy}.`);
  const posting: Posting = {
    externalRefType: REVERSAL,
    externalRefId: command.reversalId,
    entryDate,
    description: `Reversal of entry ${original.id}: ${reason}`,
    lines: original.lines.map((line) => ({ ...line, direction: line.direction === 'debit' ? 'credit' : 'debit' })),
  };
  const events = [ledgerPostedEvent(command.reversalId, posting, original.id)];
  if (state.document !== undefined) {
    const draft = documentForReversal(state.document.reversed, state.document.issuedAt);
    events.push(documentEvent(issue(draft, { id: state.document.id, lastNumber: state.document.lastNumber, journalEntryId: command.reversalId, sourceEventType: REVERSAL, sourceEventId: command.reversalId })));
  }
  return { ...accepted, events };
}

/**
 * A new account in the chart. Defining an account that exists with the same name and type changes
 * nothing (the command sent again); a code already used otherwise is refused.
 */
export function decideDefineAccount(state: DefineAccountState, command: DefineAccount, context: CommandContext): Decision {
  const forbidden = checkActorHolds(context, 'accounting.accounts.manage', 'LEDGER');
  if (forbidden !== undefined) return forbidden;
  if (!ACCOUNT_CODE.test(command.code)) return reject('LEDGER.INVALID_ACCOUNT_CODE', `An account code is 1 to 50 capital letters, digits and underscores, starting with a letter; ${JSON.stringify(command.code)} is not.`);
  const name = command.name.trim();
  if (name === '' || name.length > ACCOUNT_NAME_LENGTH_MAX) return reject('LEDGER.INVALID_ACCOUNT_NAME', `An account name has 1 to ${ACCOUNT_NAME_LENGTH_MAX} characters.`);
  const existing = state.existing;
  if (existing !== undefined) {
    if (existing.name === name && existing.type === command.type) return { kind: 'accepted', aggregateId: existing.id, events: [], resourcePath: null };
    return reject('LEDGER.ACCOUNT_CODE_TAKEN', `Account ${command.code} exists already as "${existing.name}" (${existing.type}).`);
  }
  return {
    kind: 'accepted',
    aggregateId: command.accountId,
    resourcePath: null,
    events: [
      {
        type: ACCOUNT_DEFINED,
        aggregateType: 'account',
        aggregateId: command.accountId,
        payload: { accountId: command.accountId, code: command.code, name, type: command.type, definedAt: context.now.getTime(), actor: context.metadata.actor },
      },
    ],
  };
}
