import type { Knex } from 'knex';
import type { AvroCodec } from '../../platform/avro-codec';
import type { Logger } from '../../platform/logger';
import { readMetadata, type MessageMetadata, type RawHeaders } from '../../platform/message-headers';
import type { CommandHandler, Decision, Rejection } from './command-handler';
import type { InboxOutcome, IntegrationRepository, OutboxEvent } from './integration.repository';

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

/** A refusal in the optimistic pass: the batch's transaction is rolled back and it runs again message by message. */
class NeedsIsolation extends Error {
  constructor(readonly messageId: string) {
    super(`message ${messageId} was refused by the database; the batch is handled again one savepoint per message`);
  }
}

type Isolation = 'batch' | 'message';

export type ProcessOutcome = 'accepted' | 'rejected' | 'duplicate' | 'ignored';

interface Handled {
  readonly metadata: MessageMetadata;
  readonly outcome: ProcessOutcome;
  readonly events: readonly OutboxEvent[];
  readonly reasonCode?: string;
}

/**
 * Handles a batch of commands in one transaction: the inbox rows (durable dedupe on the
 * message id), the state changes and the outbox rows (the events and the command results) commit
 * together or not at all. The inbox claims the whole batch in one statement and the outbox takes
 * the whole batch's rows in another, so the per-message cost is the handler's own statements.
 *
 * Most commands are accepted, so the batch first runs optimistically, without savepoints. When
 * the database refuses a command's writes (a unique plate, an overlapping booking), that
 * transaction is rolled back and the batch runs again with one savepoint per message, so a refused command
 * leaves no trace but its rejection and does not undo its neighbours. (A rejection by the pure
 * domain rule happens before any write and needs no savepoint.) A handler that throws fails the
 * whole batch, which is rolled back.
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

  /**
   * Handles a batch in a transaction of its own and commits it; the outcome of each message, in
   * the order given. Nothing is committed when it throws.
   */
  async processBatch(database: Knex, messages: readonly IncomingMessage[]): Promise<ProcessOutcome[]> {
    try {
      return await database.transaction((transaction) => this.processIn(transaction, messages, 'batch'));
    } catch (error) {
      if (!(error instanceof NeedsIsolation)) throw error;
      this.logger.debug({ messageId: error.messageId }, error.message);
      return database.transaction((transaction) => this.processIn(transaction, messages, 'message'));
    }
  }

  private async processIn(transaction: Knex.Transaction, messages: readonly IncomingMessage[], isolation: Isolation): Promise<ProcessOutcome[]> {
    const metadata = messages.map((message) => readMetadata(message.headers ?? {}));
    const claimed = await this.inbox.claimInbox(
      transaction,
      metadata.map((entry) => ({ messageId: entry.messageId, messageType: entry.messageType, correlationId: entry.correlationId })),
    );
    const handled: Handled[] = [];
    for (const [index, message] of messages.entries()) {
      const entry = metadata[index]!;
      // A message id seen twice in one batch is claimed once: the first occurrence handles it.
      const first = claimed.delete(entry.messageId);
      handled.push(first ? await this.handle(transaction, entry, message, isolation) : { metadata: entry, outcome: 'duplicate', events: [] });
    }
    await this.inbox.appendOutbox(
      transaction,
      handled.flatMap((result) => result.events),
    );
    await this.inbox.setOutcomes(
      transaction,
      handled
        .filter((result) => result.outcome === 'rejected' || result.outcome === 'ignored')
        .map((result) => ({ messageId: result.metadata.messageId, outcome: result.outcome as InboxOutcome, reasonCode: result.reasonCode })),
    );
    return handled.map((result) => result.outcome);
  }

  private async handle(transaction: Knex.Transaction, metadata: MessageMetadata, message: IncomingMessage, isolation: Isolation): Promise<Handled> {
    const handler = this.handlers.get(metadata.messageType);
    if (handler === undefined) {
      this.logger.warn({ messageId: metadata.messageId, messageType: metadata.messageType }, 'no handler for this message type; ignored');
      return { metadata, outcome: 'ignored', events: [] };
    }
    if (message.value === null) throw new Error(`message ${metadata.messageId} has no value`);
    const command = handler.parse(await this.codec.decode(message.value));
    const context = { metadata, now: this.clock() };
    let decision: Decision = handler.decide(await handler.load(transaction, command), command, context);
    if (decision.kind === 'accepted' && isolation === 'batch') {
      const refusal = await handler.apply(transaction, decision, command, context);
      if (refusal !== undefined) throw new NeedsIsolation(metadata.messageId);
    } else if (decision.kind === 'accepted') {
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
    return {
      metadata,
      outcome: decision.kind,
      events: this.outboxEvents(metadata, decision, context.now),
      ...(decision.kind === 'rejected' ? { reasonCode: decision.reasonCode } : {}),
    };
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
