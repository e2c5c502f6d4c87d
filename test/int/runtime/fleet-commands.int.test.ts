import { randomInt, randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { AvroCodec } from '../../../platform/avro-codec';
import { createDatabase } from '../../../platform/database';
import { createSchemaRegistry } from '../../../platform/schema-registry';
import { fleetHandlers } from '../../../processors/fleet/fleet.handlers';
import { FleetRepository } from '../../../processors/fleet/fleet.repository';
import { CommandProcessor, type MessageResult } from '../../../processors/runtime/command-processor';
import { IntegrationRepository } from '../../../processors/runtime/integration.repository';
import { ScratchDatabase } from '../../support/database';
import { encodedMessage, type Sent } from '../../support/messages';
import { uniqueName } from '../../support/names';
import { silentLogger } from '../../support/silent-logger';
import { stackEnv } from '../../support/stack-env';

/**
 * The fleet context's commands after RegisterVehicle, through CommandProcessor on the real
 * PostgreSQL (as the fleet login) and registry: RecordOdometerReading (with corrections and
 * backdating, where the database's trigger decides), VoidOdometerReading, DecommissionVehicle
 * through the vehicle life cycle, and UpdateVehicle with optimistic concurrency. Each case checks
 * the outcome and reason code, the rows, and the outbox: the events, whose payloads the registry
 * must be able to encode with their schemas.
 */
const env = stackEnv();


interface CommandOutcome {
  readonly status: string;
  readonly reasonCode: string | null;
}

interface OutboxEvent {
  readonly type: string;
  readonly payload: Record<string, unknown>;
}

const MINUTE_MS = 60 * 1000;
const HOUR_MS = 60 * MINUTE_MS;

describe('the fleet commands on the real stack', () => {
  const database = new ScratchDatabase();
  const topic = uniqueName('test.fleet.commands');
  const eventsTopic = uniqueName('test.fleet.events');
  const codec = new AvroCodec(createSchemaRegistry(env.schemaRegistryUrl));
  const topics = { events: 'fleet.events', results: 'command.results' };
  const processor = new CommandProcessor(new IntegrationRepository('fleet'), codec, topics, fleetHandlers(new FleetRepository()), silentLogger);
  const actor = randomUUID();
  let fleet: Knex;
  /** The superuser, for what no command of this context does yet (a rental moving a vehicle to rented). */
  let admin: Knex;

  beforeAll(async () => {
    await database.create({ migrate: true });
    fleet = createDatabase({ url: database.urlFor('fleet_svc'), poolSizeMax: 2, statementTimeoutMs: 10_000, applicationName: 'fleet-commands-test' });
    admin = database.knex();
  }, 60_000);

  afterAll(async () => {
    await fleet.destroy();
    await database.drop();
  });

  const command = (type: string, value: Record<string, unknown>): Promise<Sent> => encodedMessage(codec, topic, `fleet.${type}`, value, { actor });


  const run = async (...messages: Sent[]): Promise<MessageResult['outcome'][]> => (await processor.processBatch(fleet, messages)).map((result) => result.outcome);

  /** The command's result as the gateway will read it. */
  async function outcomeOf(sent: Sent): Promise<CommandOutcome> {
    const row: { payload: { status: string; reasonCode: string | null } } | undefined = await fleet
      .withSchema('fleet')
      .table('outbox_events')
      .where('event_type', 'platform.CommandResult')
      .where('aggregate_id', sent.id)
      .first('payload');
    if (row === undefined) throw new Error(`command ${sent.id} has no result`);
    return { status: row.payload.status, reasonCode: row.payload.reasonCode };
  }

  /** The events the command caused, in order; each must encode with its Avro schema. */
  async function eventsOf(sent: Sent): Promise<OutboxEvent[]> {
    const rows: { event_type: string; payload: Record<string, unknown> }[] = await fleet
      .withSchema('fleet')
      .table('outbox_events')
      .whereRaw(`headers->>'causation-id' = ?`, [sent.id])
      .whereNot('event_type', 'platform.CommandResult')
      .orderBy('sequence')
      .select('event_type', 'payload');
    for (const row of rows) await codec.encode(eventsTopic, row.event_type, row.payload);
    return rows.map((row) => ({ type: row.event_type, payload: row.payload }));
  }

  async function expectRejected(sent: Sent, reasonCode: string): Promise<void> {
    expect(await outcomeOf(sent)).toEqual({ status: 'rejected', reasonCode });
    expect(await eventsOf(sent)).toEqual([]);
  }

  async function registerVehicle(vin: string | null = null): Promise<string> {
    const vehicleId = randomUUID();
    const registration = await command('RegisterVehicle', {
      vehicleId,
      plateNumber: `FC ${randomUUID().slice(0, 8)}`,
      vin,
      make: 'Skoda',
      model: 'Enyaq',
      variant: null,
      year: 2025,
      vehicleClass: 'suv',
    });
    expect(await run(registration)).toEqual(['accepted']);
    return vehicleId;
  }

  const randomVin = (): string => Array.from({ length: 17 }, () => String(randomInt(10))).join('');

  /** A RecordOdometerReading command, with the reading id it carries. */
  async function reading(vehicleId: string, readingKm: number, recordedAt: Date, change: Record<string, unknown> = {}): Promise<Sent & { readingId: string }> {
    const value = { readingId: randomUUID(), vehicleId, readingKm, recordedAt: recordedAt.getTime(), source: 'manual', supersedesReadingId: null, ...change };
    return { ...(await command('RecordOdometerReading', value)), readingId: value.readingId };
  }

  interface ReadingRow {
    id: string;
    reading_km: number;
    supersedes_reading_id: string | null;
    void_reason: string | null;
    voided_by: string | null;
    created_by: string | null;
    voided: boolean;
  }

  const readingsOf = (vehicleId: string): Promise<ReadingRow[]> =>
    fleet
      .withSchema('fleet')
      .table('vehicle_odometer_readings')
      .where('vehicle_id', vehicleId)
      .orderBy([{ column: 'recorded_at' }, { column: 'reading_km' }])
      .select('id', 'reading_km', 'supersedes_reading_id', 'void_reason', 'voided_by', 'created_by', fleet.raw('voided_at IS NOT NULL AS voided'));

  async function odometerOf(vehicleId: string): Promise<number | null> {
    const row: { odometer_km: number | null } = await fleet.withSchema('fleet').table('vehicles_view').where('id', vehicleId).first('odometer_km');
    return row.odometer_km;
  }

  describe('RecordOdometerReading', () => {
    it('records a reading with the sender id and the actor, and announces it', async () => {
      const vehicleId = await registerVehicle();
      const recordedAt = new Date(Date.now() - 2 * HOUR_MS);
      const sent = await reading(vehicleId, 1_000, recordedAt);
      const readingId = sent.readingId;

      expect(await run(sent)).toEqual(['accepted']);

      expect(await outcomeOf(sent)).toEqual({ status: 'accepted', reasonCode: null });
      expect(await eventsOf(sent)).toEqual([
        {
          type: 'fleet.OdometerRecorded',
          payload: { readingId, vehicleId, readingKm: 1_000, recordedAt: recordedAt.getTime(), source: 'manual', supersedesReadingId: null },
        },
      ]);
      expect(await readingsOf(vehicleId)).toEqual([
        { id: readingId, reading_km: 1_000, supersedes_reading_id: null, void_reason: null, voided_by: null, created_by: actor, voided: false },
      ]);
      expect(await odometerOf(vehicleId)).toBe(1_000);
    });

    it('accepts two readings on one day and a backdated one that fits, and refuses a backdated one that does not', async () => {
      const vehicleId = await registerVehicle();
      const earlier = new Date(Date.now() - 40 * MINUTE_MS);
      const later = new Date(Date.now() - 20 * MINUTE_MS);
      const between = new Date(Date.now() - 30 * MINUTE_MS);
      const first = await reading(vehicleId, 1_000, earlier);
      const second = await reading(vehicleId, 1_100, later);
      const fits = await reading(vehicleId, 1_050, between);
      const tooHigh = await reading(vehicleId, 1_150, between);
      const backwards = await reading(vehicleId, 900, new Date());

      expect(await run(first, second, fits, tooHigh, backwards)).toEqual(['accepted', 'accepted', 'accepted', 'rejected', 'rejected']);

      await expectRejected(tooHigh, 'FLEET.ODOMETER_OUT_OF_ORDER');
      await expectRejected(backwards, 'FLEET.ODOMETER_OUT_OF_ORDER');
      expect((await readingsOf(vehicleId)).map((row) => row.reading_km)).toEqual([1_000, 1_050, 1_100]);
      expect(await odometerOf(vehicleId)).toBe(1_100);
    });

    it('accepts the same reading sent again without a second row or event, and refuses its id with other data', async () => {
      const vehicleId = await registerVehicle();
      const recordedAt = new Date(Date.now() - HOUR_MS);
      const original = await reading(vehicleId, 500, recordedAt);
      const readingId = original.readingId;
      const again = await reading(vehicleId, 500, recordedAt, { readingId });
      const different = await reading(vehicleId, 501, recordedAt, { readingId });
      const otherVehicle = await reading(await registerVehicle(), 500, recordedAt, { readingId });

      expect(await run(original)).toEqual(['accepted']);
      expect(await run(again, different, otherVehicle)).toEqual(['accepted', 'rejected', 'rejected']);

      expect(await outcomeOf(again)).toEqual({ status: 'accepted', reasonCode: null });
      expect(await eventsOf(again)).toEqual([]);
      await expectRejected(different, 'FLEET.READING_ID_REUSED');
      await expectRejected(otherVehicle, 'FLEET.READING_ID_REUSED');
      expect(await readingsOf(vehicleId)).toHaveLength(1);
    });

    it('refuses an unknown vehicle, a reading dated in the future and an unknown source', async () => {
      const vehicleId = await registerVehicle();
      const unknownVehicle = await reading(randomUUID(), 10, new Date());
      const future = await reading(vehicleId, 10, new Date(Date.now() + 10 * MINUTE_MS));
      const badSource = await reading(vehicleId, 10, new Date(), { source: 'guesswork' });

      expect(await run(unknownVehicle, future, badSource)).toEqual(['rejected', 'rejected', 'rejected']);

      await expectRejected(unknownVehicle, 'FLEET.VEHICLE_NOT_FOUND');
      await expectRejected(future, 'FLEET.READING_IN_FUTURE');
      await expectRejected(badSource, 'FLEET.INVALID_READING_SOURCE');
      expect(await readingsOf(vehicleId)).toEqual([]);
    });

    it('corrects a wrong reading: the wrong one is voided in the same transaction and no longer blocks later readings', async () => {
      const vehicleId = await registerVehicle();
      // The correction is dated like the wrong reading it replaces.
      const correctedAt = new Date(Date.now() - 2 * HOUR_MS);
      const start = await reading(vehicleId, 1_000, new Date(Date.now() - 3 * HOUR_MS));
      const wrong = await reading(vehicleId, 10_000, correctedAt);
      expect(await run(start, wrong)).toEqual(['accepted', 'accepted']);
      const wrongId = wrong.readingId;

      const blocked = await reading(vehicleId, 1_200, new Date(Date.now() - HOUR_MS));
      const correction = await reading(vehicleId, 1_100, correctedAt, { supersedesReadingId: wrongId });
      const correctionId = correction.readingId;
      const later = await reading(vehicleId, 1_200, new Date(Date.now() - HOUR_MS));

      expect(await run(blocked, correction, later)).toEqual(['rejected', 'accepted', 'accepted']);

      await expectRejected(blocked, 'FLEET.ODOMETER_OUT_OF_ORDER');
      expect(await eventsOf(correction)).toEqual([
        {
          type: 'fleet.OdometerReadingVoided',
          payload: { vehicleId, readingId: wrongId, reason: `superseded by reading ${correctionId}`, voidedAt: expect.any(Number), actor },
        },
        {
          type: 'fleet.OdometerRecorded',
          payload: { readingId: correctionId, vehicleId, readingKm: 1_100, recordedAt: correctedAt.getTime(), source: 'manual', supersedesReadingId: wrongId },
        },
      ]);
      const rows = await readingsOf(vehicleId);
      expect(rows.map((row) => [row.reading_km, row.voided, row.supersedes_reading_id])).toEqual([
        [1_000, false, null],
        [1_100, false, wrongId],
        [10_000, true, null],
        [1_200, false, null],
      ]);
      expect(rows.find((row) => row.id === wrongId)).toMatchObject({ void_reason: `superseded by reading ${correctionId}`, voided_by: actor });
      expect(await odometerOf(vehicleId)).toBe(1_200);
    });

    it('leaves the wrong reading valid when its correction does not fit, and keeps the neighbours of the refused correction', async () => {
      const vehicleId = await registerVehicle();
      const start = await reading(vehicleId, 1_000, new Date(Date.now() - 3 * HOUR_MS));
      const wrong = await reading(vehicleId, 10_000, new Date(Date.now() - 2 * HOUR_MS));
      expect(await run(start, wrong)).toEqual(['accepted', 'accepted']);
      const wrongId = wrong.readingId;

      // Lower than the reading before it: refused by the trigger after the void, which is rolled back.
      const badCorrection = await reading(vehicleId, 900, new Date(Date.now() - 2 * HOUR_MS), { supersedesReadingId: wrongId });
      const neighbour = await reading(vehicleId, 10_100, new Date(Date.now() - HOUR_MS));

      expect(await run(badCorrection, neighbour)).toEqual(['rejected', 'accepted']);

      await expectRejected(badCorrection, 'FLEET.ODOMETER_OUT_OF_ORDER');
      expect((await readingsOf(vehicleId)).map((row) => [row.reading_km, row.voided])).toEqual([
        [1_000, false],
        [10_000, false],
        [10_100, false],
      ]);
    });

    it('refuses to supersede a reading of another vehicle, one voided already, or one that does not exist', async () => {
      const vehicleId = await registerVehicle();
      const otherVehicleId = await registerVehicle();
      const foreign = await reading(otherVehicleId, 100, new Date(Date.now() - 3 * HOUR_MS));
      const own = await reading(vehicleId, 100, new Date(Date.now() - 3 * HOUR_MS));
      expect(await run(foreign, own)).toEqual(['accepted', 'accepted']);
      const foreignId = foreign.readingId;
      const ownId = own.readingId;
      expect(await run(await command('VoidOdometerReading', { vehicleId, readingId: ownId, reason: 'test entry' }))).toEqual(['accepted']);

      const ofAnother = await reading(vehicleId, 150, new Date(Date.now() - HOUR_MS), { supersedesReadingId: foreignId });
      const ofVoided = await reading(vehicleId, 150, new Date(Date.now() - HOUR_MS), { supersedesReadingId: ownId });
      const ofNothing = await reading(vehicleId, 150, new Date(Date.now() - HOUR_MS), { supersedesReadingId: randomUUID() });

      expect(await run(ofAnother, ofVoided, ofNothing)).toEqual(['rejected', 'rejected', 'rejected']);

      await expectRejected(ofAnother, 'FLEET.SUPERSEDED_READING_OF_ANOTHER_VEHICLE');
      await expectRejected(ofVoided, 'FLEET.READING_ALREADY_VOIDED');
      await expectRejected(ofNothing, 'FLEET.SUPERSEDED_READING_NOT_FOUND');
      expect((await readingsOf(otherVehicleId)).map((row) => row.voided)).toEqual([false]);
    });
  });

  describe('VoidOdometerReading', () => {
    it('voids a reading once, with reason and actor, so that it no longer counts', async () => {
      const vehicleId = await registerVehicle();
      const earlier = await reading(vehicleId, 2_000, new Date(Date.now() - 2 * HOUR_MS));
      const wrong = await reading(vehicleId, 20_000, new Date(Date.now() - HOUR_MS));
      expect(await run(earlier, wrong)).toEqual(['accepted', 'accepted']);
      const wrongId = wrong.readingId;
      expect(await odometerOf(vehicleId)).toBe(20_000);

      const voiding = await command('VoidOdometerReading', { vehicleId, readingId: wrongId, reason: ' one zero too many ' });
      const again = await command('VoidOdometerReading', { vehicleId, readingId: wrongId, reason: 'twice' });

      expect(await run(voiding, again)).toEqual(['accepted', 'rejected']);

      expect(await eventsOf(voiding)).toEqual([
        { type: 'fleet.OdometerReadingVoided', payload: { vehicleId, readingId: wrongId, reason: 'one zero too many', voidedAt: expect.any(Number), actor } },
      ]);
      await expectRejected(again, 'FLEET.READING_ALREADY_VOIDED');
      expect((await readingsOf(vehicleId)).find((row) => row.id === wrongId)).toMatchObject({ voided: true, void_reason: 'one zero too many', voided_by: actor, reading_km: 20_000 });
      expect(await odometerOf(vehicleId)).toBe(2_000);

      const laterVoid = await command('VoidOdometerReading', { vehicleId, readingId: wrongId, reason: 'in a later batch' });
      expect(await run(laterVoid)).toEqual(['rejected']);
      await expectRejected(laterVoid, 'FLEET.READING_ALREADY_VOIDED');
    });

    it('refuses an unknown vehicle, a reading of another vehicle, an unknown reading and a blank reason', async () => {
      const vehicleId = await registerVehicle();
      const otherVehicleId = await registerVehicle();
      const own = await reading(vehicleId, 10, new Date(Date.now() - HOUR_MS));
      const foreign = await reading(otherVehicleId, 10, new Date(Date.now() - HOUR_MS));
      expect(await run(own, foreign)).toEqual(['accepted', 'accepted']);
      const ownId = own.readingId;
      const foreignId = foreign.readingId;

      const unknownVehicle = await command('VoidOdometerReading', { vehicleId: randomUUID(), readingId: ownId, reason: 'wrong' });
      const ofAnother = await command('VoidOdometerReading', { vehicleId, readingId: foreignId, reason: 'wrong' });
      const unknownReading = await command('VoidOdometerReading', { vehicleId, readingId: randomUUID(), reason: 'wrong' });
      const blank = await command('VoidOdometerReading', { vehicleId, readingId: ownId, reason: '   ' });

      expect(await run(unknownVehicle, ofAnother, unknownReading, blank)).toEqual(['rejected', 'rejected', 'rejected', 'rejected']);

      await expectRejected(unknownVehicle, 'FLEET.VEHICLE_NOT_FOUND');
      await expectRejected(ofAnother, 'FLEET.READING_NOT_FOUND');
      await expectRejected(unknownReading, 'FLEET.READING_NOT_FOUND');
      await expectRejected(blank, 'FLEET.INVALID_REASON');
      expect([...(await readingsOf(vehicleId)), ...(await readingsOf(otherVehicleId))].map((row) => row.voided)).toEqual([false, false]);
    });
  });

  describe('DecommissionVehicle', () => {
    interface HistoryRow {
      from_status: string | null;
      to_status: string;
      cause: string;
      cause_message_id: string | null;
      actor_id: string | null;
    }
    const historyOf = (vehicleId: string): Promise<HistoryRow[]> =>
      fleet
        .withSchema('fleet')
        .table('vehicle_status_history')
        .where('vehicle_id', vehicleId)
        .orderBy([{ column: 'changed_at' }, { column: 'created_at' }])
        .select('from_status', 'to_status', 'cause', 'cause_message_id', 'actor_id');
    async function statusOf(vehicleId: string): Promise<{ status: string; decommissioned: boolean }> {
      const row: { status: string; decommissioned: boolean } = await fleet
        .withSchema('fleet')
        .table('vehicles')
        .where('id', vehicleId)
        .first('status', fleet.raw('decommissioned_at IS NOT NULL AS decommissioned'));
      return row;
    }

    it('decommissions an active vehicle: status, history with cause and actor, and VehicleStateChanged; after that its record is closed', async () => {
      const vehicleId = await registerVehicle();
      const decommission = await command('DecommissionVehicle', { vehicleId, reason: ' sold ' });

      expect(await run(decommission)).toEqual(['accepted']);

      expect(await outcomeOf(decommission)).toEqual({ status: 'accepted', reasonCode: null });
      expect(await eventsOf(decommission)).toEqual([
        {
          type: 'fleet.VehicleStateChanged',
          payload: { vehicleId, from: 'active', to: 'decommissioned', cause: 'DecommissionVehicle', reason: 'sold', at: expect.any(Number), actor },
        },
      ]);
      expect(await statusOf(vehicleId)).toEqual({ status: 'decommissioned', decommissioned: true });
      expect((await historyOf(vehicleId)).at(-1)).toEqual({
        from_status: 'active',
        to_status: 'decommissioned',
        cause: 'DecommissionVehicle',
        cause_message_id: decommission.id,
        actor_id: actor,
      });

      const again = await command('DecommissionVehicle', { vehicleId, reason: 'sold twice' });
      const newReading = await reading(vehicleId, 10, new Date());
      const update = await command('UpdateVehicle', { vehicleId, expectedVersion: null, make: 'VW', model: null, variant: null, year: null, vehicleClass: null, vin: null });
      expect(await run(again, newReading, update)).toEqual(['rejected', 'rejected', 'rejected']);
      await expectRejected(again, 'FLEET.VEHICLE_DECOMMISSIONED');
      await expectRejected(newReading, 'FLEET.VEHICLE_DECOMMISSIONED');
      await expectRejected(update, 'FLEET.VEHICLE_DECOMMISSIONED');
      expect(await historyOf(vehicleId)).toHaveLength(2);
    });

    it('follows the life cycle: refuses a rented vehicle, decommissions one under maintenance, refuses an unknown one', async () => {
      const rentedId = await registerVehicle();
      const inWorkshopId = await registerVehicle();
      // No command of this context moves a vehicle to rented or under_maintenance yet (the rental
      // and maintenance events will); the superuser sets the status the way those moves will.
      await admin.withSchema('fleet').table('vehicles').where('id', rentedId).update({ status: 'rented' });
      await admin.withSchema('fleet').table('vehicles').where('id', inWorkshopId).update({ status: 'under_maintenance' });

      const ofRented = await command('DecommissionVehicle', { vehicleId: rentedId, reason: 'written off' });
      const ofInWorkshop = await command('DecommissionVehicle', { vehicleId: inWorkshopId, reason: 'not worth repairing' });
      const ofUnknown = await command('DecommissionVehicle', { vehicleId: randomUUID(), reason: 'gone' });

      expect(await run(ofRented, ofInWorkshop, ofUnknown)).toEqual(['rejected', 'accepted', 'rejected']);

      await expectRejected(ofRented, 'FLEET.VEHICLE_RENTED');
      await expectRejected(ofUnknown, 'FLEET.VEHICLE_NOT_FOUND');
      expect(await statusOf(rentedId)).toEqual({ status: 'rented', decommissioned: false });
      expect(await statusOf(inWorkshopId)).toEqual({ status: 'decommissioned', decommissioned: true });
      expect((await eventsOf(ofInWorkshop)).map((event) => [event.payload.from, event.payload.to])).toEqual([['under_maintenance', 'decommissioned']]);
      expect((await historyOf(inWorkshopId)).at(-1)).toMatchObject({ from_status: 'under_maintenance', to_status: 'decommissioned' });
    });
  });

  describe('UpdateVehicle', () => {
    const noChange = { expectedVersion: null, make: null, model: null, variant: null, year: null, vehicleClass: null, vin: null };
    const vehicleRow = (vehicleId: string) =>
      fleet.withSchema('fleet').table('vehicles').where('id', vehicleId).first('make', 'model', 'variant', 'year', 'vehicle_class', 'vin', 'row_version', 'updated_by');

    it('changes the named fields at the expected version, announces them with the new version, and refuses a stale version', async () => {
      const vehicleId = await registerVehicle();
      const vin = randomVin();
      const update = await command('UpdateVehicle', { ...noChange, vehicleId, expectedVersion: 0, model: 'Enyaq iV', variant: '80', vin });
      const stale = await command('UpdateVehicle', { ...noChange, vehicleId, expectedVersion: 0, make: 'VW' });

      expect(await run(update, stale)).toEqual(['accepted', 'rejected']);

      expect(await eventsOf(update)).toEqual([
        {
          type: 'fleet.VehicleUpdated',
          payload: { vehicleId, make: null, model: 'Enyaq iV', variant: '80', year: null, vehicleClass: null, vin, version: 1, updatedAt: expect.any(Number) },
        },
      ]);
      await expectRejected(stale, 'FLEET.VERSION_CONFLICT');
      expect(await vehicleRow(vehicleId)).toEqual({
        make: 'Skoda',
        model: 'Enyaq iV',
        variant: '80',
        year: 2025,
        vehicle_class: 'suv',
        vin,
        row_version: 1,
        updated_by: actor,
      });
    });

    it('accepts values the vehicle has already without an event or a new version, and refuses an update naming no field', async () => {
      const vehicleId = await registerVehicle();
      const same = await command('UpdateVehicle', { ...noChange, vehicleId, expectedVersion: 0, make: 'Skoda', year: 2025 });
      const empty = await command('UpdateVehicle', { ...noChange, vehicleId });

      expect(await run(same, empty)).toEqual(['accepted', 'rejected']);

      expect(await outcomeOf(same)).toEqual({ status: 'accepted', reasonCode: null });
      expect(await eventsOf(same)).toEqual([]);
      await expectRejected(empty, 'FLEET.NOTHING_TO_UPDATE');
      expect(await vehicleRow(vehicleId)).toMatchObject({ row_version: 0 });
    });

    it("refuses another vehicle's VIN (the unique key decides) and an unknown vehicle, and keeps the refused command's neighbours", async () => {
      const takenVin = randomVin();
      await registerVehicle(takenVin);
      const vehicleId = await registerVehicle();
      const neighbourId = await registerVehicle();
      const taken = await command('UpdateVehicle', { ...noChange, vehicleId, vin: takenVin });
      const neighbour = await command('UpdateVehicle', { ...noChange, vehicleId: neighbourId, vehicleClass: 'compact' });
      const unknown = await command('UpdateVehicle', { ...noChange, vehicleId: randomUUID(), make: 'VW' });

      expect(await run(taken, neighbour, unknown)).toEqual(['rejected', 'accepted', 'rejected']);

      await expectRejected(taken, 'FLEET.VIN_TAKEN');
      await expectRejected(unknown, 'FLEET.VEHICLE_NOT_FOUND');
      expect(await vehicleRow(vehicleId)).toMatchObject({ vin: null, row_version: 0 });
      expect(await vehicleRow(neighbourId)).toMatchObject({ vehicle_class: 'compact', row_version: 1 });
    });
  });
});
