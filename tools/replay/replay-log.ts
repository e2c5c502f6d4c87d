/**
 * gateway.dlq_replays, the append-only record of replays: the only SQL of the replay tool. A row
 * 'replayed' is written after the broker acknowledged the re-delivered record, so a dead letter
 * counts as replayed exactly when its re-delivery is durable; a row 'failed' says where and why
 * a run stopped. Records left alone (filtered out, parked, replayed before) get no row: they are
 * reported by the run that left them, and a row per run would say nothing the topic does not.
 */
import type { Knex } from 'knex';

export type ReplayOutcome = 'replayed' | 'failed';

export interface ReplayRow {
  readonly consumerGroup: string;
  readonly dlqTopic: string;
  readonly dlqPartition: number;
  readonly dlqOffset: number;
  readonly messageId: string | null;
  readonly originalTopic: string | null;
  readonly targetTopic: string;
  readonly outcome: ReplayOutcome;
  readonly reason: string | null;
  readonly replayedBy: string;
}

export interface ReplayHistoryEntry {
  readonly outcome: string;
  readonly targetTopic: string;
  readonly reason: string | null;
  readonly replayedBy: string;
  readonly replayedAt: Date;
}

const REASON_LENGTH_MAX = 1_000;

export class ReplayLog {
  constructor(private readonly database: Knex) {}

  /**
   * The offsets between `fromOffset` and `toOffset` of one partition that were replayed, each with
   * the message ids replayed from it. The caller compares the id too, so that a topic deleted and
   * created again, whose offsets start over, does not inherit the old topic's replays.
   */
  async replayedOffsets(dlqTopic: string, partition: number, fromOffset: number, toOffset: number): Promise<Map<number, (string | null)[]>> {
    const rows = (await this.database('gateway.dlq_replays')
      .distinct('dlq_offset', 'message_id')
      .where({ dlq_topic: dlqTopic, dlq_partition: partition, outcome: 'replayed' })
      .whereBetween('dlq_offset', [fromOffset, toOffset])) as { dlq_offset: number; message_id: string | null }[];
    const replayed = new Map<number, (string | null)[]>();
    for (const row of rows) replayed.set(row.dlq_offset, [...(replayed.get(row.dlq_offset) ?? []), row.message_id]);
    return replayed;
  }

  async historyOf(dlqTopic: string, partition: number, offset: number): Promise<ReplayHistoryEntry[]> {
    const rows = (await this.database('gateway.dlq_replays')
      .select('outcome', 'target_topic', 'reason', 'replayed_by', 'replayed_at')
      .where({ dlq_topic: dlqTopic, dlq_partition: partition, dlq_offset: offset })
      .orderBy('replayed_at')) as { outcome: string; target_topic: string; reason: string | null; replayed_by: string; replayed_at: Date }[];
    return rows.map((row) => ({
      outcome: row.outcome,
      targetTopic: row.target_topic,
      reason: row.reason,
      replayedBy: row.replayed_by,
      replayedAt: row.replayed_at,
    }));
  }

  async record(row: ReplayRow): Promise<void> {
    await this.database('gateway.dlq_replays').insert({
      consumer_group: row.consumerGroup,
      dlq_topic: row.dlqTopic,
      dlq_partition: row.dlqPartition,
      dlq_offset: row.dlqOffset,
      message_id: row.messageId,
      original_topic: row.originalTopic,
      target_topic: row.targetTopic,
      outcome: row.outcome,
      reason: row.reason === null ? null : row.reason.slice(0, REASON_LENGTH_MAX),
      replayed_by: row.replayedBy,
    });
  }
}

/** Whether `messageId` was replayed from this position (see `ReplayLog.replayedOffsets`). */
export function wasReplayed(replayed: Map<number, (string | null)[]>, offset: number, messageId: string | null): boolean {
  return replayed.get(offset)?.includes(messageId) ?? false;
}
