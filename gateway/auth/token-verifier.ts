import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { effectivePermissions } from '../../platform/access';
import { reloadingLocalJwks } from './key-files';

/** Who is calling, as a verified token says. */
export interface Principal {
  readonly subject: string;
  readonly roles: readonly string[];
  readonly permissions: ReadonlySet<string>;
}

export interface TokenVerifierOptions {
  readonly issuer: string;
  readonly audience: string;
  readonly algorithms: readonly string[];
  readonly jwksUrl: URL | null;
  readonly jwksFile: string | null;
  /** How long a verified token is trusted without checking its signature again; 0 disables the cache. */
  readonly cacheSeconds?: number;
  /** How long keys fetched from jwksUrl are kept before they are fetched again (a retired key stops verifying then). */
  readonly jwksCacheSeconds?: number;
  /** The time tokens are checked against (tests move it). */
  readonly clock?: () => Date;
}

/** Leeway for clock skew between the identity provider and the gateway (exp, nbf, iat). */
export const CLOCK_TOLERANCE_SECONDS = 30;

/** Verified tokens remembered at most; the oldest leaves first. */
const CACHED_TOKENS_MAX = 10_000;

/** A token that does not prove who the caller is: 401, with the reason in the problem's detail. */
export class InvalidTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidTokenError';
  }
}

/** Keys fetched from a JWKS URL are kept this long unless configured otherwise. */
const JWKS_CACHE_SECONDS_DEFAULT = 300;

function stringList(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  if (typeof value === 'string') return value.split(/[\s,]+/).filter((item) => item !== '');
  return [];
}

/**
 * Verifies bearer tokens with jose against a JWKS: the identity provider's URL (keys cached and
 * refreshed by jose) or a local JWKS file (followed as it changes, so a rotation needs no restart). Signature, issuer, audience, expiry and
 * an allow-list of asymmetric algorithms are all checked; `alg: none` and HMAC never pass.
 *
 * A client sends the same token on every request until it expires, and checking a signature is
 * the costliest step of a request, so a verified token is remembered (by its exact text, which
 * the signature covers) for `cacheSeconds`, never past its own `exp`. Only successes are cached.
 */
export class TokenVerifier {
  private readonly keys: JWTVerifyGetKey;
  private readonly verified = new Map<string, { principal: Principal; trustedUntilMs: number }>();
  private readonly now: () => Date;

  constructor(private readonly options: TokenVerifierOptions) {
    this.now = options.clock ?? (() => new Date());
    if (options.jwksUrl !== null) {
      this.keys = createRemoteJWKSet(options.jwksUrl, {
        timeoutDuration: 5_000,
        cooldownDuration: 30_000,
        cacheMaxAge: (options.jwksCacheSeconds ?? JWKS_CACHE_SECONDS_DEFAULT) * 1000,
      });
    } else if (options.jwksFile !== null) {
      this.keys = reloadingLocalJwks(options.jwksFile);
    } else {
      throw new Error('set AUTH_JWKS_URL or AUTH_JWKS_FILE: the gateway cannot verify tokens without keys');
    }
  }

  async verify(token: string): Promise<Principal> {
    const nowMs = this.now().getTime();
    const cached = this.verified.get(token);
    if (cached !== undefined) {
      if (nowMs < cached.trustedUntilMs) return cached.principal;
      this.verified.delete(token);
    }
    const { principal, expiresAtMs } = await this.verifySignature(token);
    const cacheMs = (this.options.cacheSeconds ?? 0) * 1000;
    if (cacheMs > 0) {
      if (this.verified.size >= CACHED_TOKENS_MAX) this.verified.delete(this.verified.keys().next().value!);
      this.verified.set(token, { principal, trustedUntilMs: Math.min(nowMs + cacheMs, expiresAtMs) });
    }
    return principal;
  }

  private async verifySignature(token: string): Promise<{ principal: Principal; expiresAtMs: number }> {
    try {
      const { payload } = await jwtVerify(token, this.keys, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        algorithms: [...this.options.algorithms],
        requiredClaims: ['sub', 'exp'],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        currentDate: this.now(),
      });
      const roles = stringList(payload.roles);
      // A token that lists its permissions (this product's token service always does) is taken at
      // its word, so a grant revoked in the identity context is gone from the next token. One that
      // names only roles (an external provider) gets the built-in roles' default permissions.
      const permissions = payload.permissions === undefined ? effectivePermissions(roles, []) : new Set(stringList(payload.permissions));
      return {
        principal: { subject: payload.sub!, roles, permissions },
        expiresAtMs: payload.exp! * 1000,
      };
    } catch (error) {
      if (error instanceof errors.JOSEError) throw new InvalidTokenError(error.message);
      throw error;
    }
  }
}
