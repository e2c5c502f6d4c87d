import { randomUUID } from 'node:crypto';
import { context, trace } from '@opentelemetry/api';
import type { Context, Middleware } from 'koa';
import { withLogFields } from '../../platform/logger';

export const CORRELATION_ID_HEADER = 'X-Correlation-Id';
const CORRELATION_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request's correlation id, as `correlationId()` stored it. */
export function correlationIdOf(ctx: Context): string | undefined {
  const id: unknown = ctx.state.correlationId;
  return typeof id === 'string' ? id : undefined;
}

/**
 * Takes the caller's correlation id when it is well-formed (or makes one), keeps it in
 * `ctx.state.correlationId` and echoes it on every response, errors included.
 */
export function correlationId(): Middleware {
  return async (ctx, next) => {
    const given = ctx.get(CORRELATION_ID_HEADER);
    const id = CORRELATION_ID_PATTERN.test(given) ? given : randomUUID();
    ctx.state.correlationId = id;
    ctx.set(CORRELATION_ID_HEADER, id);
    trace.getActiveSpan()?.setAttribute('fleet.correlation_id', id);
    // Every line logged while the request is served names it.
    await context.with(withLogFields(context.active(), { correlationId: id }), next);
  };
}
