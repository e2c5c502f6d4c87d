import { randomBytes } from 'node:crypto';
import { ensureDevKeys, signDevToken } from '../../tools/dev-token-keys';
import { roleUrl } from '../support/database';
import { eventually } from '../support/eventually';
import { OtlpCollector } from '../support/otlp-collector';
import { freePort } from '../support/ports';
import { startService } from '../support/service-process';

/**
 * The logs and traces of a whole run, as an operator collects them: the gateway and the fleet
 * processor run as processes at debug level, exporting their spans over OTLP/HTTP to a collector
 * (the gateway sampling none of the traces it begins), while a vehicle is registered with the
 * caller's correlation id and sampled traceparent, a forged token is refused and a sign-in with a
 * wrong client secret and password fails; then both stop.
 *
 * Logs: every line is JSON naming its service; the request's line and the command's line carry the
 * same correlation and trace id; no secret of the run (database and Redis passwords, the bearer
 * token, the signing key, the client secret, the password) appears anywhere in the output.
 * Traces: the collector holds the registration's trace from both processes, the fleet's span a
 * child of the gateway's send across Kafka, and nothing of the unsampled forged request.
 */
const MANAGER = '8a1c3e5f-7b9d-4f1a-8c3e-5f7b9d1f3a5c';

interface LogLine {
  readonly level: string;
  readonly time: string;
  readonly service: string;
  readonly msg: string;
  readonly [field: string]: unknown;
}

