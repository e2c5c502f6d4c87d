import type { Knex } from 'knex';
import type { AvroCodec } from '../../platform/avro-codec';
import type { ErrorClass } from '../../platform/failure-records';
import { withLogFields, type Logger } from '../../platform/logger';
import { MissingHeaderError, readMetadata, type MessageMetadata, type RawHeaders } from '../../platform/message-headers';
import { BatchWritesRefused, type CommandHandler, type Decision, type Rejection, type SourcePosition } from './command-handler';
import { readFailure } from '../../platform/failure-records';
import { decodeOrPoison, handlerErrorClass, isTransient, PoisonMessageError } from '../../platform/failures';
import type { InboxOutcome, IntegrationRepository, OutboxEvent } from './integration.repository';
import { context, trace, type Context, type Span } from '@opentelemetry/api';
import { contextFromHeaders, failSpan, linkTo, startConsumeSpan, traceHeaders, tracedTransaction } from '../../platform/tracing';

export const COMMAND_RESULT_TYPE = 'platform.CommandResult';

export interface Topics {
  readonly events: string;
  readonly results: string;
}

export interface IncomingMessage {
  readonly value: Buffer | null;
  readonly headers?: RawHeaders;
  /** The message's offset in the partition the batch was read from (BatchOptions.source). */
  readonly offset?: string;
}

class RefusedByDatabase extends Error {
  constructor(readonly rejection: Rejection) {
    super(rejection.reasonCode);
  }
}

/** A refusal in the optimistic pass: the batch's transaction is rolled back and it runs again message by message. */
class NeedsIsolation extends Error {
  /** `what`: the message whose writes were refused, or the batch-wide step that failed. */
  constructor(what: string) {
    super(`${what} was refused by the database; the batch is handled again one savepoint per message`);
  }
}

/** A handler failed on one message of the optimistic pass; the pass is rolled back. */
class MessageFailure extends Error {
  constructor(
    readonly failedMessage: Prepared,
    readonly failure: unknown,
  ) {
    super(`message ${failedMessage.metadata.messageId} of the batch failed`, { cause: failure });
  }
}

type Isolation = 'batch' | 'message';

export interface BatchOptions {
  /** The batch comes from another context's events topic, where unhandled types are expected. */
  readonly othersEvents?: boolean;
  /** The topic partition the batch was read from: with each message's offset, its position. */
  readonly source?: { readonly topic: string; readonly partition: number };
  /** The consumer group reading it, for the messages' spans. */
  readonly group?: string;
}

export type ProcessOutcome = 'accepted' | 'rejected' | 'duplicate' | 'ignored';

/**
 * What became of one message of a batch. A failed message left nothing in the database (not even
 * an inbox row, so a retry or a replay can still process it); the caller routes it.
 */
export type MessageResult =
  | { readonly outcome: ProcessOutcome }
  | {
      readonly outcome: 'failed';
      readonly kind: 'poison' | 'handler';
      readonly errorClass: ErrorClass;
      readonly error: unknown;
      /** Null when the headers could not be read. */
      readonly metadata: MessageMetadata | null;
    };

type FailedResult = Extract<MessageResult, { outcome: 'failed' }>;

/** A message read and decoded before its transaction: its metadata, handler and typed command. */
interface Prepared {
  readonly metadata: MessageMetadata;
  readonly handler: CommandHandler | undefined;
  readonly command: unknown;
  readonly position: SourcePosition | undefined;
  /** The message's span (a child of whoever produced it) and its log fields: the events it causes name it as their parent. */
  readonly trace: Context;
}

interface Handled {
  readonly metadata: MessageMetadata;
  readonly outcome: ProcessOutcome;
  readonly events: readonly OutboxEvent[];
  readonly reasonCode?: string;
}

