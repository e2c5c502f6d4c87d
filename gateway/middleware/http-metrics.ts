import type { Middleware } from 'koa';
import { DURATION_BUCKETS_SECONDS, type Metrics } from '../../platform/metrics';

/**
 * Counts every request by method, route and status, and times it, for Prometheus. The route is
 * the router's pattern (/v1/reports/:reportId), never the path a client sent, so that ids do not
 * become label values; a request no route matched counts under "unmatched".
 */
export function httpMetrics(metrics: Metrics, routeOf: (method: string, path: string) => string | undefined): Middleware {
  const requests = metrics.counter('http_requests_total', 'HTTP requests answered, by method, route and status');
  const duration = metrics.histogram('http_request_duration_seconds', 'Time to answer an HTTP request, by method and route', DURATION_BUCKETS_SECONDS);
  return async (ctx, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      // Asked of the routers rather than read from the context: a request refused before its route
      // ran (no token, say) counts under the route it asked for too.
      const route = routeOf(ctx.method, ctx.path) ?? 'unmatched';
      requests.inc({ method: ctx.method, route, status: String(ctx.status) });
      duration.observe({ method: ctx.method, route }, (performance.now() - started) / 1000);
    }
  };
}
