import type { Knex } from 'knex';
import type { AvroCodec } from '../../platform/avro-codec';
import type { Logger } from '../../platform/logger';
import { readMetadata, type MessageMetadata, type RawHeaders } from '../../platform/message-headers';
import type { CommandHandler, Decision, Rejection } from './command-handler';
import type { IntegrationRepository, OutboxEvent } from './integration.repository';

export const COMMAND_RESULT_TYPE = 'platform.CommandResult';

export interface Topics {
  readonly events: string;
  readonly results: string;
}

export interface IncomingMessage {
  readonly value: Buffer | null;
  readonly headers?: RawHeaders;
}

class RefusedByDatabase extends Error {
  constructor(readonly rejection: Rejection) {
    super(rejection.reasonCode);
  }
}

export type ProcessOutcome = 'accepted' | 'rejected' | 'duplicate' | 'ignored';

/**
 * Handles one command inside the batch's transaction: the inbox row (durable dedupe on the message
 * id), the state change and the outbox rows (the events and the command result) commit together or
 * not at all. The state change runs in a savepoint, so a command the database refuses leaves no
 * trace but its rejection and does not undo its neighbours. A handler that throws fails the whole
 * batch, which is rolled back, so the inbox insert needs no savepoint of its own.
 */
export class CommandProcessor {
  private readonly handlers: Map<string, CommandHandler>;

  constructor(
    private readonly inbox: IntegrationRepository,
    private readonly codec: AvroCodec,
    private readonly topics: Topics,
    handlers: readonly CommandHandler[],
    private readonly logger: Logger,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.handlers = new Map(handlers.map((handler) => [handler.commandType, handler]));
  }

  async process(transaction: Knex.Transaction, message: IncomingMessage): Promise<ProcessOutcome> {
    const metadata = readMetadata(message.headers ?? {});
    const recorded = await this.inbox.recordInbox(transaction, {
      messageId: metadata.messageId,
      messageType: metadata.messageType,
      outcome: 'accepted',
      correlationId: metadata.correlationId,
    });
    if (recorded === 'duplicate') return 'duplicate';

    const handler = this.handlers.get(metadata.messageType);
    if (handler === undefined) {
      this.logger.warn({ messageId: metadata.messageId, messageType: metadata.messageType }, 'no handler for this message type; ignored');
      await this.inbox.setOutcome(transaction, metadata.messageId, 'ignored');
      return 'ignored';
    }
    if (message.value === null) throw new Error(`message ${metadata.messageId} has no value`);
    const command = handler.parse(await this.codec.decode(message.value));
    const context = { metadata, now: this.clock() };
    let decision: Decision = handler.decide(await handler.load(transaction, command), command, context);
    if (decision.kind === 'accepted') {
      const accepted = decision;
      const refusal = await transaction
        .transaction(async (savepoint) => {
          const rejection = await handler.apply(savepoint, accepted, command, context);
          // Throwing rolls the savepoint back; the refusal travels out inside the error.
          if (rejection !== undefined) throw new RefusedByDatabase(rejection);
        })
        .then(
          () => undefined,
          (error: unknown) => {
            if (error instanceof RefusedByDatabase) return error.rejection;
            throw error;
          },
        );
      if (refusal !== undefined) decision = refusal;
    }
    await this.inbox.appendOutbox(transaction, this.outboxEvents(metadata, decision, context.now));
    if (decision.kind === 'rejected') {
      await this.inbox.setOutcome(transaction, metadata.messageId, 'rejected', decision.reasonCode);
    }
    return decision.kind;
  }

  private outboxEvents(command: MessageMetadata, decision: Decision, now: Date): OutboxEvent[] {
    const caused = (messageType: string) => ({
      correlation: command.correlationId,
      causation: command.messageId,
      actor: command.actor,
      messageType,
    });
    const events: OutboxEvent[] =
      decision.kind === 'accepted'
        ? decision.events.map((event) => ({
            topic: this.topics.events,
            key: event.aggregateId,
            aggregateType: event.aggregateType,
            aggregateId: event.aggregateId,
            eventType: event.type,
            payload: event.payload,
            headers: headersFor(caused(event.type), command.traceparent),
            occurredAt: now,
          }))
        : [];
    const result = {
      commandId: command.messageId,
      commandType: command.messageType,
      status: decision.kind,
      reasonCode: decision.kind === 'rejected' ? decision.reasonCode : null,
      message: decision.kind === 'rejected' ? decision.message : null,
      aggregateId: decision.kind === 'accepted' ? decision.aggregateId : null,
      resourcePath: decision.kind === 'accepted' ? decision.resourcePath : null,
      completedAt: now.getTime(),
    };
    events.push({
      topic: this.topics.results,
      key: command.messageId,
      aggregateType: 'command',
      aggregateId: command.messageId,
      eventType: COMMAND_RESULT_TYPE,
      payload: result,
      headers: headersFor(caused(COMMAND_RESULT_TYPE), command.traceparent),
      occurredAt: now,
    });
    return events;
  }
}

function headersFor(
  origin: { correlation: string; causation: string; actor: string | null; messageType: string },
  traceparent: string | null,
): Record<string, string> {
  const headers: Record<string, string> = {
    'correlation-id': origin.correlation,
    'causation-id': origin.causation,
    'message-type': origin.messageType,
  };
  if (origin.actor !== null) headers.actor = origin.actor;
  if (traceparent !== null) headers.traceparent = traceparent;
  return headers;
}
