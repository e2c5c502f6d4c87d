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

/**
 * A failure with a defined answer: thrown anywhere below the problem middleware, it becomes the
 * problem document it describes (RFC 9457), with any extra members (e.g. `errors`) and headers.
 */
export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    readonly title: string,
    readonly detail?: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail ?? title);
    this.name = 'ProblemError';
  }
}

/** Koa and its routers signal some outcomes by status alone; these get their problem documents. */
const STATUS_PROBLEMS: Record<number, { reason: string; title: string }> = {
  404: { reason: 'not-found', title: 'No such resource' },
  405: { reason: 'method-not-allowed', title: 'Method not allowed on this resource' },
  501: { reason: 'not-implemented', title: 'Method not implemented' },
};

function respond(ctx: Context, problem: Omit<Problem, 'correlationId'> & Record<string, unknown>): void {
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
      const statusProblem = STATUS_PROBLEMS[ctx.status];
      if (statusProblem !== undefined && (ctx.body === undefined || ctx.body === null || ctx.body === '')) {
        respond(ctx, { type: problemType(statusProblem.reason), title: statusProblem.title, status: ctx.status, instance: ctx.path });
      }
    } catch (error) {
      if (error instanceof ProblemError) {
        for (const [name, value] of Object.entries(error.headers)) ctx.set(name, value);
        respond(ctx, {
          ...error.extra,
          type: problemType(error.reason),
          title: error.title,
          status: error.status,
          ...(error.detail === undefined ? {} : { detail: error.detail }),
          instance: ctx.path,
        });
        return;
      }
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
