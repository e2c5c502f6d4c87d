import { variable } from './load';
import { fraction, hostPortList, integer, nonEmptyText, oneOf, url } from './parsers';
import { TRACING_EXPORTERS } from '../tracing-exporters';

/**
 * Every environment variable the services and tools read, grouped by what needs it. A service
 * composes the groups it uses (`{ ...runtimeVariables, ...kafkaVariables }`) and validates them
 * at start-up with `loadConfig`. docs/configuration.md documents each one; a unit test keeps the
 * two in step.
 */

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const runtimeVariables = {
  logLevel: variable({
    name: 'LOG_LEVEL',
    description: 'the lowest pino level written to the log',
    defaultValue: 'info',
    parse: oneOf(LOG_LEVELS),
  }),
  shutdownTimeoutMs: variable({
    name: 'SHUTDOWN_TIMEOUT_MS',
    description: 'how long a graceful shutdown may take before the process exits anyway',
    defaultValue: '15000',
    parse: integer({ min: 1_000, max: 120_000 }),
  }),
  healthCheckTimeoutMs: variable({
    name: 'HEALTH_CHECK_TIMEOUT_MS',
    description: 'how long a readiness probe waits for each dependency before reporting it down',
    defaultValue: '2000',
    parse: integer({ min: 100, max: 30_000 }),
  }),
};

export const kafkaVariables = {
  kafkaBrokers: variable({
    name: 'KAFKA_BROKERS',
    description: 'Kafka bootstrap servers, comma-separated host:port pairs',
    parse: hostPortList(),
  }),
  kafkaClientId: variable({
    name: 'KAFKA_CLIENT_ID',
    description: 'prefix of the client id each Kafka client reports to the brokers',
    defaultValue: 'fleet',
    parse: nonEmptyText({ maxLength: 100 }),
  }),
  kafkaDeliveryTimeoutMs: variable({
    name: 'KAFKA_DELIVERY_TIMEOUT_MS',
    description: 'how long a produced record may wait for the broker to acknowledge it before the send fails',
    defaultValue: '30000',
    parse: integer({ min: 1_000, max: 300_000 }),
  }),
};

export const topicVariables = {
  topicReplicationFactor: variable({
    name: 'KAFKA_TOPIC_REPLICATION_FACTOR',
    description: 'replication factor of the topics the project creates (3 in production, 1 on a single local broker)',
    defaultValue: '1',
    parse: integer({ min: 1, max: 5 }),
  }),
};

export const schemaRegistryVariables = {
  schemaRegistryUrl: variable({
    name: 'SCHEMA_REGISTRY_URL',
    description: 'base URL of the Confluent-compatible schema registry API (for Apicurio, ending in /apis/ccompat/v7)',
    parse: url(['http', 'https']),
  }),
  schemaRegistryTimeoutMs: variable({
    name: 'SCHEMA_REGISTRY_TIMEOUT_MS',
    description: 'how long one request to the schema registry may take before it fails and is retried',
    defaultValue: '10000',
    parse: integer({ min: 100, max: 120_000 }),
  }),
};

export const databaseVariables = {
  databaseUrl: variable({
    name: 'DATABASE_URL',
    description: "the service's PostgreSQL connection URL",
    secret: true,
    parse: url(['postgres', 'postgresql']),
  }),
  databasePoolSizeMax: variable({
    name: 'DATABASE_POOL_SIZE_MAX',
    description: 'most PostgreSQL connections one process holds',
    defaultValue: '10',
    parse: integer({ min: 1, max: 100 }),
  }),
  databaseStatementTimeoutMs: variable({
    name: 'DATABASE_STATEMENT_TIMEOUT_MS',
    description: 'PostgreSQL statement_timeout for the service connections',
    defaultValue: '30000',
    parse: integer({ min: 100, max: 600_000 }),
  }),
};

export const databaseAdminVariables = {
  databaseAdminUrl: variable({
    name: 'DATABASE_ADMIN_URL',
    description: 'a PostgreSQL superuser connection URL, for migrations and role set-up only',
    secret: true,
    parse: url(['postgres', 'postgresql']),
  }),
};

