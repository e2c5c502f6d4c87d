import type { Knex } from 'knex';
import { userIdOrNull } from '../../platform/identifiers';
import { checkReportRequest, sortedWatermark, type ReportScope, type ReportType, type WatermarkPosition } from '../../schemas/reporting/report-parameters';
import { reject, type Acceptance, type CommandHandler, type Decision } from '../runtime/command-handler';
import {
  decideGenerateReport,
  computeReport,
  GENERATE_REPORT,
  parseGenerateReport,
  periodInstants,
  REPORT_GENERATED,
  snapshotScope,
  type GenerateReport,
  type GenerateReportState,
  type ReportInputs,
} from './generate-report';
import { canonicalJson, hashOfText } from './canonical';
import type { ReportingRepository } from './reporting.repository';
import { FOLLOWED_EVENTS, type ReadModelRows } from './source-events';

/** Reads what a report of `reportType` is computed from, at `watermark`. */
export function readInputs(repository: ReportingRepository, transaction: Knex.Transaction, reportType: ReportType, scope: ReportScope, watermark: readonly WatermarkPosition[]): Promise<ReportInputs> {
  return repository.scanning(transaction, () => readInputsAt(repository, transaction, reportType, scope, watermark));
}

async function readInputsAt(repository: ReportingRepository, transaction: Knex.Transaction, reportType: ReportType, scope: ReportScope, watermark: readonly WatermarkPosition[]): Promise<ReportInputs> {
  const { periodStart: from, periodEnd: to } = snapshotScope(scope);
  switch (reportType) {
    case 'trial_balance':
      return { reportType, lines: await repository.ledgerLines(transaction, watermark, { to }) };
    case 'income_statement':
      return { reportType, lines: await repository.ledgerLines(transaction, watermark, { from, to, profitAndLossOnly: true }) };
    case 'revenue_by_vehicle':
    case 'revenue_by_vehicle_class':
      return { reportType, revenue: await repository.vehicleRevenue(transaction, watermark, { from, to }), classOf: await repository.vehicleClasses(transaction, watermark) };
    case 'fleet_utilisation': {
      const { start, end } = periodInstants(from, to);
      return { reportType, ...(await repository.fleetTimeline(transaction, watermark, new Date(start), new Date(end))) };
    }
    case 'maintenance_cost':
      return { reportType, ...(await repository.maintenanceInputs(transaction, watermark, { from, to })), classOf: await repository.vehicleClasses(transaction, watermark) };
    case 'receivables_aging':
      return { reportType, items: await repository.openItems(transaction, watermark, to) };
    default: {
      const unexpected: never = reportType;
      throw new Error(`no inputs for ${String(unexpected)}`);
    }
  }
}

/**
 * A snapshot computed again from `repository`'s read models at its own watermark: the canonical
 * text and its hash, to compare with what the snapshot holds. Null for a snapshot whose type and
 * parameters are not a report request (none is ever written so).
 */
export async function recompute(
  repository: ReportingRepository,
  transaction: Knex.Transaction,
  snapshot: { readonly reportType: string; readonly parameters: Record<string, unknown>; readonly watermark: readonly WatermarkPosition[] },
): Promise<{ resultText: string; contentHash: string } | null> {
  const parameter = (name: string) => (typeof snapshot.parameters[name] === 'string' ? (snapshot.parameters[name]) : null);
  const checked = checkReportRequest({ reportType: snapshot.reportType, from: parameter('from'), to: parameter('to'), asOf: parameter('asOf'), watermark: snapshot.watermark }, '9999-12-31');
  if (!checked.ok) return null;
  const resultText = canonicalJson(computeReport(await readInputs(repository, transaction, checked.reportType, checked.scope, snapshot.watermark), checked.scope));
  return { resultText, contentHash: hashOfText(resultText) };
}

