import type { Knex } from 'knex';
import { runStatements } from './support/sql';

/**
 * The permissions domain rules check beyond one permission per command (docs/access.md, "Domain
 * rules"): maintenance.perform_any (work on any workshop job, not only one's own) and
 * maintenance.read_own (read only the jobs assigned to oneself). Administrators and the system
 * get both; a mechanic reads only their own jobs from now on, so the mechanic role trades
 * maintenance.read for maintenance.read_own. Names are spelled out rather than taken from
 * platform/access.ts, so that this migration means the same whatever the declaration becomes.
 * An index serves the reads of one mechanic's jobs. Every statement may run again without effect.
 */
const NEW_PERMISSIONS = ['maintenance.perform_any', 'maintenance.read_own'];
const GRANTS: readonly (readonly [role: string, permission: string])[] = [
  ['admin', 'maintenance.perform_any'],
  ['admin', 'maintenance.read_own'],
  ['system', 'maintenance.perform_any'],
  ['system', 'maintenance.read_own'],
  ['mechanic', 'maintenance.read_own'],
];

const quoted = (value: string) => `'${value.replace(/'/g, "''")}'`;

function grant(pairs: readonly (readonly [string, string])[]): string {
  return `INSERT INTO identity.role_permissions (role_id, permission_id)
    SELECT r.id, p.id FROM (VALUES ${pairs.map(([role, permission]) => `(${quoted(role)}, ${quoted(permission)})`).join(', ')}) AS g (role_name, permission_name)
    JOIN identity.roles r ON r.name = g.role_name
    JOIN identity.permissions p ON p.name = g.permission_name
    ON CONFLICT DO NOTHING`;
}

export async function up(knex: Knex): Promise<void> {
  await runStatements(knex, [
    `INSERT INTO identity.permissions (name) VALUES ${NEW_PERMISSIONS.map((permission) => `(${quoted(permission)})`).join(', ')} ON CONFLICT (name) DO NOTHING`,
    grant(GRANTS),
    `DELETE FROM identity.role_permissions
      WHERE role_id = (SELECT id FROM identity.roles WHERE name = 'mechanic')
        AND permission_id = (SELECT id FROM identity.permissions WHERE name = 'maintenance.read')`,
    'CREATE INDEX IF NOT EXISTS maintenance_jobs_mechanic_idx ON maintenance.maintenance_jobs (mechanic_id, status) WHERE mechanic_id IS NOT NULL',
  ]);
}

export async function down(knex: Knex): Promise<void> {
  const permissions = NEW_PERMISSIONS.map(quoted).join(', ');
  await runStatements(knex, [
    'DROP INDEX IF EXISTS maintenance.maintenance_jobs_mechanic_idx',
    grant([['mechanic', 'maintenance.read']]),
    `DELETE FROM identity.role_permissions WHERE permission_id IN (SELECT id FROM identity.permissions WHERE name IN (${permissions}))`,
    `DELETE FROM identity.permissions WHERE name IN (${permissions})`,
  ]);
}
