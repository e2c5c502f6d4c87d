/**
 * The reports one can ask for and the parameters each takes: the contract the gateway checks a
 * request against (400 before anything is produced) and the reporting processor checks a
 * GenerateReport against again (a command that came any other way gets the same answer).
 */
export const REPORT_TYPES = [
  'trial_balance',
  'income_statement',
  'revenue_by_vehicle',
  'revenue_by_vehicle_class',
  'fleet_utilisation',
  'maintenance_cost',
  'receivables_aging',
] as const;
export type ReportType = (typeof REPORT_TYPES)[number];

/** Reports taken on a day (as of its end) rather than over a period. */
const AS_OF_REPORTS: readonly ReportType[] = ['trial_balance', 'receivables_aging'];

/** The topics reporting reads facts from in production (a test may run it on topics of its own). */
export const REPORT_SOURCE_TOPICS = ['fleet.events', 'rental.events', 'maintenance.events', 'ledger.events'] as const;

/** The longest period one report covers: ten years, leap days included. */
export const REPORT_PERIOD_DAYS_MAX = 3_653;
/** Most positions a watermark names (source topics × their partitions, with room to grow). */
export const WATERMARK_POSITIONS_MAX = 256;
const EARLIEST_DAY = '2000-01-01';
const LATEST_DAY = '2999-12-31';
const DAY_MS = 86_400_000;

export interface WatermarkPosition {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/** What a report is computed for: a period (both days included) or a day. */
export type ReportScope = { readonly kind: 'period'; readonly from: string; readonly to: string } | { readonly kind: 'asOf'; readonly asOf: string };

export interface ReportRequest {
  readonly reportType: string;
  readonly from: string | null;
  readonly to: string | null;
  readonly asOf: string | null;
  readonly watermark: readonly WatermarkPosition[] | null;
}

/** A parameter that cannot be taken, and why, in words a caller can act on. */
export interface ParameterProblem {
  readonly field: string;
  readonly problem: string;
}

export type CheckedRequest = { readonly ok: true; readonly reportType: ReportType; readonly scope: ReportScope } | ({ readonly ok: false } & ParameterProblem);

/** A real UTC day written YYYY-MM-DD (2019-02-30 is not one). */
export function isDay(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const time = Date.parse(`${text}T00:00:00Z`);
  return !Number.isNaN(time) && new Date(time).toISOString().slice(0, 10) === text;
}

const problem = (field: string, text: string): CheckedRequest => ({ ok: false, field, problem: text });

function dayProblem(field: string, value: string | null, role: string): CheckedRequest | undefined {
  if (value === null) return problem(field, `is required (${role}, YYYY-MM-DD)`);
  if (!isDay(value)) return problem(field, 'must be a day written YYYY-MM-DD');
  if (value < EARLIEST_DAY || value > LATEST_DAY) return problem(field, `must be between ${EARLIEST_DAY} and ${LATEST_DAY}`);
  return undefined;
}

/**
 * Checks a report request: a known type; a period (from, to) for the period reports and a day
 * (asOf) for the others, never both; a period of at most REPORT_PERIOD_DAYS_MAX days; fleet
 * utilisation only for a period that is over (before `today`), since time not yet lived has not
 * been available or rented; a watermark, when given, naming each topic partition once.
 */
export function checkReportRequest(request: ReportRequest, today: string): CheckedRequest {
  const reportType = REPORT_TYPES.find((type) => type === request.reportType);
  if (reportType === undefined) return problem('type', `must be one of ${REPORT_TYPES.join(', ')}`);
  const watermarkProblem = checkWatermark(request.watermark);
  if (watermarkProblem !== undefined) return { ok: false, ...watermarkProblem };
  if (AS_OF_REPORTS.includes(reportType)) {
    if (request.from !== null || request.to !== null) return problem(request.from !== null ? 'from' : 'to', `is not a parameter of ${reportType}, which is taken as of a day (asOf)`);
    return dayProblem('asOf', request.asOf, 'the day the report is taken at') ?? { ok: true, reportType, scope: { kind: 'asOf', asOf: request.asOf! } };
  }
  if (request.asOf !== null) return problem('asOf', `is not a parameter of ${reportType}, which covers a period (from, to)`);
  const fromProblem = dayProblem('from', request.from, 'the first day of the period');
  if (fromProblem !== undefined) return fromProblem;
  const toProblem = dayProblem('to', request.to, 'the last day of the period');
  if (toProblem !== undefined) return toProblem;
  const from = request.from!;
  const to = request.to!;
  const days = (Date.parse(to) - Date.parse(from)) / DAY_MS + 1;
  if (days < 1) return problem('to', 'must not be before from');
  if (days > REPORT_PERIOD_DAYS_MAX) return problem('to', `must be at most ${REPORT_PERIOD_DAYS_MAX} days after from, both included`);
  if (reportType === 'fleet_utilisation' && to >= today) return problem('to', `must be before today (${today}): utilisation is reported for time that has passed`);
  return { ok: true, reportType, scope: { kind: 'period', from, to } };
}

function checkWatermark(watermark: readonly WatermarkPosition[] | null): ParameterProblem | undefined {
  if (watermark === null) return undefined;
  if (watermark.length > WATERMARK_POSITIONS_MAX) return { field: 'watermark', problem: `names at most ${WATERMARK_POSITIONS_MAX} positions` };
  const seen = new Set<string>();
  for (const [index, position] of watermark.entries()) {
    const field = `watermark[${index}]`;
    if (!/^[A-Za-z0-9._-]{1,249}$/.test(position.topic)) return { field: `${field}.topic`, problem: 'must be a Kafka topic name' };
    if (!Number.isSafeInteger(position.partition) || position.partition < 0 || position.partition > 9_999) return { field: `${field}.partition`, problem: 'must be a whole number from 0 to 9999' };
    if (!Number.isSafeInteger(position.offset) || position.offset < 0) return { field: `${field}.offset`, problem: 'must be a whole number, 0 or more' };
    const key = `${position.topic}/${position.partition}`;
    if (seen.has(key)) return { field, problem: `names ${key} a second time` };
    seen.add(key);
  }
  return undefined;
}

/** A watermark in its one written order (topic, then partition), so that equal watermarks are equal text. */
export function sortedWatermark(watermark: readonly WatermarkPosition[]): WatermarkPosition[] {
  return [...watermark]
    .map(({ topic, partition, offset }) => ({ topic, partition, offset }))
    .sort((left, right) => (left.topic < right.topic ? -1 : left.topic > right.topic ? 1 : left.partition - right.partition));
}
