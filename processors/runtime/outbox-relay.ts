import type { KafkaJS } from '@confluentinc/kafka-javascript';
import type { Knex } from 'knex';
import pg from 'pg';
import type { AvroCodec } from '../../platform/avro-codec';
import type { Logger } from '../../platform/logger';
import { Header } from '../../platform/message-headers';
import { ROOT_CONTEXT, SpanKind, trace, type Span } from '@opentelemetry/api';
import { contextFromHeaders, failSpan, linkTo, startSendSpan, traceHeaders, tracer } from '../../platform/tracing';
import type { IntegrationRepository, UnpublishedEvent } from './integration.repository';

export interface OutboxRelayOptions {
  /** The context schema whose outbox this relay drains; also names the NOTIFY channel. */
  readonly schema: string;
  readonly listenUrl: URL;
  readonly batchSizeMax: number;
  /** The fallback poll when no notification arrives (a lost connection, a missed NOTIFY). */
  readonly pollIntervalMs: number;
  readonly retryDelayMsMax: number;
}

/**
 * Publishes a context's outbox rows in sequence order with an idempotent producer, then marks them
 * published in the same transaction that claimed them (FOR UPDATE SKIP LOCKED, so several relays
 * never publish the same row in the normal case). A crash between publishing and committing
 * publishes again: consumers dedupe on the message id, which is the outbox row's id and so stays
 * the same on every attempt.
 */
export class OutboxRelay {
  private running = false;
  private wake: (() => void) | undefined;
  /** A notification that arrived while draining: the next wait is skipped. */
  private notified = false;
  private listener: pg.Client | undefined;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly database: Knex,
    private readonly outbox: IntegrationRepository,
    private readonly producer: KafkaJS.Producer,
    private readonly codec: AvroCodec,
    private readonly options: OutboxRelayOptions,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    this.running = true;
    await this.listen();
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.listener?.end().catch(() => undefined);
  }

  /** Publishes everything unpublished now; returns how many events left. */
  async drain(): Promise<number> {
    let published = 0;
    for (;;) {
      const count = await this.drainOnce();
      published += count;
      if (count < this.options.batchSizeMax) return published;
    }
  }

  /**
   * One transaction: claim, publish, mark published. It gets a span (linking the traces of the
   * events it publishes) only when it found something, so that idle polls leave no trace.
   */
  private async drainOnce(): Promise<number> {
    const began = new Date();
    let span: Span | undefined;
    try {
      const count = await this.database.transaction(async (transaction) => {
        const events = await this.outbox.claimUnpublished(transaction, this.options.batchSizeMax);
        if (events.length === 0) return 0;
        span = tracer().startSpan(
          `transaction ${this.options.schema}`,
          {
            kind: SpanKind.CLIENT,
            startTime: began,
            links: events.flatMap((event) => linkTo(contextFromHeaders(event.headers))),
            attributes: { 'db.system.name': 'postgresql', 'fleet.outbox.events': events.length },
          },
          ROOT_CONTEXT,
        );
        await this.publish(events);
        await this.outbox.markPublished(transaction, events.map((event) => event.id), new Date());
        return events.length;
      });
      span?.end();
      return count;
    } catch (error) {
      if (span !== undefined) {
        failSpan(span, error);
        span.end();
      }
      throw error;
    }
  }

  /**
   * One request per topic, all topics at once. Order matters per aggregate, which is per key
   * within a topic: each topic's messages keep their sequence order in its request, and the
   * idempotent producer keeps that order within each partition. (Rows alternate between the
   * events and results topics, so grouping only consecutive rows would send one at a time.)
   */
  private async publish(events: readonly UnpublishedEvent[]): Promise<void> {
    const byTopic = new Map<string, UnpublishedEvent[]>();
    for (const event of events) byTopic.set(event.topic, [...(byTopic.get(event.topic) ?? []), event]);
    await Promise.all(
      [...byTopic].map(async ([topic, topicEvents]) => {
        // Each event's send is a span in the trace of the message that caused it (its stored traceparent).
        const sends = topicEvents.map((event) => ({
          event,
          span: startSendSpan({ topic, messageId: event.id, messageType: event.eventType }, contextFromHeaders(event.headers)),
        }));
        try {
          const messages = await Promise.all(
            sends.map(async ({ event, span }) => ({
              key: event.key,
              value: await this.codec.encode(topic, event.eventType, event.payload),
              headers: {
                ...event.headers,
                ...traceHeaders(trace.setSpan(ROOT_CONTEXT, span)),
                [Header.messageId]: event.id,
                [Header.messageType]: event.eventType,
                [Header.occurredAt]: event.occurredAt.toISOString(),
              },
            })),
          );
          await this.producer.send({ topic, messages });
        } catch (error) {
          for (const { span } of sends) failSpan(span, error);
          throw error;
        } finally {
          for (const { span } of sends) span.end();
        }
      }),
    );
  }

  /**
   * LISTENs on the context's channel. A lost connection is not fatal: polling carries on, and the
   * listener connects again with a capped backoff for as long as the relay runs.
   */
  private async listen(): Promise<void> {
    const listener = new pg.Client({ connectionString: this.options.listenUrl.toString(), application_name: `${this.options.schema}-outbox-relay` });
    listener.on('notification', () => {
      this.notified = true;
      this.wake?.();
    });
    let connected = false;
    let lost = false;
    const onLost = (error?: Error) => {
      // A connect that fails is the caller's to retry; only an established listener is mourned here.
      if (lost || !connected) return;
      lost = true;
      if (this.listener === listener) this.listener = undefined;
      if (!this.running) return;
      this.logger.warn({ err: error }, 'outbox listener connection lost; polling until it is back');
      this.relisten(1);
    };
    listener.on('error', onLost);
    listener.on('end', () => onLost());
    try {
      await listener.connect();
      await listener.query(`LISTEN ${this.options.schema}_outbox`);
    } catch (error) {
      await listener.end().catch(() => undefined);
      throw error;
    }
    this.listener = listener;
    connected = true;
  }

  private relisten(attempt: number): void {
    const delayMs = Math.min(100 * 2 ** attempt, this.options.retryDelayMsMax);
    setTimeout(() => {
      if (!this.running || this.listener !== undefined) return;
      this.listen().then(
        () => this.logger.info('outbox listener connected again'),
        () => this.relisten(attempt + 1),
      );
    }, delayMs).unref();
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      this.notified = false;
      try {
        const published = await this.drain();
        if (published > 0) this.logger.debug({ published }, 'outbox events published');
        failures = 0;
      } catch (error) {
        failures += 1;
        this.logger.error({ err: error, failures }, 'publishing the outbox failed; retrying');
      }
      const delayMs = failures === 0 ? this.options.pollIntervalMs : Math.min(100 * 2 ** failures, this.options.retryDelayMsMax);
      if (this.notified && failures === 0) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delayMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
}
