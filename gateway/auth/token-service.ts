import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { Logger } from '../../platform/logger';
import { hashPassword, verifyPassword } from '../../platform/passwords';
import type { AuthRepository, Client, GrantType, Grants } from './auth.repository';
import type { LoginLimits } from './login-limits';
import type { SigningKeys } from './signing-keys';

export interface TokenServiceOptions {
  readonly issuer: string;
  readonly audience: string;
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
  readonly clock?: () => Date;
}

/** An RFC 6749 §5.2 error: `error` is the registered code, the status what §5.2 prescribes. */
export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(description);
    this.name = 'OAuthError';
  }
}

/** RFC 6749 §5.1: what a successful token request answers. */
export interface TokenResponse {
  readonly access_token: string;
  readonly token_type: 'Bearer';
  readonly expires_in: number;
  readonly refresh_token?: string;
}

/** The client's claim to be who it says: from HTTP Basic or from the form (RFC 6749 §2.3.1). */
export interface ClientCredentials {
  readonly clientId: string;
  readonly clientSecret: string | null;
}

const REFRESH_TOKEN_PREFIX = 'frt_';
const REFRESH_TOKEN_BYTES = 32;
/** The one answer to every failed sign-in, so that it tells nothing about which part was wrong. */
const BAD_CREDENTIALS = 'The username or password is wrong, or the account cannot sign in.';

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

const invalidGrant = (description: string) => new OAuthError(400, 'invalid_grant', description);
const invalidClient = () =>
  new OAuthError(401, 'invalid_client', 'Client authentication failed.', { 'WWW-Authenticate': 'Basic realm="fleet", charset="UTF-8"' });

/**
 * The OAuth 2.0 authorization server's token logic (RFC 6749): the `password` grant for
 * first-party tools, `client_credentials` for services, `refresh_token` with rotation, and
 * revocation (RFC 7009). Access tokens are short-lived JWTs (RFC 9068 profile, `typ: at+jwt`)
 * whose claims carry the subject's roles and effective permissions as the identity context has
 * them at the moment of issue; refresh tokens are opaque, stored only as SHA-256, used once.
 */
export class TokenService {
  private readonly now: () => Date;
  /** Verified against when the account does not exist, so that an unknown user costs the same scrypt. */
  private readonly decoyHash: Promise<string>;

  constructor(
    private readonly repository: AuthRepository,
    private readonly keys: SigningKeys,
    private readonly limits: LoginLimits,
    private readonly options: TokenServiceOptions,
    private readonly logger: Logger,
  ) {
    this.now = options.clock ?? (() => new Date());
    this.decoyHash = hashPassword(randomBytes(24).toString('base64'));
  }

  /** Authenticates the client and checks it may use `grantType`. */
  async client(credentials: ClientCredentials, grantType: GrantType | null, address: string): Promise<Client> {
    const client = await this.repository.client(credentials.clientId);
    if (client !== undefined && client.secretHash !== null) {
      // A secret guessed online is a password guessed online: the same limits apply.
      const account = `client:${credentials.clientId}`;
      await this.limits.admit(account, address);
      const secretMatches = credentials.clientSecret !== null && (await verifyPassword(credentials.clientSecret, client.secretHash));
      if (!secretMatches) {
        await this.limits.recordFailure(account);
        throw invalidClient();
      }
      await this.limits.recordSuccess(account);
    } else if (client === undefined || credentials.clientSecret !== null) {
      throw invalidClient();
    }
    if (client.status !== 'active') throw invalidClient();
    if (grantType !== null && !client.grantTypes.includes(grantType)) {
      throw new OAuthError(400, 'unauthorized_client', `Client ${client.clientId} may not use the ${grantType} grant.`);
    }
    return client;
  }

  /** RFC 6749 §4.3: a user's email and password, for first-party tools. */
  async passwordGrant(client: Client, username: string, password: string, address: string): Promise<TokenResponse> {
    const account = username.trim().toLowerCase();
    await this.limits.admit(`user:${account}`, address);
    const credentials = await this.repository.credentialsByEmail(account);
    // The hash is computed whatever the account's state, so the answer takes as long either way.
    const passwordMatches = await verifyPassword(password, credentials?.passwordHash ?? (await this.decoyHash));
    if (credentials === undefined || credentials.passwordHash === null || !passwordMatches || credentials.status !== 'active') {
      await this.limits.recordFailure(`user:${account}`);
      this.logger.info({ clientId: client.clientId, known: credentials !== undefined }, 'sign-in refused');
      throw invalidGrant(BAD_CREDENTIALS);
    }
    await this.limits.recordSuccess(`user:${account}`);
    const grants = await this.repository.userGrants(credentials.userId);
    if (grants === undefined || grants.status !== 'active') throw invalidGrant(BAD_CREDENTIALS);
    const issuedAt = this.now();
    const refreshToken = this.newRefreshToken();
    await this.repository.insertRefreshToken({
      tokenHash: sha256(refreshToken),
      familyId: randomUUID(),
      subject: credentials.userId,
      clientId: client.clientId,
      issuedAt,
      expiresAt: this.refreshExpiry(issuedAt),
    });
    return { ...(await this.accessToken(credentials.userId, client.clientId, grants, issuedAt)), refresh_token: refreshToken };
  }

