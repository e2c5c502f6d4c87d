import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { AvroCodec } from '../../../platform/avro-codec';
import { createDatabase } from '../../../platform/database';
import { createSchemaRegistry } from '../../../platform/schema-registry';
import { maintenanceHandlers } from '../../../processors/maintenance/maintenance.handlers';
import { MaintenanceRepository } from '../../../processors/maintenance/maintenance.repository';
import { thresholdIdOf } from '../../../processors/maintenance/service-due';
import { serviceDueTask } from '../../../processors/maintenance/service-due.handlers';
import { CommandProcessor, type MessageResult } from '../../../processors/runtime/command-processor';
import { IntegrationRepository } from '../../../processors/runtime/integration.repository';
import { runSweep } from '../../../processors/runtime/scheduled-task';
import { ScratchDatabase } from '../../support/database';
import { encodedMessage, type Sent } from '../../support/messages';
import { uniqueName } from '../../support/names';
import { silentLogger } from '../../support/silent-logger';
import { stackEnv } from '../../support/stack-env';

/**
 * The maintenance context through CommandProcessor on the real PostgreSQL (as the maintenance
 * login) and registry: every command's acceptance and refusals with their reason codes, the
 * database refusing an overlapping window, the fleet events it follows (duplicates and late
 * arrivals included), and ServiceDue announced exactly once, by an odometer reading (even sent
 * twice) and by two sweeps racing. Event payloads must encode with their Avro schemas.
 */
const env = stackEnv();
const DAY_MS = 24 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;


interface OutboxEvent {
  readonly type: string;
  readonly payload: Record<string, unknown>;
}

