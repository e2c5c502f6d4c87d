import { isArray, isInteger, isNullableString, isString, recordOf } from '../../platform/decoded';
import { checkReportRequest, sortedWatermark, type ReportScope, type ReportType, type WatermarkPosition } from '../../schemas/reporting/report-parameters';
import { checkActorHolds, reject, type CommandContext, type Decision } from '../runtime/command-handler';
import { canonicalJson, hashOfText } from './canonical';
import { maintenanceCost, revenueByVehicle, revenueByVehicleClass, type JobCost, type OdometerReading, type VehicleRevenueLine } from './fleet-reports';
import { incomeStatement, receivablesAging, trialBalance, type LedgerLine, type OpenItem } from './ledger-reports';
import { utilisation, type FleetVehicle, type Interval } from './utilisation';

export const GENERATE_REPORT = 'reporting.GenerateReport';
export const REPORT_GENERATED = 'reporting.ReportGenerated';

export interface GenerateReport {
  readonly reportId: string;
  readonly reportType: string;
  readonly from: string | null;
  readonly to: string | null;
  readonly asOf: string | null;
  /** An earlier watermark to compute at; null: everything applied when the command is handled. */
  readonly watermark: readonly WatermarkPosition[] | null;
}

export function parseGenerateReport(value: unknown): GenerateReport {
  const field = recordOf('GenerateReport', value);
  const watermark = field('watermark', (candidate): candidate is readonly unknown[] | null => candidate === null || isArray(candidate));
  return {
    reportId: field('reportId', isString),
    reportType: field('reportType', isString),
    from: field('from', isNullableString),
    to: field('to', isNullableString),
    asOf: field('asOf', isNullableString),
    watermark:
      watermark === null
        ? null
        : watermark.map((position) => {
            const positionField = recordOf('GenerateReport.watermark[]', position);
            return { topic: positionField('topic', isString), partition: positionField('partition', isInteger), offset: positionField('offset', isInteger) };
          }),
  };
}

/** What each report is computed from, read at the watermark. */
export type ReportInputs =
  | { readonly reportType: 'trial_balance' | 'income_statement'; readonly lines: readonly LedgerLine[] }
  | { readonly reportType: 'revenue_by_vehicle' | 'revenue_by_vehicle_class'; readonly revenue: readonly VehicleRevenueLine[]; readonly classOf: ReadonlyMap<string, string> }
  | {
      readonly reportType: 'fleet_utilisation';
      readonly vehicles: readonly FleetVehicle[];
      readonly rentals: ReadonlyMap<string, readonly Interval[]>;
      readonly maintenance: ReadonlyMap<string, readonly Interval[]>;
    }
  | { readonly reportType: 'maintenance_cost'; readonly jobs: readonly JobCost[]; readonly readings: readonly OdometerReading[]; readonly classOf: ReadonlyMap<string, string> }
  | { readonly reportType: 'receivables_aging'; readonly items: readonly OpenItem[] };

export interface GenerateReportState {
  readonly taken: boolean;
  /** The watermark the report is computed at, in topic and partition order. */
  readonly watermark: readonly WatermarkPosition[];
  /** Positions of the requested watermark the read models have not reached yet. */
  readonly notReached: readonly WatermarkPosition[];
  /** Null when the request is not one the processor can compute (its parameters are refused in decide). */
  readonly inputs: ReportInputs | null;
}

const DAY_MS = 86_400_000;

/** A period's days as instants: from the first day's start to the end of the last one. */
export function periodInstants(from: string, to: string): Interval {
  return { start: Date.parse(`${from}T00:00:00Z`), end: Date.parse(`${to}T00:00:00Z`) + DAY_MS };
}

