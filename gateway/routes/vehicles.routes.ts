import Router from '@koa/router';
import type { Context } from 'koa';
import { randomUUID } from 'node:crypto';
import { COMMAND_PERMISSIONS } from '../../platform/access';
import type { CommandSubmitter } from '../commands/command-submitter';
import type { IdempotencyStore } from '../commands/idempotency';
import { answerWithOutcome } from '../commands/command-responses';
import { principalOf, requirePermission } from '../middleware/authenticate';
import { correlationIdOf } from '../middleware/correlation-id';
import { readJsonBody } from '../middleware/json-body';
import { uuidParameter, validateBody, type FieldSpec } from '../validation';
import { currentStatus, type CommandRoutesDependencies } from './commands.routes';

export const REGISTER_VEHICLE = 'fleet.RegisterVehicle';
const BODY_BYTES_MAX = 16 * 1024;

const VIN: FieldSpec = { type: 'string', lengthMax: 17, pattern: /^[A-HJ-NPR-Z0-9]{17}$/, optional: true, nullable: true };
const VEHICLE_CLASS: FieldSpec = { type: 'string', lengthMax: 50, pattern: /^[a-z][a-z0-9_]*$/, optional: true };
const YEAR: FieldSpec = { type: 'integer', min: 1900, max: 2200, optional: true, nullable: true };
const REASON: FieldSpec = { type: 'string', lengthMax: 500 };

interface RegisterVehicleBody {
  plateNumber: string;
  vin?: string | null;
  make: string;
  model: string;
  variant?: string | null;
  year?: number | null;
  vehicleClass?: string;
}

const REGISTER_VEHICLE_BODY: Record<keyof RegisterVehicleBody, FieldSpec> = {
  plateNumber: { type: 'string', lengthMax: 20 },
  vin: VIN,
  make: { type: 'string', lengthMax: 100 },
  model: { type: 'string', lengthMax: 100 },
  variant: { type: 'string', lengthMax: 100, optional: true, nullable: true },
  year: YEAR,
  vehicleClass: VEHICLE_CLASS,
};

interface UpdateVehicleBody {
  expectedVersion?: number | null;
  make?: string | null;
  model?: string | null;
  variant?: string | null;
  year?: number | null;
  vehicleClass?: string | null;
  vin?: string | null;
}

/** Every field may be left out (or null): left out means unchanged. */
const UPDATE_VEHICLE_BODY: Record<keyof UpdateVehicleBody, FieldSpec> = {
  expectedVersion: { type: 'integer', min: 0, max: Number.MAX_SAFE_INTEGER, optional: true, nullable: true },
  make: { type: 'string', lengthMax: 100, optional: true, nullable: true },
  model: { type: 'string', lengthMax: 100, optional: true, nullable: true },
  variant: { type: 'string', lengthMax: 100, optional: true, nullable: true },
  year: YEAR,
  vehicleClass: { ...VEHICLE_CLASS, nullable: true },
  vin: VIN,
};

interface RecordOdometerReadingBody {
  readingId?: string;
  readingKm: number;
  recordedAt: string;
  source?: string;
  supersedesReadingId?: string | null;
}

const RECORD_ODOMETER_READING_BODY: Record<keyof RecordOdometerReadingBody, FieldSpec> = {
  readingId: { type: 'uuid', optional: true },
  readingKm: { type: 'integer', min: 0, max: 2_000_000_000 },
  recordedAt: { type: 'timestamp' },
  source: { type: 'string', lengthMax: 30, pattern: /^(manual|rental_pickup|rental_return|maintenance|telematics)$/, optional: true },
  supersedesReadingId: { type: 'uuid', optional: true, nullable: true },
};

interface ReasonBody {
  reason: string;
}

const REASON_BODY: Record<keyof ReasonBody, FieldSpec> = { reason: REASON };

export interface VehicleRoutesDependencies extends CommandRoutesDependencies {
  readonly submitter: CommandSubmitter;
  readonly idempotency: IdempotencyStore;
  readonly topics: { readonly fleetCommands: string };
}

/** What a route makes of a valid request: the command's aggregate and payload. */
type CommandOf<Body> = (ctx: Context, body: Body) => { aggregateId: string; payload: Record<string, unknown> };

/**
 * The fleet's command routes. Each authorises by the command's permission, validates the path and
 * body (400 before anything is produced), honours Idempotency-Key, submits the command and answers
 * with its status: 202 pending, or with Prefer: wait the outcome (201 for a new resource, 200
 * otherwise, 409/422 when rejected).
 */
