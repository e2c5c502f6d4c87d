import type { KafkaJS } from '@confluentinc/kafka-javascript';
import { Redis } from 'ioredis';
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createGatewayApp } from '../../gateway/app';
import { createAuth } from '../../gateway/auth/auth-setup';
import type { LoginLimitOptions } from '../../gateway/auth/login-limits';
import { TokenVerifier } from '../../gateway/auth/token-verifier';
import { CommandResultsConsumer, CommandWaiter } from '../../gateway/commands/command-results';
import { CommandStatusRepository } from '../../gateway/commands/command-status.repository';
import { CommandSubmitter } from '../../gateway/commands/command-submitter';
import { IdempotencyStore } from '../../gateway/commands/idempotency';
import { AccountingQueries } from '../../gateway/queries/accounting.queries';
import { IdentityQueries } from '../../gateway/queries/identity.queries';
import { MaintenanceQueries } from '../../gateway/queries/maintenance.queries';
import { RentalQueries } from '../../gateway/queries/rental.queries';
import { VehicleQueries } from '../../gateway/queries/vehicle.queries';
import { AvroCodec } from '../../platform/avro-codec';
import { createDatabase } from '../../platform/database';
import { deadLetterTopicOf, retryTopicOf } from '../../platform/failure-records';
import { createIdempotentProducer, createKafka } from '../../platform/kafka';
import { writeMetadata } from '../../platform/message-headers';
import { createSchemaRegistry } from '../../platform/schema-registry';
import { CatalogRepository } from '../../processors/rental/catalog.repository';
import { rentalContextHandlers } from '../../processors/rental/rental-context.handlers';
import { RentalRepository } from '../../processors/rental/rental.repository';
import { identityHandlers } from '../../processors/identity/identity.handlers';
import { IdentityRepository } from '../../processors/identity/identity.repository';
import { maintenanceHandlers } from '../../processors/maintenance/maintenance.handlers';
import { MaintenanceRepository } from '../../processors/maintenance/maintenance.repository';
import { ledgerHandlers } from '../../processors/ledger/ledger.handlers';
import { LedgerRepository } from '../../processors/ledger/ledger.repository';
import { reportingHandlers } from '../../processors/reporting/reporting.handlers';
import { ReportingRepository } from '../../processors/reporting/reporting.repository';
import { ReportQueries } from '../../gateway/queries/report.queries';
import type { ContextProcessor } from '../../processors/runtime/context-processor';
import { devKeyPaths, ensureDevKeys, signDevToken } from '../../tools/dev-token-keys';
import { startContextProcessor } from './context-processor';
import { ScratchDatabase } from './database';
import { eventually } from './eventually';
import { startFleetProcessor } from './fleet-processor';
import { uniqueName } from './names';
import { silentLogger } from './silent-logger';
import { stackEnv } from './stack-env';

export const ISSUER = 'http://fleet-e2e.test';
export const AUDIENCE = 'fleet-api';
export const AGENT = '7d2c4e6a-8b0f-4a1c-9e3d-5f7a9b1c3d5e';

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
}

/** How the harness's token service and disabled-subject check are set (tests shorten the bounds). */
export interface HarnessAuthOptions {
  readonly subjectStatusCacheSeconds?: number;
  readonly accessTokenTtlSeconds?: number;
  readonly loginLimits?: Partial<LoginLimitOptions>;
  /** The JWKS the gateway trusts; the harness's own key set when not given. */
  readonly jwksUrl?: URL;
}

/** The harness's settings: the token service's, and whether it runs the ledger processor itself. */
export interface HarnessOptions extends HarnessAuthOptions {
  /** False for a test that runs the ledger its own way (on its own topics, with its own group). */
  readonly ledger?: boolean;
  /** True to run the reporting processor too, following the fleet, rental, maintenance and ledger events. */
  readonly reporting?: boolean;
}

export interface ObservedEvent {
  readonly key: string;
  readonly type: string;
  readonly value: Record<string, unknown>;
}

