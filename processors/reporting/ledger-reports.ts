/**
 * The reports drawn from the ledger's journal, as pure functions of the reporting context's copy
 * of it: a trial balance as of a day, an income statement for a period, and receivables by age.
 * Money stays in integer minor units per currency (never converted, never mixed); dates are UTC
 * days, YYYY-MM-DD, and a period includes both its first and last day. Output order is fixed
 * (currency, then account code or bucket), so that the same input is always the same report.
 */
export type AccountType = 'asset' | 'liability' | 'equity' | 'revenue' | 'expense';

/** One journal line as the reporting read model keeps it. */
export interface LedgerLine {
  readonly entryDate: string;
  readonly accountCode: string;
  readonly accountType: AccountType;
  readonly direction: 'debit' | 'credit';
  readonly amountMinor: number;
  readonly currency: string;
}

export interface Period {
  readonly from: string;
  readonly to: string;
}

/** The contra-revenue account: discounts are booked as debits on it and reduce revenue. */
export const DISCOUNTS_ACCOUNT = 'DISCOUNTS';
/** What customers owe: the receivables aging reads this account's lines. */
export const ACCOUNTS_RECEIVABLE = 'ACCOUNTS_RECEIVABLE';

const byText = (left: string, right: string) => (left < right ? -1 : left > right ? 1 : 0);

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): [string, T[]][] {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(keyOf(item), [...(groups.get(keyOf(item)) ?? []), item]);
  return [...groups].sort(([left], [right]) => byText(left, right));
}

const signed = (line: LedgerLine) => (line.direction === 'debit' ? line.amountMinor : -line.amountMinor);
const sumOf = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0);

export interface TrialBalance {
  readonly asOf: string;
  readonly currencies: readonly {
    readonly currency: string;
    readonly accounts: readonly { readonly code: string; readonly type: AccountType; readonly debitMinor: number; readonly creditMinor: number; readonly balanceMinor: number }[];
    readonly totalDebitMinor: number;
    readonly totalCreditMinor: number;
  }[];
}

/** Every account's debits, credits and balance (debits minus credits) from the lines dated up to `asOf`. */
export function trialBalance(lines: readonly LedgerLine[], asOf: string): TrialBalance {
  const dated = lines.filter((line) => line.entryDate <= asOf);
  return {
    asOf,
    currencies: groupBy(dated, (line) => line.currency).map(([currency, inCurrency]) => {
      const accounts = groupBy(inCurrency, (line) => line.accountCode).map(([code, onAccount]) => {
        const debitMinor = sumOf(onAccount.filter((line) => line.direction === 'debit').map((line) => line.amountMinor));
        const creditMinor = sumOf(onAccount.filter((line) => line.direction === 'credit').map((line) => line.amountMinor));
        return { code, type: onAccount[0]!.accountType, debitMinor, creditMinor, balanceMinor: debitMinor - creditMinor };
      });
      return { currency, accounts, totalDebitMinor: sumOf(accounts.map((account) => account.debitMinor)), totalCreditMinor: sumOf(accounts.map((account) => account.creditMinor)) };
    }),
  };
}

export interface IncomeStatement {
  readonly period: Period;
  readonly currencies: readonly {
    readonly currency: string;
    /** Earned per revenue account (credits minus debits), discounts left out. */
    readonly revenue: readonly { readonly code: string; readonly amountMinor: number }[];
    readonly grossRevenueMinor: number;
    readonly discountsMinor: number;
    readonly netRevenueMinor: number;
    /** Spent per expense account (debits minus credits): the workshop's parts and labour. */
    readonly expenses: readonly { readonly code: string; readonly amountMinor: number }[];
    readonly expensesMinor: number;
    readonly netIncomeMinor: number;
  }[];
}