describe("a run's logs and traces", () => {
  const collector = new OtlpCollector();
  afterAll(() => collector.stop());

  it('are JSON lines with the service, the correlation, message and trace ids and never a secret, and one trace across both processes', async () => {
    const admin = new URL(process.env.DATABASE_ADMIN_URL!);
    const [port, gatewayOps, fleetOps] = [await freePort(), await freePort(), await freePort()];
    const collectorUrl = await collector.start();
    const common = { ...process.env, LOG_LEVEL: 'debug', OPS_HOST: '127.0.0.1', TRACING_EXPORTER: 'otlp', TRACING_OTLP_ENDPOINT: collectorUrl.toString() };
    const fleet = startService('processors/fleet/main.ts', { ...common, DATABASE_URL: roleUrl(admin, 'fleet_svc').toString(), OPS_PORT: String(fleetOps) });
    const gateway = startService('gateway/main.ts', {
      ...common,
      DATABASE_URL: roleUrl(admin, 'gateway_svc').toString(),
      READ_DATABASE_URL: roleUrl(admin, 'gateway_reader').toString(),
      PORT: String(port),
      HOST: '127.0.0.1',
      OPS_PORT: String(gatewayOps),
      // Only traces a caller sampled are recorded.
      TRACING_SAMPLE_RATIO: '0',
    });
    const signingKey = await ensureDevKeys(process.env.STACK_DIR!);
    const token = await signDevToken(signingKey, {
      subject: MANAGER,
      roles: ['fleet_manager'],
      permissions: [],
      issuer: process.env.AUTH_ISSUER!,
      audience: process.env.AUTH_AUDIENCE!,
      expiresInSeconds: 300,
    });
    const clientSecret = `client-secret-${randomBytes(12).toString('hex')}`;
    const password = `password-${randomBytes(12).toString('hex')}`;
    const traceId = randomBytes(16).toString('hex');
    const correlationId = `logs-${randomBytes(6).toString('hex')}`;
    const registeredTraceparent = `00-${traceId}-${randomBytes(8).toString('hex')}-01`;
    try {
      await eventually(() => (fleet.output().includes('"processor running"') ? true : undefined), 30_000, 'the fleet processor to run');
      await eventually(
        async () => ((await fetch(`http://127.0.0.1:${gatewayOps}/health/ready`).catch(() => undefined))?.status === 200 ? true : undefined),
        30_000,
        'the gateway to be ready',
      );
      const api = `http://127.0.0.1:${port}`;
      const registered = await fetch(`${api}/v1/vehicles`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${token}`,
          'Content-Type': 'application/json',
          Prefer: 'wait=20',
          'X-Correlation-Id': correlationId,
          traceparent: registeredTraceparent,
        },
        body: JSON.stringify({ plateNumber: `LG-${randomBytes(3).toString('hex')}`, make: 'Kia', model: 'EV3', vehicleClass: 'compact' }),
      });
      expect(registered.status).toBe(201);
      const forged = await fetch(`${api}/v1/vehicles`, { method: 'GET', headers: { Authorization: `Bearer ${token.slice(0, -4)}AAAA` } });
      expect(forged.status).toBe(401);
      const signIn = await fetch(`${api}/oauth/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'password', client_id: 'fleet-console', client_secret: clientSecret, username: 'nobody@fleet.example', password }).toString(),
      });
      expect(signIn.status).toBe(401);
      // The command's line is written once its batch is handled, which the 201 waited for.
      fleet.child.kill('SIGTERM');
      gateway.child.kill('SIGTERM');
      expect(await fleet.exited).toBe(0);
      expect(await gateway.exited).toBe(0);
    } finally {
      fleet.child.kill('SIGKILL');
      gateway.child.kill('SIGKILL');
    }

    const output = { fleet: fleet.output(), gateway: gateway.output() };
    const parse = (text: string) => text.trim().split('\n').map((line) => JSON.parse(line) as LogLine);
    const lines = { fleet: parse(output.fleet), gateway: parse(output.gateway) };
    for (const [service, serviceLines] of Object.entries(lines)) {
      for (const line of serviceLines) {
        expect(line).toMatchObject({ service, level: expect.any(String), msg: expect.any(String) });
        expect(Number.isNaN(Date.parse(line.time))).toBe(false);
      }
    }

    const request = lines.gateway.find((line) => line.msg === 'request answered' && line.route === '/v1/vehicles' && line.method === 'POST');
    expect(request).toMatchObject({ status: 201, correlationId, traceId, spanId: expect.stringMatching(/^[0-9a-f]{16}$/) });
    const handled = lines.fleet.find((line) => line.msg === 'message handled' && line.correlationId === correlationId);
    expect(handled).toMatchObject({ messageType: 'fleet.RegisterVehicle', outcome: 'accepted', traceId, messageId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(handled?.spanId).not.toBe(request?.spanId);
    const refused = lines.gateway.find((line) => line.msg === 'request answered' && line.status === 401 && line.route === '/v1/vehicles');
    expect(refused).toMatchObject({ correlationId: expect.any(String), traceId: expect.stringMatching(/^[0-9a-f]{32}$/) });

    const secrets = {
      'the admin password': admin.password,
      "fleet_svc's password": process.env.DB_PASSWORD_FLEET_SVC!,
      "gateway_svc's password": process.env.DB_PASSWORD_GATEWAY_SVC!,
      "gateway_reader's password": process.env.DB_PASSWORD_GATEWAY_READER!,
      'the Redis password': new URL(process.env.REDIS_URL!).password,
      'the bearer token': token,
      "the bearer token's signature": token.split('.')[2]!,
      'the signing key': String(signingKey.d),
      'the client secret': clientSecret,
      'the password': password,
    };
    const callerSpanId = registeredTraceparent.split('-')[2];
    const traced = collector.spans().filter((span) => span.traceId === traceId);
    const server = traced.find((span) => span.service === 'gateway' && span.name === 'POST /v1/vehicles');
    expect(server?.parentSpanId).toBe(callerSpanId);
    const send = traced.find((span) => span.service === 'gateway' && span.name === 'send fleet.commands');
    expect(send?.parentSpanId).toBe(server?.spanId);
    const processed = traced.find((span) => span.service === 'fleet' && span.name === 'process fleet.commands');
    expect(processed).toMatchObject({ parentSpanId: send?.spanId, attributes: { 'messaging.message.id': handled?.messageId, 'fleet.outcome': 'accepted' } });
    expect(traced.some((span) => span.service === 'fleet' && span.name === 'transaction fleet' && span.parentSpanId === processed?.spanId)).toBe(true);
    expect(collector.spans().filter((span) => span.traceId === refused?.traceId)).toEqual([]);
    expect(collector.refused).toEqual([]);

    for (const [what, secret] of Object.entries(secrets)) {
      expect(secret.length).toBeGreaterThan(8);
      for (const [service, text] of Object.entries(output)) {
        if (text.includes(secret)) throw new Error(`${service}'s log shows ${what}`);
      }
    }
  }, 90_000);
});
