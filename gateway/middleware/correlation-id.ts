import { randomUUID } from 'node:crypto';
import type { Context, Middleware } from 'koa';

export const CORRELATION_ID_HEADER = 'X-Correlation-Id';
const CORRELATION_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Takes the caller's correlation id when it is well-formed (or makes one), keeps it in
 * `ctx.state.correlationId` and echoes it on every response, errors included.
 */
/** The request's correlation id, as `correlationId()` stored it. */
export function correlationIdOf(ctx: Context): string | undefined {
  const id: unknown = ctx.state.correlationId;
  return typeof id === 'string' ? id : undefined;
}

export function correlationId(): Middleware {
  return async (ctx, next) => {
    const given = ctx.get(CORRELATION_ID_HEADER);
    const id = CORRELATION_ID_PATTERN.test(given) ? given : randomUUID();
    ctx.state.correlationId = id;
    ctx.set(CORRELATION_ID_HEADER, id);
    await next();
  };
}
