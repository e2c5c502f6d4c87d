import type { KafkaJS } from '@confluentinc/kafka-javascript';
import { Metrics, type Labels } from '../../platform/metrics';
import { randomUUID } from 'node:crypto';
import type { AvroCodec } from '../../platform/avro-codec';
import { writeMetadata } from '../../platform/message-headers';
import { endAfter, startSendSpan, traceHeaders } from '../../platform/tracing';
import { context, trace } from '@opentelemetry/api';
import { ProblemError } from '../middleware/problem';
import type { CommandStatusRecord, CommandStatusRepository } from './command-status.repository';

export interface CommandToSubmit {
  readonly commandType: string;
  readonly topic: string;
  readonly aggregateId: string;
  readonly payload: Record<string, unknown>;
  readonly actor: string;
  /** The actor's effective permissions, carried to the processor whose domain rules check them. */
  readonly actorPermissions: ReadonlySet<string>;
  readonly correlationId: string;
}

/**
 * Turns a validated request into an Avro command on Kafka: a new command id (which is also the
 * message id the processor dedupes on), the record keyed by aggregate id, produced by the
 * idempotent producer (acks=all). The pending status is written first, so the result can never
 * arrive before the row it completes.
 */
export class CommandSubmitter {
  constructor(
    private readonly producer: KafkaJS.Producer,
    private readonly codec: AvroCodec,
    private readonly statuses: CommandStatusRepository,
    metrics: Metrics = new Metrics(),
  ) {
    this.produced = metrics.counter('gateway_commands_produced_total', 'Commands handed to Kafka, by type and outcome (produced, failed)');
  }

  private readonly produced: { inc(labels: Labels, by?: number): void };

  /** Returns the command's status as recorded before it was produced (pending). */
  async submit(command: CommandToSubmit): Promise<CommandStatusRecord> {
    const commandId = randomUUID();
    const pending = await this.statuses.insertPending({
      commandId,
      commandType: command.commandType,
      aggregateId: command.aggregateId,
      correlationId: command.correlationId,
      submittedBy: command.actor,
    });
    // The command's send is a span of the request's trace; the processor's span names it as its parent.
    const span = startSendSpan({ topic: command.topic, messageId: commandId, messageType: command.commandType });
    try {
      await endAfter(span, async () => {
        const value = await this.codec.encode(command.topic, command.commandType, command.payload);
        const metadata = writeMetadata({
          messageId: commandId,
          messageType: command.commandType,
          correlationId: command.correlationId,
          causationId: null,
          actor: command.actor,
          actorPermissions: command.actorPermissions,
          traceparent: null,
          occurredAt: new Date().toISOString(),
        });
        const headers = { ...metadata, ...traceHeaders(trace.setSpan(context.active(), span)) };
        await this.producer.send({ topic: command.topic, messages: [{ key: command.aggregateId, value, headers }] });
      });
    } catch (error) {
      this.produced.inc({ command_type: command.commandType, outcome: 'failed' });
      await this.statuses.markFailed(commandId, 'GATEWAY.NOT_PRODUCED', 'The command could not be handed to Kafka.');
      throw new ProblemError(503, 'broker-unavailable', 'Command not accepted', 'The command could not be queued; it was not executed. Retry later.', {
        cause: error instanceof Error ? error.name : 'unknown',
      });
    }
    this.produced.inc({ command_type: command.commandType, outcome: 'produced' });
    return pending;
  }
}
