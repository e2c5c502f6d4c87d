import type { Knex } from 'knex';

export const PAGE_SIZE_MAX = 100;

export interface StaffProfileView {
  readonly staffType: string;
  /** The daily rate in minor units of currency, when the profile has one. */
  readonly dailyRateMinor: number | null;
  readonly currency: string | null;
  readonly updatedAt: string;
}

/** A user as the API shows them: never a password hash nor the external subject. */
export interface UserView {
  readonly id: string;
  readonly email: string;
  readonly displayName: string | null;
  readonly status: 'active' | 'disabled';
  readonly roles: readonly string[];
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface UserDetail extends UserView {
  readonly staffProfile: StaffProfileView | null;
}

export interface RoleView {
  readonly name: string;
  readonly description: string | null;
  readonly permissions: readonly string[];
  readonly createdAt: string;
}

interface UserRow {
  id: string;
  email: string;
  display_name: string | null;
  status: 'active' | 'disabled';
  roles: string[];
  created_at: Date;
  updated_at: Date;
}

const USER_COLUMNS = ['id', 'email', 'display_name', 'status', 'roles', 'created_at', 'updated_at'] as const;

function toUser(row: UserRow): UserView {
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    status: row.status,
    roles: row.roles,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** Reads of the identity context's published views, as gateway_reader. */
export class IdentityQueries {
  constructor(private readonly reader: Knex) {}

  /** Users in id order, a page at a time (keyset: the last id of the page before). */
  async users(filter: { status?: 'active' | 'disabled'; role?: string; afterId?: string; limit: number }): Promise<{ items: UserView[]; nextAfterId: string | null }> {
    const limit = Math.min(Math.max(filter.limit, 1), PAGE_SIZE_MAX);
    const query = this.reader.withSchema('identity').table('users_view').select(USER_COLUMNS.map((column) => (column === 'email' ? this.reader.raw('email::text AS email') : column)));
    if (filter.status !== undefined) query.where('status', filter.status);
    if (filter.role !== undefined) query.whereRaw('? = ANY (roles)', [filter.role]);
    if (filter.afterId !== undefined) query.where('id', '>', filter.afterId);
    query.orderBy('id').limit(limit + 1);
    const rows = (await query) as UserRow[];
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { items: page.map(toUser), nextAfterId: rows.length > limit && last !== undefined ? last.id : null };
  }

  /** One user with their roles and staff profile. */
  async user(userId: string): Promise<UserDetail | undefined> {
    const row: UserRow | undefined = await this.reader
      .withSchema('identity')
      .table('users_view')
      .where('id', userId)
      .first(USER_COLUMNS.map((column) => (column === 'email' ? this.reader.raw('email::text AS email') : column)));
    if (row === undefined) return undefined;
    const profile: { staff_type: string; daily_rate_cents: string | null; currency: string | null; updated_at: Date } | undefined = await this.reader
      .withSchema('identity')
      .table('staff_profiles_view')
      .where('user_id', userId)
      .first('staff_type', 'daily_rate_cents', 'currency', 'updated_at');
    return {
      ...toUser(row),
      staffProfile:
        profile === undefined
          ? null
          : {
              staffType: profile.staff_type,
              dailyRateMinor: profile.daily_rate_cents === null ? null : Number(profile.daily_rate_cents),
              currency: profile.currency,
              updatedAt: profile.updated_at.toISOString(),
            },
    };
  }

  /** Every role with its permissions, by name (roles are few: one page). */
  async roles(): Promise<RoleView[]> {
    const rows: { name: string; description: string | null; permissions: string[]; created_at: Date }[] = await this.reader
      .withSchema('identity')
      .table('roles_view')
      .orderBy('name')
      .select('name', 'description', 'permissions', 'created_at');
    return rows.map((row) => ({ name: row.name, description: row.description, permissions: row.permissions, createdAt: row.created_at.toISOString() }));
  }
}
