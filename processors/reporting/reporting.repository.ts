import type { Knex } from 'knex';

export interface ReportSnapshot {
  readonly id: string;
  readonly reportType: string;
  readonly periodStart: string | null;
  readonly periodEnd: string | null;
  readonly parameters: Record<string, unknown>;
  readonly watermark: Record<string, unknown>;
  readonly generatedAt: Date;
  readonly result: unknown;
  readonly contentHash: string;
  readonly requestedBy: string | null;
}

/** The reporting context's only SQL: append-only report snapshots. */
export class ReportingRepository {
  async append(transaction: Knex.Transaction, snapshot: ReportSnapshot): Promise<void> {
    await transaction.withSchema('reporting').table('report_snapshots').insert({
      id: snapshot.id,
      report_type: snapshot.reportType,
      period_start: snapshot.periodStart,
      period_end: snapshot.periodEnd,
      parameters: JSON.stringify(snapshot.parameters),
      watermark: JSON.stringify(snapshot.watermark),
      generated_at: snapshot.generatedAt,
      result: JSON.stringify(snapshot.result),
      content_hash: snapshot.contentHash,
      requested_by: snapshot.requestedBy,
    });
  }

  async find(transaction: Knex.Transaction, id: string): Promise<ReportSnapshot | undefined> {
    const row:
      | {
          id: string;
          report_type: string;
          period_start: string | null;
          period_end: string | null;
          parameters: Record<string, unknown>;
          watermark: Record<string, unknown>;
          generated_at: Date;
          result: unknown;
          content_hash: string;
          requested_by: string | null;
        }
      | undefined = await transaction
      .withSchema('reporting')
      .table('report_snapshots')
      .select(
        'id',
        'report_type',
        transaction.raw('period_start::text AS period_start'),
        transaction.raw('period_end::text AS period_end'),
        'parameters',
        'watermark',
        'generated_at',
        'result',
        'content_hash',
        'requested_by',
      )
      .where('id', id)
      .first();
    if (row === undefined) return undefined;
    return {
      id: row.id,
      reportType: row.report_type,
      periodStart: row.period_start,
      periodEnd: row.period_end,
      parameters: row.parameters,
      watermark: row.watermark,
      generatedAt: row.generated_at,
      result: row.result,
      contentHash: row.content_hash,
      requestedBy: row.requested_by,
    };
  }
}
