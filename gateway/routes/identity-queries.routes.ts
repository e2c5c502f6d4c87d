import Router from '@koa/router';
import { requirePermission } from '../middleware/authenticate';
import { ProblemError } from '../middleware/problem';
import { PAGE_SIZE_MAX, type IdentityQueries } from '../queries/identity.queries';
import { uuidParameter } from '../validation';
import { invalidQuery, onlyKnownParameters, pageLimit, single } from './query-parameters';

export interface IdentityQueryDependencies {
  readonly identity: IdentityQueries;
}

const USER_PARAMETERS = new Set(['status', 'role', 'after', 'limit']);
const ROLE_NAME = /^[a-z][a-z0-9_]{0,49}$/;

/** Reads of the identity context's published views (permission identity.read); never a password hash. */
export function identityQueryRoutes(dependencies: IdentityQueryDependencies): Router {
  const router = new Router();
  const canRead = requirePermission('identity.read');

  router.get('/v1/users', canRead, async (ctx) => {
    onlyKnownParameters(ctx, USER_PARAMETERS);
    const status = single(ctx, 'status');
    if (status !== undefined && status !== 'active' && status !== 'disabled') throw invalidQuery('status', 'must be one of active, disabled');
    const role = single(ctx, 'role');
    if (role !== undefined && !ROLE_NAME.test(role)) throw invalidQuery('role', 'must be a role name such as rental_agent');
    const after = single(ctx, 'after');
    if (after !== undefined) uuidParameter('after', after);
    const limit = pageLimit(ctx, PAGE_SIZE_MAX);
    const page = await dependencies.identity.users({
      ...(status === undefined ? {} : { status }),
      ...(role === undefined ? {} : { role }),
      ...(after === undefined ? {} : { afterId: after }),
      limit,
    });
    let next: string | null = null;
    if (page.nextAfterId !== null) {
      const query = new URLSearchParams();
      if (status !== undefined) query.set('status', status);
      if (role !== undefined) query.set('role', role);
      query.set('after', page.nextAfterId);
      query.set('limit', String(limit));
      next = `/v1/users?${query.toString()}`;
    }
    ctx.body = { items: page.items, links: { next } };
  });

  router.get('/v1/users/:userId', canRead, async (ctx) => {
    const userId = uuidParameter('userId', ctx.params.userId);
    const user = await dependencies.identity.user(userId);
    if (user === undefined) throw new ProblemError(404, 'user-not-found', 'No such user', `There is no user ${userId}.`);
    ctx.body = { ...user, links: { self: `/v1/users/${user.id}` } };
  });

  router.get('/v1/roles', canRead, async (ctx) => {
    onlyKnownParameters(ctx, new Set());
    ctx.body = { items: await dependencies.identity.roles() };
  });

  return router;
}