export const redisVariables = {
  redisUrl: variable({
    name: 'REDIS_URL',
    description: 'Redis connection URL (redis:// or rediss://), for ephemeral data only',
    secret: true,
    parse: url(['redis', 'rediss']),
  }),
};

/** The gateway's second pool: the read-only login that may only SELECT the views contexts publish. */
export const readDatabaseVariables = {
  readDatabaseUrl: variable({
    name: 'READ_DATABASE_URL',
    description: "the read-only login (gateway_reader) the gateway's queries use; it can read the published views and nothing else",
    secret: true,
    parse: url(['postgres', 'postgresql']),
  }),
};

export const gatewayVariables = {
  port: variable({
    name: 'PORT',
    description: 'TCP port the gateway listens on',
    defaultValue: '8080',
    parse: integer({ min: 1, max: 65_535 }),
  }),
  host: variable({
    name: 'HOST',
    description: 'address the gateway binds (0.0.0.0 in a container)',
    defaultValue: '127.0.0.1',
    parse: nonEmptyText({ maxLength: 255 }),
  }),
};

const JWT_ALGORITHMS = ['EdDSA', 'ES256', 'ES384', 'RS256', 'RS384', 'RS512', 'PS256'] as const;

export const authVariables = {
  authIssuer: variable({
    name: 'AUTH_ISSUER',
    description: "the `iss` every accepted token must carry (the identity provider's issuer)",
    parse: nonEmptyText({ maxLength: 500 }),
  }),
  authAudience: variable({
    name: 'AUTH_AUDIENCE',
    description: 'the `aud` every accepted token must include',
    parse: nonEmptyText({ maxLength: 500 }),
  }),
  authJwksUrl: variable({
    name: 'AUTH_JWKS_URL',
    description: "the identity provider's JWKS URL; empty to use AUTH_JWKS_FILE",
    defaultValue: 'none',
    parse: (raw) => (raw.trim() === 'none' ? null : url(['https', 'http'])(raw)),
  }),
  authJwksFile: variable({
    name: 'AUTH_JWKS_FILE',
    description: 'a local JWKS file (development keys); used when AUTH_JWKS_URL is unset',
    defaultValue: 'none',
    parse: (raw) => (raw.trim() === 'none' ? null : nonEmptyText({ maxLength: 4096 })(raw)),
  }),
  authAlgorithms: variable({
    name: 'AUTH_ALGORITHMS',
    description: 'the JWS algorithms accepted, comma-separated (never none or HMAC)',
    defaultValue: 'EdDSA,ES256,RS256',
    parse: (raw) => raw.split(',').map((algorithm) => oneOf(JWT_ALGORITHMS)(algorithm)),
  }),
  authTokenCacheSeconds: variable({
    name: 'AUTH_TOKEN_CACHE_SECONDS',
    description: 'how long a verified token is trusted without checking its signature again (never past its exp); 0 checks every request',
    defaultValue: '60',
    parse: integer({ min: 0, max: 3_600 }),
  }),
  authJwksCacheSeconds: variable({
    name: 'AUTH_JWKS_CACHE_SECONDS',
    description: 'how long keys fetched from AUTH_JWKS_URL are kept (a key the provider retired stops verifying after this)',
    defaultValue: '300',
    parse: integer({ min: 10, max: 86_400 }),
  }),
  authSubjectStatusCacheSeconds: variable({
    name: 'AUTH_SUBJECT_STATUS_CACHE_SECONDS',
    description: "how long a token subject's active/disabled status is cached in Redis: a disabled user's tokens stop working within this",
    defaultValue: '30',
    parse: integer({ min: 1, max: 3_600 }),
  }),
};

