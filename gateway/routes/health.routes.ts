import Router from '@koa/router';
import { checkReadiness, type Probe } from '../../platform/health';

/**
 * Liveness answers while the event loop turns and touches no dependency (a restart would not fix
 * one). Readiness reports each dependency and answers 503 while any is down, so a load balancer
 * stops sending traffic and resumes by itself when it recovers.
 */
export function healthRoutes(probes: readonly Probe[], timeoutMs: number): Router {
  const router = new Router();
  router.get('/health/live', (ctx) => {
    ctx.body = { status: 'up' };
  });
  router.get('/health/ready', async (ctx) => {
    const readiness = await checkReadiness(probes, timeoutMs);
    ctx.status = readiness.ready ? 200 : 503;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { status: readiness.ready ? 'up' : 'down', dependencies: readiness.dependencies };
  });
  return router;
}
