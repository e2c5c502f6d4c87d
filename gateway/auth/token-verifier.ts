import { readFileSync } from 'node:fs';
import { createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { effectivePermissions } from '../../platform/access';

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
}

/** A token that does not prove who the caller is: 401, with the reason in the problem's detail. */
export class InvalidTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidTokenError';
  }
}

function stringList(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  if (typeof value === 'string') return value.split(/[\s,]+/).filter((item) => item !== '');
  return [];
}

/**
 * Verifies bearer tokens with jose against a JWKS: the identity provider's URL (keys cached and
 * refreshed by jose) or a local file of development keys. Signature, issuer, audience, expiry and
 * an allow-list of asymmetric algorithms are all checked; `alg: none` and HMAC never pass.
 */
export class TokenVerifier {
  private readonly keys: JWTVerifyGetKey;

  constructor(private readonly options: TokenVerifierOptions) {
    if (options.jwksUrl !== null) {
      this.keys = createRemoteJWKSet(options.jwksUrl, { timeoutDuration: 5_000, cooldownDuration: 30_000 });
    } else if (options.jwksFile !== null) {
      this.keys = createLocalJWKSet(JSON.parse(readFileSync(options.jwksFile, 'utf8')) as Parameters<typeof createLocalJWKSet>[0]);
    } else {
      throw new Error('set AUTH_JWKS_URL or AUTH_JWKS_FILE: the gateway cannot verify tokens without keys');
    }
  }

  async verify(token: string): Promise<Principal> {
    try {
      const { payload } = await jwtVerify(token, this.keys, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        algorithms: [...this.options.algorithms],
        requiredClaims: ['sub', 'exp'],
        clockTolerance: 30,
      });
      const roles = stringList(payload.roles);
      return { subject: payload.sub!, roles, permissions: effectivePermissions(roles, stringList(payload.permissions)) };
    } catch (error) {
      if (error instanceof errors.JOSEError) throw new InvalidTokenError(error.message);
      throw error;
    }
  }
}
