import type { Knex } from 'knex';
import { PERMISSIONS, ROLE_PERMISSIONS, roleIdOf } from '../platform/access';
import { publishViews, runStatements } from './support/sql';

/**
 * The identity context's operations on top of its first schema: the built-in roles and every
 * declared permission with their grants (seeded from platform/access.ts, the one declaration),
 * role names the database checks, a disabled user's reason, and the roles_view the gateway reads.
 */
const quoted = (value: string) => `'${value.replace(/'/g, "''")}'`;

export async function up(knex: Knex): Promise<void> {
  const grants = Object.entries(ROLE_PERMISSIONS).flatMap(([role, permissions]) => permissions.map((permission) => `(${quoted(role)}, ${quoted(permission)})`));
  const statements = [
    "ALTER TABLE identity.roles ADD CONSTRAINT roles_name_check CHECK (name ~ '^[a-z][a-z0-9_]{0,49}$')",
    'ALTER TABLE identity.users ADD COLUMN disabled_reason text NULL',
    "ALTER TABLE identity.users ADD CONSTRAINT users_disabled_check CHECK ((status = 'disabled') = (disabled_at IS NOT NULL) AND (status = 'disabled') = (disabled_reason IS NOT NULL))",
    `INSERT INTO identity.permissions (name) VALUES ${PERMISSIONS.map((permission) => `(${quoted(permission)})`).join(', ')} ON CONFLICT (name) DO NOTHING`,
    `INSERT INTO identity.roles (id, name, description) VALUES ${Object.keys(ROLE_PERMISSIONS).map((role) => `('${roleIdOf(role)}', ${quoted(role)}, 'built-in role')`).join(', ')} ON CONFLICT DO NOTHING`,
    `INSERT INTO identity.role_permissions (role_id, permission_id)
      SELECT r.id, p.id FROM (VALUES ${grants.join(', ')}) AS g (role_name, permission_name)
      JOIN identity.roles r ON r.name = g.role_name
      JOIN identity.permissions p ON p.name = g.permission_name
      ON CONFLICT DO NOTHING`,
    // What the gateway may show of a role: its name, description and granted permissions.
    `CREATE VIEW identity.roles_view AS
      SELECT r.id, r.name, r.description, r.created_at, r.updated_at,
             coalesce(array_agg(p.name ORDER BY p.name) FILTER (WHERE p.name IS NOT NULL), '{}') AS permissions
      FROM identity.roles r
      LEFT JOIN identity.role_permissions rp ON rp.role_id = r.id
      LEFT JOIN identity.permissions p ON p.id = rp.permission_id
      GROUP BY r.id`,
    ...publishViews('identity', ['roles_view']),
  ];
  await runStatements(knex, statements);
}

export async function down(knex: Knex): Promise<void> {
  const roles = Object.keys(ROLE_PERMISSIONS).map(quoted).join(', ');
  const permissions = PERMISSIONS.map(quoted).join(', ');
  await runStatements(knex, [
    'DROP VIEW identity.roles_view',
    `DELETE FROM identity.role_permissions WHERE role_id IN (SELECT id FROM identity.roles WHERE name IN (${roles}))
      AND permission_id IN (SELECT id FROM identity.permissions WHERE name IN (${permissions}))`,
    `DELETE FROM identity.user_roles WHERE role_id IN (SELECT id FROM identity.roles WHERE name IN (${roles}))`,
    `DELETE FROM identity.role_permissions WHERE role_id IN (SELECT id FROM identity.roles WHERE name IN (${roles}))`,
    `DELETE FROM identity.roles WHERE name IN (${roles})`,
    `DELETE FROM identity.role_permissions WHERE permission_id IN (SELECT id FROM identity.permissions WHERE name IN (${permissions}))`,
    `DELETE FROM identity.permissions WHERE name IN (${permissions})`,
    'ALTER TABLE identity.users DROP CONSTRAINT users_disabled_check',
    'ALTER TABLE identity.users DROP COLUMN disabled_reason',
    'ALTER TABLE identity.roles DROP CONSTRAINT roles_name_check',
  ]);
}
