import type { Context, Middleware } from 'koa';
import type { Logger } from '../../platform/logger';
import { correlationIdOf } from './correlation-id';

/** An RFC 9457 problem document. `type` is stable per reason; clients branch on it. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly instance?: string;
  readonly correlationId?: string;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
const PROBLEM_TYPE_BASE = 'https://fleet.example/problems/';

export function problemType(reason: string): string {
  return `${PROBLEM_TYPE_BASE}${reason}`;
}

function respond(ctx: Context, problem: Omit<Problem, 'correlationId'>): void {
  ctx.status = problem.status;
  ctx.type = PROBLEM_CONTENT_TYPE;
  ctx.body = { ...problem, correlationId: correlationIdOf(ctx) } satisfies Problem;
}

/**
 * The one place that turns failures into responses. Unknown errors become a 500 whose body says
 * nothing about the internals (the log has them, under the same correlation id); a route that
 * matched nothing becomes a 404 problem rather than Koa's plain-text default.
 */
export function problems(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        respond(ctx, { type: problemType('not-found'), title: 'No such resource', status: 404, instance: ctx.path });
      }
    } catch (error) {
      logger.error({ err: error, correlationId: correlationIdOf(ctx), method: ctx.method, path: ctx.path }, 'request failed');
      respond(ctx, {
        type: problemType('internal-error'),
        title: 'Internal error',
        status: 500,
        detail: 'The request could not be completed. Quote the correlation id when reporting it.',
      });
    }
  };
}
