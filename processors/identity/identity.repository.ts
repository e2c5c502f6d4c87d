import type { Knex } from 'knex';
import { ConstraintViolation, refusedBy } from '../../platform/database-errors';

export interface UserAccess {
  readonly userId: string;
  readonly email: string;
  readonly status: 'active' | 'disabled';
  readonly passwordHash: string | null;
  readonly roles: readonly string[];
  readonly permissions: readonly string[];
}

/** The identity context's only SQL: users and what they may do. */
export class IdentityRepository {
  async createUser(
    transaction: Knex.Transaction,
    user: { id: string; email: string; passwordHash: string | null; externalSubject: string | null; createdBy: string | null },
  ): Promise<'created' | 'email_taken'> {
    const result = await refusedBy(transaction, ['users_email_key'], (savepoint) =>
      savepoint.withSchema('identity').table('users').insert({
        id: user.id,
        email: user.email,
        password_hash: user.passwordHash,
        external_subject: user.externalSubject,
        created_by: user.createdBy,
      }),
    );
    return result instanceof ConstraintViolation ? 'email_taken' : 'created';
  }

  /** A user with their roles and permissions, in one round trip (never a query per role). */
  async findAccessByEmail(transaction: Knex.Transaction, email: string): Promise<UserAccess | undefined> {
    const { rows } = await transaction.raw<{
      rows: { id: string; email: string; status: 'active' | 'disabled'; password_hash: string | null; roles: string[]; permissions: string[] }[];
    }>(
      `SELECT u.id, u.email::text AS email, u.status, u.password_hash,
              coalesce(array_agg(DISTINCT r.name) FILTER (WHERE r.name IS NOT NULL), '{}') AS roles,
              coalesce(array_agg(DISTINCT p.name) FILTER (WHERE p.name IS NOT NULL), '{}') AS permissions
       FROM identity.users u
       LEFT JOIN identity.user_roles ur ON ur.user_id = u.id
       LEFT JOIN identity.roles r ON r.id = ur.role_id
       LEFT JOIN identity.role_permissions rp ON rp.role_id = r.id
       LEFT JOIN identity.permissions p ON p.id = rp.permission_id
       WHERE u.email = ?
       GROUP BY u.id`,
      [email],
    );
    const row = rows[0];
    if (row === undefined) return undefined;
    return { userId: row.id, email: row.email, status: row.status, passwordHash: row.password_hash, roles: row.roles, permissions: row.permissions };
  }
}