/**
 * The whole system end to end on the real stack, for tests: the gateway app on a random port, the
 * fleet, rental and maintenance processors following each other's events topics as they do in
 * production (the fleet follows rentals and the workshop; rentals follow the fleet and the
 * workshop; the workshop follows the fleet), the command results consumer, an observer of every
 * events topic, and a scratch database with every migration. Topics are unique per harness.
 */
export class SystemHarness {
  readonly database = new ScratchDatabase();
  readonly topics = {
    fleetCommands: uniqueName('e2e.fleet.commands'),
    fleetEvents: uniqueName('e2e.fleet.events'),
    rentalCommands: uniqueName('e2e.rental.commands'),
    rentalEvents: uniqueName('e2e.rental.events'),
    maintenanceEvents: uniqueName('e2e.maintenance.events'),
    maintenanceCommands: uniqueName('e2e.maintenance.commands'),
    identityCommands: uniqueName('e2e.identity.commands'),
    identityEvents: uniqueName('e2e.identity.events'),
    ledgerCommands: uniqueName('e2e.ledger.commands'),
    ledgerEvents: uniqueName('e2e.ledger.events'),
    reportingCommands: uniqueName('e2e.reporting.commands'),
    reportingEvents: uniqueName('e2e.reporting.events'),
    results: uniqueName('e2e.command.results'),
  };
  private readonly env = stackEnv();
  private readonly keysDir = mkdtempSync(path.join(tmpdir(), 'system-e2e-keys-'));
  private readonly kafka = createKafka({ brokers: this.env.kafkaBrokers, clientId: 'system-e2e', logger: silentLogger });
  private readonly admin = this.kafka.admin();
  private readonly producer = createIdempotentProducer(this.kafka);
  readonly codec = new AvroCodec(createSchemaRegistry(this.env.schemaRegistryUrl));
  private readonly publisher = new Redis(this.env.redisUrl.toString());
  private readonly waiter = new CommandWaiter(new Redis(this.env.redisUrl.toString()));
  private readonly resultsGroup = uniqueName('system-e2e-gateway');
  private observer: KafkaJS.Consumer | undefined;
  /** Every event the contexts published, by events topic, in the order it arrived. */
  readonly events = new Map<string, ObservedEvent[]>();
  private databases: Knex[] = [];
  private processors: ContextProcessor[] = [];
  private results: CommandResultsConsumer | undefined;
  private server: Server | undefined;
  private signingKey: Awaited<ReturnType<typeof ensureDevKeys>> | undefined;
  /** Each processor's own login on the scratch database, to look at what it wrote. */
  fleet!: Knex;
  rental!: Knex;
  maintenance!: Knex;
  identity!: Knex;
  ledger!: Knex;
  reporting!: Knex;
  baseUrl = '';

  constructor(private readonly authOptions: HarnessOptions = {}) {}

  /** The token service's key file (private keys, the first signs) and the JWKS the gateway trusts. */
  get keyFiles(): { signingKeys: string; jwks: string } {
    return devKeyPaths(this.keysDir);
  }

