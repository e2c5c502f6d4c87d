import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import type { Knex } from 'knex';
import { createDatabase } from '../../../platform/database';
import { Metrics } from '../../../platform/metrics';
import type { DomainEvent } from '../../../processors/runtime/command-handler';
import { runSweep, TaskScheduler, type ScheduledTask } from '../../../processors/runtime/scheduled-task';
import { startTracing } from '../../../platform/tracing-setup';
import { ScratchDatabase } from '../../support/database';
import { eventually } from '../../support/eventually';
import { silentLogger } from '../../support/silent-logger';

/**
 * Scheduled sweeps on the real PostgreSQL, as a context login: one instance sweeps at a time
 * (the others are told the task is busy, without waiting), the events reach the outbox in the
 * sweep's transaction, and a failing sweep is counted and tried again. A sweep begins a trace of
 * its own, which its events carry on.
 */
describe('scheduled sweeps', () => {
  const database = new ScratchDatabase();
  let fleet: Knex;

  beforeAll(async () => {
    await database.create({ migrate: true });
    const admin = database.knex();
    // A table of things that become due, standing in for a context's own (overdue rentals, say).
    await admin.raw('CREATE TABLE fleet.sweep_probe (id int PRIMARY KEY, vehicle_id uuid NOT NULL DEFAULT gen_random_uuid(), due_at timestamptz NOT NULL, announced_at timestamptz NULL)');
    await admin.raw('GRANT SELECT, UPDATE ON fleet.sweep_probe TO fleet_svc');
    await admin.raw("INSERT INTO fleet.sweep_probe (id, due_at) VALUES (1, '2026-01-01T00:00:00Z'), (2, '2026-01-02T00:00:00Z'), (3, '2027-01-01T00:00:00Z')");
    fleet = createDatabase({ url: database.urlFor('fleet_svc'), poolSizeMax: 4, statementTimeoutMs: 10_000, applicationName: 'scheduled-task-test' });
  }, 60_000);

  afterAll(async () => {
    await fleet.destroy();
    await database.drop();
  });

  /** Announces every probe row due by `now`, once; optionally holds its lock a while first. */
  function dueTask(holdMs = 0): ScheduledTask {
    return {
      name: 'test.due-probes',
      intervalMs: 50,
      async sweep(transaction, now): Promise<DomainEvent[]> {
        if (holdMs > 0) await transaction.raw('SELECT pg_sleep(?)', [holdMs / 1000]);
        const rows: { id: number; vehicle_id: string }[] = await transaction('fleet.sweep_probe')
          .whereNull('announced_at')
          .where('due_at', '<=', now)
          .update({ announced_at: now })
          .returning(['id', 'vehicle_id']);
        return rows
          .sort((a, b) => a.id - b.id)
          .map((row) => ({ type: 'fleet.ProbeDue', aggregateType: 'vehicle', aggregateId: row.vehicle_id, key: `vehicle-${row.id}`, payload: { id: row.id } }));
      },
    };
  }

  interface OutboxRow {
    topic: string;
    message_key: string;
    payload: Record<string, unknown>;
    headers: Record<string, string>;
  }

  const outbox = (): Promise<OutboxRow[]> =>
    database.knex()('fleet.outbox_events').select('topic', 'message_key', 'payload', 'headers').where('event_type', 'fleet.ProbeDue').orderBy('sequence');

  it('lets one instance sweep at a time, records the facts once and puts their events in the outbox', async () => {
    const now = new Date('2026-06-01T00:00:00Z');
    const outcomes = await Promise.all([runSweep(fleet, 'fleet', 'test.events', dueTask(800), now), runSweep(fleet, 'fleet', 'test.events', dueTask(800), now)]);
    expect(outcomes.map((outcome) => outcome.kind).sort()).toEqual(['busy', 'swept']);
    expect(outcomes.find((outcome) => outcome.kind === 'swept')).toEqual({ kind: 'swept', events: 2 });

    const events = await outbox();
    expect(events.map((event) => [event.topic, event.message_key, event.payload])).toEqual([
      ['test.events', 'vehicle-1', { id: 1 }],
      ['test.events', 'vehicle-2', { id: 2 }],
    ]);
    expect(events[0]!.headers).toMatchObject({ 'message-type': 'fleet.ProbeDue' });
    expect(events[0]!.headers['correlation-id']).toBe(events[1]!.headers['correlation-id']);

    // Nothing new is due: a second sweep announces nothing.
    expect(await runSweep(fleet, 'fleet', 'test.events', dueTask(), now)).toEqual({ kind: 'swept', events: 0 });
    expect(await outbox()).toHaveLength(2);
  }, 30_000);

  it('rolls a failed sweep back whole, counts it, and sweeps again at the next interval', async () => {
    let attempts = 0;
    const task = dueTask();
    const flaky: ScheduledTask = {
      ...task,
      async sweep(transaction, now) {
        const events = await task.sweep(transaction, now);
        attempts += 1;
        if (attempts === 1) throw new Error('the first sweep fails after marking its rows');
        return events;
      },
    };
    const metrics = new Metrics();
    const scheduler = new TaskScheduler(fleet, 'fleet', 'test.events', [flaky], metrics, silentLogger, () => new Date('2028-01-01T00:00:00Z'));
    scheduler.start();
    try {
      await eventually(async () => ((await outbox()).length === 3 ? true : undefined), 20_000, 'the third probe to be announced');
    } finally {
      await scheduler.stop();
    }
    expect(metrics.value('scheduled_sweeps_total', { task: 'test.due-probes', outcome: 'failed' })).toBe(1);
    expect(metrics.value('scheduled_sweeps_total', { task: 'test.due-probes', outcome: 'swept' })).toBeGreaterThanOrEqual(1);
    // The failed sweep's marks were rolled back with it, so row 3 was announced by the next one, once.
    expect((await outbox()).map((event) => event.message_key)).toEqual(['vehicle-1', 'vehicle-2', 'vehicle-3']);
  }, 30_000);

  it("begins a trace of its own, whose transaction span its events name as their parent", async () => {
    const spans = new InMemorySpanExporter();
    const tracing = startTracing({ service: 'sweep-test', exporter: 'none', otlpEndpoint: new URL('http://localhost:4318/v1/traces'), sampleRatio: 1, spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] });
    try {
      await database.knex().raw("INSERT INTO fleet.sweep_probe (id, due_at) VALUES (4, '2028-06-01T00:00:00Z')");
      expect(await runSweep(fleet, 'fleet', 'test.events', dueTask(), new Date('2029-01-01T00:00:00Z'))).toEqual({ kind: 'swept', events: 1 });

      const sweep = spans.getFinishedSpans().filter((span) => span.name === 'transaction fleet' && span.attributes['fleet.task'] === 'test.due-probes');
      expect(sweep).toHaveLength(1);
      expect(sweep[0]!.parentSpanContext).toBeUndefined();
      const announced = (await outbox()).find((event) => event.message_key === 'vehicle-4');
      const { traceId, spanId } = sweep[0]!.spanContext();
      expect(announced?.headers.traceparent).toBe(`00-${traceId}-${spanId}-01`);
    } finally {
      await tracing.shutdown();
    }
  }, 30_000);
});
