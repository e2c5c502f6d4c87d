import Router from '@koa/router';
import type { Context } from 'koa';
import { randomUUID } from 'node:crypto';
import { ProblemError } from '../middleware/problem';
import type { FieldError, FieldSpec } from '../validation';
import { commandRoutesOn, uuidPathParameter, type CommandRouteDependencies } from './command-route';

const BODY_BYTES_MAX = 16 * 1024;
/** A command carrying parts may list up to PART_LINES_MAX lines; its body may be larger. */
const PARTS_BODY_BYTES_MAX = 64 * 1024;
const PART_LINES_MAX = 50;
const COST_MINOR_MAX = 1_000_000_000;
const CURRENCY: FieldSpec = { type: 'string', lengthMax: 3, pattern: /^[A-Z]{3}$/ };

interface ScheduleMaintenanceBody {
  vehicleId: string;
  kind: string;
  title: string;
  description?: string | null;
  windowStart: string;
  windowEnd: string;
  mechanicId?: string | null;
}

const SCHEDULE_MAINTENANCE_BODY: Record<keyof ScheduleMaintenanceBody, FieldSpec> = {
  vehicleId: { type: 'uuid' },
  kind: { type: 'string', lengthMax: 20, pattern: /^(service|repair|inspection|tyres)$/ },
  title: { type: 'string', lengthMax: 200 },
  description: { type: 'string', lengthMax: 4_000, optional: true, nullable: true },
  windowStart: { type: 'timestamp' },
  windowEnd: { type: 'timestamp' },
  mechanicId: { type: 'uuid', optional: true, nullable: true },
};

interface StartMaintenanceBody {
  startedAt?: string | null;
}

const START_MAINTENANCE_BODY: Record<keyof StartMaintenanceBody, FieldSpec> = { startedAt: { type: 'timestamp', optional: true, nullable: true } };

interface PartBody {
  partName: string;
  partNumber?: string | null;
  quantity: number;
  unitCostMinor: number;
  currency: string;
}

const PART_BODY: Record<keyof PartBody, FieldSpec> = {
  partName: { type: 'string', lengthMax: 200 },
  partNumber: { type: 'string', lengthMax: 100, optional: true, nullable: true },
  quantity: { type: 'integer', min: 1, max: 10_000 },
  unitCostMinor: { type: 'integer', min: 0, max: COST_MINOR_MAX },
  currency: CURRENCY,
};

interface RecordPartsUsedBody {
  parts: PartBody[];
}

interface CompleteMaintenanceBody {
  completedAt?: string | null;
  laborCostMinor: number;
  currency: string;
  odometerKm?: number | null;
  parts?: PartBody[];
}

const RECORD_PARTS_USED_BODY: Record<keyof RecordPartsUsedBody, FieldSpec> = { parts: { type: 'array', items: PART_BODY, lengthMin: 1, lengthMax: PART_LINES_MAX } };

const COMPLETE_MAINTENANCE_BODY: Record<keyof CompleteMaintenanceBody, FieldSpec> = {
  completedAt: { type: 'timestamp', optional: true, nullable: true },
  laborCostMinor: { type: 'integer', min: 0, max: COST_MINOR_MAX },
  currency: CURRENCY,
  odometerKm: { type: 'integer', min: 0, max: 2_000_000_000, optional: true, nullable: true },
  parts: { type: 'array', items: PART_BODY, lengthMax: PART_LINES_MAX, optional: true },
};

interface CancelMaintenanceBody {
  reason: string;
}

const CANCEL_MAINTENANCE_BODY: Record<keyof CancelMaintenanceBody, FieldSpec> = { reason: { type: 'string', lengthMax: 500 } };

interface DefineServicePlanBody {
  vehicleId?: string | null;
  vehicleClass?: string | null;
  everyKm?: number | null;
  everyDays?: number | null;
  dueSoonKm?: number;
  dueSoonDays?: number;
}

const DEFINE_SERVICE_PLAN_BODY: Record<keyof DefineServicePlanBody, FieldSpec> = {
  vehicleId: { type: 'uuid', optional: true, nullable: true },
  vehicleClass: { type: 'string', lengthMax: 50, pattern: /^[a-z][a-z0-9_]*$/, optional: true, nullable: true },
  everyKm: { type: 'integer', min: 1, max: 1_000_000, optional: true, nullable: true },
  everyDays: { type: 'integer', min: 1, max: 3_650, optional: true, nullable: true },
  dueSoonKm: { type: 'integer', min: 0, max: 1_000_000, optional: true },
  dueSoonDays: { type: 'integer', min: 0, max: 3_650, optional: true },
};

const partPayloads = (parts: readonly PartBody[] | undefined) =>
  (parts ?? []).map((part) => ({ partName: part.partName, partNumber: part.partNumber ?? null, quantity: part.quantity, unitCostMinor: part.unitCostMinor, currency: part.currency }));