/** The positions of `requested` beyond what the read models have applied. */
function notReached(requested: readonly WatermarkPosition[], applied: readonly WatermarkPosition[]): WatermarkPosition[] {
  const reached = new Map(applied.map((position) => [`${position.topic}/${position.partition}`, position.offset]));
  return requested.filter((position) => (reached.get(`${position.topic}/${position.partition}`) ?? -1) < position.offset);
}

const recorded = (aggregateId: string): Acceptance => ({ kind: 'accepted', aggregateId, events: [], resourcePath: null });

/**
 * Wires reporting to its messages: one handler per followed event type of the other contexts
 * (each adds its rows to the read models at the event's position), and GenerateReport.
 */
export function reportingHandlers(repository: ReportingRepository): CommandHandler[] {
  const followed = Object.entries(FOLLOWED_EVENTS).map(
    ([type, rowsOf]): CommandHandler<ReadModelRows, undefined> => ({
      commandType: type,
      source: 'event',
      parse: rowsOf,
      load: () => Promise.resolve(undefined),
      decide: (_state, _rows, context) => recorded(context.metadata.messageId),
      apply: async (transaction, _decision, rows, context) => {
        if (context.position === undefined) throw new Error(`${type} ${context.metadata.messageId} came without a stream position; reporting cannot place it`);
        // In a batch the rows are queued and written together before the commit (ReportingRepository.flush).
        await repository.record(transaction, rows, context.position, { defer: context.deferWrites === true });
        return undefined;
      },
    }),
  );
  // The canonical text of each accepted report, from decide to apply: the snapshot keeps what was hashed.
  const texts = new WeakMap<Decision, string>();
  const generate: CommandHandler<GenerateReport, GenerateReportState> = {
    commandType: GENERATE_REPORT,
    parse: parseGenerateReport,
    load: async (transaction, command) => {
      const applied = await repository.watermark(transaction);
      const watermark = command.watermark === null ? applied : sortedWatermark(command.watermark);
      const unreached = command.watermark === null ? [] : notReached(watermark, applied);
      // What to read follows the request; a request decide will refuse reads nothing.
      const checked = checkReportRequest(command, '9999-12-31');
      const taken = await repository.exists(transaction, command.reportId);
      const inputs = checked.ok && !taken && unreached.length === 0 ? await readInputs(repository, transaction, checked.reportType, checked.scope, watermark) : null;
      return { taken, watermark, notReached: unreached, inputs };
    },
    decide: (state, command, context) => {
      const { decision, resultText } = decideGenerateReport(state, command, context);
      if (resultText !== undefined) texts.set(decision, resultText);
      return decision;
    },
    apply: async (transaction, decision, command, context) => {
      const generated = decision.events.find((event) => event.type === REPORT_GENERATED);
      const resultText = texts.get(decision);
      if (generated === undefined || resultText === undefined) throw new Error(`report ${command.reportId} was accepted without its result`);
      const payload = generated.payload as { reportType: string; periodStart: string; periodEnd: string; watermark: WatermarkPosition[]; contentHash: string };
      const scope = checkReportRequest(command, '9999-12-31');
      const appended = await repository.append(transaction, {
        id: command.reportId,
        reportType: payload.reportType,
        periodStart: payload.periodStart,
        periodEnd: payload.periodEnd,
        parameters: scope.ok ? snapshotScope(scope.scope).parameters : {},
        watermark: payload.watermark,
        generatedAt: context.now,
        resultText,
        contentHash: payload.contentHash,
        requestedBy: userIdOrNull(context.metadata.actor),
      });
      return appended === 'appended' ? undefined : reject('REPORTING.REPORT_ID_TAKEN', `Report ${command.reportId} was generated by another command in the meantime.`);
    },
  };
  // Every handler sends the batch's queued rows through the one repository; a report's load reads
  // the watermark first, which writes them before anything is read.
  const beforeCommit = (transaction: Knex.Transaction) => repository.flush(transaction);
  return [...followed, generate].map((handler) => ({ ...handler, beforeCommit }));
}
