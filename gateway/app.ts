import Router from '@koa/router';
import Koa from 'koa';
import type { Probe } from '../platform/health';
import type { Logger } from '../platform/logger';
import type { TokenVerifier } from './auth/token-verifier';
import { authenticate } from './middleware/authenticate';
import { correlationId } from './middleware/correlation-id';
import { problems } from './middleware/problem';
import { commandRoutes } from './routes/commands.routes';
import { healthRoutes } from './routes/health.routes';
import { identityQueryRoutes, type IdentityQueryDependencies } from './routes/identity-queries.routes';
import { identityRoutes, type IdentityRoutesDependencies } from './routes/identity.routes';
import { maintenanceQueryRoutes, type MaintenanceQueryDependencies } from './routes/maintenance-queries.routes';
import { maintenanceRoutes, type MaintenanceRoutesDependencies } from './routes/maintenance.routes';
import { openApiRoutes } from './routes/openapi.routes';
import { rentalQueryRoutes, type RentalQueryDependencies } from './routes/rental-queries.routes';
import { rentalRoutes, type RentalRoutesDependencies } from './routes/rentals.routes';
import { vehicleQueryRoutes, type VehicleQueryDependencies } from './routes/vehicle-queries.routes';
import { vehicleRoutes, type VehicleRoutesDependencies } from './routes/vehicles.routes';

export interface GatewayDependencies {
  readonly logger: Logger;
  readonly probes: readonly Probe[];
  readonly healthCheckTimeoutMs: number;
  /** The authenticated API; absent, the gateway serves its health endpoints only. */
  readonly api?: ApiDependencies;
}

export type ApiDependencies = VehicleRoutesDependencies &
  VehicleQueryDependencies &
  RentalRoutesDependencies &
  RentalQueryDependencies &
  MaintenanceRoutesDependencies &
  MaintenanceQueryDependencies &
  IdentityRoutesDependencies &
  IdentityQueryDependencies & { readonly verifier: TokenVerifier };

/** The gateway's Koa application, without a listening socket (tests drive it on a random port). */
export function createGatewayApp(dependencies: GatewayDependencies): Koa {
  const app = new Koa();
  app.proxy = true;
  // Errors are answered by the problem middleware; Koa's own handler would only log them again.
  app.silent = true;
  app.use(correlationId());
  app.use(problems(dependencies.logger));
  for (const open of [healthRoutes(dependencies.probes, dependencies.healthCheckTimeoutMs), openApiRoutes()]) {
    app.use(open.routes());
    app.use(open.allowedMethods());
  }
  if (dependencies.api !== undefined) {
    const api = apiRouter(dependencies.api);
    app.use(api.routes());
    app.use(api.allowedMethods());
  }
  return app;
}

/** Every authenticated route, behind the bearer-token check. */
export function apiRouter(dependencies: ApiDependencies): Router {
  const api = new Router();
  api.use(authenticate(dependencies.verifier));
  for (const routes of [
    vehicleRoutes(dependencies),
    vehicleQueryRoutes(dependencies),
    rentalRoutes(dependencies),
    rentalQueryRoutes(dependencies),
    maintenanceRoutes(dependencies),
    maintenanceQueryRoutes(dependencies),
    identityRoutes(dependencies),
    identityQueryRoutes(dependencies),
    commandRoutes(dependencies),
  ]) {
    api.use(routes.routes());
  }
  return api;
}
