import { ScratchDatabase } from '../../support/database';

const CONTEXT_SCHEMAS = ['accounting', 'fleet', 'gateway', 'identity', 'maintenance', 'rental', 'reporting'];

describe('the migrations on an empty database', () => {
  const database = new ScratchDatabase();

  beforeAll(() => database.create({ migrate: false }));
  afterAll(() => database.drop());

  async function leftovers() {
    const db = database.knex();
    const schemas = await db('pg_namespace').whereIn('nspname', CONTEXT_SCHEMAS).pluck('nspname');
    const functions = await db.raw<{ rows: { proname: string }[] }>(
      "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public' AND p.proname IN ('touch_row', 'reject_change', 'notify_outbox')",
    );
    const tables = await db.raw<{ rows: { relname: string }[] }>(
      "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v', 'S') AND c.relname NOT LIKE 'knex_migrations%'",
    );
    const extensions = await db('pg_extension').whereIn('extname', ['btree_gist', 'citext', 'pgcrypto']).pluck('extname');
    return { schemas, functions: functions.rows.map((row) => row.proname), tables: tables.rows.map((row) => row.relname), extensions };
  }

  it('apply from scratch, roll back to empty, and apply again', async () => {
    const db = database.knex();

    await db.migrate.latest();
    const [appliedFirst, pendingFirst] = (await db.migrate.list()) as [unknown[], unknown[]];
    expect(pendingFirst).toEqual([]);
    expect((await leftovers()).schemas.sort()).toEqual(CONTEXT_SCHEMAS);

    await db.migrate.rollback(undefined, true);
    expect(await leftovers()).toEqual({ schemas: [], functions: [], tables: [], extensions: [] });

    await db.migrate.latest();
    const [appliedAgain, pendingAgain] = (await db.migrate.list()) as [unknown[], unknown[]];
    expect(pendingAgain).toEqual([]);
    expect(appliedAgain).toHaveLength(appliedFirst.length);
    expect((await leftovers()).schemas.sort()).toEqual(CONTEXT_SCHEMAS);
  });
});
