import { randomUUID } from 'node:crypto';
import type { AvroCodec } from '../../platform/avro-codec';
import { Header } from '../../platform/message-headers';

/** A message as a processor receives it: Avro bytes in the Confluent wire format and its headers. */
export interface Sent {
  readonly id: string;
  readonly value: Buffer;
  readonly headers: Record<string, string>;
}

/** Encodes `value` as the record `type` for `topic`, with the headers every producer writes. */
export async function encodedMessage(
  codec: AvroCodec,
  topic: string,
  type: string,
  value: Record<string, unknown>,
  options: { actor: string; id?: string; occurredAt?: Date },
): Promise<Sent> {
  const id = options.id ?? randomUUID();
  const headers = {
    [Header.messageId]: id,
    [Header.messageType]: type,
    [Header.correlationId]: randomUUID(),
    [Header.actor]: options.actor,
    [Header.occurredAt]: (options.occurredAt ?? new Date()).toISOString(),
  };
  return { id, value: await codec.encode(topic, type, value), headers };
}
