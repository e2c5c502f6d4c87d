import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { randomBytes } from 'node:crypto';
import { startTracing, type Tracing } from '../../platform/tracing-setup';
import { eventually } from '../support/eventually';
import { SystemHarness } from '../support/system';

/**
 * One trace from an HTTP request through two processors, read from an in-memory exporter: the
 * caller's traceparent → the gateway's server span → its send of the command → the fleet
 * processor's span for the command → its transaction, and the outbox relay's send of
 * VehicleRegistered → the maintenance processor's span for that event, and the relay's send of the
 * command's result → the gateway's span for it. Each link crosses Kafka in the records' traceparent
 * header. A caller that does not sample its trace is followed (its
 * trace id travels on) but nothing of it is recorded.
 */
const MANAGER = '3b5d7f9a-1c2e-4a6b-8d0f-2e4a6c8e0a1c';

describe('tracing across Kafka', () => {
  const spans = new InMemorySpanExporter();
  const harness = new SystemHarness();
  let tracing: Tracing;

  beforeAll(async () => {
    tracing = startTracing({
      service: 'fleet-e2e',
      exporter: 'none',
      otlpEndpoint: new URL('http://localhost:4318/v1/traces'),
      sampleRatio: 1,
      spanProcessors: [new SimpleSpanProcessor({ exporter: spans })],
    });
    await harness.start();
  }, 180_000);

  afterAll(async () => {
    await harness.stop();
    await tracing.shutdown();
  }, 60_000);

  const hex = (bytes: number) => randomBytes(bytes).toString('hex');
  const ofTrace = (traceId: string) => spans.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId);
  const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

  function only(candidates: ReadableSpan[], what: string): ReadableSpan {
    if (candidates.length !== 1) throw new Error(`expected one ${what}, found ${candidates.length}: ${candidates.map((span) => span.name).join(', ') || 'none'}`);
    return candidates[0]!;
  }

  async function register(plateNumber: string, traceparent: string): Promise<string> {
    const answer = await harness.send('POST', '/v1/vehicles', { plateNumber, make: 'Volvo', model: 'EX30', vehicleClass: 'compact' }, {
      subject: MANAGER,
      roles: ['fleet_manager'],
      headers: { traceparent },
    });
    expect(answer.status).toBe(201);
    return answer.body.aggregateId as string;
  }

  it('follows a registration from the HTTP request through the fleet and the maintenance processors', async () => {
    const traceId = hex(16);
    const callerSpanId = hex(8);
    const vehicleId = await register(`TR-${hex(3)}`, `00-${traceId}-${callerSpanId}-01`);

    const inMaintenance = (span: ReadableSpan) =>
      span.name === `process ${harness.topics.fleetEvents}` && String(span.attributes['messaging.consumer.group.name']).includes('maintenance');
    await eventually(async () => ofTrace(traceId).find(inMaintenance), 30_000, "the maintenance processor's span for VehicleRegistered");
    const trace = ofTrace(traceId);

    const server = only(trace.filter((span) => span.kind === SpanKind.SERVER), 'server span');
    expect(server.name).toBe('POST /v1/vehicles');
    expect(parentOf(server)).toBe(callerSpanId);
    expect(server.attributes['http.response.status_code']).toBe(201);

    const commandSend = only(trace.filter((span) => span.name === `send ${harness.topics.fleetCommands}`), "the gateway's send");
    expect(commandSend.kind).toBe(SpanKind.PRODUCER);
    expect(parentOf(commandSend)).toBe(server.spanContext().spanId);
    const commandId = commandSend.attributes['messaging.message.id'];

    const commandProcess = only(trace.filter((span) => span.name === `process ${harness.topics.fleetCommands}`), "the fleet processor's span");
    expect(commandProcess.kind).toBe(SpanKind.CONSUMER);
    expect(parentOf(commandProcess)).toBe(commandSend.spanContext().spanId);
    expect(commandProcess.attributes).toMatchObject({ 'messaging.message.id': commandId, 'fleet.message.type': 'fleet.RegisterVehicle', 'fleet.outcome': 'accepted' });

    // The batch's transaction: in the first message's trace, linking every message of the batch.
    const transactions = trace.filter((span) => span.name === 'transaction fleet' && span.links.some((link) => link.context.spanId === commandProcess.spanContext().spanId));
    expect(transactions.length).toBeGreaterThanOrEqual(1);
    for (const transaction of transactions) expect(parentOf(transaction)).toBe(commandProcess.spanContext().spanId);

    const eventSend = only(
      trace.filter((span) => span.name === `send ${harness.topics.fleetEvents}` && span.attributes['fleet.message.type'] === 'fleet.VehicleRegistered'),
      "the relay's send of VehicleRegistered",
    );
    expect(eventSend.kind).toBe(SpanKind.PRODUCER);
    expect(parentOf(eventSend)).toBe(commandProcess.spanContext().spanId);

    const eventProcess = only(trace.filter(inMaintenance), "the maintenance processor's span");
    expect(parentOf(eventProcess)).toBe(eventSend.spanContext().spanId);
    expect(eventProcess.attributes).toMatchObject({ 'messaging.message.id': eventSend.attributes['messaging.message.id'], 'fleet.message.type': 'fleet.VehicleRegistered' });

    // The command's result comes back the same way: the relay's send, then the gateway's span for it.
    const resultSend = only(trace.filter((span) => span.name === `send ${harness.topics.results}`), "the relay's send of the result");
    expect(parentOf(resultSend)).toBe(commandProcess.spanContext().spanId);
    const resultProcess = only(trace.filter((span) => span.name === `process ${harness.topics.results}`), "the gateway's span for the result");
    expect(resultProcess.kind).toBe(SpanKind.CONSUMER);
    expect(parentOf(resultProcess)).toBe(resultSend.spanContext().spanId);

    // The relay's own transaction is a root that links what it published.
    const relayTransaction = spans
      .getFinishedSpans()
      .find((span) => span.name === 'transaction fleet' && span.parentSpanContext === undefined && span.links.some((link) => link.context.spanId === commandProcess.spanContext().spanId));
    expect(relayTransaction).toBeDefined();

    // Every span of the trace has its parent in the trace, but the server span, whose parent is the caller's.
    const ids = new Set(trace.map((span) => span.spanContext().spanId));
    for (const span of trace.filter((candidate) => candidate !== server)) expect(ids.has(parentOf(span) ?? 'none')).toBe(true);
    expect(vehicleId).toMatch(/^[0-9a-f-]{36}$/);
  }, 60_000);

  it("keeps an unsampled caller's trace id on the records and records none of its spans", async () => {
    const traceId = hex(16);
    const vehicleId = await register(`TU-${hex(3)}`, `00-${traceId}-${hex(8)}-00`);
    const outboxRow = await eventually<{ headers: Record<string, string> }>(
      async () => harness.fleet('fleet.outbox_events').where({ aggregate_id: vehicleId, event_type: 'fleet.VehicleRegistered' }).first('headers'),
      20_000,
      'the VehicleRegistered outbox row',
    );
    expect(outboxRow.headers.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-00$`));
    await eventually(
      async () => (await harness.maintenance('maintenance.vehicle_projection').where('vehicle_id', vehicleId).first('vehicle_id')) ?? undefined,
      30_000,
      'the workshop to hear of the vehicle',
    );
    expect(ofTrace(traceId)).toEqual([]);
  }, 60_000);
});