export function vehicleRoutes(dependencies: VehicleRoutesDependencies): Router {
  const router = new Router();

  function commandRoute<Body>(
    method: 'post' | 'patch',
    path: string,
    commandType: string,
    spec: Record<keyof Body, FieldSpec>,
    options: { creates: boolean },
    toCommand: CommandOf<Body>,
  ): void {
    router[method](path, requirePermission(COMMAND_PERMISSIONS[commandType]!), async (ctx) => {
      const body = validateBody<Body>(await readJsonBody(ctx, BODY_BYTES_MAX), spec);
      const command = toCommand(ctx, body);
      await dependencies.idempotency.run(ctx, principalOf(ctx).subject, body, async () => {
        const pending = await dependencies.submitter.submit({
          commandType,
          topic: dependencies.topics.fleetCommands,
          aggregateId: command.aggregateId,
          payload: command.payload,
          actor: principalOf(ctx).subject,
          correlationId: correlationIdOf(ctx) ?? randomUUID(),
          traceparent: ctx.get('traceparent') || null,
        });
        const record = await currentStatus(ctx, dependencies, pending.commandId, pending);
        if (record === undefined) throw new Error(`command ${pending.commandId} has no status row`);
        answerWithOutcome(ctx, record, options.creates);
      });
    });
  }

  const vehicleIdOf = (ctx: Context) => uuidParameter('vehicleId', (ctx.params as Record<string, string | undefined>).vehicleId);

  commandRoute<RegisterVehicleBody>('post', '/v1/vehicles', REGISTER_VEHICLE, REGISTER_VEHICLE_BODY, { creates: true }, (_ctx, body) => {
    const vehicleId = randomUUID();
    return {
      aggregateId: vehicleId,
      payload: {
        vehicleId,
        plateNumber: body.plateNumber,
        vin: body.vin ?? null,
        make: body.make,
        model: body.model,
        variant: body.variant ?? null,
        year: body.year ?? null,
        vehicleClass: body.vehicleClass ?? 'standard',
      },
    };
  });

  commandRoute<UpdateVehicleBody>('patch', '/v1/vehicles/:vehicleId', 'fleet.UpdateVehicle', UPDATE_VEHICLE_BODY, { creates: false }, (ctx, body) => {
    const vehicleId = vehicleIdOf(ctx);
    return {
      aggregateId: vehicleId,
      payload: {
        vehicleId,
        expectedVersion: body.expectedVersion ?? null,
        make: body.make ?? null,
        model: body.model ?? null,
        variant: body.variant ?? null,
        year: body.year ?? null,
        vehicleClass: body.vehicleClass ?? null,
        vin: body.vin ?? null,
      },
    };
  });

  commandRoute<RecordOdometerReadingBody>(
    'post',
    '/v1/vehicles/:vehicleId/odometer-readings',
    'fleet.RecordOdometerReading',
    RECORD_ODOMETER_READING_BODY,
    { creates: true },
    (ctx, body) => {
      const vehicleId = vehicleIdOf(ctx);
      return {
        aggregateId: vehicleId,
        payload: {
          // A reading id chosen by the client makes re-sending the same reading harmless.
          readingId: body.readingId ?? randomUUID(),
          vehicleId,
          readingKm: body.readingKm,
          recordedAt: Date.parse(body.recordedAt),
          source: body.source ?? 'manual',
          supersedesReadingId: body.supersedesReadingId ?? null,
        },
      };
    },
  );

  commandRoute<ReasonBody>(
    'post',
    '/v1/vehicles/:vehicleId/odometer-readings/:readingId/void',
    'fleet.VoidOdometerReading',
    REASON_BODY,
    { creates: false },
    (ctx, body) => {
      const vehicleId = vehicleIdOf(ctx);
      const readingId = uuidParameter('readingId', (ctx.params as Record<string, string | undefined>).readingId);
      return { aggregateId: vehicleId, payload: { vehicleId, readingId, reason: body.reason } };
    },
  );

  commandRoute<ReasonBody>('post', '/v1/vehicles/:vehicleId/decommission', 'fleet.DecommissionVehicle', REASON_BODY, { creates: false }, (ctx, body) => {
    const vehicleId = vehicleIdOf(ctx);
    return { aggregateId: vehicleId, payload: { vehicleId, reason: body.reason } };
  });

  return router;
}