/** The token service (OAuth 2.0 authorization server) the gateway runs when it has signing keys. */
export const tokenServiceVariables = {
  authSigningKeysFile: variable({
    name: 'AUTH_SIGNING_KEYS_FILE',
    description: 'a JWK set file of private signing keys (first signs, the second still verifies); none: the gateway issues no tokens',
    defaultValue: 'none',
    parse: (raw) => (raw.trim() === 'none' ? null : nonEmptyText({ maxLength: 4096 })(raw)),
  }),
  authAccessTokenTtlSeconds: variable({
    name: 'AUTH_ACCESS_TOKEN_TTL_SECONDS',
    description: 'lifetime of an issued access token',
    defaultValue: '300',
    parse: integer({ min: 30, max: 3_600 }),
  }),
  authRefreshTokenTtlSeconds: variable({
    name: 'AUTH_REFRESH_TOKEN_TTL_SECONDS',
    description: 'lifetime of an issued refresh token (each use replaces it with a new one)',
    defaultValue: '1209600',
    parse: integer({ min: 300, max: 7_776_000 }),
  }),
  authLoginAccountFailuresMax: variable({
    name: 'AUTH_LOGIN_ACCOUNT_FAILURES_MAX',
    description: 'failed sign-ins one account (or client secret) may have in a window before it is answered 429',
    defaultValue: '5',
    parse: integer({ min: 1, max: 1_000 }),
  }),
  authLoginAddressAttemptsMax: variable({
    name: 'AUTH_LOGIN_ADDRESS_ATTEMPTS_MAX',
    description: 'sign-in attempts one client address may make in a window before it is answered 429',
    defaultValue: '30',
    parse: integer({ min: 1, max: 100_000 }),
  }),
  authLoginWindowSeconds: variable({
    name: 'AUTH_LOGIN_WINDOW_SECONDS',
    description: 'length of the sign-in rate-limit window, from the first attempt counted',
    defaultValue: '900',
    parse: integer({ min: 1, max: 86_400 }),
  }),
};

/** The operations endpoint every service serves: health and metrics. */
export const opsVariables = {
  opsPort: variable({
    name: 'OPS_PORT',
    description: 'port of the service\'s operations endpoint: /health/live, /health/ready and /metrics',
    defaultValue: '9464',
    parse: integer({ min: 1, max: 65_535 }),
  }),
  opsHost: variable({
    name: 'OPS_HOST',
    description: 'interface the operations endpoint listens on',
    defaultValue: '0.0.0.0',
    parse: nonEmptyText({ maxLength: 255 }),
  }),
  tracingExporter: variable({
    name: 'TRACING_EXPORTER',
    description: 'where finished spans go: otlp (to TRACING_OTLP_ENDPOINT) or none (trace ids still reach logs and headers)',
    defaultValue: 'none',
    parse: oneOf(TRACING_EXPORTERS),
  }),
  tracingOtlpEndpoint: variable({
    name: 'TRACING_OTLP_ENDPOINT',
    description: 'the OTLP/HTTP traces endpoint of a collector, used when TRACING_EXPORTER is otlp',
    defaultValue: 'http://localhost:4318/v1/traces',
    parse: url(['http', 'https']),
  }),
  tracingSampleRatio: variable({
    name: 'TRACING_SAMPLE_RATIO',
    description: 'share of new traces recorded, 0 to 1; a trace begun by a caller follows the caller\'s choice',
    defaultValue: '1',
    parse: fraction(),
  }),
};

