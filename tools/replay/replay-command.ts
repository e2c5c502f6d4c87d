/**
 * `replay`: re-delivers the selected dead letters of group G to G.retry, which only G consumes,
 * one at a time at a bounded rate. Each record is acknowledged by the brokers before its row in
 * gateway.dlq_replays is written, so the row is the durable "done" of a replay; a run that stops
 * says where, and prints the command that carries on from there.
 */
import type { KafkaJS } from '@confluentinc/kafka-javascript';
import { userInfo } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { deadLetterTopicOf, retryTopicOf } from '../../platform/failure-records';
import { createIdempotentProducer } from '../../platform/kafka';
import { type ReplayCommand, UsageError, resumeArguments, shellCommand } from './arguments';
import type { Connections } from './connections';
import { type DeadLetterRecord, type DeadLetter, describe, positionText } from './dead-letter';
import { type PartitionRange, wholeTopic } from './dead-letter-reader';
import { type ReplayLog, type ReplayRow, wasReplayed } from './replay-log';
import { Progress } from './progress';
import { retryMessage } from './retry-record';
import { type Disposition, type Position, dispositionOf } from './selection';
import { type Tally, emptyTally, summaryLines } from './tally';

/** Set by the signal handler: the run stops before the next record. */
export interface Interruption {
  requested: boolean;
}

interface Stop {
  readonly exitCode: number;
  /** What stopped the run, for stderr. */
  readonly lines: readonly string[];
  /** The first record a resumed run must handle; null: the whole command again. */
  readonly resumeAt: Position | null;
}

/** Parked records are listed one per line up to this many, then only counted. */
const PARKED_LINES_MAX = 20;
export const INTERRUPTED_EXIT_CODE = 130;

/** Spaces the starts of successive deliveries at least 1/rate seconds apart. */
class Pacer {
  private nextAt = 0;
  private readonly intervalMs: number;

  constructor(ratePerSecond: number) {
    this.intervalMs = 1_000 / ratePerSecond;
  }

  async wait(): Promise<void> {
    const now = Date.now();
    if (this.nextAt > now) await sleep(this.nextAt - now);
    this.nextAt = Math.max(now, this.nextAt) + this.intervalMs;
  }
}

