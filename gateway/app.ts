import Router from '@koa/router';
import Koa from 'koa';
import type { Probe } from '../platform/health';
import type { Logger } from '../platform/logger';
import type { SubjectStatusCheck } from './auth/subject-status';
import type { TokenVerifier } from './auth/token-verifier';
import { authenticate } from './middleware/authenticate';
import { correlationId } from './middleware/correlation-id';
import { problems } from './middleware/problem';
import { accountingQueryRoutes, type AccountingQueryDependencies } from './routes/accounting-queries.routes';
import { reportRoutes, type ReportRoutesDependencies } from './routes/reports.routes';
import { httpMetrics } from './middleware/http-metrics';
import { httpTracing, requestLog } from './middleware/http-tracing';
import type { Metrics } from '../platform/metrics';
import { commandRoutes } from './routes/commands.routes';
import { healthRoutes } from './routes/health.routes';
import { identityQueryRoutes, type IdentityQueryDependencies } from './routes/identity-queries.routes';
import { identityRoutes, type IdentityRoutesDependencies } from './routes/identity.routes';
import { maintenanceQueryRoutes, type MaintenanceQueryDependencies } from './routes/maintenance-queries.routes';
import { ledgerRoutes, type LedgerRoutesDependencies } from './routes/ledger.routes';
import { maintenanceRoutes, type MaintenanceRoutesDependencies } from './routes/maintenance.routes';
import { oauthRoutes, type OAuthDependencies } from './routes/oauth.routes';
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
  /** Where request counts and latencies go (served on the operations port); not counted when absent. */
  readonly metrics?: Metrics;
  /** The token service (OAuth 2.0 token endpoint, JWKS, discovery); absent when tokens come from elsewhere. */
  readonly oauth?: OAuthDependencies;
}

export type ApiDependencies = VehicleRoutesDependencies &
  VehicleQueryDependencies &
  RentalRoutesDependencies &
  RentalQueryDependencies &
  MaintenanceRoutesDependencies &
  MaintenanceQueryDependencies &
  IdentityRoutesDependencies &
  IdentityQueryDependencies &
  LedgerRoutesDependencies &
  AccountingQueryDependencies &
  ReportRoutesDependencies & {
    readonly verifier: TokenVerifier;
    /** Refuses tokens of disabled users and clients; absent, a token is good until it expires. */
    readonly subjects?: SubjectStatusCheck;
  };

/** The gateway's Koa application, without a listening socket (tests drive it on a random port). */
export function createGatewayApp(dependencies: GatewayDependencies): Koa {
  const app = new Koa();
  // Behind one reverse proxy (the ingress): the client address is the last X-Forwarded-For entry,
  // the one that proxy appended, so a client cannot choose its own (sign-in limits count by it).
  app.proxy = true;
  app.maxIpsCount = 1;
  // Errors are answered by the problem middleware; Koa's own handler would only log them again.
  app.silent = true;
  const routers = [healthRoutes(dependencies.probes, dependencies.healthCheckTimeoutMs), openApiRoutes()];
  if (dependencies.oauth !== undefined) routers.push(oauthRoutes(dependencies.oauth));
  if (dependencies.api !== undefined) routers.push(apiRouter(dependencies.api));
  const routeOf = (method: string, path: string) => routePattern(routers, method, path);
  app.use(httpTracing(routeOf));
  app.use(correlationId());
  // Outside the problem middleware, so that the status logged and counted is the one answered.
  app.use(requestLog(dependencies.logger, routeOf));
  if (dependencies.metrics !== undefined) app.use(httpMetrics(dependencies.metrics, routeOf));
  app.use(problems(dependencies.logger));
  for (const routes of routers) {
    app.use(routes.routes());
    app.use(routes.allowedMethods());
  }
  return app;
}

/** The pattern of the route a request asks for (/v1/reports/:reportId), if any router has one. */
function routePattern(routers: readonly Router[], method: string, path: string): string | undefined {
  for (const router of routers) {
    const routes = router.match(path, method).pathAndMethod.filter((layer) => layer.methods.length > 0);
    const last = routes.at(-1);
    if (last !== undefined) return String(last.path);
  }
  return undefined;
}

/** Every authenticated route, behind the bearer-token check. */
export function apiRouter(dependencies: ApiDependencies): Router {
  const api = new Router();
  api.use(authenticate(dependencies.verifier, dependencies.subjects));
  for (const routes of [
    vehicleRoutes(dependencies),
    vehicleQueryRoutes(dependencies),
    rentalRoutes(dependencies),
    rentalQueryRoutes(dependencies),
    maintenanceRoutes(dependencies),
    maintenanceQueryRoutes(dependencies),
    identityRoutes(dependencies),
    identityQueryRoutes(dependencies),
    ledgerRoutes(dependencies),
    accountingQueryRoutes(dependencies),
    reportRoutes(dependencies),
    commandRoutes(dependencies),
  ]) {
    api.use(routes.routes());
  }
  return api;
}
