import knex, { type Knex } from 'knex';
import { knexConfig } from '../../knexfile';
import { stackEnv } from '../support/stack-env';

const env = stackEnv();

describe('the knex migrations', () => {
  let database: Knex;

  beforeAll(() => {
    database = knex(knexConfig({ DATABASE_ADMIN_URL: env.databaseAdminUrl.toString() }));
  });
  afterAll(() => database.destroy());

  it('are all applied, and applying them again changes nothing', async () => {
    const [, applied] = (await database.migrate.latest()) as [number, string[]];
    const [completed, pending] = (await database.migrate.list()) as [unknown[], unknown[]];

    expect(applied).toEqual([]);
    expect(completed.length).toBeGreaterThan(0);
    expect(pending).toEqual([]);
  });

  it('enable the extensions the schema relies on', async () => {
    const { rows } = await database.raw<{ rows: { extname: string }[] }>(
      "SELECT extname FROM pg_extension WHERE extname IN ('btree_gist', 'citext', 'pgcrypto') ORDER BY extname",
    );
    expect(rows.map((row) => row.extname)).toEqual(['btree_gist', 'citext', 'pgcrypto']);
  });
});
