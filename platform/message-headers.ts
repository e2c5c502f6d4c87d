/**
 * The Kafka headers every message of the product carries. The value is the Confluent wire format
 * (magic byte, schema id, Avro); the key is the aggregate id (the command id for command results).
 */
export const Header = {
  messageId: 'message-id',
  messageType: 'message-type',
  correlationId: 'correlation-id',
  causationId: 'causation-id',
  actor: 'actor',
  /** The actor's effective permissions when the command was sent: space-separated, sorted. */
  actorPermissions: 'actor-permissions',
  traceparent: 'traceparent',
  occurredAt: 'occurred-at',
} as const;

export interface MessageMetadata {
  /** Unique per message; the inbox dedupes on it (never on topic/partition/offset). */
  readonly messageId: string;
  /** Full Avro record name, e.g. fleet.RegisterVehicle. */
  readonly messageType: string;
  readonly correlationId: string;
  /** The message that caused this one (a command id for its events and result). */
  readonly causationId: string | null;
  /** The user on whose behalf it happens. */
  readonly actor: string | null;
  /**
   * What the actor was allowed when the gateway accepted the command (from the verified token);
   * null when the message does not say. A domain rule that needs a permission treats null as none.
   */
  readonly actorPermissions: ReadonlySet<string> | null;
  readonly traceparent: string | null;
  readonly occurredAt: string;
}

export type RawHeaders = Record<string, Buffer | string | (Buffer | string)[] | undefined>;

export class MissingHeaderError extends Error {
  constructor(readonly header: string) {
    super(`message has no ${header} header`);
    this.name = 'MissingHeaderError';
  }
}

function firstValue(headers: RawHeaders, name: string): string | undefined {
  const value = headers[name];
  return (Array.isArray(value) ? value[0] : value)?.toString();
}

function text(headers: RawHeaders, name: string): string | null {
  const decoded = firstValue(headers, name);
  return decoded === undefined || decoded === '' ? null : decoded;
}

function required(headers: RawHeaders, name: string): string {
  const value = text(headers, name);
  if (value === null) throw new MissingHeaderError(name);
  return value;
}

/** The permissions header: present means a set (perhaps empty), absent means unknown. */
function permissionSet(headers: RawHeaders, name: string): ReadonlySet<string> | null {
  const listed = firstValue(headers, name);
  return listed === undefined ? null : new Set(listed.split(' ').filter((permission) => permission !== ''));
}

/** Reads the metadata of a consumed message; a missing message id, type or occurred-at throws. */
export function readMetadata(headers: RawHeaders): MessageMetadata {
  return {
    messageId: required(headers, Header.messageId),
    messageType: required(headers, Header.messageType),
    correlationId: text(headers, Header.correlationId) ?? required(headers, Header.messageId),
    causationId: text(headers, Header.causationId),
    actor: text(headers, Header.actor),
    actorPermissions: permissionSet(headers, Header.actorPermissions),
    traceparent: text(headers, Header.traceparent),
    occurredAt: required(headers, Header.occurredAt),
  };
}

/** The headers of a message to produce; absent optional values are left out. */
export function writeMetadata(metadata: MessageMetadata): Record<string, string> {
  const headers: Record<string, string> = {
    [Header.messageId]: metadata.messageId,
    [Header.messageType]: metadata.messageType,
    [Header.correlationId]: metadata.correlationId,
    [Header.occurredAt]: metadata.occurredAt,
  };
  if (metadata.causationId !== null) headers[Header.causationId] = metadata.causationId;
  if (metadata.actor !== null) headers[Header.actor] = metadata.actor;
  if (metadata.actorPermissions !== null) headers[Header.actorPermissions] = [...metadata.actorPermissions].sort().join(' ');
  if (metadata.traceparent !== null) headers[Header.traceparent] = metadata.traceparent;
  return headers;
}
