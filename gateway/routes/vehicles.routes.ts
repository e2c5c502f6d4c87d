import Router from '@koa/router';
import type { Context } from 'koa';
import { randomUUID } from 'node:crypto';
import type { FieldSpec } from '../validation';
import { commandRoutesOn, uuidPathParameter, type CommandRouteDependencies } from './command-route';

export const REGISTER_VEHICLE = 'fleet.RegisterVehicle';

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

export interface VehicleRoutesDependencies extends CommandRouteDependencies {
  readonly topics: { readonly fleetCommands: string };
}

/** The fleet's command routes (see command-route.ts for what every command route does). */
export function vehicleRoutes(dependencies: VehicleRoutesDependencies): Router {
  const router = new Router();
  const commandRoute = commandRoutesOn(router, dependencies, dependencies.topics.fleetCommands);
  const vehicleIdOf = (ctx: Context) => uuidPathParameter(ctx, 'vehicleId');

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
      const readingId = uuidPathParameter(ctx, 'readingId');
      return { aggregateId: vehicleId, payload: { vehicleId, readingId, reason: body.reason } };
    },
  );

  commandRoute<ReasonBody>('post', '/v1/vehicles/:vehicleId/decommission', 'fleet.DecommissionVehicle', REASON_BODY, { creates: false }, (ctx, body) => {
    const vehicleId = vehicleIdOf(ctx);
    return { aggregateId: vehicleId, payload: { vehicleId, reason: body.reason } };
  });

  return router;
}
