/**
 * `list`: what a group's dead-letter topic holds, counted by error class and message type, with
 * the time span of each kind and how many of them are parked or were replayed already.
 */
import { deadLetterTopicOf } from '../../platform/failure-records';
import type { ListCommand } from './arguments';
import type { Connections } from './connections';
import { wholeTopic } from './dead-letter-reader';
import { describe } from './dead-letter';
import { wasReplayed } from './replay-log';
import { isParked } from './selection';
import { table } from './table';

export interface Kind {
  readonly errorClass: string | null;
  readonly messageType: string | null;
  records: number;
  parked: number;
  alreadyReplayed: number;
  oldest: Date;
  newest: Date;
}

export interface Listing {
  readonly group: string;
  readonly topic: string;
  readonly replayCap: number;
  readonly records: number;
  readonly parked: number;
  readonly alreadyReplayed: number;
  /** Most records first. */
  readonly kinds: readonly Kind[];
}

export async function listing(command: ListCommand, connections: Connections): Promise<Listing> {
  const topic = deadLetterTopicOf(command.group);
  const offsets = await connections.deadLetterOffsets(command.group);
  const kinds = new Map<string, Kind>();
  for await (const batch of connections.reader.read(topic, wholeTopic(offsets))) {
    const first = batch[0]!;
    const replayed = await connections.log.replayedOffsets(topic, first.partition, first.offset, batch.at(-1)!.offset);
    for (const record of batch) {
      const letter = describe(record);
      const errorClass = letter.failure?.errorClass ?? null;
      const name = JSON.stringify([errorClass, letter.messageType]);
      const kind = kinds.get(name) ?? { errorClass, messageType: letter.messageType, records: 0, parked: 0, alreadyReplayed: 0, oldest: letter.failedAt, newest: letter.failedAt };
      kind.records += 1;
      if (isParked(letter, command.replayCap)) kind.parked += 1;
      if (wasReplayed(replayed, letter.offset, letter.messageId)) kind.alreadyReplayed += 1;
      if (letter.failedAt < kind.oldest) kind.oldest = letter.failedAt;
      if (letter.failedAt > kind.newest) kind.newest = letter.failedAt;
      kinds.set(name, kind);
    }
  }
  const sorted = [...kinds.values()].sort(
    (first, second) =>
      second.records - first.records ||
      (first.errorClass ?? '').localeCompare(second.errorClass ?? '') ||
      (first.messageType ?? '').localeCompare(second.messageType ?? ''),
  );
  const total = (count: (kind: Kind) => number) => sorted.reduce((sum, kind) => sum + count(kind), 0);
  return {
    group: command.group,
    topic,
    replayCap: command.replayCap,
    records: total((kind) => kind.records),
    parked: total((kind) => kind.parked),
    alreadyReplayed: total((kind) => kind.alreadyReplayed),
    kinds: sorted,
  };
}

export function listingText(listing: Listing): string[] {
  if (listing.records === 0) return [`${listing.topic} is empty`];
  const heading =
    `${listing.topic}: ${listing.records} record${listing.records === 1 ? '' : 's'}, ` +
    `${listing.parked} parked (replay-count at the cap of ${listing.replayCap}), ${listing.alreadyReplayed} already replayed`;
  return [
    heading,
    '',
    ...table(
      ['ERROR CLASS', 'MESSAGE TYPE', 'RECORDS', 'PARKED', 'REPLAYED', 'OLDEST FAILURE', 'NEWEST FAILURE'],
      listing.kinds.map((kind) => [
        kind.errorClass ?? '(no failure headers)',
        kind.messageType ?? '(none)',
        kind.records,
        kind.parked,
        kind.alreadyReplayed,
        kind.oldest.toISOString(),
        kind.newest.toISOString(),
      ]),
    ),
  ];
}

export async function list(command: ListCommand, connections: Connections): Promise<number> {
  const result = await listing(command, connections);
  process.stdout.write(command.json ? `${JSON.stringify(result, null, 2)}\n` : `${listingText(result).join('\n')}\n`);
  return 0;
}
