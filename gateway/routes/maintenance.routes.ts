import Router from '@koa/router';
import type { Context } from 'koa';
import { randomUUID } from 'node:crypto';
import { COMMAND_PERMISSIONS } from '../../platform/access';
import { answerWithOutcome } from '../commands/command-responses';
import { principalOf, requirePermission } from '../middleware/authenticate';
import { correlationIdOf } from '../middleware/correlation-id';
import { readJsonBody } from '../middleware/json-body';
import { ProblemError } from '../middleware/problem';
import { validateBody, type FieldError, type FieldSpec } from '../validation';
import { commandRoutesOn, uuidPathParameter, type CommandRouteDependencies } from './command-route';
import { currentStatus } from './commands.routes';

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

const COMPLETE_MAINTENANCE_FIELDS: Record<Exclude<keyof CompleteMaintenanceBody, 'parts'>, FieldSpec> = {
  completedAt: { type: 'timestamp', optional: true, nullable: true },
  laborCostMinor: { type: 'integer', min: 0, max: COST_MINOR_MAX },
  currency: CURRENCY,
  odometerKm: { type: 'integer', min: 0, max: 2_000_000_000, optional: true, nullable: true },
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

/** The field errors of a validation problem, each field prefixed (parts[2].quantity). */
function fieldErrors(check: () => unknown, prefix: string): FieldError[] {
  try {
    check();
    return [];
  } catch (error) {
    if (!(error instanceof ProblemError) || error.status !== 400) throw error;
    const errors = (error.extra.errors ?? []) as FieldError[];
    return errors.map((fieldError) => ({ field: fieldError.field === '' ? prefix : `${prefix}.${fieldError.field}`, message: fieldError.message }));
  }
}

/** Checks a body that carries a `parts` list beside plain fields: every error in one 400 problem. */
function validateWithParts<Body extends { parts?: PartBody[] }>(body: unknown, fields: Record<string, FieldSpec>, partsRequired: boolean): Body {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return validateBody<Body>(body, fields);
  const { parts, ...rest } = body as Record<string, unknown>;
  const errors = fieldErrors(() => validateBody(rest, fields), '').map((error) => ({ ...error, field: error.field.replace(/^\./, '') }));
  if (parts === undefined) {
    if (partsRequired) errors.push({ field: 'parts', message: 'is required' });
  } else if (!Array.isArray(parts)) {
    errors.push({ field: 'parts', message: 'must be an array' });
  } else if ((partsRequired && parts.length === 0) || parts.length > PART_LINES_MAX) {
    errors.push({ field: 'parts', message: `must list ${partsRequired ? 1 : 0} to ${PART_LINES_MAX} parts` });
  } else {
    parts.forEach((part, index) => errors.push(...fieldErrors(() => validateBody(part, PART_BODY), `parts[${index}]`)));
  }
  if (errors.length > 0) throw new ProblemError(400, 'validation-failed', 'Invalid request body', `${errors.length} field(s) are invalid.`, { errors });
  return body as Body;
}

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

  /** A command route whose body carries a parts list, which the shared field checks do not cover. */
  function partsCommandRoute<Body extends { parts?: PartBody[] }>(
    path: string,
    commandType: string,
    fields: Record<string, FieldSpec>,
    partsRequired: boolean,
    toPayload: (jobId: string, body: Body) => Record<string, unknown>,
  ): void {
    const permission = COMMAND_PERMISSIONS[commandType];
    if (permission === undefined) throw new Error(`${commandType} has no permission in platform/access.ts`);
    router.post(path, requirePermission(permission), async (ctx) => {
      const jobId = jobIdOf(ctx);
      const body = validateWithParts<Body>(await readJsonBody(ctx, PARTS_BODY_BYTES_MAX), fields, partsRequired);
      await dependencies.idempotency.run(ctx, principalOf(ctx).subject, body, async () => {
        const pending = await dependencies.submitter.submit({
          commandType,
          topic,
          aggregateId: jobId,
          payload: toPayload(jobId, body),
          actor: principalOf(ctx).subject,
          correlationId: correlationIdOf(ctx) ?? randomUUID(),
          traceparent: ctx.get('traceparent') || null,
        });
        const record = await currentStatus(ctx, dependencies, pending.commandId, pending);
        if (record === undefined) throw new Error(`command ${pending.commandId} has no status row`);
        answerWithOutcome(ctx, record, false);
      });
    });
  }

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

  partsCommandRoute<RecordPartsUsedBody>('/v1/maintenance/jobs/:jobId/parts', 'maintenance.RecordPartsUsed', {}, true, (jobId, body) => ({ jobId, parts: partPayloads(body.parts) }));

  partsCommandRoute<CompleteMaintenanceBody>('/v1/maintenance/jobs/:jobId/complete', 'maintenance.CompleteMaintenance', COMPLETE_MAINTENANCE_FIELDS, false, (jobId, body) => ({
    jobId,
    completedAt: timeOrNull(body.completedAt),
    laborCostMinor: body.laborCostMinor,
    currency: body.currency,
    odometerKm: body.odometerKm ?? null,
    parts: partPayloads(body.parts),
  }));

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