const timeOrNull = (at: string | null | undefined) => (at === undefined || at === null ? null : Date.parse(at));

export interface MaintenanceRoutesDependencies extends CommandRouteDependencies {
  readonly topics: { readonly maintenanceCommands: string };
}

/**
 * The maintenance context's command routes (see command-route.ts for what every command route
 * does). Job commands are keyed by the job, a booking by its vehicle (so that bookings of one
 * vehicle are handled in order), a plan by the plan.
 */
export function maintenanceRoutes(dependencies: MaintenanceRoutesDependencies): Router {
  const router = new Router();
  const topic = dependencies.topics.maintenanceCommands;
  const commandRoute = commandRoutesOn(router, dependencies, topic);
  const jobIdOf = (ctx: Context) => uuidPathParameter(ctx, 'jobId');

  commandRoute<ScheduleMaintenanceBody>('post', '/v1/maintenance/jobs', 'maintenance.ScheduleMaintenance', SCHEDULE_MAINTENANCE_BODY, { creates: true, bodyBytesMax: BODY_BYTES_MAX }, (_ctx, body) => {
    const windowStart = Date.parse(body.windowStart);
    const windowEnd = Date.parse(body.windowEnd);
    if (windowEnd <= windowStart) {
      throw new ProblemError(400, 'validation-failed', 'Invalid request body', 'windowEnd must be after windowStart.', { errors: [{ field: 'windowEnd', message: 'must be after windowStart' }] });
    }
    return {
      aggregateId: body.vehicleId,
      payload: {
        jobId: randomUUID(),
        vehicleId: body.vehicleId,
        kind: body.kind,
        title: body.title,
        description: body.description ?? null,
        windowStart,
        windowEnd,
        mechanicId: body.mechanicId ?? null,
      },
    };
  });

  commandRoute<StartMaintenanceBody>('post', '/v1/maintenance/jobs/:jobId/start', 'maintenance.StartMaintenance', START_MAINTENANCE_BODY, { creates: false }, (ctx, body) => {
    const jobId = jobIdOf(ctx);
    return { aggregateId: jobId, payload: { jobId, startedAt: timeOrNull(body.startedAt) } };
  });

  const partsRoute = { creates: false, bodyBytesMax: PARTS_BODY_BYTES_MAX };
  commandRoute<RecordPartsUsedBody>('post', '/v1/maintenance/jobs/:jobId/parts', 'maintenance.RecordPartsUsed', RECORD_PARTS_USED_BODY, partsRoute, (ctx, body) => {
    const jobId = jobIdOf(ctx);
    return { aggregateId: jobId, payload: { jobId, parts: partPayloads(body.parts) } };
  });

  commandRoute<CompleteMaintenanceBody>('post', '/v1/maintenance/jobs/:jobId/complete', 'maintenance.CompleteMaintenance', COMPLETE_MAINTENANCE_BODY, partsRoute, (ctx, body) => {
    const jobId = jobIdOf(ctx);
    return {
      aggregateId: jobId,
      payload: {
        jobId,
        completedAt: timeOrNull(body.completedAt),
        laborCostMinor: body.laborCostMinor,
        currency: body.currency,
        odometerKm: body.odometerKm ?? null,
        parts: partPayloads(body.parts),
      },
    };
  });

  commandRoute<CancelMaintenanceBody>('post', '/v1/maintenance/jobs/:jobId/cancel', 'maintenance.CancelMaintenance', CANCEL_MAINTENANCE_BODY, { creates: false }, (ctx, body) => {
    const jobId = jobIdOf(ctx);
    return { aggregateId: jobId, payload: { jobId, reason: body.reason } };
  });

  commandRoute<DefineServicePlanBody>('post', '/v1/maintenance/service-plans', 'maintenance.DefineServicePlan', DEFINE_SERVICE_PLAN_BODY, { creates: true }, (_ctx, body) => {
    const errors: FieldError[] = [];
    if (((body.vehicleId ?? null) === null) === ((body.vehicleClass ?? null) === null)) errors.push({ field: 'vehicleId', message: 'give exactly one of vehicleId and vehicleClass' });
    if ((body.everyKm ?? null) === null && (body.everyDays ?? null) === null) errors.push({ field: 'everyKm', message: 'give everyKm, everyDays or both' });
    if (errors.length > 0) throw new ProblemError(400, 'validation-failed', 'Invalid request body', `${errors.length} field(s) are invalid.`, { errors });
    const planId = randomUUID();
    return {
      aggregateId: planId,
      payload: {
        planId,
        vehicleId: body.vehicleId ?? null,
        vehicleClass: body.vehicleClass ?? null,
        everyKm: body.everyKm ?? null,
        everyDays: body.everyDays ?? null,
        dueSoonKm: body.dueSoonKm ?? 0,
        dueSoonDays: body.dueSoonDays ?? 0,
      },
    };
  });

  return router;
}
