import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { AvroCodec } from '../../platform/avro-codec';
import { createDatabase } from '../../platform/database';
import { createSchemaRegistry } from '../../platform/schema-registry';
import { CatalogRepository } from '../../processors/rental/catalog.repository';
import { rentalContextHandlers } from '../../processors/rental/rental-context.handlers';
import { RentalRepository } from '../../processors/rental/rental.repository';
import { CommandProcessor, type MessageResult } from '../../processors/runtime/command-processor';
import { IntegrationRepository } from '../../processors/runtime/integration.repository';
import { ScratchDatabase } from './database';
import { encodedMessage, type Sent } from './messages';
import { uniqueName } from './names';
import { silentLogger } from './silent-logger';
import { stackEnv } from './stack-env';

export type { Sent } from './messages';

export interface CommandOutcome {
  readonly status: string;
  readonly reasonCode: string | null;
}

export interface RecordedEvent {
  readonly type: string;
  readonly key: string;
  readonly payload: Record<string, unknown>;
}

export const HOUR_MS = 60 * 60 * 1000;
export const DAY_MS = 24 * HOUR_MS;

/** A whole hour at least `days` days from now, so that periods built on it are never in the past. */
export function hoursFromNow(days: number, hour = 10): Date {
  const at = new Date(Date.now() + days * DAY_MS);
  at.setUTCHours(hour, 0, 0, 0);
  return at;
}

/**
 * The rental processor's CommandProcessor on a scratch database, as the rental login, with the
 * stack's registry: commands and other contexts' events go in encoded as Avro, and every event a
 * message caused is read back from the outbox and encoded again with its schema. The processor's
 * clock is `now`, which a test may move.
 */
export class RentalHarness {
  readonly database = new ScratchDatabase();
  readonly codec = new AvroCodec(createSchemaRegistry(stackEnv().schemaRegistryUrl));
  readonly actor = randomUUID();
  private readonly commandsTopic = uniqueName('test.rental.commands');
  private readonly eventsTopic = uniqueName('test.rental.events');
  private readonly othersTopic = uniqueName('test.others.events');
  now: Date | undefined;
  readonly processor = new CommandProcessor(
    new IntegrationRepository('rental'),
    this.codec,
    { events: 'rental.events', results: 'command.results' },
    rentalContextHandlers(new RentalRepository(), new CatalogRepository()),
    silentLogger,
    () => this.now ?? new Date(),
  );
  rental!: Knex;

  async start(poolSizeMax = 4): Promise<void> {
    await this.database.create({ migrate: true });
    this.rental = createDatabase({ url: this.database.urlFor('rental_svc'), poolSizeMax, statementTimeoutMs: 30_000, applicationName: 'rental-test', logger: silentLogger });
  }

  async stop(): Promise<void> {
    await this.rental.destroy();
    await this.database.drop();
  }

  /** A rental command (type without its context prefix). */
  async command(type: string, value: Record<string, unknown>): Promise<Sent> {
    return this.message(this.commandsTopic, `rental.${type}`, value, new Date());
  }

  /** Another context's event (full type, e.g. fleet.VehicleRegistered). */
  async event(type: string, value: Record<string, unknown>, occurredAt = new Date()): Promise<Sent> {
    return this.message(this.othersTopic, type, value, occurredAt);
  }

  private message(topic: string, type: string, value: Record<string, unknown>, occurredAt: Date): Promise<Sent> {
    return encodedMessage(this.codec, topic, type, value, { actor: this.actor, occurredAt });
  }


  async run(...messages: Sent[]): Promise<MessageResult['outcome'][]> {
    return (await this.processor.processBatch(this.rental, messages)).map((result) => result.outcome);
  }

  async runEvents(...messages: Sent[]): Promise<MessageResult['outcome'][]> {
    return (await this.processor.processBatch(this.rental, messages, { othersEvents: true })).map((result) => result.outcome);
  }

  /** Sends one command and returns its result as the gateway reads it. */
  async send(type: string, value: Record<string, unknown>): Promise<CommandOutcome & { sent: Sent }> {
    const sent = await this.command(type, value);
    const [result] = await this.processor.processBatch(this.rental, [sent]);
    if (result?.outcome === 'failed') throw new Error(`${type} failed: ${String(result.error)}`, { cause: result.error });
    return { ...(await this.outcomeOf(sent)), sent };
  }

