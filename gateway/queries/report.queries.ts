import type { Knex } from 'knex';
import type { ReportResult } from '../reports/report-results';

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
