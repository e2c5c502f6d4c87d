import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../platform/config/load';
import { allVariables, gatewayVariables, kafkaVariables, runtimeVariables } from '../../platform/config/variables';

const validEnvironment = {
  LOG_LEVEL: 'debug',
  SHUTDOWN_TIMEOUT_MS: '5000',
  HEALTH_CHECK_TIMEOUT_MS: '1500',
  KAFKA_BROKERS: '127.0.0.1:9092, kafka-2.internal:9093',
  KAFKA_CLIENT_ID: 'fleet',
  KAFKA_TOPIC_REPLICATION_FACTOR: '3',
  SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081/apis/ccompat/v7',
  DATABASE_URL: 'postgres://fleet_app:s3cret@127.0.0.1:5432/fleet',
  READ_DATABASE_URL: 'postgres://gateway_reader:s3cret@127.0.0.1:5432/fleet',
  DATABASE_POOL_SIZE_MAX: '20',
  DATABASE_STATEMENT_TIMEOUT_MS: '10000',
  DATABASE_ADMIN_URL: 'postgresql://postgres:adm1n@127.0.0.1:5432/fleet',
  REDIS_URL: 'redis://:pw@127.0.0.1:6379/0',
  PORT: '8081',
  HOST: '0.0.0.0',
  AUTH_ISSUER: 'https://login.fleet.example/',
  AUTH_AUDIENCE: 'fleet-api',
  AUTH_JWKS_URL: 'https://login.fleet.example/.well-known/jwks.json',
  AUTH_ALGORITHMS: 'EdDSA,RS256',
  TRACING_EXPORTER: 'otlp',
  TRACING_OTLP_ENDPOINT: 'https://collector.internal:4318/v1/traces',
  TRACING_SAMPLE_RATIO: '0.25',
};

