import type { Knex } from 'knex';
import type { ReportResult } from '../reports/report-results';
import { decodeCursor, encodeCursor, InvalidCursorError } from './cursors';

export const REPORT_PAGE_SIZE_MAX = 100;

/** A snapshot in a list: what it is and when it was made, without its result. */
export interface ReportListItem {
  readonly id: string;
  readonly reportType: ReportResult['reportType'];
  readonly periodStart: string | null;
  readonly periodEnd: string | null;
  readonly generatedAt: string;
  readonly contentHash: string;
}

/** A report snapshot as the gateway answers it: what was asked, at which watermark, when, the result and its hash. */
export type ReportSnapshotView = ReportResult & {
  readonly id: string;
  readonly periodStart: string | null;
  readonly periodEnd: string | null;
  readonly parameters: Record<string, unknown>;
  readonly watermark: readonly { readonly topic: string; readonly partition: number; readonly offset: number }[];
  readonly generatedAt: string;
  readonly contentHash: string;
};

interface SnapshotRow {
  id: string;
  report_type: ReportResult['reportType'];
  period_start: string | null;
  period_end: string | null;
  parameters: Record<string, unknown>;
  watermark: ReportSnapshotView['watermark'];
  generated_at: Date;
  result: unknown;
  content_hash: string;
}

/** The reporting context's published view of its snapshots (reporting.report_snapshots_view), read-only. */
export class ReportQueries {
  constructor(private readonly reader: Knex) {}

  /** Snapshots newest first (generation time, then id), of one type when given, `limit` at a time after `after`. */
  async list(options: { reportType?: string; after?: string; limit: number }): Promise<{ items: ReportListItem[]; next: string | null }> {
    const position = options.after === undefined ? undefined : decodeCursor(options.after, 2);
    if (options.after !== undefined && (position === undefined || Number.isNaN(Date.parse(position[0]!)))) throw new InvalidCursorError('not a cursor of this list');
    const rows = (await this.reader
      .withSchema('reporting')
      .table('report_snapshots_view')
      .select('id', 'report_type', this.reader.raw('period_start::text AS period_start'), this.reader.raw('period_end::text AS period_end'), 'generated_at', 'content_hash')
      .modify((query) => {
        if (options.reportType !== undefined) query.where('report_type', options.reportType);
        if (position !== undefined) query.whereRaw('(generated_at, id) < (?::timestamptz, ?::uuid)', [position[0]!, position[1]!]);
      })
      .orderBy([
        { column: 'generated_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(options.limit + 1)) as Omit<SnapshotRow, 'parameters' | 'watermark' | 'result'>[];
    const items = rows.slice(0, options.limit).map((row) => ({
      id: row.id,
      reportType: row.report_type,
      periodStart: row.period_start,
      periodEnd: row.period_end,
      generatedAt: row.generated_at.toISOString(),
      contentHash: row.content_hash,
    }));
    const last = rows.length > options.limit ? rows[options.limit - 1]! : undefined;
    return { items, next: last === undefined ? null : encodeCursor([last.generated_at.toISOString(), last.id]) };
  }

  async snapshot(id: string): Promise<ReportSnapshotView | undefined> {
    const row = (await this.reader
      .withSchema('reporting')
      .table('report_snapshots_view')
      .select('id', 'report_type', this.reader.raw('period_start::text AS period_start'), this.reader.raw('period_end::text AS period_end'), 'parameters', 'watermark', 'generated_at', 'result', 'content_hash')
      .where('id', id)
      .first()) as SnapshotRow | undefined;
    if (row === undefined) return undefined;
    return {
      id: row.id,
      reportType: row.report_type,
      periodStart: row.period_start,
      periodEnd: row.period_end,
      parameters: row.parameters,
      watermark: row.watermark,
      generatedAt: row.generated_at.toISOString(),
      contentHash: row.content_hash,
      result: row.result,
    } as ReportSnapshotView;
  }
}
