/**
 * A report snapshot's result as CSV (RFC 4180: comma-separated, CRLF line ends, a header row,
 * fields quoted when they hold a comma, a quote or a line break). Text a spreadsheet would run as
 * a formula (starting with =, +, -, @, tab or carriage return) is prefixed with an apostrophe;
 * numbers are written as they are. Money stays in integer minor units next to its currency.
 */
import type { AgingBuckets, ReportResult } from './report-results';

type Cell = string | number | null;

const FORMULA_START = /^[=+\-@\t\r]/;

function field(cell: Cell): string {
  if (cell === null) return '';
  if (typeof cell === 'number') return String(cell);
  const text = FORMULA_START.test(cell) ? `'${cell}` : cell;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function table(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  return [header, ...rows].map((row) => `${row.map(field).join(',')}\r\n`).join('');
}

const AGING_COLUMNS = ['current', '1-30', '31-60', '61-90', 'over-90'] as const;
const bucketCells = (buckets: AgingBuckets) => AGING_COLUMNS.map((bucket) => buckets[bucket]);

/** The CSV of a report of `reportType` whose result is `result`. */
export function reportCsv(report: ReportResult): string {
  switch (report.reportType) {
    case 'trial_balance':
      return table(
        ['currency', 'account', 'type', 'debit_minor', 'credit_minor', 'balance_minor'],
        report.result.currencies.flatMap((currency) => currency.accounts.map((account) => [currency.currency, account.code, account.type, account.debitMinor, account.creditMinor, account.balanceMinor])),
      );
    case 'income_statement':
      return table(
        ['currency', 'line', 'account', 'amount_minor'],
        report.result.currencies.flatMap((currency) => [
          ...currency.revenue.map((account): Cell[] => [currency.currency, 'revenue', account.code, account.amountMinor]),
          [currency.currency, 'gross_revenue', null, currency.grossRevenueMinor],
          [currency.currency, 'discounts', 'DISCOUNTS', currency.discountsMinor],
          [currency.currency, 'net_revenue', null, currency.netRevenueMinor],
          ...currency.expenses.map((account): Cell[] => [currency.currency, 'expense', account.code, account.amountMinor]),
          [currency.currency, 'expenses', null, currency.expensesMinor],
          [currency.currency, 'net_income', null, currency.netIncomeMinor],
        ]),
      );
    case 'revenue_by_vehicle':
      return table(
        ['currency', 'vehicle_id', 'vehicle_class', 'gross_revenue_minor', 'discounts_minor', 'net_revenue_minor'],
        report.result.currencies.flatMap((currency) => [
          ...currency.vehicles.map((vehicle): Cell[] => [currency.currency, vehicle.vehicleId, vehicle.vehicleClass, vehicle.grossRevenueMinor, vehicle.discountsMinor, vehicle.netRevenueMinor]),
          [currency.currency, 'unattributed', null, currency.unattributed.grossRevenueMinor, currency.unattributed.discountsMinor, currency.unattributed.netRevenueMinor],
          [currency.currency, 'total', null, currency.total.grossRevenueMinor, currency.total.discountsMinor, currency.total.netRevenueMinor],
        ]),
      );
    case 'revenue_by_vehicle_class':
      return table(
        ['currency', 'vehicle_class', 'vehicles', 'gross_revenue_minor', 'discounts_minor', 'net_revenue_minor'],
        report.result.currencies.flatMap((currency) => [
          ...currency.classes.map((group): Cell[] => [currency.currency, group.vehicleClass ?? 'unknown', group.vehicles, group.grossRevenueMinor, group.discountsMinor, group.netRevenueMinor]),
          [currency.currency, 'unattributed', null, currency.unattributed.grossRevenueMinor, currency.unattributed.discountsMinor, currency.unattributed.netRevenueMinor],
          [currency.currency, 'total', null, currency.total.grossRevenueMinor, currency.total.discountsMinor, currency.total.netRevenueMinor],
        ]),
      );
    case 'fleet_utilisation':
      return table(
        ['vehicle_id', 'vehicle_class', 'available_ms', 'rented_ms', 'utilisation_bp'],
        [
          ...report.result.vehicles.map((vehicle): Cell[] => [vehicle.vehicleId, vehicle.vehicleClass, vehicle.availableMs, vehicle.rentedMs, vehicle.utilisationBp]),
          ['overall', null, report.result.overall.availableMs, report.result.overall.rentedMs, report.result.overall.utilisationBp],
        ],
      );
    case 'maintenance_cost':
      return table(
        ['currency', 'vehicle_id', 'vehicle_class', 'jobs', 'cost_minor', 'kilometres', 'cost_per_1000_km_minor'],
        report.result.currencies.flatMap((currency) => [
          ...currency.vehicles.map((vehicle): Cell[] => [currency.currency, vehicle.vehicleId, vehicle.vehicleClass, vehicle.jobs, vehicle.costMinor, vehicle.kilometres, vehicle.costPer1000KmMinor]),
          [currency.currency, 'total', null, currency.jobs, currency.costMinor, currency.kilometres, currency.costPer1000KmMinor],
        ]),
      );
    case 'receivables_aging':
      return table(
        ['currency', 'customer_id', ...AGING_COLUMNS.map((bucket) => `${bucket}_minor`), 'total_minor'],
        report.result.currencies.flatMap((currency) => [
          ...currency.customers.map((customer): Cell[] => [currency.currency, customer.customerId ?? 'unknown', ...bucketCells(customer.buckets), customer.totalMinor]),
          [currency.currency, 'total', ...bucketCells(currency.buckets), currency.totalMinor],
        ]),
      );
    default: {
      const unexpected: never = report;
      throw new Error(`no CSV for ${String(unexpected)}`);
    }
  }
}
