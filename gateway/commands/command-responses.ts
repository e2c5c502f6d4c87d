import type { Context } from 'koa';
import type { CommandStatusRecord } from './command-status.repository';

/**
 * Reasons that say the actor may not do this, whatever the state (`<CONTEXT>.NOT_PERMITTED`: a
 * permission the rule needs is missing; `<CONTEXT>.NOT_ASSIGNED_TO_ACTOR`: the thing is someone
 * else's to work on): 403.
 */
const FORBIDDEN_REASON = /^[A-Z]+\.(NOT_PERMITTED|NOT_ASSIGNED_TO_ACTOR)$/;
/** Reasons that say the world is in the way (a taken plate, a booked or busy vehicle): 409; every other rejection is 422. */
const CONFLICT_REASON = /(_TAKEN|_ALREADY_[A-Z_]+|_BOOKED|_CONFLICT|_RENTED|_DECOMMISSIONED|_REUSED|_IN_MAINTENANCE|_IN_WORKSHOP|_OVERLAPS)$/;

export function statusDocument(record: CommandStatusRecord): Record<string, unknown> {
  return {
    commandId: record.commandId,
    commandType: record.commandType,
    status: record.status,
    ...(record.reasonCode === null ? {} : { reasonCode: record.reasonCode }),
    ...(record.message === null ? {} : { message: record.message }),
    ...(record.aggregateId === null ? {} : { aggregateId: record.aggregateId }),
    submittedAt: record.submittedAt.toISOString(),
    ...(record.completedAt === null ? {} : { completedAt: record.completedAt.toISOString() }),
    links: {
      self: `/v1/commands/${record.commandId}`,
      ...(record.resourcePath === null ? {} : { resource: record.resourcePath }),
    },
  };
}

/** The HTTP status of a rejection, by its reason code: 403 about the actor, 409 about the world, else 422. */
export function rejectionStatus(reasonCode: string): 403 | 409 | 422 {
  if (FORBIDDEN_REASON.test(reasonCode)) return 403;
  return CONFLICT_REASON.test(reasonCode) ? 409 : 422;
}

/**
 * The answer to a command request: 202 while pending (with where to ask), 201 once accepted (with
 * the resource's location), 403, 409 or 422 once rejected, 500-class never for a business outcome.
 */
export function answerWithOutcome(ctx: Context, record: CommandStatusRecord, created: boolean): void {
  ctx.body = statusDocument(record);
  switch (record.status) {
    case 'pending':
      ctx.status = 202;
      ctx.set('Location', `/v1/commands/${record.commandId}`);
      return;
    case 'accepted':
      ctx.status = created ? 201 : 200;
      if (created && record.resourcePath !== null) ctx.set('Location', record.resourcePath);
      return;
    case 'rejected':
      ctx.status = rejectionStatus(record.reasonCode ?? '');
      return;
    case 'failed':
      ctx.status = 200;
      return;
    default: {
      const unexpected: never = record.status;
      throw new Error(`unknown command status ${String(unexpected)}`);
    }
  }
}