export const processorVariables = {
  ...opsVariables,
  consumerBatchSizeMax: variable({
    name: 'CONSUMER_BATCH_SIZE_MAX',
    description: 'most messages handled in one batch, which is one PostgreSQL transaction',
    defaultValue: '200',
    parse: integer({ min: 1, max: 5_000 }),
  }),
  consumerPartitionsConcurrently: variable({
    name: 'CONSUMER_PARTITIONS_CONCURRENTLY',
    description: 'partitions a processor handles at once, each batch on its own connection (keep below DATABASE_POOL_SIZE_MAX)',
    defaultValue: '3',
    parse: integer({ min: 1, max: 64 }),
  }),
  consumerCommitIntervalMs: variable({
    name: 'CONSUMER_COMMIT_INTERVAL_MS',
    description: 'how often offsets of committed batches go to Kafka (a crash redelivers at most this much, deduplicated by the inbox)',
    defaultValue: '1000',
    parse: integer({ min: 100, max: 60_000 }),
  }),
  consumerRetryDelayMsMin: variable({
    name: 'CONSUMER_RETRY_DELAY_MS_MIN',
    description: 'first wait before a failed batch is delivered again (doubling each time)',
    defaultValue: '200',
    parse: integer({ min: 10, max: 60_000 }),
  }),
  consumerRetryDelayMsMax: variable({
    name: 'CONSUMER_RETRY_DELAY_MS_MAX',
    description: 'longest wait between deliveries of a failing batch, and between failed outbox publications',
    defaultValue: '30000',
    parse: integer({ min: 100, max: 600_000 }),
  }),
  failureAttemptsMax: variable({
    name: 'FAILURE_ATTEMPTS_MAX',
    description: 'processing attempts a failing message gets in all before it is dead-lettered',
    defaultValue: '3',
    parse: integer({ min: 1, max: 20 }),
  }),
  failureRetryBackoffMsMin: variable({
    name: 'FAILURE_RETRY_BACKOFF_MS_MIN',
    description: 'wait before the first retry of a failed message, doubling with each attempt',
    defaultValue: '1000',
    parse: integer({ min: 10, max: 3_600_000 }),
  }),
  failureRetryBackoffMsMax: variable({
    name: 'FAILURE_RETRY_BACKOFF_MS_MAX',
    description: 'longest wait between two attempts of a failed message',
    defaultValue: '60000',
    parse: integer({ min: 10, max: 86_400_000 }),
  }),
  breakerWindowSize: variable({
    name: 'BREAKER_WINDOW_SIZE',
    description: 'how many of the latest messages the breaker judges the failure share over',
    defaultValue: '100',
    parse: integer({ min: 1, max: 100_000 }),
  }),
  breakerFailurePercentMax: variable({
    name: 'BREAKER_FAILURE_PERCENT_MAX',
    description: 'the group stops when more than this percentage of the window failed',
    defaultValue: '50',
    parse: integer({ min: 1, max: 100 }),
  }),
  breakerOpenMs: variable({
    name: 'BREAKER_OPEN_MS',
    description: 'how long a stopped group waits before it lets messages through again',
    defaultValue: '60000',
    parse: integer({ min: 100, max: 86_400_000 }),
  }),
  outboxBatchSizeMax: variable({
    name: 'OUTBOX_BATCH_SIZE_MAX',
    description: 'most outbox rows the relay publishes in one transaction',
    defaultValue: '200',
    parse: integer({ min: 1, max: 10_000 }),
  }),
  outboxPollIntervalMs: variable({
    name: 'OUTBOX_POLL_INTERVAL_MS',
    description: 'how often the relay looks for unpublished rows when no NOTIFY woke it',
    defaultValue: '1000',
    parse: integer({ min: 50, max: 60_000 }),
  }),
};

/** How often each context looks for facts that time brings about (see processors/runtime/scheduled-task.ts). */
export const rentalSweepVariables = {
  rentalOverdueSweepIntervalMs: variable({
    name: 'RENTAL_OVERDUE_SWEEP_INTERVAL_MS',
    description: 'how often the rental processor looks for active rentals past their end and grace, to announce them overdue',
    defaultValue: '60000',
    parse: integer({ min: 1_000, max: 3_600_000 }),
  }),
};

export const maintenanceSweepVariables = {
  maintenanceServiceDueSweepIntervalMs: variable({
    name: 'MAINTENANCE_SERVICE_DUE_SWEEP_INTERVAL_MS',
    description: 'how often the maintenance processor looks for vehicles whose service falls due by time',
    defaultValue: '300000',
    parse: integer({ min: 1_000, max: 86_400_000 }),
  }),
};

/** Every group, for the documentation check and for tools that print the effective configuration. */
export const allVariables = {
  ...runtimeVariables,
  ...kafkaVariables,
  ...topicVariables,
  ...schemaRegistryVariables,
  ...databaseVariables,
  ...databaseAdminVariables,
  ...readDatabaseVariables,
  ...redisVariables,
  ...gatewayVariables,
  ...processorVariables,
  ...rentalSweepVariables,
  ...maintenanceSweepVariables,
  ...authVariables,
  ...tokenServiceVariables,
};
