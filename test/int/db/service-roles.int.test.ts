import pg from 'pg';
import { ensureServiceRoles, passwordVariable } from '../../../migrations/support/roles';
import { ScratchDatabase } from '../../support/database';

/** Role provisioning is idempotent and applies a rotated password on the next run. */
describe('service role provisioning', () => {
  const database = new ScratchDatabase();
  const role = `test_role_${Date.now().toString(36)}`;

  beforeAll(() => database.create({ migrate: false }));
  afterAll(async () => {
    await database.knex().raw(`DROP ROLE IF EXISTS ${role}`);
    await database.drop();
  });

  async function canLogIn(password: string): Promise<boolean> {
    const url = new URL(database.adminUrl);
    url.username = role;
    url.password = password;
    const client = new pg.Client({ connectionString: url.toString() });
    try {
      await client.connect();
      await client.end();
      return true;
    } catch {
      return false;
    }
  }

  it('creates a missing login once, and sets and rotates its password from the environment', async () => {
    const knex = database.knex();

    await ensureServiceRoles(knex, { [passwordVariable(role)]: 'first-password' }, [role]);
    await ensureServiceRoles(knex, { [passwordVariable(role)]: 'first-password' }, [role]);
    expect(await knex('pg_roles').where('rolname', role).count<{ count: string }[]>('* as count')).toEqual([{ count: 1 }]);
    expect(await canLogIn('first-password')).toBe(true);

    await ensureServiceRoles(knex, { [passwordVariable(role)]: 'rotated-password' }, [role]);
    expect(await canLogIn('first-password')).toBe(false);
    expect(await canLogIn('rotated-password')).toBe(true);

    await ensureServiceRoles(knex, {}, [role]);
    expect(await canLogIn('rotated-password')).toBe(true);
  });

  it('refuses a role name that is not a plain identifier', async () => {
    await expect(ensureServiceRoles(database.knex(), {}, ['evil"; DROP ROLE postgres; --'])).rejects.toThrow('not a valid role name');
  });
});
