import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Middleware } from 'koa';
import type { Logger } from '../../platform/logger';
import { contextFromHeaders, failSpan, tracer } from '../../platform/tracing';

export type RouteOf = (method: string, path: string) => string | undefined;

/**
 * A server span for each request, a child of the caller's `traceparent` when it sends one; named
 * by the route's pattern (`POST /v1/vehicles`), never by ids in the path. Everything the request
 * does (the command it produces, the processors that handle it) joins this trace.
 */
export function httpTracing(routeOf: RouteOf): Middleware {
  return async (ctx, next) => {
    const parent = contextFromHeaders(ctx.headers);
    const span = tracer().startSpan(
      ctx.method,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': ctx.method, 'url.path': ctx.path, 'url.scheme': ctx.protocol } },
      parent,
    );
    try {
      await context.with(trace.setSpan(parent, span), next);
    } catch (error) {
      failSpan(span, error);
      throw error;
    } finally {
      const route = routeOf(ctx.method, ctx.path);
      if (route !== undefined) {
        span.updateName(`${ctx.method} ${route}`);
        span.setAttribute('http.route', route);
      }
      span.setAttribute('http.response.status_code', ctx.status);
      if (ctx.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
  };
}

/** Paths asked so often by machines that a line each would drown the rest; logged at debug. */
const QUIET_PATH = /^\/(health|metrics)(\/|$)/;

/**
 * One line per answered request: method, route pattern, status and duration (the correlation
 * and trace ids come with the logger's context). Query strings and bodies are never logged.
 */
export function requestLog(logger: Logger, routeOf: RouteOf): Middleware {
  return async (ctx, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      const level = QUIET_PATH.test(ctx.path) ? 'debug' : ctx.status >= 500 ? 'warn' : 'info';
      logger[level](
        { method: ctx.method, route: routeOf(ctx.method, ctx.path) ?? 'unmatched', status: ctx.status, durationMs: Math.round((performance.now() - started) * 10) / 10 },
        'request answered',
      );
    }
  };
}
