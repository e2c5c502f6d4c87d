import type pg from 'pg';
import { PERMISSIONS, ROLE_PERMISSIONS } from '../../../platform/access';
import { up } from '../../../migrations/20261124000500_identity_access';
import { poolFor, ScratchDatabase, sqlFailure } from '../../support/database';

/**
 * The identity context's invariants attacked directly in SQL as its own login (as a buggy
 * processor would), refused with a stable SQLSTATE and constraint name; the gateway's read-only
 * login sees the published views and never the table holding password hashes; the seed of the
 * built-in roles and permissions can run again without changing anything.
 */
describe('identity invariants the database enforces', () => {
  const database = new ScratchDatabase();
  let identity: pg.Pool;
  let reader: pg.Pool;

  beforeAll(async () => {
    await database.create({ migrate: true });
    identity = poolFor(database.urlFor('identity_svc'));
    reader = poolFor(database.urlFor('gateway_reader'));
  }, 60_000);

  afterAll(async () => {
    await Promise.all([identity, reader].map((pool) => pool.end()));
    await database.drop();
  });

  const insertUser = (email: string, disabled: { status: string; at: string | null; reason: string | null } = { status: 'active', at: null, reason: null }) =>
    identity.query<{ id: string }>(
      'INSERT INTO identity.users (email, external_subject, status, disabled_at, disabled_reason) VALUES ($1, $2, $3, $4, $5) RETURNING id',
      [email, `idp|${email}`, disabled.status, disabled.at, disabled.reason],
    );

  it('refuses a role name that is not lower-case snake case (23514)', async () => {
    expect(await sqlFailure(identity.query("INSERT INTO identity.roles (name) VALUES ('Night Desk')"))).toMatchObject({ code: '23514', constraint: 'roles_name_check' });
  });

  it('refuses a disabled user without the time and reason, and an active one with them (23514)', async () => {
    expect(await sqlFailure(insertUser('a@fleet.example', { status: 'disabled', at: null, reason: null }))).toMatchObject({ code: '23514', constraint: 'users_disabled_check' });
    expect(await sqlFailure(insertUser('b@fleet.example', { status: 'active', at: '2026-11-23T10:00:00Z', reason: 'gone' }))).toMatchObject({ code: '23514', constraint: 'users_disabled_check' });
    await insertUser('c@fleet.example', { status: 'disabled', at: '2026-11-23T10:00:00Z', reason: 'left' });
  });

  it('refuses a user without any way to sign in (23514)', async () => {
    expect(await sqlFailure(identity.query("INSERT INTO identity.users (email) VALUES ('d@fleet.example')"))).toMatchObject({ code: '23514', constraint: 'users_credential_check' });
  });

  it('refuses a daily rate without its currency (23514)', async () => {
    const { rows } = await insertUser('e@fleet.example');
    const failure = await sqlFailure(identity.query("INSERT INTO identity.staff_profiles (user_id, staff_type, daily_rate_cents) VALUES ($1, 'driver', 100)", [rows[0]!.id]));
    expect(failure).toMatchObject({ code: '23514', constraint: 'staff_profiles_rate_currency_check' });
  });

  it('lets the gateway read the published views but not the users table with its hashes (42501)', async () => {
    expect((await reader.query('SELECT name FROM identity.roles_view')).rows.length).toBe(Object.keys(ROLE_PERMISSIONS).length);
    await reader.query('SELECT id FROM identity.users_view');
    expect(await sqlFailure(reader.query('SELECT password_hash FROM identity.users'))).toMatchObject({ code: '42501' });
    const columns = await reader.query<{ column_name: string }>("SELECT column_name FROM information_schema.columns WHERE table_schema = 'identity' AND table_name IN ('users_view', 'roles_view')");
    expect(columns.rows.map((row) => row.column_name)).not.toContain('password_hash');
  });

  it('seeds every declared permission and built-in grant once: seeding again changes nothing', async () => {
    const count = async () => (await identity.query<{ count: string }>('SELECT (SELECT count(*) FROM identity.role_permissions) + (SELECT count(*) FROM identity.roles) + (SELECT count(*) FROM identity.permissions) AS count')).rows[0]!.count;
    const before = await count();
    // The seed's inserts alone (the schema changes around them ran once): ON CONFLICT DO NOTHING.
    const statements: string[] = [];
    const recorder = {
      raw: (sql: string) => {
        statements.push(sql);
        return Promise.resolve();
      },
    };
    await up(recorder as never);
    for (const statement of statements.filter((sql) => sql.startsWith('INSERT'))) await identity.query(statement);
    expect(await count()).toBe(before);
    const expectedGrants = Object.values(ROLE_PERMISSIONS).reduce((sum, permissions) => sum + permissions.length, 0);
    expect(Number(before)).toBe(expectedGrants + Object.keys(ROLE_PERMISSIONS).length + PERMISSIONS.length);
  });

  it('brings a database seeded before the domain rules to the declared grants, and its rollback gives the mechanic maintenance.read back', async () => {
    const grants = async () => {
      const { rows } = await identity.query<{ role: string; permissions: string[] }>(
        `SELECT r.name AS role, array_agg(p.name ORDER BY p.name) AS permissions
         FROM identity.role_permissions rp JOIN identity.roles r ON r.id = rp.role_id JOIN identity.permissions p ON p.id = rp.permission_id
         GROUP BY r.name`,
      );
      return Object.fromEntries(rows.map((row) => [row.role, row.permissions]));
    };
    const declared = Object.fromEntries(Object.entries(ROLE_PERMISSIONS).map(([role, permissions]) => [role, [...permissions].sort()]));
    expect(await grants()).toEqual(declared);

    const migrator = database.knex();
    await migrator.migrate.down({ name: '20261124000700_domain_authorisation.ts' });
    const before = await grants();
    expect(before.mechanic).toEqual(['maintenance.perform', 'maintenance.read', 'vehicles.read', 'vehicles.record_odometer']);
    expect(Object.values(before).flat().filter((permission) => permission === 'maintenance.perform_any' || permission === 'maintenance.read_own')).toEqual([]);

    await migrator.migrate.up({ name: '20261124000700_domain_authorisation.ts' });
    expect(await grants()).toEqual(declared);
  });
});
