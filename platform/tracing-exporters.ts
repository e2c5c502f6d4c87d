/** Where finished spans may go (TRACING_EXPORTER); kept apart so that configuration loads no SDK. */
export const TRACING_EXPORTERS = ['none', 'otlp'] as const;
export type TracingExporter = (typeof TRACING_EXPORTERS)[number];
