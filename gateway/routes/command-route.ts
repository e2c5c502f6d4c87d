import type Router from '@koa/router';
import type { Context } from 'koa';
import { randomUUID } from 'node:crypto';
import { COMMAND_PERMISSIONS } from '../../platform/access';
import { answerWithOutcome } from '../commands/command-responses';
import type { CommandSubmitter } from '../commands/command-submitter';
import type { IdempotencyStore } from '../commands/idempotency';
import { principalOf, requirePermission } from '../middleware/authenticate';
import { correlationIdOf } from '../middleware/correlation-id';
import { readJsonBody } from '../middleware/json-body';
import { uuidParameter, validateBody, type FieldSpec } from '../validation';
import { currentStatus, type CommandRoutesDependencies } from './commands.routes';

export interface CommandRouteDependencies extends CommandRoutesDependencies {
  readonly submitter: CommandSubmitter;
  readonly idempotency: IdempotencyStore;
}

/** What a route makes of a valid request: the command's aggregate (its Kafka key) and payload. */
export type CommandOf<Body> = (
  ctx: Context,
  body: Body,
) => { aggregateId: string; payload: Record<string, unknown> } | Promise<{ aggregateId: string; payload: Record<string, unknown> }>;

export interface CommandRouteOptions {
  /** Whether acceptance creates a resource: 201 with Prefer: wait, else 200. */
  readonly creates: boolean;
  /** The largest body accepted; 16 KiB unless said. */
  readonly bodyBytesMax?: number;
  /**
   * What of the body an Idempotency-Key is bound to; the whole body unless said. A body holding a
   * secret (a password) gives a version without it, so that no digest of the secret is kept.
   */
  readonly fingerprint?: (body: never) => unknown;
}

const BODY_BYTES_MAX = 16 * 1024;

/**
 * Registers command routes on `router`, each producing to `topic`. A command route authorises by
 * the command's permission, validates the path and body (400 before anything is produced),
 * honours Idempotency-Key, submits the command and answers with its status: 202 pending, or with
 * Prefer: wait the outcome (201 for a new resource, 200 otherwise, 409/422 when rejected).
 */
export function commandRoutesOn(router: Router, dependencies: CommandRouteDependencies, topic: string) {
  return function commandRoute<Body>(
    method: 'post' | 'patch' | 'put',
    path: string,
    commandType: string,
    spec: Record<keyof Body, FieldSpec>,
    options: CommandRouteOptions,
    toCommand: CommandOf<Body>,
  ): void {
    const permission = COMMAND_PERMISSIONS[commandType];
    if (permission === undefined) throw new Error(`${commandType} has no permission in platform/access.ts`);
    router[method](path, requirePermission(permission), async (ctx) => {
      const body = validateBody<Body>(await readJsonBody(ctx, options.bodyBytesMax ?? BODY_BYTES_MAX), spec);
      const fingerprint = options.fingerprint === undefined ? body : (options.fingerprint as (body: Body) => unknown)(body);
      // Checks that toCommand makes before it does any work answer 400 before the idempotency store is asked.
      const building = Promise.resolve(toCommand(ctx, body));
      // A replayed answer never awaits it; its failure is then nobody's to report.
      building.catch(() => undefined);
      await dependencies.idempotency.run(ctx, principalOf(ctx).subject, fingerprint, async () => {
        const command = await building;
        const principal = principalOf(ctx);
        const pending = await dependencies.submitter.submit({
          commandType,
          topic,
          aggregateId: command.aggregateId,
          payload: command.payload,
          actor: principal.subject,
          actorPermissions: principal.permissions,
          correlationId: correlationIdOf(ctx) ?? randomUUID(),
        });
        const record = await currentStatus(ctx, dependencies, pending.commandId, pending);
        if (record === undefined) throw new Error(`command ${pending.commandId} has no status row`);
        answerWithOutcome(ctx, record, options.creates);
      });
    });
  };
}

/** A uuid path parameter of the matched route, or a 400 naming it. */
export function uuidPathParameter(ctx: Context, name: string): string {
  return uuidParameter(name, (ctx.params as Record<string, string | undefined>)[name]);
}