  async start(): Promise<void> {
    await this.database.create({ migrate: true });
    this.signingKey = await ensureDevKeys(this.keysDir);
    await this.admin.connect();
    await this.admin.createTopics({ topics: Object.values(this.topics).map((topic) => ({ topic, numPartitions: 2, replicationFactor: 1 })) });
    // A produce to a topic whose partitions have no leader yet is refused (the gateway would answer 503).
    await eventually(
      async () => {
        const metadata = await this.admin.fetchTopicMetadata({ topics: Object.values(this.topics) }).catch(() => undefined);
        return metadata?.every((topic) => topic.partitions.length === 2 && topic.partitions.every((partition) => partition.leader >= 0)) === true ? true : undefined;
      },
      30_000,
      'the test topics to have partition leaders',
    );
    await this.producer.connect();
    const login = (role: string, poolSizeMax = 4) => {
      const knex = createDatabase({ url: this.database.urlFor(role), poolSizeMax, statementTimeoutMs: 10_000, applicationName: `rental-e2e-${role}` });
      this.databases.push(knex);
      return knex;
    };
    const gateway = login('gateway_svc', 8);
    this.fleet = login('fleet_svc');
    this.rental = login('rental_svc');
    this.maintenance = login('maintenance_svc');
    this.identity = login('identity_svc');
    this.ledger = login('accounting_svc');
    this.reporting = login('reporting_svc');
    const reader = login('gateway_reader', 2);
    const statuses = new CommandStatusRepository(gateway);
    const common = { kafka: this.kafka, producer: this.producer, codec: this.codec };
    const topics = (context: 'fleet' | 'rental' | 'maintenance' | 'identity' | 'ledger' | 'reporting', subscriptions: string[]) => ({
      commands: this.topics[`${context}Commands`],
      events: this.topics[`${context}Events`],
      results: this.topics.results,
      subscriptions,
    });
    this.processors.push(
      await startFleetProcessor({
        ...common,
        database: this.fleet,
        databaseUrl: this.database.urlFor('fleet_svc'),
        topics: topics('fleet', [this.topics.rentalEvents, this.topics.maintenanceEvents]),
      }),
      await startContextProcessor('rental', rentalContextHandlers(new RentalRepository(), new CatalogRepository()), {
        ...common,
        database: this.rental,
        databaseUrl: this.database.urlFor('rental_svc'),
        topics: topics('rental', [this.topics.fleetEvents, this.topics.maintenanceEvents]),
      }),
      await startContextProcessor('maintenance', maintenanceHandlers(new MaintenanceRepository()), {
        ...common,
        database: this.maintenance,
        databaseUrl: this.database.urlFor('maintenance_svc'),
        topics: topics('maintenance', [this.topics.fleetEvents]),
      }),
      await startContextProcessor('identity', identityHandlers(new IdentityRepository()), {
        ...common,
        database: this.identity,
        databaseUrl: this.database.urlFor('identity_svc'),
        topics: topics('identity', []),
      }),
    );
    if (this.authOptions.ledger ?? true) {
      this.processors.push(
        await startContextProcessor('accounting', ledgerHandlers(new LedgerRepository()), {
          ...common,
          database: this.ledger,
          databaseUrl: this.database.urlFor('accounting_svc'),
          topics: topics('ledger', [this.topics.rentalEvents, this.topics.maintenanceEvents]),
        }),
      );
    }
    if (this.authOptions.reporting === true) {
      this.processors.push(
        await startContextProcessor('reporting', reportingHandlers(new ReportingRepository()), {
          ...common,
          database: this.reporting,
          databaseUrl: this.database.urlFor('reporting_svc'),
          topics: topics('reporting', [this.topics.fleetEvents, this.topics.rentalEvents, this.topics.maintenanceEvents, this.topics.ledgerEvents]),
        }),
      );
    }
    const eventTopics = [this.topics.fleetEvents, this.topics.rentalEvents, this.topics.maintenanceEvents, this.topics.identityEvents, this.topics.ledgerEvents, this.topics.reportingEvents];
    for (const topic of eventTopics) this.events.set(topic, []);
    this.observer = this.kafka.consumer({ kafkaJS: { groupId: uniqueName('system-e2e-observer'), fromBeginning: true } });
    await this.observer.connect();
    await this.observer.subscribe({ topics: eventTopics });
    await this.observer.run({
      eachMessage: async ({ topic, message }) => {
        const type = String(message.headers?.['message-type'] ?? '');
        this.events.get(topic)!.push({ key: String(message.key), type, value: (await this.codec.decode(message.value as Buffer)) as Record<string, unknown> });
      },
    });
    this.results = new CommandResultsConsumer(
      this.kafka,
      this.producer,
      this.codec,
      statuses,
      this.publisher,
      { topic: this.topics.results, groupId: this.resultsGroup, outageDelayMsMin: 200, outageDelayMsMax: 2_000 },
      silentLogger,
    );
    await this.results.start();
    await this.waiter.start();
    const auth = createAuth(
      gateway,
      this.publisher,
      {
        issuer: ISSUER,
        audience: AUDIENCE,
        subjectStatusCacheSeconds: this.authOptions.subjectStatusCacheSeconds ?? 2,
        tokenService: {
          signingKeysFile: devKeyPaths(this.keysDir).signingKeys,
          accessTokenTtlSeconds: this.authOptions.accessTokenTtlSeconds ?? 300,
          refreshTokenTtlSeconds: 3_600,
          loginLimits: { accountFailuresMax: 5, addressAttemptsMax: 1_000, windowSeconds: 60, ...this.authOptions.loginLimits },
        },
      },
      silentLogger,
    );
    const app = createGatewayApp({
      logger: silentLogger,
      probes: [],
      healthCheckTimeoutMs: 1_000,
      oauth: auth.oauth!,
      api: {
        verifier: new TokenVerifier({
          issuer: ISSUER,
          audience: AUDIENCE,
          algorithms: ['EdDSA', 'RS256'],
          jwksUrl: this.authOptions.jwksUrl ?? null,
          jwksFile: devKeyPaths(this.keysDir).jwks,
          jwksCacheSeconds: 10,
        }),
        subjects: auth.subjects,
        submitter: new CommandSubmitter(this.producer, this.codec, statuses),
        idempotency: new IdempotencyStore(this.publisher),
        statuses,
        waiter: this.waiter,
        vehicles: new VehicleQueries(reader),
        rentals: new RentalQueries(reader),
        maintenance: new MaintenanceQueries(reader),
        identity: new IdentityQueries(reader),
        accounting: new AccountingQueries(reader),
        reports: new ReportQueries(reader),
        topics: {
          fleetCommands: this.topics.fleetCommands,
          rentalCommands: this.topics.rentalCommands,
          maintenanceCommands: this.topics.maintenanceCommands,
          identityCommands: this.topics.identityCommands,
          ledgerCommands: this.topics.ledgerCommands,
          reportingCommands: this.topics.reportingCommands,
        },
      },
    });
    this.server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => this.server!.once('listening', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.close();
    await this.observer?.disconnect();
    await this.results?.stop();
    await this.waiter.stop();
    this.publisher.disconnect();
    for (const processor of this.processors) await processor.stop();
    await this.producer.disconnect();
    await this.admin.deleteTopics({ topics: [...Object.values(this.topics), retryTopicOf(this.resultsGroup), deadLetterTopicOf(this.resultsGroup)] }).catch(() => undefined);
    await this.admin.disconnect();
    for (const knex of this.databases) await knex.destroy();
    await this.database.drop();
    rmSync(this.keysDir, { recursive: true, force: true });
  }

  token(claims: { roles?: string[]; permissions?: string[]; subject?: string } = {}): Promise<string> {
    return signDevToken(this.signingKey!, {
      subject: claims.subject ?? AGENT,
      roles: claims.roles ?? ['admin'],
      permissions: claims.permissions ?? [],
      issuer: ISSUER,
      audience: AUDIENCE,
      expiresInSeconds: 600,
    });
  }

  /** A request as `subject` with `roles` (an admin unless said), waiting up to 20 s for a command's outcome. */
  async send(
    method: string,
    route: string,
    body?: unknown,
    options: { roles?: string[]; subject?: string; headers?: Record<string, string>; wait?: boolean } = {},
  ): Promise<Answer> {
    const token = await this.token({ roles: options.roles ?? ['admin'], ...(options.subject === undefined ? {} : { subject: options.subject }) });
    const headers: Record<string, string> = { Authorization: `Bearer ${token}`, ...options.headers };
    if (options.wait ?? true) headers.Prefer = 'wait=20';
    return this.request(method, route, headers, body);
  }

  private async request(method: string, route: string, headers: Record<string, string>, body?: unknown): Promise<Answer> {
    if (body !== undefined && headers['Content-Type'] === undefined) headers['Content-Type'] = 'application/json';
    const encoded = body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) };
    const response = await fetch(`${this.baseUrl}${route}`, { method, headers, ...encoded });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
  }

  /** A GET answered as text (a CSV, an SVG), as `roles` with the given headers. */
  async getText(route: string, options: { roles?: string[]; headers?: Record<string, string> } = {}): Promise<{ status: number; headers: Headers; text: string }> {
    const token = await this.token({ roles: options.roles ?? ['admin'] });
    const response = await fetch(`${this.baseUrl}${route}`, { headers: { Authorization: `Bearer ${token}`, ...options.headers } });
    return { status: response.status, headers: response.headers, text: await response.text() };
  }

  /** A request to the token service (form-encoded, as RFC 6749 asks), from `address` when given. */
  async tokenRequest(path: string, form: Record<string, string>, options: { address?: string; basic?: [string, string] } = {}): Promise<Answer> {
    const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded' };
    if (options.address !== undefined) headers['X-Forwarded-For'] = options.address;
    if (options.basic !== undefined) headers.Authorization = `Basic ${Buffer.from(options.basic.map(encodeURIComponent).join(':')).toString('base64')}`;
    return this.request('POST', path, headers, new URLSearchParams(form).toString());
  }

  /** A request with a bearer token of the caller's choosing (or none). */
  async sendWithToken(method: string, route: string, token: string | null, body?: unknown): Promise<Answer> {
    return this.request(method, route, token === null ? { Prefer: 'wait=20' } : { Prefer: 'wait=20', Authorization: `Bearer ${token}` }, body);
  }

  /**
   * A command's answer once it is decided: a 202 still pending when `send` stopped waiting (a
   * loaded machine) is followed on its status URL, as the same caller, until it is decided.
   */
  async decided(answer: Answer, options: { roles?: string[]; subject?: string } = {}): Promise<Answer> {
    let current = answer;
    for (let attempt = 0; current.status === 202 && typeof current.body.commandId === 'string' && attempt < 5; attempt += 1) {
      current = await this.send('GET', `/v1/commands/${current.body.commandId}`, undefined, options);
    }
    return current;
  }

  get(route: string, options: { roles?: string[]; subject?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
    return this.send('GET', route, undefined, { ...options, wait: false });
  }

  /** How many commands have reached a context's commands topic so far. */
  async commandsProduced(context: 'fleet' | 'rental' | 'maintenance' | 'identity' | 'ledger' | 'reporting'): Promise<number> {
    const offsets = await this.admin.fetchTopicOffsets(this.topics[`${context}Commands`]);
    return offsets.reduce((sum, partition) => sum + Number(partition.high), 0);
  }

  /** Every record on a topic so far as raw bytes (key, value and header values), to check what travels on it. */
  async rawRecords(topic: string): Promise<Buffer[]> {
    const offsets = await this.admin.fetchTopicOffsets(topic);
    const expected = offsets.reduce((sum, partition) => sum + Number(partition.high), 0);
    const records: Buffer[] = [];
    const consumer = this.kafka.consumer({ kafkaJS: { groupId: uniqueName('system-e2e-raw'), fromBeginning: true } });
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [topic] });
      await consumer.run({
        eachMessage: async ({ message }) => {
          const headers = Object.values(message.headers ?? {}).flatMap((value) => (value === undefined ? [] : [Buffer.from(value as Buffer | string)]));
          records.push(Buffer.concat([Buffer.from(message.key ?? ''), message.value ?? Buffer.alloc(0), ...headers]));
        },
      });
      await eventually(async () => (records.length >= expected ? true : undefined), 30_000, `${expected} records of ${topic}`);
    } finally {
      await consumer.disconnect();
    }
    return records;
  }

  /** Registers a vehicle through the fleet and waits until the rental context's copy has it. */
  async registerVehicle(plateNumber: string, vehicleClass: string): Promise<string> {
    const answer = await this.send('POST', '/v1/vehicles', { plateNumber, make: 'Skoda', model: 'Fabia', year: 2025, vehicleClass });
    if (answer.status !== 201) throw new Error(`registering ${plateNumber} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    const vehicleId = answer.body.aggregateId as string;
    await this.projected(vehicleId, (row) => row !== undefined);
    return vehicleId;
  }

  /** Waits until the rental context's copy of a vehicle satisfies `ready`. */
  async projected(vehicleId: string, ready: (row: { status: string; location_id: string | null } | undefined) => boolean): Promise<void> {
    await eventually(
      async () => {
        const row: { status: string; location_id: string | null } | undefined = await this.rental('rental.vehicle_projection')
          .where('vehicle_id', vehicleId)
          .first('status', 'location_id');
        return ready(row) ? true : undefined;
      },
      30_000,
      `the rental context's copy of vehicle ${vehicleId}`,
    );
  }

  /** Publishes fleet.VehicleRegistered for a vehicle of a chosen id, as the fleet would, and waits until the rental context has it. */
  async announceVehicle(vehicleId: string, plateNumber: string, vehicleClass: string): Promise<void> {
    const type = 'fleet.VehicleRegistered';
    const value = await this.codec.encode(this.topics.fleetEvents, type, {
      vehicleId,
      plateNumber,
      vin: null,
      make: 'Skoda',
      model: 'Octavia',
      variant: null,
      year: 2025,
      vehicleClass,
      status: 'active',
      registeredAt: Date.now(),
    });
    await this.publish(this.topics.fleetEvents, vehicleId, type, value);
    await this.projected(vehicleId, (row) => row !== undefined);
  }

  /**
   * Produces a command straight to a commands topic, past the gateway, as `actor` and with the
   * permissions header only when `permissions` are given; returns its message id.
   */
  async produceCommand(topic: string, key: string, messageType: string, payload: Record<string, unknown>, actor: string, permissions: readonly string[] | null): Promise<string> {
    const value = await this.codec.encode(topic, messageType, payload);
    return this.publish(topic, key, messageType, value, { actor, actorPermissions: permissions === null ? null : new Set(permissions) });
  }

  private async publish(
    topic: string,
    key: string,
    messageType: string,
    value: Buffer,
    by: { actor: string | null; actorPermissions: ReadonlySet<string> | null } = { actor: null, actorPermissions: null },
  ): Promise<string> {
    const metadata = { messageId: randomUUID(), messageType, correlationId: randomUUID(), causationId: null, ...by, traceparent: null, occurredAt: new Date().toISOString() };
    await this.producer.send({ topic, messages: [{ key, value, headers: writeMetadata(metadata) }] });
    return metadata.messageId;
  }

  /** Publishes maintenance.MaintenanceScheduled as the workshop would, and waits until the rental context blocks the window. */
  async scheduleMaintenance(vehicleId: string, windowStart: Date, windowEnd: Date): Promise<string> {
    const jobId = randomUUID();
    const type = 'maintenance.MaintenanceScheduled';
    const value = await this.codec.encode(this.topics.maintenanceEvents, type, {
      jobId,
      vehicleId,
      kind: 'service',
      windowStart: windowStart.getTime(),
      windowEnd: windowEnd.getTime(),
      title: 'Annual service',
      description: null,
      mechanicId: null,
      actor: null,
    });
    await this.publish(this.topics.maintenanceEvents, vehicleId, type, value);
    await eventually(async () => ((await this.rental('rental.maintenance_windows').where('job_id', jobId).first('job_id')) === undefined ? undefined : true), 30_000, `maintenance job ${jobId}`);
    return jobId;
  }
}