/** The report for its inputs and scope: a pure function, the same input always the same value. */
export function computeReport(inputs: ReportInputs, scope: ReportScope): unknown {
  const period = scope.kind === 'period' ? { from: scope.from, to: scope.to } : { from: scope.asOf, to: scope.asOf };
  switch (inputs.reportType) {
    case 'trial_balance':
      return trialBalance(inputs.lines, period.to);
    case 'income_statement':
      return incomeStatement(inputs.lines, period);
    case 'revenue_by_vehicle':
      return revenueByVehicle(inputs.revenue, inputs.classOf, period);
    case 'revenue_by_vehicle_class':
      return revenueByVehicleClass(inputs.revenue, inputs.classOf, period);
    case 'fleet_utilisation': {
      const computed = utilisation(periodInstants(period.from, period.to), inputs.vehicles, inputs.rentals, inputs.maintenance);
      // The period is given as days, as it was asked for; the instants are those days' bounds.
      return { ...computed, period };
    }
    case 'maintenance_cost':
      return maintenanceCost(inputs.jobs, inputs.readings, inputs.classOf, period);
    case 'receivables_aging':
      return receivablesAging(inputs.items, period.to);
    default: {
      const unexpected: never = inputs;
      throw new Error(`no report for ${String(unexpected)}`);
    }
  }
}

/** How a snapshot names its scope: the period's days, or the as-of day as both. */
export function snapshotScope(scope: ReportScope): { periodStart: string; periodEnd: string; parameters: Record<string, string> } {
  return scope.kind === 'period'
    ? { periodStart: scope.from, periodEnd: scope.to, parameters: { from: scope.from, to: scope.to } }
    : { periodStart: scope.asOf, periodEnd: scope.asOf, parameters: { asOf: scope.asOf } };
}

/**
 * GenerateReport, decided with the report computed: the requester must hold reports.generate; the parameters must pass the same
 * checks the gateway makes (REPORTING.INVALID_PARAMETERS); a requested watermark must have been
 * reached by the read models (REPORTING.WATERMARK_NOT_REACHED: computed earlier it would miss
 * facts it names, and differ later); the id must be new. The report and its hash are computed
 * here; the snapshot is the ReportGenerated event's row.
 */
export function decideGenerateReport(state: GenerateReportState, command: GenerateReport, context: CommandContext): { decision: Decision; resultText?: string } {
  const refused = (decision: Decision) => ({ decision });
  const forbidden = checkActorHolds(context, 'reports.generate', 'REPORTING');
  if (forbidden !== undefined) return refused(forbidden);
  const checked = checkReportRequest(command, context.now.toISOString().slice(0, 10));
  if (!checked.ok) return refused(reject('REPORTING.INVALID_PARAMETERS', `${checked.field} ${checked.problem}.`));
  if (state.taken) return refused(reject('REPORTING.REPORT_ID_TAKEN', `There is a report ${command.reportId} already; a snapshot is never replaced.`));
  if (state.notReached.length > 0) {
    const named = state.notReached.map((position) => `${position.topic}/${position.partition}@${position.offset}`).join(', ');
    return refused(reject('REPORTING.WATERMARK_NOT_REACHED', `The read models have not reached ${named} yet; ask again once they have.`));
  }
  if (state.inputs === null || state.inputs.reportType !== checked.reportType) throw new Error(`the inputs read for report ${command.reportId} are not those of a ${checked.reportType}`);
  const resultText = canonicalJson(computeReport(state.inputs, checked.scope));
  const { periodStart, periodEnd } = snapshotScope(checked.scope);
  const decision: Decision = {
    kind: 'accepted',
    aggregateId: command.reportId,
    resourcePath: `/v1/reports/${command.reportId}`,
    events: [
      {
        type: REPORT_GENERATED,
        aggregateType: 'report',
        aggregateId: command.reportId,
        payload: {
          reportId: command.reportId,
          reportType: checked.reportType,
          periodStart,
          periodEnd,
          watermark: sortedWatermark(state.watermark),
          contentHash: hashOfText(resultText),
          generatedAt: context.now.getTime(),
        },
      },
    ],
  };
  // The snapshot keeps exactly the text that was hashed.
  return { decision, resultText };
}

/** The requested type, if it is one; what load reads depends on it. */
export function requestedType(command: GenerateReport): ReportType | undefined {
  const checked = checkReportRequest(command, '9999-12-31');
  return checked.ok ? checked.reportType : undefined;
}
