import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
  type SpanContext,
} from '@opentelemetry/api';
import type { Knex } from 'knex';

/**
 * Tracing across HTTP and Kafka. Every service registers one tracer provider at start-up
 * (`startTracing`, platform/tracing-setup.ts); code anywhere opens spans with `tracer()`, which
 * are no-ops until a provider is registered. W3C trace context travels in the
 * `traceparent` and `tracestate` headers of HTTP requests and Kafka records alike, so one trace
 * runs from the gateway's request through each processor a command or event touches, the outbox
 * relay's publish included.
 */

export const TRACER_NAME = 'fleet-command-streams';

export function tracer() {
  return trace.getTracer(TRACER_NAME);
}

type HeaderValue = Buffer | string | (Buffer | string)[] | undefined;

const headerGetter = {
  keys: (carrier: Record<string, HeaderValue>) => Object.keys(carrier),
  get: (carrier: Record<string, HeaderValue>, key: string) => {
    const value = carrier[key];
    const first = Array.isArray(value) ? value[0] : value;
    return first === undefined ? undefined : first.toString();
  },
};

/** The trace context a Kafka record or an HTTP request carries; the root context when none. */
export function contextFromHeaders(headers: Record<string, HeaderValue>): Context {
  return propagation.extract(ROOT_CONTEXT, headers, headerGetter);
}

/** `traceparent` (and `tracestate`) naming `from` (default: the active context) as the parent; empty when tracing is off. */
export function traceHeaders(from: Context = context.active()): Record<string, string> {
  const headers: Record<string, string> = {};
  propagation.inject(from, headers);
  return headers;
}

/** The span context of `from`'s span, as a link; none when it has none. */
export function linkTo(from: Context): Link[] {
  const spanContext: SpanContext | undefined = trace.getSpanContext(from);
  return spanContext !== undefined && trace.isSpanContextValid(spanContext) ? [{ context: spanContext }] : [];
}

/**
 * The span of one consumed record (`process <topic>`), a child of the span that produced it, per
 * the record's traceparent.
 */
export function startConsumeSpan(record: {
  readonly topic: string;
  readonly partition?: number;
  readonly offset?: string;
  readonly group?: string;
  readonly headers: Record<string, HeaderValue>;
}): Span {
  return tracer().startSpan(
    `process ${record.topic}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'process',
        'messaging.destination.name': record.topic,
        ...(record.partition === undefined ? {} : { 'messaging.destination.partition.id': String(record.partition) }),
        ...(record.offset === undefined ? {} : { 'messaging.kafka.offset': Number(record.offset) }),
        ...(record.group === undefined ? {} : { 'messaging.consumer.group.name': record.group }),
      },
    },
    contextFromHeaders(record.headers),
  );
}

/**
 * The span of one record sent to Kafka (`send <topic>`), a child of `parent`; its context goes
 * into the record's headers (`traceHeaders`), so the consumer's span becomes its child.
 */
export function startSendSpan(record: { readonly topic: string; readonly messageId: string; readonly messageType: string }, parent: Context = context.active()): Span {
  return tracer().startSpan(
    `send ${record.topic}`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'send',
        'messaging.destination.name': record.topic,
        'messaging.message.id': record.messageId,
        'fleet.message.type': record.messageType,
      },
    },
    parent,
  );
}

/** Ends a span after `work`, recording a thrown error as the span's status. */
export async function endAfter<T>(span: Span, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    failSpan(span, error);
    throw error;
  } finally {
    span.end();
  }
}

export function failSpan(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}

/**
 * A PostgreSQL transaction in a span of its own (`transaction <what>`), the active span while it
 * runs: how long it held its connection, from BEGIN to COMMIT or ROLLBACK.
 */
export function tracedTransaction<T>(
  database: Knex,
  what: string,
  options: { parent?: Context; links?: Link[]; attributes?: Attributes },
  work: (transaction: Knex.Transaction) => Promise<T>,
): Promise<T> {
  const parent = options.parent ?? context.active();
  const span = tracer().startSpan(
    `transaction ${what}`,
    { kind: SpanKind.CLIENT, links: options.links, attributes: { 'db.system.name': 'postgresql', ...options.attributes } },
    parent,
  );
  return context.with(trace.setSpan(parent, span), () => endAfter(span, () => database.transaction(work)));
}
