/**
 * The ledger's chart of accounts: the one declaration the migration seeds `accounting.accounts`
 * from and the posting rules name accounts by. Codes are stable identifiers (journal lines point
 * at the account's row, which is never renamed away); adding an account here needs a migration
 * that seeds it.
 */
export const ACCOUNT_TYPES = ['asset', 'liability', 'equity', 'revenue', 'expense'] as const;
export type AccountType = (typeof ACCOUNT_TYPES)[number];

export interface AccountDeclaration {
  readonly code: string;
  readonly name: string;
  readonly type: AccountType;
}

export const CHART_OF_ACCOUNTS = [
  { code: 'CASH', name: 'Cash', type: 'asset' },
  { code: 'CARD_CLEARING', name: 'Card payments in clearing', type: 'asset' },
  { code: 'BANK_TRANSFERS', name: 'Bank transfers received', type: 'asset' },
  { code: 'ACCOUNTS_RECEIVABLE', name: 'Amounts customers owe', type: 'asset' },
  { code: 'CUSTOMER_DEPOSITS', name: 'Deposits held for customers', type: 'liability' },
  { code: 'ACCOUNTS_PAYABLE', name: 'Amounts owed to suppliers and the workshop', type: 'liability' },
  { code: 'RENTAL_REVENUE', name: 'Rental revenue (reserved period)', type: 'revenue' },
  { code: 'EXTRA_TIME_REVENUE', name: 'Extra days and hours', type: 'revenue' },
  { code: 'LATE_FEE_REVENUE', name: 'Late return fees', type: 'revenue' },
  { code: 'EXTRA_KM_REVENUE', name: 'Extra kilometres', type: 'revenue' },
  { code: 'DAMAGE_RECOVERY_REVENUE', name: 'Damage recovered from customers', type: 'revenue' },
  { code: 'CANCELLATION_FEE_REVENUE', name: 'Cancellation fees', type: 'revenue' },
  { code: 'DISCOUNTS', name: 'Discounts granted (contra-revenue)', type: 'revenue' },
  { code: 'MAINTENANCE_PARTS_EXPENSE', name: 'Maintenance parts', type: 'expense' },
  { code: 'MAINTENANCE_LABOUR_EXPENSE', name: 'Maintenance labour', type: 'expense' },
] as const satisfies readonly AccountDeclaration[];

export type AccountCode = (typeof CHART_OF_ACCOUNTS)[number]['code'];