function problemsFor(environment: Record<string, string | undefined>): readonly string[] {
  try {
    loadConfig(allVariables, environment);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('configuration from the environment', () => {
  it('reads every variable of a valid environment into typed values', () => {
    const config = loadConfig(allVariables, validEnvironment);
    expect(config).toEqual({
      logLevel: 'debug',
      shutdownTimeoutMs: 5000,
      healthCheckTimeoutMs: 1500,
      kafkaBrokers: ['127.0.0.1:9092', 'kafka-2.internal:9093'],
      kafkaClientId: 'fleet',
      kafkaDeliveryTimeoutMs: 30000,
      topicReplicationFactor: 3,
      schemaRegistryUrl: new URL('http://127.0.0.1:8081/apis/ccompat/v7'),
      schemaRegistryTimeoutMs: 10000,
      databaseUrl: new URL('postgres://fleet_app:s3cret@127.0.0.1:5432/fleet'),
      readDatabaseUrl: new URL('postgres://gateway_reader:s3cret@127.0.0.1:5432/fleet'),
      databasePoolSizeMax: 20,
      databaseStatementTimeoutMs: 10000,
      databaseAdminUrl: new URL('postgresql://postgres:adm1n@127.0.0.1:5432/fleet'),
      redisUrl: new URL('redis://:pw@127.0.0.1:6379/0'),
      port: 8081,
      host: '0.0.0.0',
      consumerBatchSizeMax: 200,
      consumerPartitionsConcurrently: 3,
      consumerCommitIntervalMs: 1000,
      failureAttemptsMax: 3,
      failureRetryBackoffMsMin: 1000,
      failureRetryBackoffMsMax: 60000,
      breakerWindowSize: 100,
      breakerFailurePercentMax: 50,
      breakerOpenMs: 60000,
      consumerRetryDelayMsMin: 200,
      consumerRetryDelayMsMax: 30000,
      opsPort: 9464,
      opsHost: '0.0.0.0',
      tracingExporter: 'otlp',
      tracingOtlpEndpoint: new URL('https://collector.internal:4318/v1/traces'),
      tracingSampleRatio: 0.25,
      outboxBatchSizeMax: 200,
      outboxPollIntervalMs: 1000,
      rentalOverdueSweepIntervalMs: 60000,
      maintenanceServiceDueSweepIntervalMs: 300000,
      authIssuer: 'https://login.fleet.example/',
      authAudience: 'fleet-api',
      authJwksUrl: new URL('https://login.fleet.example/.well-known/jwks.json'),
      authJwksFile: null,
      authAlgorithms: ['EdDSA', 'RS256'],
      authTokenCacheSeconds: 60,
      authJwksCacheSeconds: 300,
      authSubjectStatusCacheSeconds: 30,
      authSigningKeysFile: null,
      authAccessTokenTtlSeconds: 300,
      authRefreshTokenTtlSeconds: 1209600,
      authLoginAccountFailuresMax: 5,
      authLoginAddressAttemptsMax: 30,
      authLoginWindowSeconds: 900,
    });
  });

  it('applies the documented defaults to unset and empty variables', () => {
    const config = loadConfig({ ...runtimeVariables, ...gatewayVariables }, { PORT: '', LOG_LEVEL: undefined });
    expect(config).toEqual({ logLevel: 'info', shutdownTimeoutMs: 15000, healthCheckTimeoutMs: 2000, port: 8080, host: '127.0.0.1' });
  });

  it.each([
    ['LOG_LEVEL', 'loud', 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud")'],
    ['SHUTDOWN_TIMEOUT_MS', '10s', 'SHUTDOWN_TIMEOUT_MS must be an integer between 1000 and 120000 (got "10s")'],
    ['SHUTDOWN_TIMEOUT_MS', '999', 'SHUTDOWN_TIMEOUT_MS must be an integer between 1000 and 120000 (got "999")'],
    ['HEALTH_CHECK_TIMEOUT_MS', '1.5', 'HEALTH_CHECK_TIMEOUT_MS must be an integer between 100 and 30000 (got "1.5")'],
    ['KAFKA_BROKERS', 'localhost', 'KAFKA_BROKERS must be a comma-separated list of host:port pairs (e.g. 127.0.0.1:9092,kafka-2:9092) (got "localhost")'],
    ['KAFKA_BROKERS', 'kafka:70000', 'KAFKA_BROKERS must be a comma-separated list of host:port pairs (e.g. 127.0.0.1:9092,kafka-2:9092) (got "kafka:70000")'],
    ['KAFKA_TOPIC_REPLICATION_FACTOR', '0', 'KAFKA_TOPIC_REPLICATION_FACTOR must be an integer between 1 and 5 (got "0")'],
    ['SCHEMA_REGISTRY_URL', 'ftp://registry/', 'SCHEMA_REGISTRY_URL must be a URL starting with http:// or https:// (got "ftp://registry/")'],
    ['DATABASE_URL', 'mysql://root@db/fleet', 'DATABASE_URL must be a URL starting with postgres:// or postgresql:// (value hidden)'],
    ['DATABASE_POOL_SIZE_MAX', '500', 'DATABASE_POOL_SIZE_MAX must be an integer between 1 and 100 (got "500")'],
    ['DATABASE_ADMIN_URL', 'not a url', 'DATABASE_ADMIN_URL must be a URL starting with postgres:// or postgresql:// (value hidden)'],
    ['REDIS_URL', 'http://cache:6379', 'REDIS_URL must be a URL starting with redis:// or rediss:// (value hidden)'],
    ['PORT', '0', 'PORT must be an integer between 1 and 65535 (got "0")'],
    ['PORT', 'eighty', 'PORT must be an integer between 1 and 65535 (got "eighty")'],
    ['AUTH_ALGORITHMS', 'none', 'AUTH_ALGORITHMS must be one of EdDSA, ES256, ES384, RS256, RS384, RS512, PS256 (got "none")'],
    ['AUTH_ALGORITHMS', 'RS256,HS256', 'AUTH_ALGORITHMS must be one of EdDSA, ES256, ES384, RS256, RS384, RS512, PS256 (got "RS256,HS256")'],
    ['AUTH_JWKS_URL', 'file:///etc/jwks.json', 'AUTH_JWKS_URL must be a URL starting with https:// or http:// (got "file:///etc/jwks.json")'],
    ['RENTAL_OVERDUE_SWEEP_INTERVAL_MS', '999', 'RENTAL_OVERDUE_SWEEP_INTERVAL_MS must be an integer between 1000 and 3600000 (got "999")'],
    ['MAINTENANCE_SERVICE_DUE_SWEEP_INTERVAL_MS', 'hourly', 'MAINTENANCE_SERVICE_DUE_SWEEP_INTERVAL_MS must be an integer between 1000 and 86400000 (got "hourly")'],
    ['TRACING_EXPORTER', 'jaeger', 'TRACING_EXPORTER must be one of none, otlp (got "jaeger")'],
    ['TRACING_OTLP_ENDPOINT', 'grpc://collector:4317', 'TRACING_OTLP_ENDPOINT must be a URL starting with http:// or https:// (got "grpc://collector:4317")'],
    ['TRACING_SAMPLE_RATIO', '1.5', 'TRACING_SAMPLE_RATIO must be a decimal number between 0 and 1 (got "1.5")'],
    ['TRACING_SAMPLE_RATIO', '10%', 'TRACING_SAMPLE_RATIO must be a decimal number between 0 and 1 (got "10%")'],
    ['TRACING_SAMPLE_RATIO', '-0', 'TRACING_SAMPLE_RATIO must be a decimal number between 0 and 1 (got "-0")'],
  ])('rejects %s=%j with a message naming the variable', (name, value, message) => {
    expect(problemsFor({ ...validEnvironment, [name]: value })).toEqual([message]);
  });

  it.each([
    ['0', 0],
    ['1', 1],
    ['0.1', 0.1],
    ['.5', 0.5],
    ['1.00', 1],
    [' 0.05 ', 0.05],
  ])('reads TRACING_SAMPLE_RATIO=%j as %d', (raw, ratio) => {
    expect(loadConfig(allVariables, { ...validEnvironment, TRACING_SAMPLE_RATIO: raw }).tracingSampleRatio).toBe(ratio);
  });

  it('names a missing required variable and what it is for', () => {
    expect(problemsFor({ ...validEnvironment, KAFKA_BROKERS: undefined })).toEqual([
      'KAFKA_BROKERS is required: Kafka bootstrap servers, comma-separated host:port pairs',
    ]);
  });

  it('reports every bad variable at once, in one error', () => {
    expect(() => loadConfig(kafkaVariables, { KAFKA_CLIENT_ID: ' '.repeat(3) })).toThrow(ConfigError);
    expect(problemsFor({ ...validEnvironment, PORT: '-1', REDIS_URL: 'nope', LOG_LEVEL: 'x' })).toHaveLength(3);
  });

  it('never repeats a secret value in an error message', () => {
    const error = (() => {
      try {
        loadConfig(allVariables, { ...validEnvironment, DATABASE_URL: 'mysql://user:hunter2@db/fleet' });
      } catch (caught) {
        return caught as Error;
      }
      return undefined;
    })();
    expect(error?.message).toContain('DATABASE_URL');
    expect(error?.message).not.toContain('hunter2');
  });

  it('documents every variable in docs/configuration.md', () => {
    const documentation = readFileSync(path.join(__dirname, '../../docs/configuration.md'), 'utf8');
    const undocumented = Object.values(allVariables)
      .map((definition) => definition.name)
      .filter((name) => !documentation.includes(`\`${name}\``));
    expect(undocumented).toEqual([]);
  });
});
