/**
 * `show`: one dead-letter record in full: key, every header (the failure headers read as the
 * processors wrote them), the value decoded through the schema registry, and its replays.
 */
import type { AvroCodec } from '../../platform/avro-codec';
import { deadLetterTopicOf, type FailureInfo } from '../../platform/failure-records';
import type { SchemaRegistry } from '../../platform/schema-registry';
import { type ShowCommand, UsageError } from './arguments';
import type { Connections } from './connections';
import { describe, type DeadLetter } from './dead-letter';
import type { ReplayHistoryEntry } from './replay-log';
import { table } from './table';

/** The value as the registry reads it, or why it cannot: dead letters are often exactly the undecodable ones. */
export type ShownValue =
  | { readonly schemaId: number; readonly recordName: string | null; readonly decoded: unknown }
  | { readonly undecodable: string; readonly base64: string }
  | null;

export interface ShownRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: string;
  readonly key: string | null;
  readonly headers: Record<string, string | string[]>;
  readonly failure: FailureInfo | null;
  readonly replayCount: number;
  readonly value: ShownValue;
  readonly replays: readonly ReplayHistoryEntry[];
}

const WIRE_FORMAT_MAGIC_BYTE = 0;
const WIRE_FORMAT_HEADER_LENGTH = 5;

export interface Decoding {
  readonly registry: SchemaRegistry;
  readonly codec: AvroCodec;
}

async function showValue(value: Buffer | null, decoding: Decoding): Promise<ShownValue> {
  if (value === null) return null;
  const undecodable = (reason: string) => ({ undecodable: reason, base64: value.toString('base64') });
  if (value.length < WIRE_FORMAT_HEADER_LENGTH || value[0] !== WIRE_FORMAT_MAGIC_BYTE) {
    return undecodable('not in the Confluent wire format (magic byte 0, schema id, Avro)');
  }
  const schemaId = value.readInt32BE(1);
  // An Avro schema comes back as an avsc type, whose name is the full record name.
  let schema: { readonly name?: string };
  try {
    schema = (await decoding.registry.getSchema(schemaId)) as { readonly name?: string };
  } catch (error) {
    // The registry client reports an HTTP answer with its status; anything else means no answer.
    if ((error as { status?: unknown }).status === 404) return undecodable(`schema id ${schemaId} is not in the registry`);
    throw new Error(`the schema registry (SCHEMA_REGISTRY_URL) did not answer: ${(error as Error).message}`);
  }
  try {
    return { schemaId, recordName: schema.name ?? null, decoded: await decoding.codec.decode(value) };
  } catch (error) {
    return undecodable(`does not decode with schema id ${schemaId}: ${(error as Error).message}`);
  }
}

function headerTexts(letter: DeadLetter): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of letter.headers) {
    const text = value.toString('utf8');
    const earlier = headers[name];
    headers[name] = earlier === undefined ? text : [...(Array.isArray(earlier) ? earlier : [earlier]), text];
  }
  return headers;
}

export async function shownRecord(command: ShowCommand, connections: Connections, decoding: Decoding): Promise<ShownRecord> {
  const topic = deadLetterTopicOf(command.group);
  const { partition, offset } = command.position;
  const offsets = await connections.deadLetterOffsets(command.group);
  const partitionOffsets = offsets.find((candidate) => candidate.partition === partition);
  if (partitionOffsets === undefined) throw new UsageError(`${topic} has no partition ${partition} (it has ${offsets.length})`);
  const [low, high] = [Number(partitionOffsets.low), Number(partitionOffsets.high)];
  if (offset < low || offset >= high) {
    const held = low < high ? `offsets ${low} to ${high - 1}` : 'no records';
    throw new UsageError(`no record at ${topic} partition ${partition} offset ${offset}: the partition holds ${held}`);
  }
  let letter: DeadLetter | undefined;
  for await (const batch of connections.reader.read(topic, [{ partition, from: offset, end: offset + 1 }])) {
    const record = batch.find((candidate) => candidate.offset === offset);
    if (record !== undefined) letter = describe(record);
  }
  if (letter === undefined) throw new UsageError(`no record at ${topic} partition ${partition} offset ${offset} (a transaction marker, or deleted)`);
  return {
    topic,
    partition,
    offset,
    timestamp: new Date(letter.timestamp).toISOString(),
    key: letter.keyText,
    headers: headerTexts(letter),
    failure: letter.failure,
    replayCount: letter.replayCount,
    value: await showValue(letter.value, decoding),
    replays: await connections.log.historyOf(topic, partition, offset),
  };
}

function valueLines(value: ShownValue): string[] {
  if (value === null) return ['value     (none)'];
  if ('undecodable' in value) return [`value     undecodable: ${value.undecodable}`, `          base64 ${value.base64}`];
  const decoded = JSON.stringify(value.decoded, null, 2).split('\n');
  return [`value     ${value.recordName ?? 'schema'} (schema id ${value.schemaId})`, ...decoded.map((line) => `  ${line}`)];
}

function failureLines(failure: FailureInfo | null): string[] {
  if (failure === null) return ['failure   (no failure headers)'];
  return [
    `failure   ${failure.errorClass} after ${failure.attempts} attempt${failure.attempts === 1 ? '' : 's'} in ${failure.consumerGroup}`,
    `          ${failure.errorMessage}`,
    `          first ${failure.firstFailureAt}, last ${failure.lastFailureAt}`,
    `original  ${failure.originalTopic} partition ${failure.originalPartition} offset ${failure.originalOffset}` +
      (failure.originalTimestamp === '' ? '' : ` (${new Date(Number(failure.originalTimestamp)).toISOString()})`),
  ];
}

export function shownRecordText(shown: ShownRecord): string[] {
  const headerRows = Object.entries(shown.headers).flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).map((text) => [name, text]));
  const replayRows = shown.replays.map((replay) => [
    replay.replayedAt.toISOString(),
    replay.outcome,
    replay.replayedBy,
    replay.targetTopic,
    replay.reason ?? '',
  ]);
  return [
    `${shown.topic} partition ${shown.partition} offset ${shown.offset}, written ${shown.timestamp}`,
    '',
    `key       ${shown.key ?? '(none)'}`,
    ...failureLines(shown.failure),
    `replayed  ${shown.replayCount} time${shown.replayCount === 1 ? '' : 's'} before (replay-count)`,
    '',
    'headers',
    ...table(['NAME', 'VALUE'], headerRows).map((line) => `  ${line}`),
    '',
    ...valueLines(shown.value),
    '',
    shown.replays.length === 0 ? 'replay history: none' : 'replay history',
    ...(shown.replays.length === 0 ? [] : table(['AT', 'OUTCOME', 'BY', 'TO', 'REASON'], replayRows).map((line) => `  ${line}`)),
  ];
}

export async function show(command: ShowCommand, connections: Connections, decoding: Decoding): Promise<number> {
  const shown = await shownRecord(command, connections, decoding);
  process.stdout.write(command.json ? `${JSON.stringify(shown, null, 2)}\n` : `${shownRecordText(shown).join('\n')}\n`);
  return 0;
}
