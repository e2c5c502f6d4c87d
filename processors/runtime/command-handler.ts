import type { Knex } from 'knex';
import type { Permission } from '../../platform/access';
import type { MessageMetadata } from '../../platform/message-headers';

/** A business outcome that refuses the command, with a stable reason code (e.g. FLEET.PLATE_NUMBER_TAKEN). */
export interface Rejection {
  readonly kind: 'rejected';
  readonly reasonCode: string;
  readonly message: string;
}

/** A fact the command produced, as the Avro record `type` on the context's events topic. */
export interface DomainEvent {
  readonly type: string;
  readonly aggregateType: string;
  readonly aggregateId: string;
  readonly payload: Record<string, unknown>;
  /**
   * The record's Kafka key, which decides its partition and so what it is ordered with; the
   * aggregate id when not given. A rental's events are keyed by its vehicle, so that every
   * event about one vehicle stays in order for the contexts that follow them.
   */
  readonly key?: string;
}

export interface Acceptance {
  readonly kind: 'accepted';
  readonly aggregateId: string;
  readonly events: readonly DomainEvent[];
  /** Where the gateway can point the client, e.g. /v1/vehicles/{id}. */
  readonly resourcePath: string | null;
}

export type Decision = Acceptance | Rejection;

/**
 * Where a message stands in its stream: the topic, partition and offset it was first written to.
 * A message that came back through a retry topic or a replay keeps its original position.
 */
export interface SourcePosition {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

export interface CommandContext {
  readonly metadata: MessageMetadata;
  readonly now: Date;
  /** The message's position, when the runtime knows it (always, for a message read from Kafka). */
  readonly position?: SourcePosition;
  /**
   * True when the message is handled in a batch whose handlers' `beforeCommit` runs before the
   * commit: `apply` may then queue its writes for it instead of sending them one by one. False or
   * absent when each message has a savepoint of its own, and writes go out at once.
   */
  readonly deferWrites?: boolean;
}

/**
 * Thrown when the database refuses writes a handler queued for its batch (a unique key a racing
 * transaction took first, say): which message caused it is not known, so the batch's transaction
 * is rolled back and the batch runs again one message at a time, with writes sent at once.
 */
export class BatchWritesRefused extends Error {
  constructor(readonly refusal: unknown) {
    super('the database refused the writes queued for the batch; it is handled again one message at a time', { cause: refusal });
  }
}

export function reject(reasonCode: string, message: string): Rejection {
  return { kind: 'rejected', reasonCode, message };
}

/** Whether the command's actor holds `permission`; a command that does not say what its actor holds holds nothing. */
export function actorHolds(context: CommandContext, permission: Permission): boolean {
  return context.metadata.actorPermissions?.has(permission) === true;
}

/**
 * `<CONTEXT>.NOT_PERMITTED` unless the command's actor holds `permission`. The gateway checks
 * the same before it produces; this keeps the rule true for a command that came any other way.
 */
export function checkActorHolds(context: CommandContext, permission: Permission, contextCode: string): Rejection | undefined {
  if (actorHolds(context, permission)) return undefined;
  return reject(`${contextCode}.NOT_PERMITTED`, `This needs the permission ${permission}, which the command's actor does not hold.`);
}

/**
 * How a context handles one command type. `decide` is the pure domain rule; the others do I/O
 * through the context's repository. `apply` may still turn an acceptance into a rejection when
 * the database, the arbiter of invariants, refuses it (a unique plate, an overlapping booking).
 */
export interface CommandHandler<Command = unknown, State = unknown> {
  /** The message type it handles: a command of this context, or an event of another one. */
  readonly commandType: string;
  /**
   * 'command' (the default): its outcome is answered on command.results. 'event': another
   * context's fact this context reacts to; nobody waits for an answer, and a rejection is a
   * conflict that is logged, counted and skipped, never a reason to stop the stream.
   */
  readonly source?: 'command' | 'event';
  /** Checks the decoded Avro value at the boundary and returns the typed command. */
  parse(value: unknown): Command;
  load(transaction: Knex.Transaction, command: Command): Promise<State>;
  decide(state: State, command: Command, context: CommandContext): Decision;
  apply(transaction: Knex.Transaction, decision: Acceptance, command: Command, context: CommandContext): Promise<Rejection | undefined>;
  /**
   * Sends what `apply` queued while `deferWrites` was true, once per batch transaction after its
   * last message and before the outbox; a refusal of the database is a BatchWritesRefused.
   * Handlers that share a repository may share the function: each distinct one runs once.
   */
  readonly beforeCommit?: (transaction: Knex.Transaction) => Promise<void>;
  /**
   * Reads ahead, in one go, what `load` will need for a batch's messages (given every command of
   * the batch whose handler shares this function), so that loads inside that transaction find it
   * without a statement each. Runs once per batch transaction, before the first message.
   */
  readonly prepare?: (transaction: Knex.Transaction, commands: readonly unknown[]) => Promise<void>;
}
