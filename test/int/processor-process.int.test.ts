import { roleUrl } from '../support/database';
import { eventually } from '../support/eventually';
import { freePort } from '../support/ports';
import { startService } from '../support/service-process';

/**
 * Each context's processor as an operator runs it: it refuses a bad configuration by name, starts
 * consuming as its own login, serves its health and every metric family operators watch on its
 * operations port, and on SIGTERM stops after the batch in hand and exits with 0.
 */
const startProcessor = (context: string, environment: NodeJS.ProcessEnv) => startService(`processors/${context}/main.ts`, environment);

describe.each([
  ['fleet', 'fleet_svc', 'fleet'],
  ['rental', 'rental_svc', 'rental'],
  ['maintenance', 'maintenance_svc', 'maintenance'],
  ['identity', 'identity_svc', 'identity'],
  ['ledger', 'accounting_svc', 'accounting'],
  ['reporting', 'reporting_svc', 'reporting'],
])('the %s processor process', (context, login, schema) => {
  it('refuses to start on bad configuration, naming the variable', async () => {
    const processor = startProcessor(context, { ...process.env, CONSUMER_BATCH_SIZE_MAX: '0' });

    expect(await processor.exited).toBe(1);
    expect(processor.output()).toContain('CONSUMER_BATCH_SIZE_MAX must be an integer between 1 and 5000 (got "0")');
  });

  it('runs as its own database login and exits with 0 on SIGTERM', async () => {
    const databaseUrl = roleUrl(new URL(process.env.DATABASE_ADMIN_URL!), login).toString();
    const opsPort = await freePort();
    const processor = startProcessor(context, { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'info', OPS_PORT: String(opsPort), OPS_HOST: '127.0.0.1' });
    try {
      await eventually(() => (processor.output().includes('"processor running"') ? true : undefined), 30_000, 'the processor to run');
      // Its operations endpoint: alive, ready with each dependency named, and its metrics in Prometheus' text format.
      const ops = `http://127.0.0.1:${opsPort}`;
      expect((await fetch(`${ops}/health/live`)).status).toBe(200);
      const ready = await fetch(`${ops}/health/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'up', dependencies: { postgres: { status: 'up' }, kafka: { status: 'up' }, schemaRegistry: { status: 'up' } } });
      const metrics = await fetch(`${ops}/metrics`);
      expect(metrics.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      const exposition = await metrics.text();
      // Every family an operator's dashboards and alerts read (docs/operations.md).
      for (const [family, type] of [
        ['consumer_messages_total', 'counter'],
        ['consumer_messages_retried_total', 'counter'],
        ['consumer_messages_dead_lettered_total', 'counter'],
        ['consumer_batch_messages', 'histogram'],
        ['consumer_batch_duration_seconds', 'histogram'],
        ['consumer_lag_messages', 'gauge'],
        ['outbox_unpublished_rows', 'gauge'],
        ['outbox_oldest_unpublished_age_seconds', 'gauge'],
        ['db_pool_connections', 'gauge'],
      ]) {
        expect(exposition).toMatch(new RegExp(`^# TYPE ${family} ${type}$`, 'm'));
      }
      // The outbox backlog is counted at scrape time, for the context's own schema.
      expect(exposition).toMatch(new RegExp(`^outbox_unpublished_rows\\{schema="${schema}"\\} \\d+$`, 'm'));
      expect(exposition).toMatch(new RegExp(`^outbox_oldest_unpublished_age_seconds\\{schema="${schema}"\\} [\\d.]+$`, 'm'));
      // The group's lag per partition of its commands topic, asked of the brokers at scrape time.
      expect(exposition).toMatch(new RegExp(`^consumer_lag_messages\\{group="${context}-processor",topic="${context}\\.commands",partition="0"\\} \\d+$`, 'm'));
      expect(exposition).toMatch(new RegExp(`^db_pool_connections\\{pool="${context}",state="used"\\} \\d+$`, 'm'));
      expect((await fetch(`${ops}/elsewhere`)).status).toBe(404);
      expect((await fetch(`${ops}/metrics`, { method: 'POST' })).status).toBe(405);

      processor.child.kill('SIGTERM');

      expect(await processor.exited).toBe(0);
      const messages = processor.output().trim().split('\n').map((line) => (JSON.parse(line) as { msg: string }).msg);
      expect(messages).toEqual(expect.arrayContaining(['processor running', 'shutting down', 'shut down']));
    } finally {
      processor.child.kill('SIGKILL');
    }
  });
});
