import type { Context, Middleware } from 'koa';
import type { SubjectStatusCheck } from '../auth/subject-status';
import { InvalidTokenError, type Principal, type TokenVerifier } from '../auth/token-verifier';
import { ProblemError } from './problem';

const BEARER = /^Bearer ([A-Za-z0-9._~+/=-]+)$/;

export function principalOf(ctx: Context): Principal {
  const principal = ctx.state.principal as Principal | undefined;
  if (principal === undefined) throw new Error('principalOf() used on a route without authenticate()');
  return principal;
}

const invalidToken = (detail: string) =>
  new ProblemError(401, 'invalid-token', 'Invalid token', detail, {}, {
    'WWW-Authenticate': 'Bearer error="invalid_token"',
  });

/**
 * Requires a valid bearer token whose subject is not disabled, and keeps its principal in
 * `ctx.state.principal`. Without a status check (a gateway trusting an external provider only)
 * a token is good until it expires.
 */
export function authenticate(verifier: TokenVerifier, subjects?: SubjectStatusCheck): Middleware {
  return async (ctx, next) => {
    const match = BEARER.exec(ctx.get('Authorization'));
    if (match === null) {
      throw new ProblemError(401, 'unauthenticated', 'Authentication required', 'Send an OAuth 2.0 bearer token in the Authorization header.', {}, {
        'WWW-Authenticate': 'Bearer',
      });
    }
    let principal: Principal;
    try {
      principal = await verifier.verify(match[1]!);
    } catch (error) {
      if (!(error instanceof InvalidTokenError)) throw error;
      throw invalidToken(error.message);
    }
    if (subjects !== undefined && (await subjects.isDisabled(principal.subject))) throw invalidToken('The account this token was issued to is disabled.');
    ctx.state.principal = principal;
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
