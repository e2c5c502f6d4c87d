import Router from '@koa/router';
import { requirePermission } from '../middleware/authenticate';
import { ProblemError } from '../middleware/problem';
import { PAGE_SIZE_MAX, statusAsOf, VEHICLE_STATUSES, type VehicleQueries, type VehicleStatus } from '../queries/vehicle.queries';
import { uuidParameter } from '../validation';
import { invalidQuery, onlyKnownParameters, pageLimit, single, timestampParameter } from './query-parameters';

export interface VehicleQueryDependencies {
  readonly vehicles: VehicleQueries;
}

const QUERY_PARAMETERS = new Set(['status', 'vehicleClass', 'after', 'limit']);
const HISTORY_PARAMETERS = new Set(['asOf']);

/** Reads of the fleet's published views (permission vehicles.read). */
export function vehicleQueryRoutes(dependencies: VehicleQueryDependencies): Router {
  const router = new Router();
  const canRead = requirePermission('vehicles.read');

  router.get('/v1/vehicles', canRead, async (ctx) => {
    onlyKnownParameters(ctx, QUERY_PARAMETERS);
    const status = single(ctx, 'status');
    if (status !== undefined && !VEHICLE_STATUSES.includes(status as VehicleStatus)) throw invalidQuery('status', `must be one of ${VEHICLE_STATUSES.join(', ')}`);
    const vehicleClass = single(ctx, 'vehicleClass');
    if (vehicleClass !== undefined && !/^[a-z][a-z0-9_]{0,49}$/.test(vehicleClass)) throw invalidQuery('vehicleClass', 'must be a vehicle class such as compact');
    const after = single(ctx, 'after');
    if (after !== undefined) uuidParameter('after', after);
    const limit = pageLimit(ctx, PAGE_SIZE_MAX);

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
    onlyKnownParameters(ctx, HISTORY_PARAMETERS);
    const asOf = timestampParameter(ctx, 'asOf');
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