/** Revenue by type, discounts, expenses and the net, per currency, from the lines dated in `period`. */
export function incomeStatement(lines: readonly LedgerLine[], period: Period): IncomeStatement {
  const inPeriod = lines.filter((line) => line.entryDate >= period.from && line.entryDate <= period.to && (line.accountType === 'revenue' || line.accountType === 'expense'));
  return {
    period,
    currencies: groupBy(inPeriod, (line) => line.currency).map(([currency, inCurrency]) => {
      const perAccount = (type: AccountType, sign: 1 | -1) =>
        groupBy(
          inCurrency.filter((line) => line.accountType === type && line.accountCode !== DISCOUNTS_ACCOUNT),
          (line) => line.accountCode,
        ).map(([code, onAccount]) => ({ code, amountMinor: sign * sumOf(onAccount.map(signed)) }));
      const revenue = perAccount('revenue', -1);
      const expenses = perAccount('expense', 1);
      const grossRevenueMinor = sumOf(revenue.map((account) => account.amountMinor));
      const discountsMinor = sumOf(inCurrency.filter((line) => line.accountCode === DISCOUNTS_ACCOUNT).map(signed));
      const expensesMinor = sumOf(expenses.map((account) => account.amountMinor));
      const netRevenueMinor = grossRevenueMinor - discountsMinor;
      return { currency, revenue, grossRevenueMinor, discountsMinor, netRevenueMinor, expenses, expensesMinor, netIncomeMinor: netRevenueMinor - expensesMinor };
    }),
  };
}

/** An amount a customer still owes on one document, due on a day. */
export interface OpenItem {
  readonly customerId: string | null;
  readonly documentNumber: string;
  readonly dueDate: string;
  readonly outstandingMinor: number;
  readonly currency: string;
}

export const AGING_BUCKETS = ['current', '1-30', '31-60', '61-90', 'over-90'] as const;
export type AgingBucket = (typeof AGING_BUCKETS)[number];

const DAY_MS = 86_400_000;

/** Whole days from `dueDate` to `asOf` (both UTC days); zero or less is not yet overdue. */
export function daysOverdue(dueDate: string, asOf: string): number {
  return Math.round((Date.parse(`${asOf}T00:00:00Z`) - Date.parse(`${dueDate}T00:00:00Z`)) / DAY_MS);
}

export function agingBucketOf(days: number): AgingBucket {
  if (days <= 0) return 'current';
  if (days <= 30) return '1-30';
  if (days <= 60) return '31-60';
  if (days <= 90) return '61-90';
  return 'over-90';
}

export interface ReceivablesAging {
  readonly asOf: string;
  readonly currencies: readonly {
    readonly currency: string;
    readonly buckets: Readonly<Record<AgingBucket, number>>;
    readonly totalMinor: number;
    /** Per customer (null: documents without one), in customer id order with the unknown last. */
    readonly customers: readonly { readonly customerId: string | null; readonly buckets: Readonly<Record<AgingBucket, number>>; readonly totalMinor: number }[];
  }[];
}

/**
 * What customers owe as of a day, by how long it has been due (an item not yet due is current).
 * `items` are the documents open on that day, with what was still outstanding on it; settled ones
 * (nothing outstanding) are left out.
 */
export function receivablesAging(items: readonly OpenItem[], asOf: string): ReceivablesAging {
  const open = items.filter((item) => item.outstandingMinor !== 0);
  const bucketsOf = (group: readonly OpenItem[]) => {
    const buckets = Object.fromEntries(AGING_BUCKETS.map((bucket) => [bucket, 0])) as Record<AgingBucket, number>;
    for (const item of group) buckets[agingBucketOf(daysOverdue(item.dueDate, asOf))] += item.outstandingMinor;
    return buckets;
  };
  const UNKNOWN = '\uffff';
  return {
    asOf,
    currencies: groupBy(open, (item) => item.currency).map(([currency, inCurrency]) => ({
      currency,
      buckets: bucketsOf(inCurrency),
      totalMinor: sumOf(inCurrency.map((item) => item.outstandingMinor)),
      customers: groupBy(inCurrency, (item) => item.customerId ?? UNKNOWN).map(([customer, owed]) => ({
        customerId: customer === UNKNOWN ? null : customer,
        buckets: bucketsOf(owed),
        totalMinor: sumOf(owed.map((item) => item.outstandingMinor)),
      })),
    })),
  };
}
