/**
 * The gateway process: validates its configuration, connects to its dependencies, serves HTTP and
 * shuts down gracefully on SIGTERM/SIGINT (stop accepting, finish requests in flight, close clients).
 */
import { createServer } from 'node:http';
import { AvroCodec } from '../platform/avro-codec';
import { loadConfig } from '../platform/config/load';
import {
  authVariables,
  databaseVariables,
  readDatabaseVariables,
  gatewayVariables,
  kafkaVariables,
  redisVariables,
  runtimeVariables,
  schemaRegistryVariables,
  tokenServiceVariables,
  opsVariables,
} from '../platform/config/variables';
import { Metrics } from '../platform/metrics';
import { databasePoolCollector, OpsServer } from '../platform/ops-server';
import { createDatabase } from '../platform/database';
import { kafkaProbe, postgresProbe, redisProbe, schemaRegistryProbe } from '../platform/health';
import { createIdempotentProducer, createKafka } from '../platform/kafka';
import { Lifecycle } from '../platform/lifecycle';
import { createLogger } from '../platform/logger';
import { startTracing } from '../platform/tracing-setup';
import { createRedis } from '../platform/redis';
import { createSchemaRegistry } from '../platform/schema-registry';
import { createGatewayApp } from './app';
import { createAuth } from './auth/auth-setup';
import { TokenVerifier } from './auth/token-verifier';
import { CommandResultsConsumer, CommandWaiter } from './commands/command-results';
import { CommandStatusRepository } from './commands/command-status.repository';
import { CommandSubmitter } from './commands/command-submitter';
import { IdempotencyStore } from './commands/idempotency';
import { GATEWAY_RESULTS_GROUP } from '../schemas/topics';
import { VehicleQueries } from './queries/vehicle.queries';
import { RentalQueries } from './queries/rental.queries';
import { IdentityQueries } from './queries/identity.queries';
import { MaintenanceQueries } from './queries/maintenance.queries';
import { AccountingQueries } from './queries/accounting.queries';
import { ReportQueries } from './queries/report.queries';

/** How long the results consumer waits while PostgreSQL is away, doubling between the two. */
const RESULTS_OUTAGE_DELAY_MS_MIN = 200;
const RESULTS_OUTAGE_DELAY_MS_MAX = 30_000;
const SERVICE = 'gateway';
const COMMAND_RESULTS_TOPIC = 'command.results';

