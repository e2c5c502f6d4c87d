import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { envDetector, hostDetector } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { AlwaysOffSampler, BatchSpanProcessor, NoopSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler, type SpanProcessor } from '@opentelemetry/sdk-trace';
import type { TracingExporter } from './tracing-exporters';

/**
 * The OpenTelemetry SDK of a service: registers the tracer provider, the W3C trace-context
 * propagator and the async context manager that platform/tracing.ts relies on. Only process
 * entries load it.
 */

export interface TracingOptions {
  readonly service: string;
  /** `none` sends spans nowhere and records no trace it begins; ids still reach logs and headers. */
  readonly exporter: TracingExporter;
  /** The OTLP/HTTP traces endpoint, e.g. http://otel-collector:4318/v1/traces. */
  readonly otlpEndpoint: URL;
  /** Share of new traces recorded (0 to 1) when they are exported; a trace begun elsewhere follows its parent's choice. */
  readonly sampleRatio: number;
  /** Where spans go instead of the exporter (tests read them from memory). */
  readonly spanProcessors?: readonly SpanProcessor[];
}

export interface Tracing {
  /** Sends the spans still buffered and stops; call it last at shutdown. */
  shutdown(): Promise<void>;
}

export function startTracing(options: TracingOptions): Tracing {
  const spanProcessors =
    options.spanProcessors ??
    (options.exporter === 'otlp' ? [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: options.otlpEndpoint.toString() }) })] : [new NoopSpanProcessor()]);
  // Everything is given explicitly, so that no OTEL_* variable silently starts an exporter of
  // logs or metrics (the services log to stdout and serve Prometheus metrics themselves).
  const sdk = new NodeSDK({
    serviceName: options.service,
    resourceDetectors: [envDetector, hostDetector],
    spanProcessors: [...spanProcessors],
    // Sent nowhere, a new trace is not worth recording: its spans stay ids only (cheap), while a
    // trace a caller sampled is still recorded and passed on as sampled.
    sampler: new ParentBasedSampler({ root: options.exporter === 'none' && options.spanProcessors === undefined ? new AlwaysOffSampler() : new TraceIdRatioBasedSampler(options.sampleRatio) }),
    textMapPropagator: new W3CTraceContextPropagator(),
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [],
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}