/**
 * Handles a batch of commands in one transaction: the inbox rows (durable dedupe on the message
 * id), the state changes and the outbox rows (the events and the command results) commit
 * together or not at all. The inbox claims the whole batch in one statement and the outbox takes
 * the whole batch's rows in another, so the per-message cost is the handler's own statements.
 *
 * Most commands are accepted, so the batch first runs optimistically, without savepoints. When
 * the database refuses a command's writes (a unique plate, an overlapping booking), that
 * transaction is rolled back and the batch runs again with one savepoint per message, so a refused
 * command leaves no trace but its rejection and does not undo its neighbours. (A rejection by the
 * pure domain rule happens before any write and needs no savepoint.) In the optimistic pass a
 * handler may queue its writes and send them for the whole batch in its `beforeCommit`; should the
 * database refuse them, the batch runs again the same way, each message's writes in its savepoint.
 *
 * Messages are read and decoded before the transaction: one that cannot be (a missing header,
 * bytes that are not Avro, a schema id the registry does not know, a record the handler cannot
 * read) is poison and is left out. A handler that throws on one message fails the optimistic
 * pass too; in the savepoint-per-message pass that follows, its savepoint and its inbox claim are
 * rolled back and it is reported as failed, so a retry can still process it. Infrastructure
 * trouble (the database or the registry away, a deadlock) fails the whole batch: it throws, having
 * committed nothing, and the batch is delivered again.
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
   * Handles a batch in a transaction of its own and commits it; the result of each message, in
   * the order given. Throws, having committed nothing, when infrastructure fails.
   */
  async processBatch(database: Knex, messages: readonly IncomingMessage[], options: BatchOptions = {}): Promise<MessageResult[]> {
    const spans = messages.map((message) => this.messageSpan(message, options));
    try {
      const results = await this.processSpanned(database, messages, spans, options);
      results.forEach((result, index) => {
        spans[index]!.setAttribute('fleet.outcome', result.outcome);
        if (result.outcome === 'failed') failSpan(spans[index]!, result.error);
      });
      return results;
    } catch (error) {
      for (const span of spans) failSpan(span, error);
      throw error;
    } finally {
      for (const span of spans) span.end();
    }
  }

  /**
   * A span per message, from when its batch is taken up until the batch commits: a child of the
   * span that produced the message (its `traceparent`), so that a trace follows a command or an
   * event from one context to the next.
   */
  private messageSpan(message: IncomingMessage, options: BatchOptions): Span {
    return startConsumeSpan({
      topic: options.source?.topic ?? 'unknown',
      ...(options.source === undefined ? {} : { partition: options.source.partition }),
      ...(message.offset === undefined ? {} : { offset: message.offset }),
      ...(options.group === undefined ? {} : { group: options.group }),
      headers: message.headers ?? {},
    });
  }

  private async processSpanned(database: Knex, messages: readonly IncomingMessage[], spans: readonly Span[], options: BatchOptions): Promise<MessageResult[]> {
    const results: (MessageResult | undefined)[] = new Array<MessageResult | undefined>(messages.length);
    const prepared: (Prepared | undefined)[] = [];
    for (const [index, message] of messages.entries()) {
      const read = await this.prepare(message, options, spans[index]!);
      if ('outcome' in read) results[index] = read;
      else prepared[index] = read;
    }
    const pass = async (isolation: Isolation): Promise<void> => {
      const live = messages.map((_, index) => index).filter((index) => results[index] === undefined);
      // One transaction serves the whole batch: it sits in its first message's trace and links the others'.
      const traces = live.map((index) => prepared[index]!.trace);
      const outcomes = await tracedTransaction(
        database,
        this.inbox.schema,
        { parent: traces[0] ?? context.active(), links: traces.flatMap(linkTo), attributes: { 'fleet.batch.messages': live.length, 'fleet.isolation': isolation } },
        (transaction) =>
          this.processIn(
            transaction,
            live.map((index) => prepared[index]!),
            isolation,
            options,
          ),
      );
      live.forEach((index, position) => {
        const outcome = outcomes[position]!;
        results[index] = typeof outcome === 'string' ? { outcome } : outcome;
      });
    };
    try {
      await pass('batch');
    } catch (error) {
      if (error instanceof MessageFailure && !isTransient(error.failure)) {
        // The failed message is not run again in this delivery: one attempt, one run.
        const index = prepared.findIndex((candidate) => candidate === error.failedMessage);
        results[index] = { outcome: 'failed', kind: 'handler', errorClass: handlerErrorClass(error.failure), error: error.failure, metadata: error.failedMessage.metadata };
      } else if (!(error instanceof NeedsIsolation)) {
        throw error instanceof MessageFailure ? error.failure : error;
      }
      this.logger.debug({ err: error }, 'the optimistic pass failed on one message; the batch runs again one savepoint per message');
      await pass('message');
    }
    // A line per message at debug, in the message's context: its ids and trace id come with it.
    if (!this.logger.isLevelEnabled('debug')) return results as MessageResult[];
    for (const [index, result] of (results as MessageResult[]).entries()) {
      const handled = prepared[index];
      if (handled !== undefined) context.with(handled.trace, () => this.logger.debug({ messageType: handled.metadata.messageType, outcome: result.outcome }, 'message handled'));
    }
    return results as MessageResult[];
  }

  /**
   * Writes a command result saying the command failed (it went to the dead-letter topic), so that
   * whoever waits for it learns so. No inbox row: a replay can still process the command. Nothing
   * for a message that is not one of this context's commands.
   */
  async recordFailed(database: Knex, metadata: MessageMetadata, errorClass: string, message: string): Promise<void> {
    // Only a command of this context has someone waiting for its result.
    const handler = this.handlers.get(metadata.messageType);
    if (handler === undefined || handler.source === 'event') return;
    const now = this.clock();
    const parent = metadata.traceparent === null ? context.active() : contextFromHeaders({ traceparent: metadata.traceparent });
    await tracedTransaction(database, this.inbox.schema, { parent }, (transaction) =>
      this.inbox.appendOutbox(transaction, [this.resultEvent(metadata, { status: 'failed', reasonCode: errorClass, message }, now, parent)]),
    );
  }

  /** Reads the headers and decodes the value; a message that cannot be read is a poison result. */
  private async prepare(message: IncomingMessage, options: BatchOptions, span: Span): Promise<Prepared | FailedResult> {
    let metadata: MessageMetadata;
    try {
      metadata = readMetadata(message.headers ?? {});
    } catch (error) {
      if (!(error instanceof MissingHeaderError)) throw error;
      return poison(new PoisonMessageError('poison/missing-header', error.message), null);
    }
    span.setAttributes({ 'messaging.message.id': metadata.messageId, 'fleet.message.type': metadata.messageType, 'fleet.correlation_id': metadata.correlationId });
    const handler = this.handlers.get(metadata.messageType);
    const position = positionOf(message, options);
    const traced = withLogFields(trace.setSpan(context.active(), span), { correlationId: metadata.correlationId, messageId: metadata.messageId });
    if (handler === undefined) return { metadata, handler, command: undefined, position, trace: traced };
    const read = await decodeOrPoison(this.codec, message.value);
    if (read instanceof PoisonMessageError) return poison(read, metadata);
    try {
      return { metadata, handler, command: handler.parse(read.decoded), position, trace: traced };
    } catch (error) {
      return poison(new PoisonMessageError('poison/unreadable', `${metadata.messageType} cannot read this record: ${(error as Error).message}`, { cause: error }), metadata);
    }
  }

  /**
   * One pass over the batch. In 'batch' isolation a refusal or a failure aborts the pass (the
   * caller runs it again in 'message' isolation); in 'message' isolation each message runs in a
   * savepoint, and a failed one is rolled back, unclaimed and reported.
   */
  private async processIn(
    transaction: Knex.Transaction,
    messages: readonly Prepared[],
    isolation: Isolation,
    options: BatchOptions,
  ): Promise<(ProcessOutcome | FailedResult)[]> {
    const claimed = await this.inbox.claimInbox(
      transaction,
      messages.map(({ metadata }) => ({ messageId: metadata.messageId, messageType: metadata.messageType, correlationId: metadata.correlationId })),
    );
    if (isolation === 'batch') {
      const byPrepare = new Map<NonNullable<CommandHandler['prepare']>, unknown[]>();
      for (const { handler, command } of messages) if (handler?.prepare !== undefined) byPrepare.set(handler.prepare, [...(byPrepare.get(handler.prepare) ?? []), command]);
      for (const [prepare, commands] of byPrepare) await this.batchStep('the read-ahead', () => prepare(transaction, commands));
    }
    const handled: (Handled | FailedResult)[] = [];
    for (const message of messages) {
      // A message id seen twice in one batch is claimed once: the first occurrence handles it.
      if (!claimed.delete(message.metadata.messageId)) {
        handled.push({ metadata: message.metadata, outcome: 'duplicate', events: [] });
        continue;
      }
      if (isolation === 'batch') {
        try {
          handled.push(await this.handle(transaction, message, isolation, options));
        } catch (error) {
          if (error instanceof NeedsIsolation) throw error;
          if (error instanceof BatchWritesRefused) throw new NeedsIsolation(`message ${message.metadata.messageId}`);
          throw new MessageFailure(message, error);
        }
        continue;
      }
      try {
        handled.push(await transaction.transaction((savepoint) => this.handle(savepoint, message, isolation, options)));
      } catch (error) {
        if (isTransient(error)) throw error;
        await this.inbox.unclaim(transaction, message.metadata.messageId);
        handled.push({ outcome: 'failed', kind: 'handler', errorClass: handlerErrorClass(error), error, metadata: message.metadata });
      }
    }
    if (isolation === 'batch') {
      for (const beforeCommit of new Set([...this.handlers.values()].flatMap((handler) => (handler.beforeCommit === undefined ? [] : [handler.beforeCommit])))) {
        await this.batchStep("the batch's deferred writes", () => beforeCommit(transaction));
      }
    }
    const done = handled.filter((result): result is Handled => result.outcome !== 'failed');
    await this.inbox.appendOutbox(
      transaction,
      done.flatMap((result) => result.events),
    );
    await this.inbox.setOutcomes(
      transaction,
      done
        .filter((result) => result.outcome === 'rejected' || result.outcome === 'ignored')
        .map((result) => ({ messageId: result.metadata.messageId, outcome: result.outcome as InboxOutcome, reasonCode: result.reasonCode })),
    );
    return handled.map((result) => (result.outcome === 'failed' ? result : result.outcome));
  }

  /**
   * A step of the optimistic pass that serves the whole batch (a read-ahead, the deferred writes).
   * Trouble that may pass (the database away) fails the batch, to be delivered again; anything
   * else sends it through the savepoint pass, which runs neither step.
   */
  private async batchStep(what: string, step: () => Promise<void>): Promise<void> {
    try {
      await step();
    } catch (error) {
      if (isTransient(error)) throw error;
      this.logger.debug({ err: error }, `${what} failed; the batch runs again one savepoint per message`);
      throw new NeedsIsolation(what);
    }
  }

  /** Handles one message with its span active, so that its log lines carry its trace and ids. */
  private handle(transaction: Knex.Transaction, prepared: Prepared, isolation: Isolation, options: BatchOptions): Promise<Handled> {
    return context.with(prepared.trace, () => this.handleTraced(transaction, prepared, isolation, options));
  }

  private async handleTraced(transaction: Knex.Transaction, prepared: Prepared, isolation: Isolation, options: BatchOptions): Promise<Handled> {
    const { metadata, handler, command } = prepared;
    if (handler === undefined) {
      // On another context's events topic most types are none of this context's business.
      this.logger[options.othersEvents === true ? 'debug' : 'warn']({ messageId: metadata.messageId, messageType: metadata.messageType }, 'no handler for this message type; ignored');
      return { metadata, outcome: 'ignored', events: [] };
    }
    const handlerContext = { metadata, now: this.clock(), deferWrites: isolation === 'batch', ...(prepared.position === undefined ? {} : { position: prepared.position }) };
    let decision: Decision = handler.decide(await handler.load(transaction, command), command, handlerContext);
    if (decision.kind === 'accepted' && isolation === 'batch') {
      const refusal = await handler.apply(transaction, decision, command, handlerContext);
      if (refusal !== undefined) throw new NeedsIsolation(`message ${metadata.messageId}`);
    } else if (decision.kind === 'accepted') {
      const accepted = decision;
      const refusal = await transaction
        .transaction(async (savepoint) => {
          const rejection = await handler.apply(savepoint, accepted, command, handlerContext);
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
    const isEvent = handler.source === 'event';
    if (isEvent && decision.kind === 'rejected') {
      this.logger.warn(
        { messageId: metadata.messageId, messageType: metadata.messageType, reasonCode: decision.reasonCode, detail: decision.message },
        "another context's event conflicts with this context's state; counted and skipped",
      );
    }
    return {
      metadata,
      outcome: decision.kind,
      events: this.outboxEvents(metadata, decision, handlerContext.now, !isEvent, prepared.trace),
      ...(decision.kind === 'rejected' ? { reasonCode: decision.reasonCode } : {}),
    };
  }

  /** The decision's events, and for a command its result (an event of another context gets none). */
  private outboxEvents(command: MessageMetadata, decision: Decision, now: Date, withResult: boolean, cause: Context): OutboxEvent[] {
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
            key: event.key ?? event.aggregateId,
            aggregateType: event.aggregateType,
            aggregateId: event.aggregateId,
            eventType: event.type,
            payload: event.payload,
            headers: headersFor(caused(event.type), command.traceparent, cause),
            occurredAt: now,
          }))
        : [];
    if (!withResult) return events;
    events.push(
      this.resultEvent(
        command,
        decision.kind === 'accepted'
          ? { status: 'accepted', aggregateId: decision.aggregateId, resourcePath: decision.resourcePath }
          : { status: 'rejected', reasonCode: decision.reasonCode, message: decision.message },
        now,
        cause,
      ),
    );
    return events;
  }

  /** The command's result for the gateway, on the results topic keyed by command id. */
  private resultEvent(
    command: MessageMetadata,
    outcome: { status: 'accepted' | 'rejected' | 'failed'; reasonCode?: string; message?: string; aggregateId?: string; resourcePath?: string | null },
    now: Date,
    cause: Context,
  ): OutboxEvent {
    return {
      topic: this.topics.results,
      key: command.messageId,
      aggregateType: 'command',
      aggregateId: command.messageId,
      eventType: COMMAND_RESULT_TYPE,
      payload: {
        commandId: command.messageId,
        commandType: command.messageType,
        status: outcome.status,
        reasonCode: outcome.reasonCode ?? null,
        message: outcome.message ?? null,
        aggregateId: outcome.aggregateId ?? null,
        resourcePath: outcome.resourcePath ?? null,
        completedAt: now.getTime(),
      },
      headers: headersFor(
        { correlation: command.correlationId, causation: command.messageId, actor: command.actor, messageType: COMMAND_RESULT_TYPE },
        command.traceparent,
        cause,
      ),
      occurredAt: now,
    };
  }
}

