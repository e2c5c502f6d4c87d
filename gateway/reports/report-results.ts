/**
 * The results report snapshots hold, as the gateway reads them from reporting.report_snapshots_view
 * (docs/reporting.md defines each). Money in integer minor units per currency; ratios in basis
 * points; times in milliseconds.
 */
export interface RevenueFigures {
  readonly grossRevenueMinor: number;
  readonly discountsMinor: number;
  readonly netRevenueMinor: number;
}

export type AgingBuckets = Readonly<Record<'current' | '1-30' | '31-60' | '61-90' | 'over-90', number>>;

export interface TrialBalanceResult {
  readonly asOf: string;
  readonly currencies: readonly {
    readonly currency: string;
    readonly accounts: readonly { readonly code: string; readonly type: string; readonly debitMinor: number; readonly creditMinor: number; readonly balanceMinor: number }[];
    readonly totalDebitMinor: number;
    readonly totalCreditMinor: number;
  }[];
}

export interface IncomeStatementResult {
  readonly currencies: readonly {
    readonly currency: string;
    readonly revenue: readonly { readonly code: string; readonly amountMinor: number }[];
    readonly grossRevenueMinor: number;
    readonly discountsMinor: number;
    readonly netRevenueMinor: number;
    readonly expenses: readonly { readonly code: string; readonly amountMinor: number }[];
    readonly expensesMinor: number;
    readonly netIncomeMinor: number;
  }[];
}

export interface RevenueByVehicleResult {
  readonly currencies: readonly {
    readonly currency: string;
    readonly vehicles: readonly ({ readonly vehicleId: string; readonly vehicleClass: string | null } & RevenueFigures)[];
    readonly unattributed: RevenueFigures;
    readonly total: RevenueFigures;
  }[];
}

export interface RevenueByVehicleClassResult {
  readonly currencies: readonly {
    readonly currency: string;
    readonly classes: readonly ({ readonly vehicleClass: string | null; readonly vehicles: number } & RevenueFigures)[];
    readonly unattributed: RevenueFigures;
    readonly total: RevenueFigures;
  }[];
}

export interface UtilisationResult {
  readonly vehicles: readonly { readonly vehicleId: string; readonly vehicleClass: string; readonly availableMs: number; readonly rentedMs: number; readonly utilisationBp: number | null }[];
  readonly overall: { readonly availableMs: number; readonly rentedMs: number; readonly utilisationBp: number | null };
}

export interface MaintenanceCostResult {
  readonly currencies: readonly {
    readonly currency: string;
    readonly vehicles: readonly {
      readonly vehicleId: string;
      readonly vehicleClass: string | null;
      readonly jobs: number;
      readonly costMinor: number;
      readonly kilometres: number;
      readonly costPer1000KmMinor: number | null;
    }[];
    readonly jobs: number;
    readonly costMinor: number;
    readonly kilometres: number;
    readonly costPer1000KmMinor: number | null;
  }[];
}

export interface ReceivablesAgingResult {
  readonly asOf: string;
  readonly currencies: readonly {
    readonly currency: string;
    readonly buckets: AgingBuckets;
    readonly totalMinor: number;
    readonly customers: readonly { readonly customerId: string | null; readonly buckets: AgingBuckets; readonly totalMinor: number }[];
  }[];
}

/** A snapshot's type with its result, so that each renderer sees the shape its type has. */
export type ReportResult =
  | { readonly reportType: 'trial_balance'; readonly result: TrialBalanceResult }
  | { readonly reportType: 'income_statement'; readonly result: IncomeStatementResult }
  | { readonly reportType: 'revenue_by_vehicle'; readonly result: RevenueByVehicleResult }
  | { readonly reportType: 'revenue_by_vehicle_class'; readonly result: RevenueByVehicleClassResult }
  | { readonly reportType: 'fleet_utilisation'; readonly result: UtilisationResult }
  | { readonly reportType: 'maintenance_cost'; readonly result: MaintenanceCostResult }
  | { readonly reportType: 'receivables_aging'; readonly result: ReceivablesAgingResult };
