/**
 * The gateway process: validates its configuration, connects to its dependencies, serves HTTP and
 * shuts down gracefully on SIGTERM/SIGINT (stop accepting, finish requests in flight, close clients).
 */
import { createServer } from 'node:http';
import { loadConfig } from '../platform/config/load';
import {
  databaseVariables,
  gatewayVariables,
  kafkaVariables,
  redisVariables,
  runtimeVariables,
  schemaRegistryVariables,
} from '../platform/config/variables';
import { kafkaProbe, postgresProbe, redisProbe, schemaRegistryProbe } from '../platform/health';
import { createKafka } from '../platform/kafka';
import { Lifecycle } from '../platform/lifecycle';
import { createLogger } from '../platform/logger';
import { createPool } from '../platform/postgres';
import { createRedis } from '../platform/redis';
import { createGatewayApp } from './app';

const SERVICE = 'gateway';

async function main(): Promise<void> {
  const config = loadConfig({
    ...runtimeVariables,
    ...gatewayVariables,
    ...kafkaVariables,
    ...schemaRegistryVariables,
    ...databaseVariables,
    ...redisVariables,
  });
  const logger = createLogger(SERVICE, config.logLevel);
  const lifecycle = new Lifecycle(logger, config.shutdownTimeoutMs);
  lifecycle.exitOnSignals();

  const pool = createPool({
    url: config.databaseUrl,
    poolSizeMax: config.databasePoolSizeMax,
    statementTimeoutMs: config.databaseStatementTimeoutMs,
    applicationName: SERVICE,
  });
  lifecycle.onShutdown('postgres', () => pool.end());
  const redis = createRedis({ url: config.redisUrl, connectTimeoutMs: config.healthCheckTimeoutMs });
  lifecycle.onShutdown('redis', async () => void redis.disconnect());
  const admin = createKafka({ brokers: config.kafkaBrokers, clientId: `${config.kafkaClientId}-${SERVICE}`, logger }).admin();
  await admin.connect();
  lifecycle.onShutdown('kafka-admin', () => admin.disconnect());

  const app = createGatewayApp({
    logger,
    healthCheckTimeoutMs: config.healthCheckTimeoutMs,
    probes: [
      postgresProbe(pool),
      redisProbe(redis),
      kafkaProbe(admin, config.healthCheckTimeoutMs),
      schemaRegistryProbe(config.schemaRegistryUrl),
    ],
  });
  const server = createServer(app.callback());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  lifecycle.onShutdown('http', async () => {
    // close() stops accepting and waits for requests in flight; idle keep-alive sockets would
    // otherwise hold it open until their timeout.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await closed;
  });
  logger.info({ url: `http://${config.host}:${config.port}` }, 'gateway listening');
}

main().catch((error: unknown) => {
  // Configuration errors name every bad variable; print them as they are, not as a stack trace.
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