  async outcomeOf(sent: Sent): Promise<CommandOutcome> {
    const row: { payload: { status: string; reasonCode: string | null } } | undefined = await this.rental
      .withSchema('rental')
      .table('outbox_events')
      .where('event_type', 'platform.CommandResult')
      .where('aggregate_id', sent.id)
      .first('payload');
    if (row === undefined) throw new Error(`command ${sent.id} has no result`);
    return { status: row.payload.status, reasonCode: row.payload.reasonCode };
  }

  /** The events a message caused, in order; each must encode with its Avro schema. */
  async eventsOf(sent: Sent): Promise<RecordedEvent[]> {
    const rows: { event_type: string; message_key: string; payload: Record<string, unknown> }[] = await this.rental
      .withSchema('rental')
      .table('outbox_events')
      .whereRaw(`headers->>'causation-id' = ?`, [sent.id])
      .whereNot('event_type', 'platform.CommandResult')
      .orderBy('sequence')
      .select('event_type', 'message_key', 'payload');
    for (const row of rows) await this.codec.encode(this.eventsTopic, row.event_type, row.payload);
    return rows.map((row) => ({ type: row.event_type, key: row.message_key, payload: row.payload }));
  }

  /** Sends a command that must be accepted; returns the events it caused. */
  async accepted(type: string, value: Record<string, unknown>): Promise<RecordedEvent[]> {
    const outcome = await this.send(type, value);
    expect({ type, status: outcome.status, reasonCode: outcome.reasonCode }).toEqual({ type, status: 'accepted', reasonCode: null });
    return this.eventsOf(outcome.sent);
  }

  /** Sends a command that must be rejected with `reasonCode`, causing no event. */
  async rejected(type: string, value: Record<string, unknown>, reasonCode: string): Promise<void> {
    const outcome = await this.send(type, value);
    expect({ type, status: outcome.status, reasonCode: outcome.reasonCode }).toEqual({ type, status: 'rejected', reasonCode });
    expect(await this.eventsOf(outcome.sent)).toEqual([]);
  }

  // Fixtures: what most rental cases start from.

  async location(timeZone = 'Europe/Berlin'): Promise<string> {
    const locationId = randomUUID();
    await this.accepted('DefineLocation', { locationId, name: `Depot ${locationId.slice(0, 8)}`, type: 'depot', address: null, timeZone });
    return locationId;
  }

  /** A vehicle the fleet registered, as the rental context learns it from fleet.VehicleRegistered. */
  async vehicle(vehicleClass = 'compact', registeredAt = new Date(Date.now() - DAY_MS)): Promise<string> {
    const vehicleId = randomUUID();
    const registered = await this.event('fleet.VehicleRegistered', {
      vehicleId,
      plateNumber: `RT ${vehicleId.slice(0, 6)}`,
      vin: null,
      make: 'Renault',
      model: 'Zoe',
      variant: null,
      year: 2024,
      vehicleClass,
      status: 'active',
      registeredAt: registeredAt.getTime(),
    });
    expect(await this.runEvents(registered)).toEqual(['accepted']);
    return vehicleId;
  }

  /** A class plan valid since yesterday: 50.00 a day, 10.00 an hour, 200 km a day, 0.30 per extra km. */
  async plan(vehicleClass: string | null, change: Record<string, unknown> = {}): Promise<string> {
    const planId = randomUUID();
    await this.accepted('DefinePricingPlan', {
      planId,
      name: `Plan ${planId.slice(0, 8)}`,
      vehicleClass,
      vehicleId: null,
      currency: 'EUR',
      dailyRateMinor: 5_000,
      hourlyRateMinor: 1_000,
      includedKmPerDay: 200,
      extraKmPriceMinor: 30,
      lateFeePerHourMinor: 1_500,
      lateGraceMinutes: 30,
      cancellationFeeMinor: 2_500,
      cancellationWindowHours: 24,
      depositMinor: 0,
      validFrom: Date.now() - DAY_MS,
      validTo: null,
      ...change,
    });
    return planId;
  }

  /** A ReserveRental without a quote. */
  reservation(vehicleId: string, locationId: string, startAt: Date, endAt: Date, change: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      rentalId: randomUUID(),
      vehicleId,
      quoteId: null,
      customerId: null,
      originLocationId: locationId,
      destinationLocationId: locationId,
      startAt: startAt.getTime(),
      endAt: endAt.getTime(),
      ...change,
    };
  }
}
