import { createDatabase } from '../../platform/database';
import { createRedis } from '../../platform/redis';
import { uniqueName } from '../support/names';
import { stackEnv } from '../support/stack-env';

const env = stackEnv();

/** A pool of the size given, on the application login, as every service builds it. */
function connect(poolSizeMax: number, applicationName: string) {
  return createDatabase({ url: env.databaseUrl, poolSizeMax, statementTimeoutMs: 5_000, applicationName });
}

describe('PostgreSQL through the project client', () => {
  // One connection, so that the session's temporary table is visible to every transaction here.
  const database = connect(1, 'postgres-test');
  const table = `postings_${uniqueName('t').replace(/-/g, '_')}`;

  beforeAll(() => database.raw(`CREATE TEMP TABLE ${table} (amount_cents bigint NOT NULL, currency char(3) NOT NULL)`));
  afterAll(() => database.destroy());

  it('commits the work of a transaction and returns its result', async () => {
    const rows = await database.transaction(async (transaction) => {
      await transaction.raw(`INSERT INTO ${table} VALUES (?, ?), (?, ?)`, ['9007199254740991', 'EUR', 1250, 'EUR']);
      return (await transaction.raw<{ rows: { amount_cents: number; currency: string }[] }>(`SELECT amount_cents, currency FROM ${table} ORDER BY amount_cents`)).rows;
    });
    expect(rows).toEqual([
      { amount_cents: 1250, currency: 'EUR' },
      { amount_cents: Number.MAX_SAFE_INTEGER, currency: 'EUR' },
    ]);
    expect((await database.raw<{ rows: unknown[] }>(`SELECT count(*)::int AS count FROM ${table}`)).rows).toEqual([{ count: 2 }]);
  });

  it('rolls everything back when the work throws, and rethrows its error', async () => {
    const failure = new Error('handler failed');

    await expect(
      database.transaction(async (transaction) => {
        await transaction.raw(`INSERT INTO ${table} VALUES (1, 'USD')`);
        throw failure;
      }),
    ).rejects.toBe(failure);

    expect((await database.raw<{ rows: unknown[] }>(`SELECT count(*)::int AS count FROM ${table} WHERE currency = 'USD'`)).rows).toEqual([{ count: 0 }]);
  });

  it('connects as the application role, not as the superuser', async () => {
    const { rows } = await database.raw<{ rows: unknown[] }>("SELECT current_user AS login, current_setting('is_superuser') AS superuser");
    expect(rows).toEqual([{ login: env.databaseUrl.username, superuser: 'off' }]);
  });
});

describe('bigint columns through the project client', () => {
  const database = connect(1, 'int8-test');

  afterAll(() => database.destroy());

  it('refuses to read a bigint that a JavaScript number cannot hold exactly, and stays usable', async () => {
    // Money in minor units must never pass through a rounded float.
    await expect(database.raw('SELECT 9007199254740993::bigint AS amount_cents')).rejects.toThrow(
      'bigint 9007199254740993 is outside the exact range of a JavaScript number',
    );
    expect((await database.raw<{ rows: unknown[] }>('SELECT (-9007199254740991)::bigint AS amount_cents')).rows).toEqual([
      { amount_cents: -Number.MAX_SAFE_INTEGER },
    ]);
  });
});

describe('Redis through the project client', () => {
  const redis = createRedis({ url: env.redisUrl, connectTimeoutMs: 2_000 });

  afterAll(() => redis.quit());

  it('stores a value with a time to live and reads it back', async () => {
    const key = uniqueName('test:idempotency');
    await redis.set(key, JSON.stringify({ status: 202, commandId: 'c-1' }), 'PX', 60_000);

    expect(JSON.parse((await redis.get(key))!)).toEqual({ status: 202, commandId: 'c-1' });
    const ttlMs = await redis.pttl(key);
    expect(ttlMs).toBeGreaterThan(0);
    expect(ttlMs).toBeLessThanOrEqual(60_000);
  });
});
