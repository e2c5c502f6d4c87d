import type pg from 'pg';
import { CONTEXT_ROLES, READ_VIEWS_ROLE } from '../../../migrations/support/sql';
import { poolFor, ScratchDatabase, sqlFailure } from '../../support/database';

/** Least privilege: each context's login reaches its own schema only; the gateway's reader only reads views. */
describe('database roles', () => {
  const database = new ScratchDatabase();
  let admin: pg.Pool;
  let fleet: pg.Pool;
  let reader: pg.Pool;

  beforeAll(async () => {
    await database.create({ migrate: true });
    admin = poolFor(database.adminUrl);
    fleet = poolFor(database.urlFor('fleet_svc'));
    reader = poolFor(database.urlFor(READ_VIEWS_ROLE));
  });

  afterAll(async () => {
    await Promise.all([admin, fleet, reader].map((pool) => pool.end()));
    await database.drop();
  });

  it("refuses the fleet login another context's table (42501)", async () => {
    const failure = await sqlFailure(fleet.query('SELECT * FROM rental.rentals'));
    expect(failure.code).toBe('42501');
    expect(failure.message).toContain('permission denied for schema rental');
  });

  it('gives each context login usage of its own schema and of no other, but the token service its views of identity', async () => {
    const { rows } = await admin.query<{ role: string; schema: string; usable: boolean }>(
      `SELECT r.role, s.schema, has_schema_privilege(r.role, s.schema, 'USAGE') AS usable
       FROM unnest($1::text[]) AS r(role), unnest($2::text[]) AS s(schema)`,
      [Object.values(CONTEXT_ROLES), [...Object.keys(CONTEXT_ROLES), 'auth']],
    );
    const usable = rows.filter((row) => row.usable).map((row) => `${row.role}:${row.schema}`).sort();
    // The token service runs in the gateway: its own schema `auth`, and identity for signing in.
    const tokenService = ['gateway_svc:auth', 'gateway_svc:identity'];
    expect(usable).toEqual([...Object.entries(CONTEXT_ROLES).map(([schema, role]) => `${role}:${schema}`), ...tokenService].sort());
  });

  it('lets the gateway login read three identity views and no identity table', async () => {
    const { rows } = await admin.query<{ relation: string }>(
      `SELECT c.relname AS relation FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'identity' AND c.relkind IN ('r', 'v', 'p')
         AND has_table_privilege('gateway_svc', c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE')
       ORDER BY 1`,
    );
    expect(rows.map((row) => row.relation)).toEqual(['credentials_view', 'principals_view', 'roles_view']);
    const writable = await admin.query(
      `SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'identity' AND has_table_privilege('gateway_svc', c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE')`,
    );
    expect(writable.rows).toEqual([]);
  });

  it('lets the read-only login read the published views and nothing else', async () => {
    await admin.query("INSERT INTO fleet.vehicles (plate_number, make, model) VALUES ('B-RO 1', 'Opel', 'Astra')");

    const { rows } = await reader.query<{ plate_number: string }>('SELECT plate_number FROM fleet.vehicles_view');
    expect(rows).toEqual([{ plate_number: 'B-RO 1' }]);
    expect((await sqlFailure(reader.query('SELECT * FROM fleet.vehicles'))).code).toBe('42501');
    expect((await sqlFailure(reader.query('SELECT password_hash FROM identity.users'))).code).toBe('42501');
    expect((await sqlFailure(reader.query("INSERT INTO fleet.vehicles (plate_number, make, model) VALUES ('X', 'Y', 'Z')"))).code).toBe('42501');
  });

  it('gives the read-only login no write right on any table or view of the database', async () => {
    const { rows } = await admin.query<{ relation: string }>(
      `SELECT n.nspname || '.' || c.relname AS relation
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relkind IN ('r', 'v', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
         AND has_table_privilege($1, c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE')`,
      [READ_VIEWS_ROLE],
    );
    expect(rows).toEqual([]);
  });

  it('gives no context login the right to create objects', async () => {
    const { rows } = await admin.query<{ role: string }>(
      `SELECT r.role FROM unnest($1::text[]) AS r(role), unnest($2::text[]) AS s(schema)
       WHERE has_schema_privilege(r.role, s.schema, 'CREATE')`,
      [[...Object.values(CONTEXT_ROLES), READ_VIEWS_ROLE], [...Object.keys(CONTEXT_ROLES), 'public']],
    );
    expect(rows).toEqual([]);
  });
});
