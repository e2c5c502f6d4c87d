import { userIdOrNull } from '../../platform/identifiers';
import { reject, type CommandHandler } from '../runtime/command-handler';
import { decideCancelMaintenance, parseCancelMaintenance, type CancelMaintenance, type CancelMaintenanceState } from './cancel-maintenance';
import { completedAtOf, decideCompleteMaintenance, parseCompleteMaintenance, type CompleteMaintenance, type CompleteMaintenanceState } from './complete-maintenance';
import { decideDefineServicePlan, parseDefineServicePlan, type DefineServicePlan, type DefineServicePlanState } from './define-service-plan';
import type { JobKind } from './maintenance-job';
import type { MaintenanceRepository } from './maintenance.repository';
import { projectionHandlers } from './projection.handlers';
import { decideRecordPartsUsed, parseRecordPartsUsed, type RecordPartsUsed, type RecordPartsUsedState } from './record-parts-used';
import { decideScheduleMaintenance, parseScheduleMaintenance, type ScheduleMaintenance, type ScheduleMaintenanceState } from './schedule-maintenance';
import { decideStartMaintenance, parseStartMaintenance, startedAtOf, type StartMaintenance, type StartMaintenanceState } from './start-maintenance';

const currencyMismatch = (jobId: string) => reject('MAINTENANCE.CURRENCY_MISMATCH', `Job ${jobId} is costed in one currency; these costs are in another.`);

/** Wires the maintenance context's rules to its repository: one handler per command, and one per fleet event it follows. */
export function maintenanceHandlers(repository: MaintenanceRepository): CommandHandler[] {
  const schedule: CommandHandler<ScheduleMaintenance, ScheduleMaintenanceState> = {
    commandType: 'maintenance.ScheduleMaintenance',
    parse: parseScheduleMaintenance,
    load: async (transaction, command) => ({
      existing: await repository.findJob(transaction, command.jobId),
      vehicleStatus: await repository.vehicleStatus(transaction, command.vehicleId),
    }),
    decide: decideScheduleMaintenance,
    apply: async (transaction, decision, command, context) => {
      if (decision.events.length === 0) return undefined;
      const scheduled = await repository.schedule(transaction, {
        id: command.jobId,
        vehicleId: command.vehicleId,
        kind: command.kind as JobKind,
        title: command.title.trim(),
        description: command.description,
        windowStart: command.windowStart,
        windowEnd: command.windowEnd,
        mechanicId: command.mechanicId,
        createdBy: userIdOrNull(context.metadata.actor),
      });
      switch (scheduled) {
        case 'scheduled':
          return undefined;
        case 'window_overlaps':
          return reject('MAINTENANCE.WINDOW_OVERLAPS', `Vehicle ${command.vehicleId} already has a scheduled or running job in that window.`);
        case 'id_taken':
          return reject('MAINTENANCE.JOB_ID_TAKEN', `Job id ${command.jobId} belongs to another booking.`);
        default: {
          const unexpected: never = scheduled;
          throw new Error(`unexpected booking outcome ${String(unexpected)}`);
        }
      }
    },
  };

  const start: CommandHandler<StartMaintenance, StartMaintenanceState> = {
    commandType: 'maintenance.StartMaintenance',
    parse: parseStartMaintenance,
    load: async (transaction, command) => {
      const job = await repository.findJob(transaction, command.jobId, true);
      if (job === undefined) return { job, vehicleStatus: undefined, otherJobInProgress: undefined };
      return {
        job,
        vehicleStatus: await repository.vehicleStatus(transaction, job.vehicleId),
        otherJobInProgress: await repository.jobInProgress(transaction, job.vehicleId, job.id),
      };
    },
    decide: decideStartMaintenance,
    apply: async (transaction, _decision, command, context) => {
      await repository.start(transaction, command.jobId, startedAtOf(command, context), userIdOrNull(context.metadata.actor));
      return undefined;
    },
  };

  const recordParts: CommandHandler<RecordPartsUsed, RecordPartsUsedState> = {
    commandType: 'maintenance.RecordPartsUsed',
    parse: parseRecordPartsUsed,
    load: async (transaction, command) => ({ job: await repository.findJob(transaction, command.jobId, true) }),
    decide: decideRecordPartsUsed,
    apply: async (transaction, _decision, command, context) => {
      const recorded = await repository.addParts(transaction, command.jobId, command.parts, userIdOrNull(context.metadata.actor));
      if (recorded === 'currency_mismatch') return currencyMismatch(command.jobId);
      if (recorded === 'job_closed') return reject('MAINTENANCE.JOB_CLOSED', `Job ${command.jobId} is closed; its parts can no longer change.`);
      return undefined;
    },
  };

  const complete: CommandHandler<CompleteMaintenance, CompleteMaintenanceState> = {
    commandType: 'maintenance.CompleteMaintenance',
    parse: parseCompleteMaintenance,
    load: async (transaction, command) => ({ job: await repository.findJob(transaction, command.jobId, true) }),
    decide: decideCompleteMaintenance,
    apply: async (transaction, _decision, command, context) => {
      const updatedBy = userIdOrNull(context.metadata.actor);
      // The last parts go in before the job closes: afterwards the database refuses them.
      const parts = await repository.addParts(transaction, command.jobId, command.parts, updatedBy);
      if (parts === 'currency_mismatch') return currencyMismatch(command.jobId);
      if (parts === 'job_closed') return reject('MAINTENANCE.JOB_CLOSED', `Job ${command.jobId} is closed; its parts can no longer change.`);
      const completed = await repository.complete(transaction, {
        jobId: command.jobId,
        completedAt: completedAtOf(command, context),
        laborCostCents: command.laborCostMinor,
        currency: command.currency,
        odometerKm: command.odometerKm,
        updatedBy,
      });
      return completed === 'recorded' ? undefined : currencyMismatch(command.jobId);
    },
  };

  const cancel: CommandHandler<CancelMaintenance, CancelMaintenanceState> = {
    commandType: 'maintenance.CancelMaintenance',
    parse: parseCancelMaintenance,
    load: async (transaction, command) => ({ job: await repository.findJob(transaction, command.jobId, true) }),
    decide: decideCancelMaintenance,
    apply: async (transaction, _decision, command, context) => {
      await repository.cancel(transaction, command.jobId, context.now, command.reason.trim(), userIdOrNull(context.metadata.actor));
      return undefined;
    },
  };

  const definePlan: CommandHandler<DefineServicePlan, DefineServicePlanState> = {
    commandType: 'maintenance.DefineServicePlan',
    parse: parseDefineServicePlan,
    load: async (transaction, command) => ({
      existing: await repository.findPlan(transaction, command.planId),
      current: await repository.planInForce(transaction, command),
    }),
    decide: decideDefineServicePlan,
    apply: async (transaction, decision, command, context) => {
      const defined = decision.events[0];
      if (defined === undefined) return undefined;
      // The plan in force was locked by load and named by the rule; the new one supersedes it.
      await repository.definePlan(
        transaction,
        {
          id: command.planId,
          vehicleId: command.vehicleId,
          vehicleClass: command.vehicleClass,
          everyKm: command.everyKm,
          everyDays: command.everyDays,
          dueSoonKm: command.dueSoonKm,
          dueSoonDays: command.dueSoonDays,
          createdBy: userIdOrNull(context.metadata.actor),
        },
        defined.payload.supersedesPlanId as string | null,
        context.now,
      );
      return undefined;
    },
  };

  return [schedule, start, recordParts, complete, cancel, definePlan, ...projectionHandlers(repository)];
}
