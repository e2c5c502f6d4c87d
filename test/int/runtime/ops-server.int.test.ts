import knex, { type Knex } from 'knex';
import { postgresProbe } from '../../../platform/health';
import { Metrics } from '../../../platform/metrics';
import { OpsServer } from '../../../platform/ops-server';
import { eventually } from '../../support/eventually';
import { PrivatePostgres } from '../../support/private-postgres';
import { silentLogger } from '../../support/silent-logger';

/**
 * A processor's operations endpoint against a PostgreSQL of the test's own that it stops and
 * starts: readiness answers 503 naming the database while it is down and 200 again by itself once
 * it is back, liveness never moves, and a failing metrics collector leaves the scrape answering.
 */
describe("a processor's operations endpoint", () => {
  const server = new PrivatePostgres();
  let database: Knex;
  let ops: OpsServer;
  let base: string;

  beforeAll(async () => {
    await server.start();
    // The database is stopped on purpose: the pool's own complaints would only clutter the output.
    const quiet = () => undefined;
    database = knex({ client: 'pg', connection: server.adminUrl.toString(), pool: { min: 0, max: 2 }, log: { warn: quiet, error: quiet, debug: quiet, deprecate: quiet } });
    const metrics = new Metrics();
    const backlog = metrics.gauge('outbox_unpublished_rows', 'Events in the outbox the relay has not published yet');
    const countRows = async () => {
      const result: { rows: { rows: number }[] } = await database.raw('SELECT 7 AS rows');
      backlog.set({ schema: 'fleet' }, result.rows[0]!.rows);
    };
    ops = new OpsServer([postgresProbe(database)], metrics, { host: '127.0.0.1', port: 0, probeTimeoutMs: 1_000 }, silentLogger, [countRows]);
    base = `http://127.0.0.1:${await ops.start()}`;
  }, 60_000);

  afterAll(async () => {
    await ops?.stop();
    await database?.destroy();
    await server.remove();
  });

  const ready = async () => {
    const answer = await fetch(`${base}/health/ready`);
    return { status: answer.status, body: (await answer.json()) as { status: string; dependencies: Record<string, { status: string }> } };
  };

  it('is ready while PostgreSQL answers, not ready while it is down, and ready again by itself', async () => {
    expect(await ready()).toMatchObject({ status: 200, body: { status: 'up', dependencies: { postgres: { status: 'up' } } } });
    expect(await (await fetch(`${base}/metrics`)).text()).toMatch(/^outbox_unpublished_rows\{schema="fleet"\} 7$/m);

    await server.stop();
    expect(await ready()).toMatchObject({ status: 503, body: { status: 'down', dependencies: { postgres: { status: 'down' } } } });
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
    // The collector fails with the database away; the scrape still answers, with the last value.
    const scrape = await fetch(`${base}/metrics`);
    expect(scrape.status).toBe(200);
    expect(await scrape.text()).toMatch(/^outbox_unpublished_rows\{schema="fleet"\} 7$/m);

    await server.up();
    await eventually(async () => ((await ready()).status === 200 ? true : undefined), 30_000, 'readiness to recover');
  }, 90_000);
});
