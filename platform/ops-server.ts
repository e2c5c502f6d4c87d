import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkReadiness, type Probe } from './health';
import type { Knex } from 'knex';
import type { Logger } from './logger';
import type { Metrics } from './metrics';

export interface OpsServerOptions {
  readonly host: string;
  readonly port: number;
  /** How long readiness waits for each dependency, and a scrape for its collectors. */
  readonly probeTimeoutMs: number;
}

/** Brings gauges up to date just before a scrape renders them (a backlog counted in the database, say). */
export type Collector = () => Promise<void>;

/**
 * A service's operations endpoint, on a port of its own (a processor serves no other HTTP; the
 * gateway keeps it apart from its API):
 * `GET /health/live` answers while the event loop turns and touches no dependency (a restart
 * would not bring one back); `GET /health/ready` checks each dependency and answers 503 while one
 * is down, recovering by itself; `GET /metrics` renders the processor's counters and gauges in
 * Prometheus' text format. Anything else is 404, any other method 405.
 */
export class OpsServer {
  private server: Server | undefined;

  constructor(
    private readonly probes: readonly Probe[],
    private readonly metrics: Metrics,
    private readonly options: OpsServerOptions,
    private readonly logger: Logger,
    private readonly collectors: readonly Collector[] = [],
  ) {}

  /** Runs the collectors, each bounded by the probe timeout; one that fails leaves its gauges as they were. */
  private async collect(): Promise<void> {
    await Promise.all(
      this.collectors.map((collect) =>
        Promise.race([collect(), new Promise((_, reject) => setTimeout(() => reject(new Error('collector timed out')), this.options.probeTimeoutMs).unref())]).catch((error: unknown) =>
          this.logger.warn({ err: error }, 'a metrics collector failed; its gauges keep their last values'),
        ),
      ),
    );
  }

  /** Listens; resolves with the port it listens on. */
  async start(): Promise<number> {
    const server = createServer((request, response) => {
      const path = (request.url ?? '/').split('?')[0];
      const send = (status: number, type: string, body: string) => {
        response.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
        response.end(body);
      };
      if (path !== '/health/live' && path !== '/health/ready' && path !== '/metrics') return send(404, 'application/json', JSON.stringify({ status: 404, title: 'Not found' }));
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        response.setHeader('Allow', 'GET, HEAD');
        return send(405, 'application/json', JSON.stringify({ status: 405, title: 'Method not allowed' }));
      }
      if (path === '/health/live') return send(200, 'application/json', JSON.stringify({ status: 'up' }));
      if (path === '/metrics') {
        void this.collect().then(() => send(200, 'text/plain; version=0.0.4; charset=utf-8', this.metrics.render()));
        return;
      }
      checkReadiness(this.probes, this.options.probeTimeoutMs).then(
        (readiness) => send(readiness.ready ? 200 : 503, 'application/json', JSON.stringify({ status: readiness.ready ? 'up' : 'down', dependencies: readiness.dependencies })),
        (error: unknown) => {
          this.logger.error({ err: error }, 'readiness check failed');
          send(503, 'application/json', JSON.stringify({ status: 'down' }));
        },
      );
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => resolve());
    });
    return (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
  }
}

/** The connection pool of `database` as gauges: connections in use, idle, and callers waiting for one. */
export function databasePoolCollector(database: Knex, metrics: Metrics, pool: string): Collector {
  const connections = metrics.gauge('db_pool_connections', 'Database connections of the pool, by state (used, idle, pending: callers waiting for one)');
  return () => {
    const tarn = (database.client as { pool?: { numUsed(): number; numFree(): number; numPendingAcquires(): number } }).pool;
    if (tarn !== undefined) {
      connections.set({ pool, state: 'used' }, tarn.numUsed());
      connections.set({ pool, state: 'idle' }, tarn.numFree());
      connections.set({ pool, state: 'pending' }, tarn.numPendingAcquires());
    }
    return Promise.resolve();
  };
}
