import type { Knex } from 'knex';
import { isUuid } from '../../platform/identifiers';
import { tracedTransaction } from '../../platform/tracing';

export type GrantType = 'password' | 'client_credentials' | 'refresh_token';

export interface Client {
  readonly clientId: string;
  readonly displayName: string;
  /** null for a public client (a first-party tool that cannot keep a secret). */
  readonly secretHash: string | null;
  readonly grantTypes: readonly GrantType[];
  /** The roles a client_credentials token carries (a service acting as itself). */
  readonly roles: readonly string[];
  readonly status: 'active' | 'disabled';
}

export interface Credentials {
  readonly userId: string;
  readonly passwordHash: string | null;
  readonly status: 'active' | 'disabled';
}

export interface Grants {
  readonly status: 'active' | 'disabled';
  readonly roles: readonly string[];
  readonly permissions: readonly string[];
}

export interface RefreshTokenRow {
  readonly id: string;
  readonly familyId: string;
  readonly subject: string;
  readonly clientId: string;
  readonly expiresAt: Date;
  readonly usedAt: Date | null;
  readonly revokedAt: Date | null;
}

export interface NewRefreshToken {
  readonly tokenHash: Buffer;
  readonly familyId: string;
  readonly subject: string;
  readonly clientId: string;
  readonly issuedAt: Date;
  readonly expiresAt: Date;
}

/**
 * What the token service reads and writes: identity's credentials and grants views (read only),
 * and its own clients and refresh tokens in schema `auth`.
 */
export class AuthRepository {
  constructor(private readonly db: Knex) {}

  transaction<T>(work: (transaction: Knex.Transaction) => Promise<T>): Promise<T> {
    return tracedTransaction(this.db, 'auth', {}, work);
  }

  async client(clientId: string): Promise<Client | undefined> {
    const row = await this.db('auth.clients')
      .where({ client_id: clientId })
      .first<{ client_id: string; display_name: string; secret_hash: string | null; grant_types: GrantType[]; roles: string[]; status: 'active' | 'disabled' } | undefined>(
        'client_id',
        'display_name',
        'secret_hash',
        'grant_types',
        'roles',
        'status',
      );
    if (row === undefined) return undefined;
    return { clientId: row.client_id, displayName: row.display_name, secretHash: row.secret_hash, grantTypes: row.grant_types, roles: row.roles, status: row.status };
  }

  async credentialsByEmail(email: string): Promise<Credentials | undefined> {
    const row = await this.db('identity.credentials_view')
      .where({ email })
      .first<{ id: string; password_hash: string | null; status: 'active' | 'disabled' } | undefined>('id', 'password_hash', 'status');
    return row === undefined ? undefined : { userId: row.id, passwordHash: row.password_hash, status: row.status };
  }

  async userGrants(userId: string, db: Knex = this.db): Promise<Grants | undefined> {
    const row = await db('identity.principals_view')
      .where({ id: userId })
      .first<{ status: 'active' | 'disabled'; roles: string[]; permissions: string[] } | undefined>('status', 'roles', 'permissions');
    return row === undefined ? undefined : { status: row.status, roles: [...row.roles].sort(), permissions: [...row.permissions].sort() };
  }

  /** The permissions the named roles grant today (unknown roles grant nothing). */
  async permissionsOfRoles(roles: readonly string[]): Promise<string[]> {
    if (roles.length === 0) return [];
    const rows = await this.db('identity.roles_view').whereIn('name', roles).select<{ permissions: string[] }[]>('permissions');
    return [...new Set(rows.flatMap((row) => row.permissions))].sort();
  }

  /**
   * Whether a token's subject may still act: a user (by id or external subject) or a client that
   * exists and is disabled answers 'disabled'; a subject this service does not know (an external
   * provider's user not provisioned here) answers 'unknown'.
   */
  async subjectStatus(subject: string): Promise<'active' | 'disabled' | 'unknown'> {
    const users = this.db('identity.principals_view').select('status').where({ external_subject: subject });
    if (isUuid(subject)) users.orWhere({ id: subject });
    const rows = await this.db
      .select<{ status: 'active' | 'disabled' }[]>('status')
      .from(users.unionAll(this.db('auth.clients').select('status').where({ client_id: subject }), true).as('subjects'));
    if (rows.length === 0) return 'unknown';
    return rows.some((row) => row.status === 'disabled') ? 'disabled' : 'active';
  }

  async insertRefreshToken(token: NewRefreshToken, db: Knex = this.db): Promise<void> {
    await db('auth.refresh_tokens').insert({
      token_hash: token.tokenHash,
      family_id: token.familyId,
      subject: token.subject,
      client_id: token.clientId,
      issued_at: token.issuedAt,
      expires_at: token.expiresAt,
    });
  }

  /** The refresh token with this hash, locked until the transaction ends (two refreshes of one token queue). */
  async refreshTokenForUpdate(transaction: Knex.Transaction, tokenHash: Buffer): Promise<RefreshTokenRow | undefined> {
    const row = await transaction('auth.refresh_tokens')
      .where({ token_hash: tokenHash })
      .forUpdate()
      .first<{ id: string; family_id: string; subject: string; client_id: string; expires_at: Date; used_at: Date | null; revoked_at: Date | null } | undefined>(
        'id',
        'family_id',
        'subject',
        'client_id',
        'expires_at',
        'used_at',
        'revoked_at',
      );
    if (row === undefined) return undefined;
    return { id: row.id, familyId: row.family_id, subject: row.subject, clientId: row.client_id, expiresAt: row.expires_at, usedAt: row.used_at, revokedAt: row.revoked_at };
  }

  async markRefreshTokenUsed(transaction: Knex.Transaction, id: string, at: Date): Promise<void> {
    await transaction('auth.refresh_tokens').where({ id }).update({ used_at: at });
  }

  /** Revokes every live token of a family: a rotation chain ends as one. Returns how many. */
  async revokeFamily(db: Knex | Knex.Transaction, familyId: string, at: Date, reason: string): Promise<number> {
    return db('auth.refresh_tokens').where({ family_id: familyId }).whereNull('revoked_at').update({ revoked_at: at, revoked_reason: reason });
  }
}
