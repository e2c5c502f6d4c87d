import type { Knex } from 'knex';
import { ConstraintViolation, refusedBy } from '../../platform/database-errors';
import type { Role, StaffType, User } from './identity';

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
    user: { id: string; email: string; displayName?: string | null; passwordHash: string | null; externalSubject: string | null; createdBy: string | null },
  ): Promise<'created' | 'email_taken' | 'external_subject_taken' | 'id_taken'> {
    const result = await refusedBy(transaction, ['users_email_key', 'users_external_subject_key', 'users_pkey'], (savepoint) =>
      savepoint.withSchema('identity').table('users').insert({
        id: user.id,
        email: user.email,
        display_name: user.displayName ?? null,
        password_hash: user.passwordHash,
        external_subject: user.externalSubject,
        created_by: user.createdBy,
      }),
    );
    if (!(result instanceof ConstraintViolation)) return 'created';
    if (result.constraint === 'users_email_key') return 'email_taken';
    return result.constraint === 'users_pkey' ? 'id_taken' : 'external_subject_taken';
  }

  /** A user with their role names, locked for the command's transaction when `lock`. */
  async findUser(transaction: Knex.Transaction, userId: string, lock = false): Promise<User | undefined> {
    const { rows } = await transaction.raw<{ rows: { id: string; email: string; status: 'active' | 'disabled' }[] }>(
      `SELECT id, email::text AS email, status FROM identity.users WHERE id = ?${lock ? ' FOR UPDATE' : ''}`,
      [userId],
    );
    const row = rows[0];
    if (row === undefined) return undefined;
    const roles: { name: string }[] = await transaction('identity.user_roles as ur').join('identity.roles as r', 'r.id', 'ur.role_id').where('ur.user_id', userId).orderBy('r.name').select('r.name');
    return { id: row.id, email: row.email, status: row.status, roles: roles.map((role) => role.name) };
  }

  async emailTaken(transaction: Knex.Transaction, email: string): Promise<boolean> {
    return (await transaction('identity.users').where('email', email).first('id')) !== undefined;
  }

  async disableUser(transaction: Knex.Transaction, userId: string, reason: string, at: Date, updatedBy: string | null): Promise<void> {
    await transaction('identity.users').where('id', userId).update({ status: 'disabled', disabled_at: at, disabled_reason: reason, updated_by: updatedBy });
  }

  async enableUser(transaction: Knex.Transaction, userId: string, updatedBy: string | null): Promise<void> {
    await transaction('identity.users').where('id', userId).update({ status: 'active', disabled_at: null, disabled_reason: null, updated_by: updatedBy });
  }

  /** A role with its granted permissions, locked for the command's transaction when `lock`. */
  async findRole(transaction: Knex.Transaction, name: string, lock = false): Promise<Role | undefined> {
    const { rows } = await transaction.raw<{ rows: { id: string; name: string }[] }>(`SELECT id, name FROM identity.roles WHERE name = ?${lock ? ' FOR UPDATE' : ''}`, [name]);
    const row = rows[0];
    if (row === undefined) return undefined;
    const permissions: { name: string }[] = await transaction('identity.role_permissions as rp')
      .join('identity.permissions as p', 'p.id', 'rp.permission_id')
      .where('rp.role_id', row.id)
      .orderBy('p.name')
      .select('p.name');
    return { id: row.id, name: row.name, permissions: permissions.map((permission) => permission.name) };
  }

  /** Gives a user the role named `role`; 'already_assigned' when they have it. */
  async assignRole(transaction: Knex.Transaction, userId: string, role: string, grantedBy: string | null): Promise<'assigned' | 'already_assigned'> {
    const { rows } = await transaction.raw<{ rows: unknown[] }>(
      `INSERT INTO identity.user_roles (user_id, role_id, granted_by)
       SELECT ?, r.id, ? FROM identity.roles r WHERE r.name = ?
       ON CONFLICT (user_id, role_id) DO NOTHING
       RETURNING role_id`,
      [userId, grantedBy, role],
    );
    return rows.length === 1 ? 'assigned' : 'already_assigned';
  }

  async revokeRole(transaction: Knex.Transaction, userId: string, role: string): Promise<void> {
    await transaction('identity.user_roles').where('user_id', userId).whereIn('role_id', transaction('identity.roles').where('name', role).select('id')).delete();
  }

  async createRole(transaction: Knex.Transaction, role: { id: string; name: string; description: string | null; createdBy: string | null }): Promise<'created' | 'name_taken'> {
    const result = await refusedBy(transaction, ['roles_name_key', 'roles_pkey'], (savepoint) =>
      savepoint('identity.roles').insert({ id: role.id, name: role.name, description: role.description, created_by: role.createdBy }),
    );
    return result instanceof ConstraintViolation ? 'name_taken' : 'created';
  }

  /** Grants the role named `role` a permission; 'unknown_permission' when the database does not have it. */
  async grantPermission(transaction: Knex.Transaction, role: string, permission: string, grantedBy: string | null): Promise<'granted' | 'already_granted' | 'unknown_permission'> {
    const { rows } = await transaction.raw<{ rows: { inserted: boolean; known: boolean }[] }>(
      `WITH granted AS (
         INSERT INTO identity.role_permissions (role_id, permission_id, granted_by)
         SELECT r.id, p.id, ? FROM identity.roles r, identity.permissions p WHERE r.name = ? AND p.name = ?
         ON CONFLICT (role_id, permission_id) DO NOTHING
         RETURNING permission_id)
       SELECT EXISTS (SELECT 1 FROM granted) AS inserted, EXISTS (SELECT 1 FROM identity.permissions WHERE name = ?) AS known`,
      [grantedBy, role, permission, permission],
    );
    const row = rows[0];
    if (row === undefined || !row.known) return 'unknown_permission';
    return row.inserted ? 'granted' : 'already_granted';
  }

  async revokePermission(transaction: Knex.Transaction, role: string, permission: string): Promise<void> {
    await transaction('identity.role_permissions')
      .whereIn('role_id', transaction('identity.roles').where('name', role).select('id'))
      .whereIn('permission_id', transaction('identity.permissions').where('name', permission).select('id'))
      .delete();
  }

  async upsertStaffProfile(
    transaction: Knex.Transaction,
    profile: { userId: string; staffType: StaffType; dailyRateCents: number | null; currency: string | null; by: string | null },
  ): Promise<void> {
    await transaction('identity.staff_profiles')
      .insert({ user_id: profile.userId, staff_type: profile.staffType, daily_rate_cents: profile.dailyRateCents, currency: profile.currency, created_by: profile.by })
      .onConflict('user_id')
      .merge({ staff_type: profile.staffType, daily_rate_cents: profile.dailyRateCents, currency: profile.currency, updated_by: profile.by });
  }

  /**
   * A user with their roles and permissions, in one round trip (never a query per role), through
   * the same views the token service signs users in with, so the two cannot disagree.
   */
  async findAccessByEmail(transaction: Knex.Transaction, email: string): Promise<UserAccess | undefined> {
    const { rows } = await transaction.raw<{
      rows: { id: string; email: string; status: 'active' | 'disabled'; password_hash: string | null; roles: string[]; permissions: string[] }[];
    }>(
      `SELECT c.id, c.email::text AS email, c.status, c.password_hash, p.roles, p.permissions
       FROM identity.credentials_view c JOIN identity.principals_view p ON p.id = c.id
       WHERE c.email = ?`,
      [email],
    );
    const row = rows[0];
    if (row === undefined) return undefined;
    return { userId: row.id, email: row.email, status: row.status, passwordHash: row.password_hash, roles: row.roles, permissions: row.permissions };
  }
}
