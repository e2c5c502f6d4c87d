import { roleUrl } from '../support/database';
import { eventually } from '../support/eventually';
import { freePort } from '../support/ports';
import { startService } from '../support/service-process';

/**
 * The gateway as an operator runs it: a process that refuses a bad configuration with a message
 * naming the variable, serves readiness against the real stack, and exits cleanly on SIGTERM.
 */

const startGateway = (environment: NodeJS.ProcessEnv) => startService('gateway/main.ts', environment);

describe('the gateway process', () => {
  it('refuses to start on bad configuration, naming every bad variable', async () => {
    const gateway = startGateway({ ...process.env, PORT: 'eighty', SHUTDOWN_TIMEOUT_MS: '5' });

    expect(await gateway.exited).toBe(1);
    expect(gateway.output()).toContain('PORT must be an integer between 1 and 65535 (got "eighty")');
    expect(gateway.output()).toContain('SHUTDOWN_TIMEOUT_MS must be an integer between 1000 and 120000 (got "5")');
  });

  it('serves readiness against the real stack and exits with 0 on SIGTERM', async () => {
    const port = await freePort();
    const opsPort = await freePort();
    const databaseUrl = roleUrl(new URL(process.env.DATABASE_ADMIN_URL!), 'gateway_svc').toString();
    const readDatabaseUrl = roleUrl(new URL(process.env.DATABASE_ADMIN_URL!), 'gateway_reader').toString();
    const gateway = startGateway({
      ...process.env,
      DATABASE_URL: databaseUrl,
      READ_DATABASE_URL: readDatabaseUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      OPS_PORT: String(opsPort),
      OPS_HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
    });
    try {
      const ready = await eventually(
        async () => {
          const response = await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => undefined);
          return response?.status === 200 ? response : undefined;
        },
        30_000,
        'the gateway to report ready',
      );
      expect(((await ready.json()) as { status: string }).status).toBe('up');
      // Its operations port: readiness too, and the requests answered so far, by route pattern and status.
      expect((await fetch(`http://127.0.0.1:${opsPort}/health/ready`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/v1/reports/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`)).status).toBe(401);
      const exposition = await (await fetch(`http://127.0.0.1:${opsPort}/metrics`)).text();
      expect(exposition).toMatch(/^http_requests_total\{method="GET",route="\/health\/ready",status="200"\} [1-9]\d*$/m);
      expect(exposition).toMatch(/^http_requests_total\{method="GET",route="\/v1\/reports\/:reportId",status="401"\} 1$/m);
      expect(exposition).toMatch(/^http_request_duration_seconds_count\{method="GET",route="\/health\/ready"\} [1-9]\d*$/m);
      expect(exposition).toMatch(/^# TYPE gateway_commands_produced_total counter$/m);
      expect(exposition).toMatch(/^db_pool_connections\{pool="gateway-reader",state="idle"\} \d+$/m);
      expect(exposition).not.toContain('0000-4000-8000');

      gateway.child.kill('SIGTERM');

      expect(await gateway.exited).toBe(0);
      const lines = gateway.output().trim().split('\n').map((line) => JSON.parse(line) as { msg: string; service: string });
      expect(lines.map((line) => line.msg)).toEqual(expect.arrayContaining(['gateway listening', 'shutting down', 'shut down']));
      expect(new Set(lines.map((line) => line.service))).toEqual(new Set(['gateway']));
    } finally {
      gateway.child.kill('SIGKILL');
    }
  });
});