  /** RFC 6749 §4.4: a service acting as itself, with its client's roles; no refresh token. */
  async clientCredentialsGrant(client: Client): Promise<TokenResponse> {
    const permissions = await this.repository.permissionsOfRoles(client.roles);
    return this.accessToken(client.clientId, client.clientId, { status: 'active', roles: [...client.roles].sort(), permissions }, this.now());
  }

  /**
   * RFC 6749 §6 with rotation (RFC 9700 §4.14.2): a refresh token is good once. Using it again
   * means it was copied, so its whole family (every token rotated from the same sign-in) is
   * revoked and the legitimate holder must sign in again. The subject's grants are read afresh,
   * and a disabled user's family is revoked.
   */
  async refreshGrant(client: Client, refreshToken: string): Promise<TokenResponse> {
    const issuedAt = this.now();
    const outcome = await this.repository.transaction(async (transaction) => {
      const row = await this.repository.refreshTokenForUpdate(transaction, sha256(refreshToken));
      if (row === undefined || row.clientId !== client.clientId) return { refused: 'The refresh token is not valid for this client.' };
      if (row.revokedAt !== null) return { refused: 'The refresh token has been revoked.' };
      if (row.usedAt !== null) {
        const revoked = await this.repository.revokeFamily(transaction, row.familyId, issuedAt, 'reused');
        this.logger.warn({ clientId: client.clientId, familyId: row.familyId, revoked }, 'refresh token used twice: its family is revoked');
        return { refused: 'The refresh token has already been used; sign in again.' };
      }
      if (row.expiresAt.getTime() <= issuedAt.getTime()) return { refused: 'The refresh token has expired.' };
      const grants = await this.repository.userGrants(row.subject, transaction);
      if (grants === undefined || grants.status !== 'active') {
        await this.repository.revokeFamily(transaction, row.familyId, issuedAt, 'subject disabled');
        return { refused: 'The account cannot sign in.' };
      }
      const next = this.newRefreshToken();
      await this.repository.markRefreshTokenUsed(transaction, row.id, issuedAt);
      await this.repository.insertRefreshToken(
        { tokenHash: sha256(next), familyId: row.familyId, subject: row.subject, clientId: client.clientId, issuedAt, expiresAt: this.refreshExpiry(issuedAt) },
        transaction,
      );
      return { subject: row.subject, grants, next };
    });
    // Refused outcomes still commit, so that a reuse's revocation stands.
    if ('refused' in outcome) throw invalidGrant(outcome.refused!);
    return { ...(await this.accessToken(outcome.subject, client.clientId, outcome.grants, issuedAt)), refresh_token: outcome.next };
  }

  /**
   * RFC 7009: revokes a refresh token (and its family) the client holds. An unknown token, an
   * access token or another client's token changes nothing and is answered the same way.
   */
  async revoke(client: Client, token: string): Promise<void> {
    await this.repository.transaction(async (transaction) => {
      const row = await this.repository.refreshTokenForUpdate(transaction, sha256(token));
      if (row !== undefined && row.clientId === client.clientId) await this.repository.revokeFamily(transaction, row.familyId, this.now(), 'revoked by client');
    });
  }

  private async accessToken(subject: string, clientId: string, grants: Grants, issuedAt: Date): Promise<TokenResponse> {
    const key = await this.keys.current();
    const issuedAtSeconds = Math.floor(issuedAt.getTime() / 1000);
    const accessToken = await new SignJWT({ client_id: clientId, roles: [...grants.roles], permissions: [...grants.permissions] })
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt' })
      .setIssuer(this.options.issuer)
      .setAudience(this.options.audience)
      .setSubject(subject)
      .setJti(randomUUID())
      .setIssuedAt(issuedAtSeconds)
      .setExpirationTime(issuedAtSeconds + this.options.accessTokenTtlSeconds)
      .sign(key.key);
    return { access_token: accessToken, token_type: 'Bearer', expires_in: this.options.accessTokenTtlSeconds };
  }

  private newRefreshToken(): string {
    return `${REFRESH_TOKEN_PREFIX}${randomBytes(REFRESH_TOKEN_BYTES).toString('base64url')}`;
  }

  private refreshExpiry(issuedAt: Date): Date {
    return new Date(issuedAt.getTime() + this.options.refreshTokenTtlSeconds * 1000);
  }
}
