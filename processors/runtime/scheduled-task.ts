import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { traceHeaders, tracedTransaction } from '../../platform/tracing';
import type { Logger } from '../../platform/logger';
import type { Metrics } from '../../platform/metrics';
import type { DomainEvent } from './command-handler';
import { IntegrationRepository, type IntegrationSchema } from './integration.repository';

/**
 * A fact that time, not a message, brings about: a rental still out past its end, a vehicle due
 * for service. A sweep finds what has become true since the last one, marks it (so the next
 * sweep finds nothing) and returns the events announcing it; they go to the outbox in the same
 * transaction, so a fact is announced exactly when it is recorded.
 */
export interface ScheduledTask {
  /** Names the task in logs and metrics, and its advisory lock, e.g. rental.overdue-rentals. */
  readonly name: string;
  /** The pause between two sweeps of one instance. */
  readonly intervalMs: number;
  /** One sweep, in a transaction holding the task's advisory lock. */
  sweep(transaction: Knex.Transaction, now: Date): Promise<readonly DomainEvent[]>;
}

export type SweepOutcome = { readonly kind: 'swept'; readonly events: number } | { readonly kind: 'busy' };

/**
 * Runs one sweep of `task` now. Several instances may run the same task: the transaction-scoped
 * advisory lock lets one sweep at a time and the others answer 'busy' without waiting (the lock
 * goes with the transaction, so a crashed sweep never leaves it held).
 */
export async function runSweep(database: Knex, schema: IntegrationSchema, eventsTopic: string, task: ScheduledTask, now: Date): Promise<SweepOutcome> {
  // Each sweep begins a trace of its own, which the facts it records carry on to their consumers.
  return tracedTransaction(database, schema, { parent: ROOT_CONTEXT, attributes: { 'fleet.task': task.name } }, async (transaction) => {
    const locked: { rows: { acquired: boolean }[] } = await transaction.raw('SELECT pg_try_advisory_xact_lock(hashtext(?)) AS acquired', [`scheduled-task:${task.name}`]);
    if (locked.rows[0]?.acquired !== true) return { kind: 'busy' };
    const events = await task.sweep(transaction, now);
    const sweepId = randomUUID();
    await new IntegrationRepository(schema).appendOutbox(
      transaction,
      events.map((event) => ({
        topic: eventsTopic,
        key: event.key ?? event.aggregateId,
        aggregateType: event.aggregateType,
        aggregateId: event.aggregateId,
        eventType: event.type,
        payload: event.payload,
        // No command caused it: the sweep is both its correlation and its causation.
        headers: { 'correlation-id': sweepId, 'causation-id': sweepId, 'message-type': event.type, ...traceHeaders() },
        occurredAt: now,
      })),
    );
    return { kind: 'swept', events: events.length };
  });
}

/**
 * Runs a context's scheduled tasks, each every `intervalMs` after the previous sweep ended (a
 * slow sweep never overlaps itself). A failing sweep is logged and counted and tried again at
 * the next interval; it never stops the process.
 */
export class TaskScheduler {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  private stopped = true;
  private readonly sweeps: { inc(labels: Record<string, string>, by?: number): void };

  constructor(
    private readonly database: Knex,
    private readonly schema: IntegrationSchema,
    private readonly eventsTopic: string,
    private readonly tasks: readonly ScheduledTask[],
    metrics: Metrics,
    private readonly logger: Logger,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.sweeps = metrics.counter('scheduled_sweeps_total', 'Sweeps of scheduled tasks, by task and outcome (swept, busy, failed)');
  }

  start(): void {
    this.stopped = false;
    for (const task of this.tasks) this.schedule(task, 0);
  }

  /** Stops scheduling and waits for the sweeps in hand. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await Promise.allSettled([...this.running]);
  }

  private schedule(task: ScheduledTask, delayMs: number): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      const sweep = this.sweep(task).finally(() => {
        this.running.delete(sweep);
        this.schedule(task, task.intervalMs);
      });
      this.running.add(sweep);
    }, delayMs);
    timer.unref();
    this.timers.set(task.name, timer);
  }

  private async sweep(task: ScheduledTask): Promise<void> {
    try {
      const outcome = await runSweep(this.database, this.schema, this.eventsTopic, task, this.clock());
      this.sweeps.inc({ task: task.name, outcome: outcome.kind });
      if (outcome.kind === 'swept' && outcome.events > 0) this.logger.info({ task: task.name, events: outcome.events }, 'scheduled sweep recorded new facts');
    } catch (error) {
      this.sweeps.inc({ task: task.name, outcome: 'failed' });
      this.logger.warn({ task: task.name, err: error }, 'scheduled sweep failed; trying again at the next interval');
    }
  }
}
