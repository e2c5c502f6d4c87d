import Router from '@koa/router';
import { randomUUID } from 'node:crypto';
import type { Context } from 'koa';
import { checkReportRequest, REPORT_TYPES, WATERMARK_POSITIONS_MAX, type WatermarkPosition } from '../../schemas/reporting/report-parameters';
import { requirePermission } from '../middleware/authenticate';
import { ProblemError } from '../middleware/problem';
import { REPORT_PAGE_SIZE_MAX, type ReportQueries, type ReportSnapshotView } from '../queries/report.queries';
import { reportCsv } from '../reports/report-csv';
import { reportSvg } from '../reports/report-svg';
import { uuidParameter, type FieldSpec } from '../validation';
import { commandRoutesOn, type CommandRouteDependencies } from './command-route';
import { cursorParameter, invalidQuery, nextLink, onlyKnownParameters, pageLimit, paged, single } from './query-parameters';

interface GenerateReportBody {
  reportId?: string;
  type: string;
  from?: string | null;
  to?: string | null;
  asOf?: string | null;
  watermark?: WatermarkPosition[] | null;
}

const DAY: FieldSpec = { type: 'string', lengthMax: 10, pattern: /^\d{4}-\d{2}-\d{2}$/, optional: true, nullable: true };

const GENERATE_REPORT_BODY: Record<keyof GenerateReportBody, FieldSpec> = {
  reportId: { type: 'uuid', optional: true },
  type: { type: 'string', lengthMax: 40, pattern: new RegExp(`^(${REPORT_TYPES.join('|')})$`) },
  from: DAY,
  to: DAY,
  asOf: DAY,
  watermark: {
    type: 'array',
    lengthMax: WATERMARK_POSITIONS_MAX,
    optional: true,
    nullable: true,
    items: {
      topic: { type: 'string', lengthMax: 249, pattern: /^[A-Za-z0-9._-]+$/ },
      partition: { type: 'integer', min: 0, max: 9_999 },
      offset: { type: 'integer', min: 0, max: Number.MAX_SAFE_INTEGER },
    },
  },
};

const TITLES: Readonly<Record<ReportSnapshotView['reportType'], string>> = {
  trial_balance: 'Trial balance',
  income_statement: 'Income statement',
  revenue_by_vehicle: 'Revenue per vehicle',
  revenue_by_vehicle_class: 'Revenue per vehicle class',
  fleet_utilisation: 'Fleet utilisation',
  maintenance_cost: 'Maintenance cost per vehicle',
  receivables_aging: 'Receivables aging',
};

export interface ReportRoutesDependencies extends CommandRouteDependencies {
  readonly reports: ReportQueries;
  readonly topics: { readonly reportingCommands: string };
}

const today = () => new Date().toISOString().slice(0, 10);
const NO_PARAMETERS = new Set<string>();
const LIST_PARAMETERS = new Set(['type', 'after', 'limit']);

/** What the period or day of a snapshot reads as in a heading or a file name. */
function scopeOf(snapshot: ReportSnapshotView): string {
  return snapshot.periodStart === snapshot.periodEnd ? `as of ${snapshot.periodEnd ?? ''}` : `${snapshot.periodStart ?? ''} to ${snapshot.periodEnd ?? ''}`;
}

/**
 * Reports: POST /v1/reports asks for one (GenerateReport on reporting.commands, keyed by the
 * report's id; parameters checked as the processor will, 400 before anything is produced),
 * GET /v1/reports lists the snapshots newest first, and GET /v1/reports/{id} answers the snapshot as JSON or, with Accept: text/csv, as CSV;
 * GET /v1/reports/{id}.svg draws its chart.
 */
export function reportRoutes(dependencies: ReportRoutesDependencies): Router {
  const router = new Router();
  const commandRoute = commandRoutesOn(router, dependencies, dependencies.topics.reportingCommands);
  const canRead = requirePermission('reports.read');

  commandRoute<GenerateReportBody>('post', '/v1/reports', 'reporting.GenerateReport', GENERATE_REPORT_BODY, { creates: true }, (_ctx, body) => {
    const request = { reportType: body.type, from: body.from ?? null, to: body.to ?? null, asOf: body.asOf ?? null, watermark: body.watermark ?? null };
    const checked = checkReportRequest(request, today());
    if (!checked.ok) {
      throw new ProblemError(400, 'validation-failed', 'Invalid request body', `${checked.field} ${checked.problem}.`, { errors: [{ field: checked.field, message: checked.problem }] });
    }
    const reportId = body.reportId ?? randomUUID();
    return { aggregateId: reportId, payload: { reportId, ...request } };
  });

  router.get('/v1/reports', canRead, async (ctx) => {
    onlyKnownParameters(ctx, LIST_PARAMETERS);
    const reportType = single(ctx, 'type');
    if (reportType !== undefined && !(REPORT_TYPES as readonly string[]).includes(reportType)) throw invalidQuery('type', `must be one of ${REPORT_TYPES.join(', ')}`);
    const after = cursorParameter(ctx);
    const limit = pageLimit(ctx, REPORT_PAGE_SIZE_MAX);
    const page = await paged(() => dependencies.reports.list({ limit, ...(reportType === undefined ? {} : { reportType }), ...(after === undefined ? {} : { after }) }));
    ctx.body = {
      items: page.items.map((item) => ({ ...item, links: { self: `/v1/reports/${item.id}`, chart: `/v1/reports/${item.id}.svg` } })),
      links: { next: nextLink(ctx, '/v1/reports', page.next) },
    };
  });

  const snapshotOf = async (ctx: Context, id: string | undefined): Promise<ReportSnapshotView> => {
    onlyKnownParameters(ctx, NO_PARAMETERS);
    const reportId = uuidParameter('reportId', id);
    const snapshot = await dependencies.reports.snapshot(reportId);
    if (snapshot === undefined) throw new ProblemError(404, 'report-not-found', 'No such report', `There is no report ${reportId}; one asked for moments ago may not be generated yet.`);
    return snapshot;
  };

  // Before the JSON route: its id parameter would otherwise take "….svg" and refuse it as no UUID.
  router.get('/v1/reports/:reportId.svg', canRead, async (ctx) => {
    const snapshot = await snapshotOf(ctx, ctx.params.reportId);
    ctx.type = 'image/svg+xml';
    ctx.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
    ctx.body = reportSvg(snapshot, { title: `${TITLES[snapshot.reportType]}, ${scopeOf(snapshot)}`, subtitle: `report ${snapshot.id} · generated ${snapshot.generatedAt} · sha256 ${snapshot.contentHash.slice(0, 16)}…` });
  });

  router.get('/v1/reports/:reportId', canRead, async (ctx) => {
    const snapshot = await snapshotOf(ctx, ctx.params.reportId);
    const wanted = ctx.accepts('application/json', 'text/csv');
    if (wanted === false) throw new ProblemError(406, 'not-acceptable', 'Not acceptable', 'A report is answered as application/json or text/csv; its chart is at the .svg address.');
    ctx.set('ETag', `"${snapshot.contentHash}"`);
    ctx.set('Vary', 'Accept');
    if (wanted === 'text/csv') {
      ctx.type = 'text/csv; charset=utf-8';
      ctx.set('Content-Disposition', `attachment; filename="${snapshot.reportType}-${snapshot.id}.csv"`);
      ctx.body = reportCsv(snapshot);
      return;
    }
    ctx.body = { ...snapshot, links: { self: `/v1/reports/${snapshot.id}`, chart: `/v1/reports/${snapshot.id}.svg` } };
  });

  return router;
}
