import type { KafkaJS } from '@confluentinc/kafka-javascript';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { AvroCodec } from '../../../platform/avro-codec';
import { createDatabase } from '../../../platform/database';
import { createIdempotentProducer, createKafka } from '../../../platform/kafka';
import { Header } from '../../../platform/message-headers';
import { createSchemaRegistry } from '../../../platform/schema-registry';
import { fleetHandlers } from '../../../processors/fleet/fleet.handlers';
import { FleetRepository } from '../../../processors/fleet/fleet.repository';
import { CommandProcessor } from '../../../processors/runtime/command-processor';
import type { ContextProcessor } from '../../../processors/runtime/context-processor';
import { IntegrationRepository } from '../../../processors/runtime/integration.repository';
import { ScratchDatabase } from '../../support/database';
import { eventually } from '../../support/eventually';
import { startFleetProcessor } from '../../support/fleet-processor';
import { uniqueName } from '../../support/names';
import { silentLogger } from '../../support/silent-logger';
import { stackEnv } from '../../support/stack-env';

/**
 * The fleet follows rentals and maintenance jobs through their events, on the real registry and
 * PostgreSQL: each allowed move changes the status, appends to the history and publishes
 * VehicleStateChanged, with no command result (nobody waits for one); a move the life cycle
 * refuses is a conflict that changes nothing and does not stop what comes after it.
 */
const env = stackEnv();

