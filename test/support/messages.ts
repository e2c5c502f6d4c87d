import { randomUUID } from 'node:crypto';
import type { AvroCodec } from '../../platform/avro-codec';
import { PERMISSIONS } from '../../platform/access';
import { writeMetadata } from '../../platform/message-headers';

/** A message as a processor receives it: Avro bytes in the Confluent wire format and its headers. */
export interface Sent {
  readonly id: string;
  readonly value: Buffer;
  readonly headers: Record<string, string>;
}

/**
 * Encodes `value` as the record `type` for `topic`, with the headers the gateway writes: the actor
 * holds every permission (an administrator) unless `permissions` says what it holds, and `null`
 * leaves the permissions header out, as a producer other than the gateway would.
 */
export async function encodedMessage(
  codec: AvroCodec,
  topic: string,
  type: string,
  value: Record<string, unknown>,
  options: { actor: string; permissions?: readonly string[] | null; id?: string; occurredAt?: Date },
): Promise<Sent> {
  const id = options.id ?? randomUUID();
  const permissions = options.permissions === undefined ? PERMISSIONS : options.permissions;
  const headers = writeMetadata({
    messageId: id,
    messageType: type,
    correlationId: randomUUID(),
    causationId: null,
    actor: options.actor,
    actorPermissions: permissions === null ? null : new Set(permissions),
    traceparent: null,
    occurredAt: (options.occurredAt ?? new Date()).toISOString(),
  });
  return { id, value: await codec.encode(topic, type, value), headers };
}
