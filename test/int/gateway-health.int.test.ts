import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGatewayApp } from '../../gateway/app';
import { kafkaProbe, postgresProbe, redisProbe, schemaRegistryProbe, type Probe } from '../../platform/health';
import { createKafka } from '../../platform/kafka';
import { createDatabase } from '../../platform/database';
import { createRedis } from '../../platform/redis';
import { silentLogger } from '../support/silent-logger';
import { stackEnv } from '../support/stack-env';

const env = stackEnv();
const TIMEOUT_MS = 2_000;

async function serve(probes: readonly Probe[]): Promise<{ server: Server; url: string }> {
  const app = createGatewayApp({ logger: silentLogger, probes, healthCheckTimeoutMs: TIMEOUT_MS });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('the gateway health endpoints against the real stack', () => {
  const database = createDatabase({ url: env.databaseUrl, poolSizeMax: 1, statementTimeoutMs: 5_000, applicationName: 'health-test' });
  const redis = createRedis({ url: env.redisUrl, connectTimeoutMs: TIMEOUT_MS });
  const admin = createKafka({ brokers: env.kafkaBrokers, clientId: 'health-test', logger: silentLogger }).admin();
  // Nothing listens on port 9 (discard) here, so this Redis is always down.
  const unreachableRedis = createRedis({ url: new URL('redis://127.0.0.1:9'), connectTimeoutMs: 500 });
  const servers: Server[] = [];

  beforeAll(() => admin.connect());
  afterAll(async () => {
    for (const server of servers) server.close();
    unreachableRedis.disconnect();
    redis.disconnect();
    await admin.disconnect();
    await database.destroy();
  });

  const realProbes = (): Probe[] => [
    postgresProbe(database),
    redisProbe(redis),
    kafkaProbe(admin, TIMEOUT_MS),
    schemaRegistryProbe(env.schemaRegistryUrl),
  ];

  it('reports ready with every dependency up', async () => {
    const { server, url } = await serve(realProbes());
    servers.push(server);

    const response = await fetch(`${url}/health/ready`, { headers: { 'X-Correlation-Id': 'health-check-1' } });
    const body = (await response.json()) as { status: string; dependencies: Record<string, { status: string }> };

    expect(response.status).toBe(200);
    expect(response.headers.get('x-correlation-id')).toBe('health-check-1');
    expect(body.status).toBe('up');
    expect(Object.fromEntries(Object.entries(body.dependencies).map(([name, dependency]) => [name, dependency.status]))).toEqual({
      postgres: 'up',
      redis: 'up',
      kafka: 'up',
      schemaRegistry: 'up',
    });
  });

  it('answers 503 and names the dependency that is down, while liveness stays up', async () => {
    const probes = realProbes().map((probe) => (probe.name === 'redis' ? redisProbe(unreachableRedis) : probe));
    const { server, url } = await serve(probes);
    servers.push(server);

    const ready = await fetch(`${url}/health/ready`);
    const body = (await ready.json()) as { status: string; dependencies: Record<string, { status: string; error?: string }> };
    const live = await fetch(`${url}/health/live`);

    expect(ready.status).toBe(503);
    expect(body.status).toBe('down');
    expect(body.dependencies.redis?.status).toBe('down');
    expect(body.dependencies.redis?.error).toEqual(expect.any(String));
    expect(body.dependencies.postgres?.status).toBe('up');
    expect(live.status).toBe(200);
  });

  it('answers an unknown path with a problem document carrying the correlation id', async () => {
    const { server, url } = await serve([]);
    servers.push(server);

    const response = await fetch(`${url}/v1/nowhere`, { headers: { 'X-Correlation-Id': 'lost-1' } });

    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(await response.json()).toEqual({
      type: 'https://fleet.example/problems/not-found',
      title: 'No such resource',
      status: 404,
      instance: '/v1/nowhere',
      correlationId: 'lost-1',
    });
  });
});
