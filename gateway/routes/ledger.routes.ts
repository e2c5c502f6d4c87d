import Router from '@koa/router';
import { randomUUID } from 'node:crypto';
import { accountIdOf } from '../../platform/access';
import type { FieldSpec } from '../validation';
import { commandRoutesOn, uuidPathParameter, type CommandRouteDependencies } from './command-route';

/** A manual entry's lines and their bounds; the ledger's own rules (balance per currency, open accounts) answer 422. */
const MANUAL_LINES_MAX = 100;
const LINE_AMOUNT_MINOR_MAX = 1_000_000_000_000;
const ENTRY_BODY_BYTES_MAX = 64 * 1024;
const DAY: FieldSpec = { type: 'string', lengthMax: 10, pattern: /^\d{4}-\d{2}-\d{2}$/ };
const ACCOUNT_CODE: FieldSpec = { type: 'string', lengthMax: 50, pattern: /^[A-Z][A-Z0-9_]*$/ };
const REASON: FieldSpec = { type: 'string', lengthMin: 1, lengthMax: 500 };

interface ManualLineBody {
  accountCode: string;
  direction: string;
  amountMinor: number;
  currency: string;
  memo?: string | null;
}

interface PostManualJournalEntryBody {
  entryId?: string;
  entryDate: string;
  reason: string;
  lines: ManualLineBody[];
}

const MANUAL_LINE_BODY: Record<keyof ManualLineBody, FieldSpec> = {
  accountCode: ACCOUNT_CODE,
  direction: { type: 'string', lengthMax: 6, pattern: /^(debit|credit)$/ },
  amountMinor: { type: 'integer', min: 1, max: LINE_AMOUNT_MINOR_MAX },
  currency: { type: 'string', lengthMax: 3, pattern: /^[A-Z]{3}$/ },
  memo: { type: 'string', lengthMax: 500, optional: true, nullable: true },
};

const POST_MANUAL_JOURNAL_ENTRY_BODY: Record<keyof PostManualJournalEntryBody, FieldSpec> = {
  entryId: { type: 'uuid', optional: true },
  entryDate: DAY,
  reason: REASON,
  lines: { type: 'array', items: MANUAL_LINE_BODY, lengthMin: 2, lengthMax: MANUAL_LINES_MAX },
};

interface ReverseJournalEntryBody {
  reason: string;
  entryDate?: string | null;
}

const REVERSE_JOURNAL_ENTRY_BODY: Record<keyof ReverseJournalEntryBody, FieldSpec> = {
  reason: REASON,
  entryDate: { ...DAY, optional: true, nullable: true },
};

interface DefineAccountBody {
  code: string;
  name: string;
  type: string;
}

const DEFINE_ACCOUNT_BODY: Record<keyof DefineAccountBody, FieldSpec> = {
  code: ACCOUNT_CODE,
  name: { type: 'string', lengthMin: 1, lengthMax: 200 },
  type: { type: 'string', lengthMax: 9, pattern: /^(asset|liability|equity|revenue|expense)$/ },
};

export interface LedgerRoutesDependencies extends CommandRouteDependencies {
  readonly topics: { readonly ledgerCommands: string };
}

/**
 * The accountant's commands (see command-route.ts for what every command route does): a manual
 * journal entry, keyed by its id (a caller may choose it, so that sending the same entry twice
 * posts it once); a reversal, keyed by the entry it reverses, so that two reversals of one entry
 * are handled one after the other; a new account, keyed by the id its code gives (accountIdOf).
 */
export function ledgerRoutes(dependencies: LedgerRoutesDependencies): Router {
  const router = new Router();
  const commandRoute = commandRoutesOn(router, dependencies, dependencies.topics.ledgerCommands);

  commandRoute<PostManualJournalEntryBody>(
    'post',
    '/v1/accounting/journal',
    'ledger.PostManualJournalEntry',
    POST_MANUAL_JOURNAL_ENTRY_BODY,
    { creates: true, bodyBytesMax: ENTRY_BODY_BYTES_MAX },
    (_ctx, body) => {
      const entryId = body.entryId ?? randomUUID();
      return {
        aggregateId: entryId,
        payload: {
          entryId,
          entryDate: body.entryDate,
          reason: body.reason,
          lines: body.lines.map((line) => ({ accountCode: line.accountCode, direction: line.direction, amountMinor: line.amountMinor, currency: line.currency, memo: line.memo ?? null })),
        },
      };
    },
  );

  commandRoute<ReverseJournalEntryBody>('post', '/v1/accounting/journal/:entryId/reversal', 'ledger.ReverseJournalEntry', REVERSE_JOURNAL_ENTRY_BODY, { creates: true }, (ctx, body) => {
    const entryId = uuidPathParameter(ctx, 'entryId');
    return { aggregateId: entryId, payload: { reversalId: randomUUID(), entryId, reason: body.reason, entryDate: body.entryDate ?? null } };
  });

  commandRoute<DefineAccountBody>('post', '/v1/accounting/accounts', 'ledger.DefineAccount', DEFINE_ACCOUNT_BODY, { creates: true }, (_ctx, body) => {
    const accountId = accountIdOf(body.code);
    return { aggregateId: accountId, payload: { accountId, code: body.code, name: body.name, type: body.type } };
  });

  return router;
}
