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
import { validateBody, type FieldSpec } from '../validation';
import { currentStatus, type CommandRoutesDependencies } from './commands.routes';

export const REGISTER_VEHICLE = 'fleet.RegisterVehicle';
const BODY_BYTES_MAX = 16 * 1024;

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
  vin: { type: 'string', lengthMax: 17, pattern: /^[A-HJ-NPR-Z0-9]{17}$/, optional: true, nullable: true },
  make: { type: 'string', lengthMax: 100 },
  model: { type: 'string', lengthMax: 100 },
  variant: { type: 'string', lengthMax: 100, optional: true, nullable: true },
  year: { type: 'integer', min: 1900, max: 2200, optional: true, nullable: true },
  vehicleClass: { type: 'string', lengthMax: 50, pattern: /^[a-z][a-z0-9_]*$/, optional: true },
};

export interface VehicleRoutesDependencies extends CommandRoutesDependencies {
  readonly submitter: CommandSubmitter;
  readonly idempotency: IdempotencyStore;
  readonly topics: { readonly fleetCommands: string };
}

export function vehicleRoutes(dependencies: VehicleRoutesDependencies): Router {
  const router = new Router();
  router.post('/v1/vehicles', requirePermission(COMMAND_PERMISSIONS[REGISTER_VEHICLE]!), async (ctx) => {
    const body = validateBody<RegisterVehicleBody>(await readJsonBody(ctx, BODY_BYTES_MAX), REGISTER_VEHICLE_BODY);
    await dependencies.idempotency.run(ctx, principalOf(ctx).subject, body, () => registerVehicle(ctx, body));
  });

  async function registerVehicle(ctx: Context, body: RegisterVehicleBody): Promise<void> {
    const vehicleId = randomUUID();
    const pending = await dependencies.submitter.submit({
      commandType: REGISTER_VEHICLE,
      topic: dependencies.topics.fleetCommands,
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
      actor: principalOf(ctx).subject,
      correlationId: correlationIdOf(ctx) ?? randomUUID(),
      traceparent: ctx.get('traceparent') || null,
    });
    const record = await currentStatus(ctx, dependencies, pending.commandId, pending);
    if (record === undefined) throw new Error(`command ${pending.commandId} has no status row`);
    answerWithOutcome(ctx, record, true);
  }
  return router;
}