describe('vehicle status moves caused by other contexts', () => {
  const database = new ScratchDatabase();
  const codec = new AvroCodec(createSchemaRegistry(env.schemaRegistryUrl));
  const topics = { events: 'fleet.events', results: 'command.results' };
  const processor = new CommandProcessor(new IntegrationRepository('fleet'), codec, topics, fleetHandlers(new FleetRepository()), silentLogger);
  let fleet: Knex;

  beforeAll(async () => {
    await database.create({ migrate: true });
    fleet = createDatabase({ url: database.urlFor('fleet_svc'), poolSizeMax: 2, statementTimeoutMs: 10_000, applicationName: 'status-moves-test', logger: silentLogger });
  }, 60_000);

  afterAll(async () => {
    await fleet.destroy();
    await database.drop();
  });

  async function message(topic: string, type: string, value: Record<string, unknown>): Promise<{ value: Buffer; headers: Record<string, string>; id: string }> {
    const id = randomUUID();
    return {
      id,
      value: await codec.encode(topic, type, value),
      headers: { [Header.messageId]: id, [Header.messageType]: type, [Header.correlationId]: id, [Header.occurredAt]: new Date().toISOString() },
    };
  }

  const registration = (vehicleId: string, plateNumber: string) =>
    message('test.fleet.commands', 'fleet.RegisterVehicle', { vehicleId, plateNumber, vin: null, make: 'Ford', model: 'E-Transit', variant: null, year: 2024, vehicleClass: 'van' });
  // Moves happen after the registration, in the order sent: an hour apart from now on.
  const at = Date.now() + 60_000;
  const started = (vehicleId: string) => message('test.maintenance.events', 'maintenance.MaintenanceStarted', { jobId: randomUUID(), vehicleId, startedAt: at });
  const completed = (vehicleId: string) => message('test.maintenance.events', 'maintenance.MaintenanceCompleted', { jobId: randomUUID(), vehicleId, completedAt: at + 3_600_000 });
  const activated = (vehicleId: string) => message('test.rental.events', 'rental.RentalActivated', { rentalId: randomUUID(), vehicleId, activatedAt: at + 7_200_000 });
  const returned = (vehicleId: string) => message('test.rental.events', 'rental.RentalCompleted', { rentalId: randomUUID(), vehicleId, completedAt: at + 10_800_000 });
  const statusOf = async (vehicleId: string): Promise<string | undefined> => (await fleet('fleet.vehicles').where('id', vehicleId).first<{ status: string } | undefined>('status'))?.status;

  it('moves through a job and a rental, keeps each move in the history, and skips a conflicting event without stopping', async () => {
    const vehicleId = randomUUID();
    const workshop = await started(vehicleId);
    const tooEarly = await activated(vehicleId);
    const outcomes = async (messages: { value: Buffer; headers: Record<string, string> }[]) => (await processor.processBatch(fleet, messages)).map((result) => result.outcome);

    // Registered, then in the workshop; a rental starting meanwhile conflicts and changes nothing, while what follows it goes through.
    expect(await outcomes([await registration(vehicleId, 'MOV 1'), workshop, tooEarly, await completed(vehicleId)])).toEqual(['accepted', 'accepted', 'rejected', 'accepted']);
    expect(await statusOf(vehicleId)).toBe('active');
    expect(await outcomes([await activated(vehicleId)])).toEqual(['accepted']);
    expect(await statusOf(vehicleId)).toBe('rented');
    expect(await outcomes([await returned(vehicleId)])).toEqual(['accepted']);
    expect(await statusOf(vehicleId)).toBe('active');

    const history: { from_status: string | null; to_status: string; cause: string }[] = await fleet('fleet.vehicle_status_history')
      .where('vehicle_id', vehicleId)
      .orderBy('changed_at')
      .select('from_status', 'to_status', 'cause');
    expect(history.map((change) => [change.from_status, change.to_status, change.cause])).toEqual([
      [null, 'active', 'VehicleRegistered'],
      ['active', 'under_maintenance', 'maintenance.MaintenanceStarted'],
      ['under_maintenance', 'active', 'maintenance.MaintenanceCompleted'],
      ['active', 'rented', 'rental.RentalActivated'],
      ['rented', 'active', 'rental.RentalCompleted'],
    ]);

    // Events get VehicleStateChanged and no command result; the conflict gets nothing but its inbox row.
    const outbox: { event_type: string; topic: string }[] = await fleet('fleet.outbox_events').whereRaw(`headers->>'causation-id' = ANY(?)`, [[workshop.id, tooEarly.id]]).select('event_type', 'topic');
    expect(outbox).toEqual([{ event_type: 'fleet.VehicleStateChanged', topic: 'fleet.events' }]);
    expect(await fleet('fleet.inbox_processed_messages').where('message_id', tooEarly.id).first('outcome', 'reason_code')).toEqual({
      outcome: 'rejected',
      reason_code: 'FLEET.ILLEGAL_STATUS_CHANGE',
    });
  });

  it('reads the other contexts\u2019 event topics it subscribes to', async () => {
    const kafka = createKafka({ brokers: env.kafkaBrokers, clientId: 'status-moves-test', logger: silentLogger });
    const admin = kafka.admin();
    const producer = createIdempotentProducer(kafka);
    const own = { commands: uniqueName('test.fleet.commands'), events: uniqueName('test.fleet.events'), results: uniqueName('test.command.results') };
    const maintenanceEvents = uniqueName('test.maintenance.events');
    await admin.connect();
    await producer.connect();
    await admin.createTopics({ topics: [...Object.values(own), maintenanceEvents].map((topic) => ({ topic, numPartitions: 1 })) });
    let running: ContextProcessor | undefined;
    let observer: KafkaJS.Consumer | undefined;
    try {
      running = await startFleetProcessor({ kafka, producer, codec, database: fleet, databaseUrl: database.urlFor('fleet_svc'), topics: { ...own, subscriptions: [maintenanceEvents] } });
      const vehicleId = randomUUID();
      const send = async (topic: string, built: { value: Buffer; headers: Record<string, string> }) =>
        producer.send({ topic, messages: [{ key: vehicleId, value: built.value, headers: { ...built.headers } }] });
      await send(own.commands, await registration(vehicleId, 'MOV 2'));
      await eventually(async () => ((await fleet('fleet.vehicles').where('id', vehicleId).first()) !== undefined ? true : undefined), 30_000, 'the vehicle');
      await send(maintenanceEvents, await started(vehicleId));
      await eventually(async () => ((await statusOf(vehicleId)) === 'under_maintenance' ? true : undefined), 30_000, 'the move to under_maintenance');
      const seen: string[] = [];
      observer = kafka.consumer({ kafkaJS: { groupId: uniqueName('observer'), fromBeginning: true } });
      await observer.connect();
      await observer.subscribe({ topics: [own.events] });
      await observer.run({ eachMessage: async ({ message }) => void seen.push(String(message.headers?.[Header.messageType])) });
      await eventually(() => (seen.includes('fleet.VehicleStateChanged') ? true : undefined), 30_000, 'VehicleStateChanged on the fleet events topic');
    } finally {
      await observer?.disconnect();
      await running?.stop();
      await producer.disconnect();
      await admin.deleteTopics({ topics: [...Object.values(own), maintenanceEvents] });
      await admin.disconnect();
    }
  }, 90_000);
});