async function main(): Promise<void> {
  const config = loadConfig({
    ...runtimeVariables,
    ...gatewayVariables,
    ...kafkaVariables,
    ...schemaRegistryVariables,
    ...databaseVariables,
    ...readDatabaseVariables,
    ...redisVariables,
    ...authVariables,
    ...tokenServiceVariables,
    ...opsVariables,
  });
  const metrics = new Metrics();
  const logger = createLogger(SERVICE, config.logLevel);
  const lifecycle = new Lifecycle(logger, config.shutdownTimeoutMs);
  lifecycle.exitOnSignals();
  // Registered first, so stopped last: the spans of the shutdown itself are sent too.
  const tracing = startTracing({ service: SERVICE, exporter: config.tracingExporter, otlpEndpoint: config.tracingOtlpEndpoint, sampleRatio: config.tracingSampleRatio });
  lifecycle.onShutdown('tracing', () => tracing.shutdown());
  const verifier = new TokenVerifier({
    issuer: config.authIssuer,
    audience: config.authAudience,
    algorithms: config.authAlgorithms,
    jwksUrl: config.authJwksUrl,
    jwksFile: config.authJwksFile,
    cacheSeconds: config.authTokenCacheSeconds,
    jwksCacheSeconds: config.authJwksCacheSeconds,
  });

  // One pool for everything the gateway asks PostgreSQL, the readiness probe included.
  const database = createDatabase({
    url: config.databaseUrl,
    poolSizeMax: config.databasePoolSizeMax,
    statementTimeoutMs: config.databaseStatementTimeoutMs,
    applicationName: SERVICE,
    logger,
  });
  lifecycle.onShutdown('postgres', () => database.destroy());
  // Queries read the views the contexts publish, as a login that can read nothing else.
  const reader = createDatabase({
    url: config.readDatabaseUrl,
    poolSizeMax: config.databasePoolSizeMax,
    statementTimeoutMs: config.databaseStatementTimeoutMs,
    applicationName: `${SERVICE}-reader`,
    logger,
  });
  lifecycle.onShutdown('postgres-reader', () => reader.destroy());
  const redis = createRedis({ url: config.redisUrl, connectTimeoutMs: config.healthCheckTimeoutMs });
  lifecycle.onShutdown('redis', async () => void redis.disconnect());
  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: `${config.kafkaClientId}-${SERVICE}`, logger });
  const admin = kafka.admin();
  await admin.connect();
  lifecycle.onShutdown('kafka-admin', () => admin.disconnect());
  const producer = createIdempotentProducer(kafka, config.kafkaDeliveryTimeoutMs);
  await producer.connect();
  lifecycle.onShutdown('producer', () => producer.disconnect());

  const codec = new AvroCodec(createSchemaRegistry(config.schemaRegistryUrl, config.schemaRegistryTimeoutMs));
  const statuses = new CommandStatusRepository(database);
  const waiter = new CommandWaiter(redis.duplicate());
  await waiter.start();
  lifecycle.onShutdown('command-waiter', () => waiter.stop());
  const results = new CommandResultsConsumer(
    kafka,
    producer,
    codec,
    statuses,
    redis,
    { topic: COMMAND_RESULTS_TOPIC, groupId: GATEWAY_RESULTS_GROUP, outageDelayMsMin: RESULTS_OUTAGE_DELAY_MS_MIN, outageDelayMsMax: RESULTS_OUTAGE_DELAY_MS_MAX },
    logger,
  );
  await results.start();
  lifecycle.onShutdown('command-results', () => results.stop());

  const auth = createAuth(
    database,
    redis,
    {
      issuer: config.authIssuer,
      audience: config.authAudience,
      subjectStatusCacheSeconds: config.authSubjectStatusCacheSeconds,
      tokenService:
        config.authSigningKeysFile === null
          ? null
          : {
              signingKeysFile: config.authSigningKeysFile,
              accessTokenTtlSeconds: config.authAccessTokenTtlSeconds,
              refreshTokenTtlSeconds: config.authRefreshTokenTtlSeconds,
              loginLimits: {
                accountFailuresMax: config.authLoginAccountFailuresMax,
                addressAttemptsMax: config.authLoginAddressAttemptsMax,
                windowSeconds: config.authLoginWindowSeconds,
              },
            },
    },
    logger,
  );
  const probes = [postgresProbe(database), redisProbe(redis), kafkaProbe(admin, config.healthCheckTimeoutMs), schemaRegistryProbe(config.schemaRegistryUrl)];
  // Metrics are served apart from the API, on the operations port (health is on both).
  const ops = new OpsServer(probes, metrics, { host: config.opsHost, port: config.opsPort, probeTimeoutMs: config.healthCheckTimeoutMs }, logger, [
    databasePoolCollector(database, metrics, 'gateway'),
    databasePoolCollector(reader, metrics, 'gateway-reader'),
  ]);
  const opsPort = await ops.start();
  lifecycle.onShutdown('ops endpoint', () => ops.stop());
  logger.info({ opsPort }, 'operations endpoint listening');
  const app = createGatewayApp({
    ...(auth.oauth === undefined ? {} : { oauth: auth.oauth }),
    logger,
    metrics,
    healthCheckTimeoutMs: config.healthCheckTimeoutMs,
    probes,
    api: {
      verifier,
      subjects: auth.subjects,
      submitter: new CommandSubmitter(producer, codec, statuses, metrics),
      idempotency: new IdempotencyStore(redis),
      statuses,
      waiter,
      vehicles: new VehicleQueries(reader),
      rentals: new RentalQueries(reader),
      maintenance: new MaintenanceQueries(reader),
      identity: new IdentityQueries(reader),
      accounting: new AccountingQueries(reader),
      reports: new ReportQueries(reader),
      topics: {
        fleetCommands: 'fleet.commands',
        rentalCommands: 'rental.commands',
        maintenanceCommands: 'maintenance.commands',
        identityCommands: 'identity.commands',
        ledgerCommands: 'ledger.commands',
        reportingCommands: 'reporting.commands',
      },
    },
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
