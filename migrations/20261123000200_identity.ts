import type { Knex } from 'knex';
import { AUDIT_COLUMNS, currencyCheck, dropContext, grantContextRights, integrationTables, publishViews, runStatements, statusCheck, touchTrigger } from './support/sql';

/** Users, roles, permissions and staff profiles. Password hashes never leave this schema. */
export async function up(knex: Knex): Promise<void> {
  const statements = [
    'CREATE SCHEMA identity',
    `CREATE TABLE identity.users (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      email citext NOT NULL,
      display_name text NULL,
      password_hash text NULL,
      external_subject text NULL,
      status text NOT NULL DEFAULT 'active',
      disabled_at timestamptz NULL,
      last_login_at timestamptz NULL,
      ${AUDIT_COLUMNS},
      CONSTRAINT users_email_key UNIQUE (email),
      CONSTRAINT users_external_subject_key UNIQUE (external_subject),
      CONSTRAINT users_credential_check CHECK (password_hash IS NOT NULL OR external_subject IS NOT NULL),
      ${statusCheck('users_status_check', ['active', 'disabled'])}
    )`,
    touchTrigger('identity.users'),
    `CREATE TABLE identity.roles (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name text NOT NULL,
      description text NULL,
      ${AUDIT_COLUMNS},
      CONSTRAINT roles_name_key UNIQUE (name)
    )`,
    touchTrigger('identity.roles'),
    `CREATE TABLE identity.permissions (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name text NOT NULL,
      description text NULL,
      ${AUDIT_COLUMNS},
      CONSTRAINT permissions_name_key UNIQUE (name),
      CONSTRAINT permissions_name_check CHECK (name ~ '^[a-z][a-z_]*(\\.[a-z][a-z_]*)+$')
    )`,
    touchTrigger('identity.permissions'),
    `CREATE TABLE identity.user_roles (
      user_id uuid NOT NULL REFERENCES identity.users (id),
      role_id uuid NOT NULL REFERENCES identity.roles (id),
      granted_at timestamptz NOT NULL DEFAULT now(),
      granted_by uuid NULL,
      PRIMARY KEY (user_id, role_id)
    )`,
    'CREATE INDEX user_roles_role_idx ON identity.user_roles (role_id)',
    `CREATE TABLE identity.role_permissions (
      role_id uuid NOT NULL REFERENCES identity.roles (id),
      permission_id uuid NOT NULL REFERENCES identity.permissions (id),
      granted_at timestamptz NOT NULL DEFAULT now(),
      granted_by uuid NULL,
      PRIMARY KEY (role_id, permission_id)
    )`,
    'CREATE INDEX role_permissions_permission_idx ON identity.role_permissions (permission_id)',
    `CREATE TABLE identity.staff_profiles (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES identity.users (id),
      staff_type text NOT NULL,
      daily_rate_cents bigint NULL,
      currency char(3) NULL,
      ${AUDIT_COLUMNS},
      CONSTRAINT staff_profiles_user_id_key UNIQUE (user_id),
      ${statusCheck('staff_profiles_staff_type_check', ['driver', 'conductor', 'mechanic', 'admin', 'system'], 'staff_type')},
      CONSTRAINT staff_profiles_daily_rate_check CHECK (daily_rate_cents >= 0),
      ${currencyCheck('staff_profiles_currency_check')},
      CONSTRAINT staff_profiles_rate_currency_check CHECK ((daily_rate_cents IS NULL) = (currency IS NULL))
    )`,
    touchTrigger('identity.staff_profiles'),
    ...integrationTables('identity'),
    // What the gateway may show of a user: never the password hash.
    `CREATE VIEW identity.users_view AS
      SELECT u.id, u.email, u.display_name, u.status, u.created_at, u.updated_at,
             coalesce(array_agg(r.name ORDER BY r.name) FILTER (WHERE r.name IS NOT NULL), '{}') AS roles
      FROM identity.users u
      LEFT JOIN identity.user_roles ur ON ur.user_id = u.id
      LEFT JOIN identity.roles r ON r.id = ur.role_id
      GROUP BY u.id`,
    `CREATE VIEW identity.staff_profiles_view AS
      SELECT s.id, s.user_id, u.email, s.staff_type, s.daily_rate_cents, s.currency, s.updated_at
      FROM identity.staff_profiles s JOIN identity.users u ON u.id = s.user_id`,
    ...grantContextRights('identity'),
    ...publishViews('identity', ['users_view', 'staff_profiles_view']),
  ];
  await runStatements(knex, statements);
}

export async function down(knex: Knex): Promise<void> {
  await runStatements(knex, dropContext('identity'));
}
