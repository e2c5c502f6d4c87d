import type { Context, Middleware } from 'koa';
import { InvalidTokenError, type Principal, type TokenVerifier } from '../auth/token-verifier';
import { ProblemError } from './problem';

const BEARER = /^Bearer ([A-Za-z0-9._~+/=-]+)$/;

export function principalOf(ctx: Context): Principal {
  const principal = ctx.state.principal as Principal | undefined;
  if (principal === undefined) throw new Error('principalOf() used on a route without authenticate()');
  return principal;
}

/** Requires a valid bearer token and keeps its principal in `ctx.state.principal`. */
export function authenticate(verifier: TokenVerifier): Middleware {
  return async (ctx, next) => {
    const match = BEARER.exec(ctx.get('Authorization'));
    if (match === null) {
      throw new ProblemError(401, 'unauthenticated', 'Authentication required', 'Send an OAuth 2.0 bearer token in the Authorization header.', {}, {
        'WWW-Authenticate': 'Bearer',
      });
    }
    try {
      ctx.state.principal = await verifier.verify(match[1]!);
    } catch (error) {
      if (!(error instanceof InvalidTokenError)) throw error;
      throw new ProblemError(401, 'invalid-token', 'Invalid token', error.message, {}, {
        'WWW-Authenticate': 'Bearer error="invalid_token"',
      });
    }
    await next();
  };
}

/** Requires the authenticated principal to hold `permission`. */
export function requirePermission(permission: string): Middleware {
  return async (ctx, next) => {
    if (!principalOf(ctx).permissions.has(permission)) {
      throw new ProblemError(403, 'forbidden', 'Permission denied', `This operation needs the permission ${permission}.`, { permission });
    }
    await next();
  };
}
