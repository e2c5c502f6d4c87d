import Router from '@koa/router';
import type { Context } from 'koa';
import type { CommandWaiter } from '../commands/command-results';
import { answerWithOutcome } from '../commands/command-responses';
import type { CommandStatusRecord, CommandStatusRepository } from '../commands/command-status.repository';
import { preferredWaitSeconds } from '../commands/prefer-wait';
import { principalOf } from '../middleware/authenticate';
import { ProblemError } from '../middleware/problem';

export interface CommandRoutesDependencies {
  readonly statuses: CommandStatusRepository;
  readonly waiter: CommandWaiter;
}

/**
 * Reads a command's status, waiting for its outcome first when the client prefers. `known` is a
 * status already in hand (a command just submitted is pending): without a wait it is the answer.
 */
export async function currentStatus(
  ctx: Context,
  dependencies: CommandRoutesDependencies,
  commandId: string,
  known?: CommandStatusRecord,
): Promise<CommandStatusRecord | undefined> {
  const waitSeconds = preferredWaitSeconds(ctx.get('Prefer') || undefined);
  const read = () => dependencies.statuses.find(commandId);
  if (waitSeconds === undefined || waitSeconds === 0) return known ?? read();
  ctx.set('Preference-Applied', `wait=${waitSeconds}`);
  const final = await dependencies.waiter.waitFor(commandId, waitSeconds * 1000, async () => {
    const record = await read();
    return record === undefined || record.status === 'pending' ? undefined : record;
  });
  return final ?? read();
}

export function commandRoutes(dependencies: CommandRoutesDependencies): Router {
  const router = new Router();
  router.get('/v1/commands/:commandId', async (ctx) => {
    const record = await currentStatus(ctx, dependencies, ctx.params.commandId!);
    const principal = principalOf(ctx);
    // Someone else's command is indistinguishable from no command, unless one may read them all.
    const visible = record !== undefined && (record.submittedBy === principal.subject || principal.permissions.has('commands.read_any'));
    if (!visible) throw new ProblemError(404, 'command-not-found', 'No such command', `There is no command ${ctx.params.commandId} of yours.`);
    answerWithOutcome(ctx, record, false);
  });
  return router;
}
