import Router from '@koa/router';
import type { Context } from 'koa';
import { requirePermission } from '../middleware/authenticate';
import { ProblemError } from '../middleware/problem';
import { PAGE_SIZE_MAX, statusAsOf, VEHICLE_STATUSES, type VehicleQueries, type VehicleStatus } from '../queries/vehicle.queries';
import { uuidParameter } from '../validation';

export interface VehicleQueryDependencies {
  readonly vehicles: VehicleQueries;
}

const PAGE_SIZE_DEFAULT = 50;
const QUERY_PARAMETERS = new Set(['status', 'vehicleClass', 'after', 'limit']);

function invalidQuery(field: string, message: string): ProblemError {
  return new ProblemError(400, 'validation-failed', 'Invalid query', `${field} ${message}.`, { errors: [{ field, message }] });
}

function single(ctx: Context, name: string): string | undefined {
  const value = ctx.query[name];
  if (Array.isArray(value)) throw invalidQuery(name, 'must be given once');
  return value;
}

/** Reads of the fleet's published views (permission vehicles.read). */
export function vehicleQueryRoutes(dependencies: VehicleQueryDependencies): Router {
  const router = new Router();
  const canRead = requirePermission('vehicles.read');

  router.get('/v1/vehicles', canRead, async (ctx) => {
    const unknown = Object.keys(ctx.query).filter((name) => !QUERY_PARAMETERS.has(name));
    if (unknown.length > 0) throw invalidQuery(unknown[0]!, 'is not a known query parameter');
    const status = single(ctx, 'status');
    if (status !== undefined && !VEHICLE_STATUSES.includes(status as VehicleStatus)) throw invalidQuery('status', `must be one of ${VEHICLE_STATUSES.join(', ')}`);
    const vehicleClass = single(ctx, 'vehicleClass');
    if (vehicleClass !== undefined && !/^[a-z][a-z0-9_]{0,49}$/.test(vehicleClass)) throw invalidQuery('vehicleClass', 'must be a vehicle class such as compact');
    const after = single(ctx, 'after');
    if (after !== undefined) uuidParameter('after', after);
    const limitText = single(ctx, 'limit');
    const limit = limitText === undefined ? PAGE_SIZE_DEFAULT : Number(limitText);
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > PAGE_SIZE_MAX) throw invalidQuery('limit', `must be an integer from 1 to ${PAGE_SIZE_MAX}`);

    const page = await dependencies.vehicles.list({
      ...(status === undefined ? {} : { status: status as VehicleStatus }),
      ...(vehicleClass === undefined ? {} : { vehicleClass }),
      ...(after === undefined ? {} : { afterId: after }),
      limit,
    });
    let next: string | null = null;
    if (page.nextAfterId !== null) {
      const query = new URLSearchParams({ ...(status === undefined ? {} : { status }), ...(vehicleClass === undefined ? {} : { vehicleClass }), after: page.nextAfterId, limit: String(limit) });
      next = `/v1/vehicles?${query.toString()}`;
    }
    ctx.body = { items: page.items, links: { next } };
  });

  router.get('/v1/vehicles/:vehicleId', canRead, async (ctx) => {
    const vehicleId = uuidParameter('vehicleId', ctx.params.vehicleId);
    const vehicle = await dependencies.vehicles.find(vehicleId);
    if (vehicle === undefined) throw new ProblemError(404, 'vehicle-not-found', 'No such vehicle', `There is no vehicle ${vehicleId}.`);
    ctx.set('ETag', `"${vehicle.version}"`);
    ctx.body = { ...vehicle, links: { self: `/v1/vehicles/${vehicle.id}`, history: `/v1/vehicles/${vehicle.id}/history` } };
  });

  router.get('/v1/vehicles/:vehicleId/history', canRead, async (ctx) => {
    const vehicleId = uuidParameter('vehicleId', ctx.params.vehicleId);
    const asOfText = single(ctx, 'asOf');
    const asOf = asOfText === undefined ? undefined : new Date(asOfText);
    if (asOf !== undefined && (Number.isNaN(asOf.getTime()) || !/(Z|[+-]\d{2}:\d{2})$/.test(asOfText!))) {
      throw invalidQuery('asOf', 'must be a date-time with its offset, e.g. 2026-11-23T09:30:00Z');
    }
    const changes = await dependencies.vehicles.history(vehicleId);
    if (changes.length === 0) throw new ProblemError(404, 'vehicle-not-found', 'No such vehicle', `There is no vehicle ${vehicleId}.`);
    ctx.body = {
      vehicleId,
      ...(asOf === undefined ? {} : { asOf: asOf.toISOString(), statusAsOf: statusAsOf(changes, asOf) }),
      changes,
    };
  });
  return router;
}
