import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import type { GrantType } from '../auth/auth.repository';
import { LoginLimitsUnavailable, LoginRateLimited } from '../auth/login-limits';
import type { SigningKeys } from '../auth/signing-keys';
import { OAuthError, type ClientCredentials, type TokenService } from '../auth/token-service';
import { readBodyBytes } from '../middleware/json-body';

export interface OAuthDependencies {
  readonly tokens: TokenService;
  readonly signingKeys: SigningKeys;
  readonly issuer: string;
}

/** A token request is a few short fields; anything bigger is not one. */
const FORM_BYTES_MAX = 8 * 1024;
const FIELD_LENGTH_MAX = 1024;
const GRANT_TYPES: readonly GrantType[] = ['password', 'client_credentials', 'refresh_token'];
const JWKS_MAX_AGE_SECONDS = 60;
const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

const invalidRequest = (description: string) => new OAuthError(400, 'invalid_request', description);

/**
 * The form of a token or revocation request (RFC 6749 §3.2: application/x-www-form-urlencoded).
 * An empty parameter counts as absent; a repeated one is refused (§3.1).
 */
async function readForm(ctx: Context): Promise<Map<string, string>> {
  if (!ctx.is('application/x-www-form-urlencoded')) throw invalidRequest('Send the parameters as application/x-www-form-urlencoded.');
  const form = new Map<string, string>();
  for (const [name, value] of new URLSearchParams((await readBodyBytes(ctx, FORM_BYTES_MAX)).toString('utf8'))) {
    if (form.has(name)) throw invalidRequest(`Parameter ${name} appears more than once.`);
    if (value.length > FIELD_LENGTH_MAX) throw invalidRequest(`Parameter ${name} is longer than ${FIELD_LENGTH_MAX} characters.`);
    if (value !== '') form.set(name, value);
  }
  return form;
}

function required(form: Map<string, string>, name: string): string {
  const value = form.get(name);
  if (value === undefined) throw invalidRequest(`Parameter ${name} is required.`);
  return value;
}

/** RFC 6749 §2.3.1: HTTP Basic (client_secret_basic) or the form (client_secret_post), never both. */
function clientCredentialsOf(ctx: Context, form: Map<string, string>): ClientCredentials {
  const authorization = ctx.get('Authorization');
  if (authorization !== '') {
    if (form.has('client_secret')) throw invalidRequest('Authenticate the client in one way: Basic or client_secret, not both.');
    const match = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(authorization);
    const decoded = match === null ? '' : Buffer.from(match[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 1) throw new OAuthError(401, 'invalid_client', 'The Authorization header is not HTTP Basic client credentials.', { 'WWW-Authenticate': 'Basic realm="fleet"' });
    const clientId = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
    const bodyClientId = form.get('client_id');
    if (bodyClientId !== undefined && bodyClientId !== clientId) throw invalidRequest('client_id differs from the authenticated client.');
    return { clientId, clientSecret: decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' ')) };
  }
  return { clientId: required(form, 'client_id'), clientSecret: form.get('client_secret') ?? null };
}

/** Token endpoint answers are never cached (RFC 6749 §5.1) and errors are JSON (§5.2). */
function oauthErrors(): Middleware {
  return async (ctx, next) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Pragma', 'no-cache');
    try {
      await next();
    } catch (error) {
      if (error instanceof LoginRateLimited) {
        ctx.status = 429;
        ctx.set('Retry-After', String(error.retryAfterSeconds));
        ctx.body = { error: 'too_many_requests', error_description: `${capitalised(error.message)}; try again in ${error.retryAfterSeconds} s.`, retry_after: error.retryAfterSeconds };
        return;
      }
      if (error instanceof LoginLimitsUnavailable) {
        ctx.status = 503;
        ctx.set('Retry-After', String(UNAVAILABLE_RETRY_AFTER_SECONDS));
        ctx.body = { error: 'temporarily_unavailable', error_description: 'Sign-in is unavailable for a moment; try again shortly.' };
        return;
      }
      const refusal = error instanceof URIError ? invalidRequest('The client credentials are not correctly URL-encoded.') : error;
      if (!(refusal instanceof OAuthError)) throw refusal;
      for (const [name, value] of Object.entries(refusal.headers)) ctx.set(name, value);
      ctx.status = refusal.status;
      ctx.body = { error: refusal.error, error_description: refusal.description };
    }
  };
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Where the service's endpoints are: under the issuer when it is a URL, else where it was asked. */
function baseUrl(ctx: Context, issuer: string): string {
  return /^https?:\/\//.test(issuer) ? issuer.replace(/\/+$/, '') : ctx.origin;
}

/**
 * The token service's HTTP face: the token endpoint (RFC 6749), revocation (RFC 7009), the public
 * keys (JWKS) and the discovery documents (RFC 8414 and OpenID Connect Discovery), so that the
 * gateway, and any other resource server, trusts it by configuration alone.
 */
export function oauthRoutes(dependencies: OAuthDependencies): Router {
  const router = new Router();
  const { tokens } = dependencies;

  router.post('/oauth/token', oauthErrors(), async (ctx) => {
    const form = await readForm(ctx);
    const grantType = required(form, 'grant_type');
    if (!GRANT_TYPES.includes(grantType as GrantType)) throw new OAuthError(400, 'unsupported_grant_type', `Grant type ${grantType} is not supported; use one of ${GRANT_TYPES.join(', ')}.`);
    if (form.has('scope')) throw new OAuthError(400, 'invalid_scope', 'Scopes are not used: a token carries the roles and permissions its subject holds.');
    const client = await tokens.client(clientCredentialsOf(ctx, form), grantType as GrantType, ctx.ip);
    switch (grantType as GrantType) {
      case 'password':
        ctx.body = await tokens.passwordGrant(client, required(form, 'username'), required(form, 'password'), ctx.ip);
        break;
      case 'client_credentials':
        ctx.body = await tokens.clientCredentialsGrant(client);
        break;
      case 'refresh_token':
        ctx.body = await tokens.refreshGrant(client, required(form, 'refresh_token'));
        break;
    }
  });

  router.post('/oauth/revoke', oauthErrors(), async (ctx) => {
    const form = await readForm(ctx);
    const token = required(form, 'token');
    await tokens.revoke(await tokens.client(clientCredentialsOf(ctx, form), null, ctx.ip), token);
    ctx.status = 200;
    ctx.body = {};
  });

  router.get('/.well-known/jwks.json', (ctx) => {
    ctx.set('Cache-Control', `public, max-age=${JWKS_MAX_AGE_SECONDS}`);
    ctx.type = 'application/jwk-set+json';
    ctx.body = dependencies.signingKeys.jwks();
  });

  const metadata = (ctx: Context) => {
    const base = baseUrl(ctx, dependencies.issuer);
    ctx.set('Cache-Control', `public, max-age=${JWKS_MAX_AGE_SECONDS}`);
    ctx.body = {
      issuer: dependencies.issuer,
      token_endpoint: `${base}/oauth/token`,
      revocation_endpoint: `${base}/oauth/revoke`,
      jwks_uri: `${base}/.well-known/jwks.json`,
      grant_types_supported: GRANT_TYPES,
      response_types_supported: ['none'],
      subject_types_supported: ['public'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
      revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
      id_token_signing_alg_values_supported: ['EdDSA', 'RS256'],
      claims_supported: ['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'client_id', 'roles', 'permissions'],
    };
  };
  router.get('/.well-known/openid-configuration', metadata);
  router.get('/.well-known/oauth-authorization-server', metadata);
  return router;
}