function poison(error: PoisonMessageError, metadata: MessageMetadata | null): FailedResult {
  return { outcome: 'failed', kind: 'poison', errorClass: error.errorClass, error, metadata };
}

/**
 * An outbox row's headers. Its trace context names the span of the message that caused it; with
 * tracing off, the cause's own `traceparent` is passed on as it came.
 */
function headersFor(
  origin: { correlation: string; causation: string; actor: string | null; messageType: string },
  traceparent: string | null,
  cause: Context,
): Record<string, string> {
  const headers: Record<string, string> = {
    'correlation-id': origin.correlation,
    'causation-id': origin.causation,
    'message-type': origin.messageType,
  };
  if (origin.actor !== null) headers.actor = origin.actor;
  const trace = traceHeaders(cause);
  if (trace.traceparent !== undefined) Object.assign(headers, trace);
  else if (traceparent !== null) headers.traceparent = traceparent;
  return headers;
}

/**
 * Where a message was first written: a retried or replayed record carries its original position in
 * its failure headers; any other is where the batch read it. Unknown without a source or an offset.
 */
function positionOf(message: IncomingMessage, options: BatchOptions): SourcePosition | undefined {
  const failure = readFailure(message.headers ?? {});
  if (failure !== null && failure.originalPartition >= 0 && /^\d+$/.test(failure.originalOffset)) {
    return { topic: failure.originalTopic, partition: failure.originalPartition, offset: Number(failure.originalOffset) };
  }
  if (options.source === undefined || message.offset === undefined) return undefined;
  return { topic: options.source.topic, partition: options.source.partition, offset: Number(message.offset) };
}
