import type { Knex } from 'knex';

export type JobStatus = 'scheduled' | 'in_progress' | 'completed' | 'cancelled';

export interface PartUsed {
  readonly partName: string;
  readonly quantity: number;
  readonly unitCostCents: number | null;
  readonly currency: string | null;
}

/** The maintenance context's only SQL: workshop jobs and the parts they used. */
export class MaintenanceRepository {
  async schedule(
    transaction: Knex.Transaction,
    job: { id: string; vehicleId: string; title: string; scheduledFor: Date | null; createdBy: string | null },
  ): Promise<void> {
    await transaction.withSchema('maintenance').table('maintenance_jobs').insert({
      id: job.id,
      vehicle_id: job.vehicleId,
      title: job.title,
      scheduled_for: job.scheduledFor,
      created_by: job.createdBy,
    });
  }

  /** All parts of a job in one statement. */
  async addParts(transaction: Knex.Transaction, jobId: string, parts: readonly PartUsed[]): Promise<void> {
    if (parts.length === 0) return;
    await transaction
      .withSchema('maintenance')
      .table('maintenance_parts_used')
      .insert(
        parts.map((part) => ({
          maintenance_job_id: jobId,
          part_name: part.partName,
          quantity: part.quantity,
          unit_cost_cents: part.unitCostCents,
          currency: part.currency,
        })),
      );
  }

  async jobsOfVehicle(
    transaction: Knex.Transaction,
    vehicleId: string,
    statuses: readonly JobStatus[],
  ): Promise<{ id: string; status: JobStatus; partsCostCents: number }[]> {
    const rows: { id: string; status: JobStatus; parts_cost_cents: number }[] = await transaction
      .from('maintenance.maintenance_jobs as j')
      .leftJoin('maintenance.maintenance_parts_used as p', 'p.maintenance_job_id', 'j.id')
      .select('j.id', 'j.status')
      .select(transaction.raw('coalesce(sum(p.quantity * p.unit_cost_cents), 0)::bigint AS parts_cost_cents'))
      .where('j.vehicle_id', vehicleId)
      .whereIn('j.status', statuses)
      .groupBy('j.id')
      .orderBy('j.created_at');
    return rows.map((row) => ({ id: row.id, status: row.status, partsCostCents: row.parts_cost_cents }));
  }
}