function operatingSystemUser(): string {
  try {
    return userInfo().username;
  } catch {
    // A container user without a passwd entry has no name.
    return process.env.USER ?? 'unknown';
  }
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function positionOf(record: DeadLetterRecord): Position {
  return { partition: record.partition, offset: record.offset };
}

class ReplayRun {
  private readonly dlqTopic: string;
  private readonly retryTopic: string;
  private readonly pacer: Pacer;
  private parkedShown = 0;

  constructor(
    private readonly command: ReplayCommand,
    private readonly tally: Tally,
    private readonly log: ReplayLog,
    /** null in a dry run. */
    private readonly producer: KafkaJS.Producer | null,
    private readonly progress: Progress,
    private readonly replayedBy: string,
  ) {
    this.dlqTopic = deadLetterTopicOf(command.group);
    this.retryTopic = retryTopicOf(command.group);
    this.pacer = new Pacer(command.ratePerSecond);
  }

  /** Handles every record of `batches`; a `Stop` when the run could not finish. */
  async through(batches: AsyncIterable<DeadLetterRecord[]>, interruption: Interruption): Promise<Stop | null> {
    let next: Position | null = null;
    try {
      for await (const batch of batches) {
        const first = batch[0]!;
        const replayed = await this.log.replayedOffsets(this.dlqTopic, first.partition, first.offset, batch.at(-1)!.offset);
        for (const record of batch) {
          next = positionOf(record);
          if (interruption.requested) {
            return { exitCode: INTERRUPTED_EXIT_CODE, lines: [`replay interrupted before ${this.dlqTopic} ${positionText(record)}`], resumeAt: next };
          }
          const letter = describe(record);
          const disposition = dispositionOf(letter, {
            filters: this.command.filters,
            replayCap: this.command.replayCap,
            force: this.command.force,
            alreadyReplayed: wasReplayed(replayed, letter.offset, letter.messageId),
          });
          this.tally.read += 1;
          const stop = await this.dispose(letter, disposition);
          this.progress.advance();
          if (stop !== null) return stop;
          next = { partition: record.partition, offset: record.offset + 1 };
        }
      }
    } catch (error) {
      // A dry run changed nothing: a plain error says enough.
      if (this.producer === null) throw error;
      return { exitCode: 1, lines: [`replay stopped: ${reasonOf(error)}`], resumeAt: next };
    }
    return null;
  }

  private async dispose(letter: DeadLetter, disposition: Disposition): Promise<Stop | null> {
    switch (disposition) {
      case 'filtered-out':
        this.tally.filteredOut += 1;
        return null;
      case 'already-replayed':
        this.tally.alreadyReplayed += 1;
        return null;
      case 'parked':
        this.tally.parked += 1;
        this.sayParked(letter);
        return null;
      case 'replay':
        if (this.producer === null) {
          this.tally.replayed += 1;
          this.progress.say(`would replay ${positionText(letter)}  ${this.describeBriefly(letter)}  replay-count ${letter.replayCount} -> ${letter.replayCount + 1}`);
          return null;
        }
        return this.deliver(letter, this.producer);
      default: {
        const unknown: never = disposition;
        throw new Error(`unhandled disposition ${String(unknown)}`);
      }
    }
  }

  private describeBriefly(letter: DeadLetter): string {
    return `key ${letter.keyText ?? '(none)'}  ${letter.messageType ?? '(no message-type)'}  ${letter.failure?.errorClass ?? '(no failure headers)'}`;
  }

  private sayParked(letter: DeadLetter): void {
    this.parkedShown += 1;
    if (this.parkedShown > PARKED_LINES_MAX) return;
    const more = this.parkedShown === PARKED_LINES_MAX ? ' (further parked records are only counted)' : '';
    this.progress.say(`parked ${positionText(letter)}  ${this.describeBriefly(letter)}  replay-count ${letter.replayCount}${more}`);
  }

  private async deliver(letter: DeadLetter, producer: KafkaJS.Producer): Promise<Stop | null> {
    await this.pacer.wait();
    const row: Omit<ReplayRow, 'outcome' | 'reason'> = {
      consumerGroup: this.command.group,
      dlqTopic: this.dlqTopic,
      dlqPartition: letter.partition,
      dlqOffset: letter.offset,
      messageId: letter.messageId,
      originalTopic: letter.failure?.originalTopic ?? null,
      targetTopic: this.retryTopic,
      replayedBy: this.replayedBy,
    };
    const where = `${this.dlqTopic} ${positionText(letter)}`;
    const message = retryMessage(letter, new Date());
    try {
      // The client rewrites the headers object it is given; this one is a copy made for the call.
      await producer.send({ topic: this.retryTopic, messages: [{ key: message.key, value: message.value, headers: { ...message.headers } }] });
    } catch (error) {
      this.tally.failed += 1;
      const reason = reasonOf(error);
      const lines = [`replay stopped at ${where}: ${this.retryTopic} did not take it: ${reason}`];
      try {
        await this.log.record({ ...row, outcome: 'failed', reason });
        lines.push(`recorded as failed in gateway.dlq_replays`);
      } catch (rowError) {
        lines.push(`its 'failed' row could not be written either: ${reasonOf(rowError)}`);
      }
      return { exitCode: 1, lines, resumeAt: positionOf(letter) };
    }
    try {
      await this.log.record({ ...row, outcome: 'replayed', reason: null });
    } catch (error) {
      return {
        exitCode: 1,
        lines: [
          `replay stopped at ${where}: it was delivered to ${this.retryTopic}, but its row could not be written: ${reasonOf(error)}`,
          `resuming delivers it once more; it keeps its message id, so the processor's inbox lets it take effect once`,
        ],
        resumeAt: positionOf(letter),
      };
    }
    this.tally.replayed += 1;
    return null;
  }
}

function offsetCount(ranges: readonly PartitionRange[]): number {
  return ranges.reduce((sum, range) => sum + (range.end - range.from), 0);
}

export async function replay(command: ReplayCommand, connections: Connections, interruption: Interruption): Promise<number> {
  const dlqTopic = deadLetterTopicOf(command.group);
  const retryTopic = retryTopicOf(command.group);
  const offsets = await connections.deadLetterOffsets(command.group);
  const { partition } = command.filters;
  if (partition !== null && !offsets.some((candidate) => candidate.partition === partition)) {
    throw new UsageError(`${dlqTopic} has no partition ${partition} (it has ${offsets.length})`);
  }
  if (!(await connections.topicExists(retryTopic))) throw new Error(`no retry topic ${retryTopic} to replay into; nothing was replayed`);
  const ranges = wholeTopic(offsets);
  const tally = emptyTally();
  const progress = new Progress(offsetCount(ranges), tally);
  const producer = command.dryRun ? null : createIdempotentProducer(connections.kafka, connections.deliveryTimeoutMs);
  await producer?.connect();
  const run = new ReplayRun(command, tally, connections.log, producer, progress, command.replayedBy ?? operatingSystemUser());
  let stop: Stop | null;
  try {
    stop = await run.through(connections.reader.read(dlqTopic, ranges), interruption);
  } finally {
    progress.finish();
    await producer?.disconnect();
  }
  const note = command.dryRun ? ' (dry run: nothing produced, nothing recorded)' : '';
  process.stdout.write(`${[`${dlqTopic} -> ${retryTopic}: ${tally.read} record${tally.read === 1 ? '' : 's'} read${note}`, ...summaryLines(tally, command)].join('\n')}\n`);
  if (stop === null) return 0;
  const resume = shellCommand(resumeArguments(command, stop.resumeAt));
  process.stderr.write(`${[...stop.lines, `resume with: ${resume}`].join('\n')}\n`);
  return stop.exitCode;
}
