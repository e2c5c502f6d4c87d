import Koa from 'koa';
import type { Probe } from '../platform/health';
import type { Logger } from '../platform/logger';
import { correlationId } from './middleware/correlation-id';
import { problems } from './middleware/problem';
import { healthRoutes } from './routes/health.routes';

export interface GatewayDependencies {
  readonly logger: Logger;
  readonly probes: readonly Probe[];
  readonly healthCheckTimeoutMs: number;
}

/** The gateway's Koa application, without a listening socket (tests drive it on a random port). */
export function createGatewayApp(dependencies: GatewayDependencies): Koa {
  const app = new Koa();
  app.proxy = true;
  // Errors are answered by the problem middleware; Koa's own handler would only log them again.
  app.silent = true;
  app.use(correlationId());
  app.use(problems(dependencies.logger));
  const health = healthRoutes(dependencies.probes, dependencies.healthCheckTimeoutMs);
  app.use(health.routes());
  app.use(health.allowedMethods());
  return app;
}