describe('the maintenance commands on the real stack', () => {
  const database = new ScratchDatabase();
  const commandsTopic = uniqueName('test.maintenance.commands');
  const fleetTopic = uniqueName('test.fleet.events');
  const eventsTopic = uniqueName('test.maintenance.events');
  const codec = new AvroCodec(createSchemaRegistry(env.schemaRegistryUrl));
  const repository = new MaintenanceRepository();
  const processor = new CommandProcessor(new IntegrationRepository('maintenance'), codec, { events: 'maintenance.events', results: 'command.results' }, maintenanceHandlers(repository), silentLogger);
  const actor = randomUUID();
  let maintenance: Knex;

  beforeAll(async () => {
    await database.create({ migrate: true });
    maintenance = createDatabase({ url: database.urlFor('maintenance_svc'), poolSizeMax: 4, statementTimeoutMs: 10_000, applicationName: 'maintenance-commands-test' });
  }, 60_000);

  afterAll(async () => {
    await maintenance.destroy();
    await database.drop();
  });

  const message = (type: string, value: Record<string, unknown>, topic = commandsTopic, id: string = randomUUID()): Promise<Sent> =>
    encodedMessage(codec, topic, type, value, { actor, id });


  const command = (type: string, value: Record<string, unknown>) => message(`maintenance.${type}`, value);
  const fleetEvent = (type: string, value: Record<string, unknown>, id?: string) => message(`fleet.${type}`, value, fleetTopic, id);

  const run = async (...messages: Sent[]): Promise<MessageResult['outcome'][]> => (await processor.processBatch(maintenance, messages)).map((result) => result.outcome);
  const follow = async (...messages: Sent[]): Promise<MessageResult['outcome'][]> =>
    (await processor.processBatch(maintenance, messages, { othersEvents: true })).map((result) => result.outcome);

  async function outcomeOf(sent: Sent): Promise<{ status: string; reasonCode: string | null }> {
    const row: { payload: { status: string; reasonCode: string | null } } | undefined = await maintenance
      .withSchema('maintenance')
      .table('outbox_events')
      .where({ event_type: 'platform.CommandResult', aggregate_id: sent.id })
      .first('payload');
    if (row === undefined) throw new Error(`command ${sent.id} has no result`);
    return { status: row.payload.status, reasonCode: row.payload.reasonCode };
  }

  /** The events a message caused, in order; each must encode with its Avro schema. */
  async function eventsOf(sent: Sent): Promise<OutboxEvent[]> {
    const rows: { event_type: string; payload: Record<string, unknown>; message_key: string }[] = await maintenance
      .withSchema('maintenance')
      .table('outbox_events')
      .whereRaw(`headers->>'causation-id' = ?`, [sent.id])
      .whereNot('event_type', 'platform.CommandResult')
      .orderBy('sequence')
      .select('event_type', 'payload', 'message_key');
    for (const row of rows) await codec.encode(eventsTopic, row.event_type, row.payload);
    return rows.map((row) => ({ type: row.event_type, payload: row.payload }));
  }

  async function expectRejected(sent: Sent, reasonCode: string): Promise<void> {
    expect(await outcomeOf(sent)).toEqual({ status: 'rejected', reasonCode });
    expect(await eventsOf(sent)).toEqual([]);
  }

  /** A vehicle the workshop knows from the fleet's VehicleRegistered. */
  async function vehicle(change: { vehicleClass?: string; registeredAt?: Date } = {}): Promise<string> {
    const vehicleId = randomUUID();
    const registered = await fleetEvent('VehicleRegistered', {
      vehicleId,
      plateNumber: `MX ${vehicleId.slice(0, 6)}`,
      vin: null,
      make: 'Kia',
      model: 'EV6',
      variant: null,
      year: 2025,
      vehicleClass: change.vehicleClass ?? 'suv',
      status: 'active',
      registeredAt: (change.registeredAt ?? new Date()).getTime(),
    });
    expect(await follow(registered)).toEqual(['accepted']);
    return vehicleId;
  }

  const statusChange = (vehicleId: string, to: string, at: Date) =>
    fleetEvent('VehicleStateChanged', { vehicleId, from: 'active', to, cause: 'test', reason: null, at: at.getTime(), actor: null });

  let windowDay = 1;
  /** A ScheduleMaintenance for a fresh day-long window (each call a later day). */
  async function scheduling(vehicleId: string, change: Record<string, unknown> = {}): Promise<Sent & { jobId: string; windowStart: number; windowEnd: number }> {
    const windowStart = Date.now() + windowDay++ * DAY_MS;
    const value: Record<string, unknown> & { jobId: string; windowStart: number; windowEnd: number } = {
      jobId: randomUUID(),
      vehicleId,
      kind: 'service',
      title: 'yearly service',
      description: null,
      windowStart,
      windowEnd: windowStart + 8 * HOUR_MS,
      mechanicId: null,
      ...change,
    };
    return { ...(await command('ScheduleMaintenance', value)), jobId: value.jobId, windowStart: value.windowStart, windowEnd: value.windowEnd };
  }

  async function scheduledJob(vehicleId: string): Promise<string> {
    const sent = await scheduling(vehicleId);
    expect(await run(sent)).toEqual(['accepted']);
    return sent.jobId;
  }

  async function runningJob(vehicleId: string): Promise<string> {
    const jobId = await scheduledJob(vehicleId);
    expect(await run(await command('StartMaintenance', { jobId, startedAt: null }))).toEqual(['accepted']);
    return jobId;
  }

  const jobRow = (jobId: string): Promise<{ status: string; labor_cost_cents: number | null; parts_cost_cents: number; currency: string | null; odometer_km: number | null; cancel_reason: string | null }> =>
    maintenance.withSchema('maintenance').table('maintenance_jobs_view').where('id', jobId).first('status', 'labor_cost_cents', maintenance.raw('parts_cost_cents::bigint AS parts_cost_cents'), 'currency', 'odometer_km', 'cancel_reason');

  const part = (change: Record<string, unknown> = {}) => ({ partName: 'oil filter', partNumber: 'OF-1', quantity: 1, unitCostMinor: 1_500, currency: 'EUR', ...change });

  describe('ScheduleMaintenance', () => {
    it('books a job for a known vehicle and announces it keyed by the vehicle', async () => {
      const vehicleId = await vehicle();
      const mechanicId = randomUUID();
      const sent = await scheduling(vehicleId, { kind: 'tyres', title: ' winter tyres ', description: 'swap to winter set', mechanicId });

      expect(await run(sent)).toEqual(['accepted']);

      expect(await outcomeOf(sent)).toEqual({ status: 'accepted', reasonCode: null });
      expect(await eventsOf(sent)).toEqual([
        {
          type: 'maintenance.MaintenanceScheduled',
          payload: { jobId: sent.jobId, vehicleId, kind: 'tyres', windowStart: sent.windowStart, windowEnd: sent.windowEnd, title: 'winter tyres', description: 'swap to winter set', mechanicId, actor },
        },
      ]);
      const key: { message_key: string } = await maintenance.withSchema('maintenance').table('outbox_events').where('event_type', 'maintenance.MaintenanceScheduled').where('aggregate_id', sent.jobId).first('message_key');
      expect(key.message_key).toBe(vehicleId);
      const row: { mechanic_id: string; created_by: string; status: string } = await maintenance.withSchema('maintenance').table('maintenance_jobs').where('id', sent.jobId).first('mechanic_id', 'created_by', 'status');
      expect(row).toEqual({ mechanic_id: mechanicId, created_by: actor, status: 'scheduled' });
    });

    it('refuses an overlapping window through the database, but takes one that only touches it, and one of another vehicle', async () => {
      const vehicleId = await vehicle();
      const first = await scheduling(vehicleId);
      const overlapping = await scheduling(vehicleId, { windowStart: first.windowStart + HOUR_MS, windowEnd: first.windowEnd + HOUR_MS });
      const touching = await scheduling(vehicleId, { windowStart: first.windowEnd, windowEnd: first.windowEnd + HOUR_MS });
      const otherVehicle = await scheduling(await vehicle(), { windowStart: first.windowStart, windowEnd: first.windowEnd });

      expect(await run(first, overlapping, touching, otherVehicle)).toEqual(['accepted', 'rejected', 'accepted', 'accepted']);

      await expectRejected(overlapping, 'MAINTENANCE.WINDOW_OVERLAPS');
      expect(await maintenance.withSchema('maintenance').table('maintenance_jobs').where('vehicle_id', vehicleId).pluck('id')).toHaveLength(2);
    });

    it('frees the window of a cancelled job for a new booking', async () => {
      const vehicleId = await vehicle();
      const first = await scheduling(vehicleId);
      expect(await run(first, await command('CancelMaintenance', { jobId: first.jobId, reason: 'moved' }))).toEqual(['accepted', 'accepted']);
      const again = await scheduling(vehicleId, { windowStart: first.windowStart, windowEnd: first.windowEnd });
      expect(await run(again)).toEqual(['accepted']);
    });

    it('refuses an unknown vehicle, a decommissioned one, an unknown kind and a backwards window; the same booking again is accepted quietly', async () => {
      const vehicleId = await vehicle();
      const gone = await vehicle();
      expect(await follow(await statusChange(gone, 'decommissioned', new Date()))).toEqual(['accepted']);
      const unknown = await scheduling(randomUUID());
      const decommissioned = await scheduling(gone);
      const badKind = await scheduling(vehicleId, { kind: 'paint' });
      const backwards = await scheduling(vehicleId, { windowEnd: Date.now() });
      const original = await scheduling(vehicleId);
      const repeated = await command('ScheduleMaintenance', { jobId: original.jobId, vehicleId, kind: 'service', title: 'yearly service', description: null, windowStart: original.windowStart, windowEnd: original.windowEnd, mechanicId: null });
      const otherUnderSameId = await command('ScheduleMaintenance', { jobId: original.jobId, vehicleId, kind: 'repair', title: 'yearly service', description: null, windowStart: original.windowStart, windowEnd: original.windowEnd, mechanicId: null });

      expect(await run(unknown, decommissioned, badKind, backwards, original, repeated, otherUnderSameId)).toEqual(['rejected', 'rejected', 'rejected', 'rejected', 'accepted', 'accepted', 'rejected']);

      await expectRejected(unknown, 'MAINTENANCE.VEHICLE_NOT_FOUND');
      await expectRejected(decommissioned, 'MAINTENANCE.VEHICLE_DECOMMISSIONED');
      await expectRejected(badKind, 'MAINTENANCE.INVALID_KIND');
      await expectRejected(backwards, 'MAINTENANCE.INVALID_WINDOW');
      expect(await eventsOf(repeated)).toEqual([]);
      await expectRejected(otherUnderSameId, 'MAINTENANCE.JOB_ID_TAKEN');
    });
  });

  it('reports a job id taken between the load and the insert (another vehicle, another partition) as such, not as an overlap', async () => {
    const windowStart = new Date(Date.now() + 400 * DAY_MS);
    const job = { id: randomUUID(), kind: 'service' as const, title: 't', description: null, windowStart, windowEnd: new Date(windowStart.getTime() + HOUR_MS), mechanicId: null, createdBy: null };
    const outcomes = await maintenance.transaction(async (transaction) => [
      await repository.schedule(transaction, { ...job, vehicleId: randomUUID() }),
      await repository.schedule(transaction, { ...job, vehicleId: randomUUID() }),
    ]);
    expect(outcomes).toEqual(['scheduled', 'id_taken']);
  });

  describe('StartMaintenance', () => {
    it('starts a scheduled job at the given time and announces it', async () => {
      const vehicleId = await vehicle();
      const jobId = await scheduledJob(vehicleId);
      const startedAt = Date.now() - 10 * 60 * 1000;
      const sent = await command('StartMaintenance', { jobId, startedAt });

      expect(await run(sent)).toEqual(['accepted']);

      expect(await eventsOf(sent)).toEqual([{ type: 'maintenance.MaintenanceStarted', payload: { jobId, vehicleId, startedAt, actor } }]);
      expect((await jobRow(jobId)).status).toBe('in_progress');
    });

    it('refuses while the vehicle is rented, a job not scheduled, an unknown job, and a second job of a vehicle in the workshop', async () => {
      const rentedVehicle = await vehicle();
      const rentedJob = await scheduledJob(rentedVehicle);
      expect(await follow(await statusChange(rentedVehicle, 'rented', new Date()))).toEqual(['accepted']);
      const busyVehicle = await vehicle();
      const running = await runningJob(busyVehicle);
      const second = await scheduledJob(busyVehicle);

      const whileRented = await command('StartMaintenance', { jobId: rentedJob, startedAt: null });
      const again = await command('StartMaintenance', { jobId: running, startedAt: null });
      const unknown = await command('StartMaintenance', { jobId: randomUUID(), startedAt: null });
      const secondInWorkshop = await command('StartMaintenance', { jobId: second, startedAt: null });

      expect(await run(whileRented, again, unknown, secondInWorkshop)).toEqual(['rejected', 'rejected', 'rejected', 'rejected']);

      await expectRejected(whileRented, 'MAINTENANCE.VEHICLE_RENTED');
      await expectRejected(again, 'MAINTENANCE.JOB_NOT_SCHEDULED');
      await expectRejected(unknown, 'MAINTENANCE.JOB_NOT_FOUND');
      await expectRejected(secondInWorkshop, 'MAINTENANCE.VEHICLE_IN_WORKSHOP');
      expect((await jobRow(rentedJob)).status).toBe('scheduled');
    });
  });

  describe('RecordPartsUsed and CompleteMaintenance', () => {
    it('records parts, then completes with labour and more parts: costs summed in one currency', async () => {
      const vehicleId = await vehicle();
      const jobId = await runningJob(vehicleId);
      const parts = await command('RecordPartsUsed', { jobId, parts: [part({ quantity: 2 }), part({ partName: 'oil 5W-30', partNumber: null, quantity: 5, unitCostMinor: 1_200 })] });
      const completedAt = Date.now();
      const completion = await command('CompleteMaintenance', { jobId, completedAt, laborCostMinor: 9_000, currency: 'EUR', odometerKm: 31_000, parts: [part({ partName: 'wiper', partNumber: 'W-2', unitCostMinor: 2_000 })] });

      expect(await run(parts, completion)).toEqual(['accepted', 'accepted']);

      expect(await eventsOf(parts)).toEqual([
        {
          type: 'maintenance.PartsRecorded',
          payload: {
            jobId,
            vehicleId,
            parts: [part({ quantity: 2 }), part({ partName: 'oil 5W-30', partNumber: null, quantity: 5, unitCostMinor: 1_200 })],
            partsCostMinor: 9_000,
            currency: 'EUR',
            recordedAt: expect.any(Number),
            actor,
          },
        },
      ]);
      expect(await eventsOf(completion)).toEqual([
        {
          type: 'maintenance.MaintenanceCompleted',
          payload: {
            jobId,
            vehicleId,
            completedAt,
            laborCostMinor: 9_000,
            partsCostMinor: 11_000,
            totalCostMinor: 20_000,
            currency: 'EUR',
            odometerKm: 31_000,
            // The job's lines by when they were recorded (one transaction here), then by name.
            parts: [part({ partName: 'oil 5W-30', partNumber: null, quantity: 5, unitCostMinor: 1_200 }), part({ quantity: 2 }), part({ partName: 'wiper', partNumber: 'W-2', unitCostMinor: 2_000 })],
            actor,
          },
        },
      ]);
      expect(await jobRow(jobId)).toEqual({ status: 'completed', labor_cost_cents: 9_000, parts_cost_cents: 11_000, currency: 'EUR', odometer_km: 31_000, cancel_reason: null });
    });

    it('refuses a second currency, parts of a completed job, completing a scheduled job, and labour in another currency', async () => {
      const vehicleId = await vehicle();
      const jobId = await runningJob(vehicleId);
      const scheduled = await scheduledJob(vehicleId);
      const euros = await command('RecordPartsUsed', { jobId, parts: [part()] });
      const dollars = await command('RecordPartsUsed', { jobId, parts: [part({ currency: 'USD' })] });
      const labourInPounds = await command('CompleteMaintenance', { jobId, completedAt: null, laborCostMinor: 100, currency: 'GBP', odometerKm: null, parts: [] });
      const notRunning = await command('CompleteMaintenance', { jobId: scheduled, completedAt: null, laborCostMinor: 100, currency: 'EUR', odometerKm: null, parts: [] });
      const done = await command('CompleteMaintenance', { jobId, completedAt: null, laborCostMinor: 100, currency: 'EUR', odometerKm: null, parts: [] });
      const late = await command('RecordPartsUsed', { jobId, parts: [part()] });

      expect(await run(euros, dollars, labourInPounds, notRunning, done, late)).toEqual(['accepted', 'rejected', 'rejected', 'rejected', 'accepted', 'rejected']);

      await expectRejected(dollars, 'MAINTENANCE.CURRENCY_MISMATCH');
      await expectRejected(labourInPounds, 'MAINTENANCE.CURRENCY_MISMATCH');
      await expectRejected(notRunning, 'MAINTENANCE.JOB_NOT_IN_PROGRESS');
      await expectRejected(late, 'MAINTENANCE.JOB_CLOSED');
      expect((await jobRow(jobId)).parts_cost_cents).toBe(1_500);
    });
  });

  describe('CancelMaintenance', () => {
    it('cancels a scheduled job with its reason, and refuses a running one', async () => {
      const vehicleId = await vehicle();
      const jobId = await scheduledJob(vehicleId);
      const running = await runningJob(vehicleId);
      const cancel = await command('CancelMaintenance', { jobId, reason: ' parts on back order ' });
      const tooLate = await command('CancelMaintenance', { jobId: running, reason: 'no' });

      expect(await run(cancel, tooLate)).toEqual(['accepted', 'rejected']);

      expect(await eventsOf(cancel)).toEqual([{ type: 'maintenance.MaintenanceCancelled', payload: { jobId, vehicleId, cancelledAt: expect.any(Number), reason: 'parts on back order', actor } }]);
      expect(await jobRow(jobId)).toMatchObject({ status: 'cancelled', cancel_reason: 'parts on back order' });
      await expectRejected(tooLate, 'MAINTENANCE.JOB_NOT_SCHEDULED');
    });
  });

  describe('DefineServicePlan', () => {
    it('defines a class plan, supersedes it with a newer one, and refuses a plan for both a vehicle and a class', async () => {
      const vehicleClass = `c_${randomUUID().slice(0, 8)}`;
      const first = { planId: randomUUID(), vehicleId: null, vehicleClass, everyKm: 15_000, everyDays: null, dueSoonKm: 1_000, dueSoonDays: 0 };
      const second = { ...first, planId: randomUUID(), everyDays: 365, dueSoonDays: 30 };
      const defineFirst = await command('DefineServicePlan', first);
      const defineSecond = await command('DefineServicePlan', second);
      const both = await command('DefineServicePlan', { ...first, planId: randomUUID(), vehicleId: randomUUID() });

      expect(await run(defineFirst, defineSecond, both)).toEqual(['accepted', 'accepted', 'rejected']);

      expect(await eventsOf(defineSecond)).toEqual([
        { type: 'maintenance.ServicePlanDefined', payload: { ...second, supersedesPlanId: first.planId, definedAt: expect.any(Number), actor } },
      ]);
      await expectRejected(both, 'MAINTENANCE.INVALID_PLAN');
      const plans: { id: string; superseded: boolean }[] = await maintenance
        .withSchema('maintenance')
        .table('service_plans')
        .where('vehicle_class', vehicleClass)
        .orderBy('created_at')
        .select('id', maintenance.raw('superseded_at IS NOT NULL AS superseded'));
      expect(plans).toEqual([{ id: first.planId, superseded: true }, { id: second.planId, superseded: false }]);
    });
  });

  describe('the fleet facts it follows', () => {
    it('keeps the latest status and class whatever the order, and ignores duplicates', async () => {
      const vehicleId = await vehicle();
      const now = Date.now();
      const rented = await statusChange(vehicleId, 'rented', new Date(now));
      const olderActive = await statusChange(vehicleId, 'active', new Date(now - HOUR_MS));
      const classV3 = await fleetEvent('VehicleUpdated', { vehicleId, make: null, model: null, variant: null, year: null, vehicleClass: 'van', vin: null, version: 3, updatedAt: now });
      const classV2 = await fleetEvent('VehicleUpdated', { vehicleId, make: null, model: null, variant: null, year: null, vehicleClass: 'compact', vin: null, version: 2, updatedAt: now - 1 });
      const duplicate = { ...rented };

      expect(await follow(rented, olderActive, classV3, classV2, duplicate)).toEqual(['accepted', 'accepted', 'accepted', 'accepted', 'duplicate']);

      const row: { status: string; vehicle_class: string } = await maintenance.withSchema('maintenance').table('vehicle_projection').where('vehicle_id', vehicleId).first('status', 'vehicle_class');
      expect(row).toEqual({ status: 'rented', vehicle_class: 'van' });
    });

    it('takes a void that arrives before its reading: the reading never counts', async () => {
      const vehicleId = await vehicle();
      const readingId = randomUUID();
      const voided = await fleetEvent('OdometerReadingVoided', { vehicleId, readingId, reason: 'typo', voidedAt: Date.now(), actor: null });
      const recorded = await fleetEvent('OdometerRecorded', { readingId, vehicleId, readingKm: 99_999, recordedAt: Date.now() - 1000, source: 'manual', supersedesReadingId: null });

      expect(await follow(voided, recorded)).toEqual(['accepted', 'accepted']);

      const rows = await maintenance.withSchema('maintenance').table('odometer_readings').where('vehicle_id', vehicleId).select('reading_km', maintenance.raw('voided_at IS NOT NULL AS voided'));
      expect(rows).toEqual([{ reading_km: 99_999, voided: true }]);
    });

    it('logs a status change of a vehicle it never heard of as a conflict, without stopping', async () => {
      const stranger = await statusChange(randomUUID(), 'rented', new Date());
      expect(await follow(stranger)).toEqual(['rejected']);
    });
  });

  describe('ServiceDue', () => {
    async function plan(target: { vehicleId?: string; vehicleClass?: string }, terms: Record<string, number | null>): Promise<string> {
      const planId = randomUUID();
      const sent = await command('DefineServicePlan', { planId, vehicleId: target.vehicleId ?? null, vehicleClass: target.vehicleClass ?? null, everyKm: null, everyDays: null, dueSoonKm: 0, dueSoonDays: 0, ...terms });
      expect(await run(sent)).toEqual(['accepted']);
      return planId;
    }

    const odometer = (vehicleId: string, readingKm: number, readingId = randomUUID()) =>
      fleetEvent('OdometerRecorded', { readingId, vehicleId, readingKm, recordedAt: Date.now(), source: 'manual', supersedesReadingId: null });

    const remindersOf = async (vehicleId: string): Promise<Record<string, unknown>[]> => {
      const rows: { payload: Record<string, unknown> }[] = await maintenance
        .withSchema('maintenance')
        .table('outbox_events')
        .where('event_type', 'maintenance.ServiceDue')
        .whereRaw(`payload->>'vehicleId' = ?`, [vehicleId])
        .orderBy('sequence')
        .select('payload');
      for (const row of rows) await codec.encode(eventsTopic, 'maintenance.ServiceDue', row.payload);
      return rows.map((row) => row.payload);
    };

    it('announces the distance threshold once, however often the reading and later ones arrive; a vehicle plan beats the class plan', async () => {
      const vehicleClass = `c_${randomUUID().slice(0, 8)}`;
      const vehicleId = await vehicle({ vehicleClass });
      await plan({ vehicleClass }, { everyKm: 50_000, dueSoonKm: 1_000 });
      const planId = await plan({ vehicleId }, { everyKm: 10_000, dueSoonKm: 500 });
      const first = await odometer(vehicleId, 1_000);
      const crossing = await odometer(vehicleId, 10_600);
      const redelivered = { ...crossing };
      const { readingId } = (await codec.decode(crossing.value)) as { readingId: string };
      const sameReadingNewMessage = await fleetEvent('OdometerRecorded', { readingId, vehicleId, readingKm: 10_600, recordedAt: Date.now(), source: 'manual', supersedesReadingId: null });
      const overdue = await odometer(vehicleId, 11_200);

      expect(await follow(first, crossing)).toEqual(['accepted', 'accepted']);
      expect(await follow(redelivered, sameReadingNewMessage, overdue)).toEqual(['duplicate', 'accepted', 'accepted']);

      // Counted from registration, whose km is the first reading: due at 1 000 + 10 000 km.
      expect(await remindersOf(vehicleId)).toEqual([
        {
          vehicleId,
          planId,
          reason: 'km',
          status: 'due_soon',
          dueAtKm: 11_000,
          dueAt: null,
          kmRemaining: 400,
          daysRemaining: null,
          basis: 'registration',
          thresholdId: thresholdIdOf(vehicleId, planId, 'registration', 'km'),
          noticedAt: expect.any(Number),
        },
      ]);
    });

    it('counts again from a completed job: a new basis gives a new reminder', async () => {
      const vehicleId = await vehicle();
      const planId = await plan({ vehicleId }, { everyKm: 10_000, dueSoonKm: 500 });
      expect(await follow(await odometer(vehicleId, 0), await odometer(vehicleId, 9_800))).toEqual(['accepted', 'accepted']);
      const jobId = await runningJob(vehicleId);
      expect(await run(await command('CompleteMaintenance', { jobId, completedAt: null, laborCostMinor: 0, currency: 'EUR', odometerKm: 9_900, parts: [] }))).toEqual(['accepted']);
      expect(await follow(await odometer(vehicleId, 15_000), await odometer(vehicleId, 19_500))).toEqual(['accepted', 'accepted']);

      const reminders = await remindersOf(vehicleId);
      expect(reminders.map((reminder) => [reminder.basis, reminder.status, reminder.dueAtKm, reminder.planId])).toEqual([
        ['registration', 'due_soon', 10_000, planId],
        [`job:${jobId}`, 'due_soon', 19_900, planId],
      ]);
    });

    it('announces the time threshold once when two sweeps race and when swept again', async () => {
      const vehicleClass = `c_${randomUUID().slice(0, 8)}`;
      const now = new Date();
      const dueVehicle = await vehicle({ vehicleClass, registeredAt: new Date(now.getTime() - 200 * DAY_MS) });
      const freshVehicle = await vehicle({ vehicleClass, registeredAt: now });
      const planId = await plan({ vehicleClass }, { everyDays: 180, dueSoonDays: 14 });
      const task = serviceDueTask(repository, 60_000);

      const outcomes = await Promise.all([
        runSweep(maintenance, 'maintenance', 'maintenance.events', task, now),
        runSweep(maintenance, 'maintenance', 'maintenance.events', task, now),
      ]);
      const again = await runSweep(maintenance, 'maintenance', 'maintenance.events', task, new Date(now.getTime() + HOUR_MS));

      const announced = outcomes.map((outcome) => (outcome.kind === 'swept' ? outcome.events : 0)).reduce((sum, count) => sum + count, 0);
      expect(announced).toBe(1);
      expect(again).toEqual({ kind: 'swept', events: 0 });
      const reminders = await remindersOf(dueVehicle);
      expect(reminders).toEqual([
        {
          vehicleId: dueVehicle,
          planId,
          reason: 'days',
          status: 'overdue',
          dueAtKm: null,
          dueAt: expect.any(Number),
          kmRemaining: null,
          daysRemaining: -20,
          basis: 'registration',
          thresholdId: thresholdIdOf(dueVehicle, planId, 'registration', 'days'),
          noticedAt: now.getTime(),
        },
      ]);
      expect(await remindersOf(freshVehicle)).toEqual([]);
    });
  });
});
