import Router from '@koa/router';
import type { Context } from 'koa';
import { requirePermission } from '../middleware/authenticate';
import { ProblemError } from '../middleware/problem';
import { JOURNAL_PAGE_SIZE_MAX, STATEMENT_PAGE_SIZE_MAX, type AccountingQueries, type Period } from '../queries/accounting.queries';
import { uuidParameter } from '../validation';
import { cursorParameter, dayParameter, invalidQuery, nextLink, onlyKnownParameters, pageLimit, paged } from './query-parameters';

export interface AccountingQueryDependencies {
  readonly accounting: AccountingQueries;
}

/** The longest period one journal or statement read covers: a year, leap day included. */
export const PERIOD_DAYS_MAX = 366;
const DAY_MS = 24 * 60 * 60 * 1000;
const NO_PARAMETERS = new Set<string>();
const BALANCE_PARAMETERS = new Set(['asOf']);
const PERIOD_PARAMETERS = new Set(['from', 'to', 'after', 'limit']);

/** Today as a UTC day: the books' days are UTC days (docs/accounting-http.md). */
const today = () => new Date().toISOString().slice(0, 10);

/** from and to, both required and both included, to not before from, at most PERIOD_DAYS_MAX days. */
function periodParameters(ctx: Context): Period {
  const from = dayParameter(ctx, 'from');
  const to = dayParameter(ctx, 'to');
  if (from === undefined) throw invalidQuery('from', 'is required (the first day of the period, YYYY-MM-DD)');
  if (to === undefined) throw invalidQuery('to', 'is required (the last day of the period, YYYY-MM-DD)');
  const days = (Date.parse(to) - Date.parse(from)) / DAY_MS + 1;
  if (days < 1) throw invalidQuery('to', 'must not be before from');
  if (days > PERIOD_DAYS_MAX) throw invalidQuery('to', `must be at most ${PERIOD_DAYS_MAX} days after from, both included`);
  return { from, to };
}

/**
 * Reads of the ledger (permission accounting.read): the chart of accounts, balances and the trial
 * balance as of a day, a period's journal, an invoice, and a customer's statement. The books are
 * read as the accounting context wrote them; nothing here changes them.
 */
export function accountingQueryRoutes(dependencies: AccountingQueryDependencies): Router {
  const router = new Router();
  const canRead = requirePermission('accounting.read');

  router.get('/v1/accounting/accounts', canRead, async (ctx) => {
    onlyKnownParameters(ctx, NO_PARAMETERS);
    ctx.body = { items: await dependencies.accounting.accounts() };
  });

  router.get('/v1/accounting/balances', canRead, async (ctx) => {
    onlyKnownParameters(ctx, BALANCE_PARAMETERS);
    const asOf = dayParameter(ctx, 'asOf') ?? today();
    ctx.body = { asOf, ...(await dependencies.accounting.balances(asOf)) };
  });

  router.get('/v1/accounting/journal', canRead, async (ctx) => {
    onlyKnownParameters(ctx, PERIOD_PARAMETERS);
    const period = periodParameters(ctx);
    const after = cursorParameter(ctx);
    const limit = pageLimit(ctx, JOURNAL_PAGE_SIZE_MAX);
    const page = await paged(() => dependencies.accounting.journal({ ...period, ...(after === undefined ? {} : { after }), limit }));
    ctx.body = { ...period, items: page.items, links: { next: nextLink(ctx, '/v1/accounting/journal', page.next) } };
  });

  router.get('/v1/accounting/journal/:entryId', canRead, async (ctx) => {
    onlyKnownParameters(ctx, NO_PARAMETERS);
    const entryId = uuidParameter('entryId', ctx.params.entryId);
    const entry = await dependencies.accounting.entry(entryId);
    if (entry === undefined) throw new ProblemError(404, 'journal-entry-not-found', 'No such journal entry', `There is no journal entry ${entryId}.`);
    ctx.body = {
      ...entry,
      links: {
        self: `/v1/accounting/journal/${entry.id}`,
        reverses: entry.reversesEntryId === null ? null : `/v1/accounting/journal/${entry.reversesEntryId}`,
        reversedBy: entry.reversedBy === null ? null : `/v1/accounting/journal/${entry.reversedBy}`,
      },
    };
  });

  router.get('/v1/accounting/invoices/:invoiceId', canRead, async (ctx) => {
    onlyKnownParameters(ctx, NO_PARAMETERS);
    const invoiceId = uuidParameter('invoiceId', ctx.params.invoiceId);
    const invoice = await dependencies.accounting.invoice(invoiceId);
    if (invoice === undefined) throw new ProblemError(404, 'invoice-not-found', 'No such invoice', `There is no invoice or credit note ${invoiceId}.`);
    ctx.body = {
      ...invoice,
      links: {
        self: `/v1/accounting/invoices/${invoice.id}`,
        credited: invoice.creditedInvoiceId === null ? null : `/v1/accounting/invoices/${invoice.creditedInvoiceId}`,
        rental: invoice.rentalId === null ? null : `/v1/rentals/${invoice.rentalId}`,
      },
    };
  });

  router.get('/v1/accounting/statements/:customerId', canRead, async (ctx) => {
    onlyKnownParameters(ctx, PERIOD_PARAMETERS);
    const customerId = uuidParameter('customerId', ctx.params.customerId);
    const period = periodParameters(ctx);
    const after = cursorParameter(ctx);
    const limit = pageLimit(ctx, STATEMENT_PAGE_SIZE_MAX);
    const statement = await paged(() => dependencies.accounting.statement(customerId, { ...period, ...(after === undefined ? {} : { after }), limit }));
    ctx.body = {
      customerId,
      ...period,
      items: statement.items,
      totals: statement.totals,
      links: { next: nextLink(ctx, `/v1/accounting/statements/${customerId}`, statement.next) },
    };
  });

  return router;
}
