import type { Knex } from 'knex';

/** The context schemas that own an outbox and an inbox. */
export type IntegrationSchema = 'identity' | 'fleet' | 'rental' | 'maintenance' | 'accounting' | 'reporting' | 'gateway';

export type InboxOutcome = 'accepted' | 'rejected' | 'ignored';

export interface InboxEntry {
  readonly messageId: string;
  readonly messageType: string;
  readonly outcome?: InboxOutcome;
  readonly reasonCode?: string;
  readonly correlationId?: string;
}

export interface OutboxEvent {
  /** Where the relay publishes it, and with which key (the aggregate id, or the command id for results). */
  readonly topic: string;
  readonly key: string;
  readonly aggregateType: string;
  readonly aggregateId: string;
  readonly eventType: string;
  readonly payload: Record<string, unknown>;
  readonly headers: Record<string, string>;
  readonly occurredAt: Date;
}

export interface UnpublishedEvent extends OutboxEvent {
  readonly id: string;
  readonly sequence: number;
}

interface OutboxRow {
  id: string;
  sequence: number;
  topic: string;
  message_key: string;
  aggregate_type: string;
  aggregate_id: string;
  event_type: string;
  payload: Record<string, unknown>;
  headers: Record<string, string>;
  occurred_at: Date;
}

/**
 * A context's inbox (durable dedupe of handled messages) and outbox (events waiting for the
 * relay). Every call takes the caller's transaction, so the inbox row, the state change and the
 * outbox rows of one message commit together.
 */
export class IntegrationRepository {
  constructor(readonly schema: IntegrationSchema) {}

  /** Records a handled message; 'duplicate' when it was handled before (the caller skips it). */
  async recordInbox(transaction: Knex.Transaction, entry: InboxEntry): Promise<'recorded' | 'duplicate'> {
    const claimed = await this.claimInbox(transaction, [entry]);
    return claimed.has(entry.messageId) ? 'recorded' : 'duplicate';
  }

  /**
   * Records a batch of messages as handled, in one statement; returns the ids recorded now. An id
   * missing from the answer was handled before (or appears twice in the batch: it is recorded
   * once). A concurrent transaction claiming the same id waits on this one's row lock, so two
   * consumers never both handle a message.
   */
  async claimInbox(transaction: Knex.Transaction, entries: readonly InboxEntry[]): Promise<Set<string>> {
    const unique = [...new Map(entries.map((entry) => [entry.messageId, entry])).values()];
    if (unique.length === 0) return new Set();
    const inserted: { message_id: string }[] = await transaction
      .withSchema(this.schema)
      .table('inbox_processed_messages')
      .insert(
        unique.map((entry) => ({
          message_id: entry.messageId,
          message_type: entry.messageType,
          outcome: entry.outcome ?? 'accepted',
          reason_code: entry.reasonCode ?? null,
          correlation_id: entry.correlationId ?? null,
        })),
      )
      .onConflict('message_id')
      .ignore()
      .returning('message_id');
    return new Set(inserted.map((row) => row.message_id));
  }

  /** Takes back a claim made in this transaction, for a message that failed and will be tried again. */
  async unclaim(transaction: Knex.Transaction, messageId: string): Promise<void> {
    await transaction.withSchema(this.schema).table('inbox_processed_messages').where('message_id', messageId).delete();
  }

  /** Corrects the outcomes recorded for messages handled in this transaction (one statement per distinct outcome). */
  async setOutcomes(
    transaction: Knex.Transaction,
    corrections: readonly { messageId: string; outcome: InboxOutcome; reasonCode?: string | undefined }[],
  ): Promise<void> {
    const groups = new Map<string, { outcome: InboxOutcome; reasonCode: string | null; ids: string[] }>();
    for (const correction of corrections) {
      const reasonCode = correction.reasonCode ?? null;
      const key = `${correction.outcome}\u0000${reasonCode ?? ''}`;
      const group = groups.get(key) ?? { outcome: correction.outcome, reasonCode, ids: [] };
      group.ids.push(correction.messageId);
      groups.set(key, group);
    }
    for (const group of groups.values()) {
      await transaction
        .withSchema(this.schema)
        .table('inbox_processed_messages')
        .whereIn('message_id', group.ids)
        .update({ outcome: group.outcome, reason_code: group.reasonCode });
    }
  }

  async appendOutbox(transaction: Knex.Transaction, events: readonly OutboxEvent[]): Promise<void> {
    if (events.length === 0) return;
    await transaction
      .withSchema(this.schema)
      .table('outbox_events')
      .insert(
        events.map((event) => ({
          topic: event.topic,
          message_key: event.key,
          aggregate_type: event.aggregateType,
          aggregate_id: event.aggregateId,
          event_type: event.eventType,
          payload: JSON.stringify(event.payload),
          headers: JSON.stringify(event.headers),
          occurred_at: event.occurredAt,
        })),
      );
  }

  /**
   * The oldest unpublished events, in sequence order, locked for this relay: another relay
   * skips them rather than waiting or publishing them twice.
   */
  async claimUnpublished(transaction: Knex.Transaction, limit: number): Promise<UnpublishedEvent[]> {
    const rows: OutboxRow[] = await transaction
      .withSchema(this.schema)
      .table('outbox_events')
      .select('id', 'sequence', 'topic', 'message_key', 'aggregate_type', 'aggregate_id', 'event_type', 'payload', 'headers', 'occurred_at')
      .whereNull('published_at')
      .orderBy('sequence')
      .limit(limit)
      .forUpdate()
      .skipLocked();
    return rows.map((row) => ({
      id: row.id,
      sequence: row.sequence,
      topic: row.topic,
      key: row.message_key,
      aggregateType: row.aggregate_type,
      aggregateId: row.aggregate_id,
      eventType: row.event_type,
      payload: row.payload,
      headers: row.headers,
      occurredAt: row.occurred_at,
    }));
  }

  /** How many events wait for the relay, and how long the oldest has waited (0 when none). */
  async outboxBacklog(database: Knex): Promise<{ rows: number; oldestAgeSeconds: number }> {
    const result: { rows: { rows: number; age: number }[] } = await database.raw(
      `SELECT count(*)::int AS rows, coalesce(extract(epoch FROM now() - min(occurred_at)), 0)::float8 AS age FROM ${this.schema}.outbox_events WHERE published_at IS NULL`,
    );
    const row = result.rows[0]!;
    return { rows: row.rows, oldestAgeSeconds: row.age };
  }

  async markPublished(transaction: Knex.Transaction, ids: readonly string[], publishedAt: Date): Promise<void> {
    if (ids.length === 0) return;
    await transaction.withSchema(this.schema).table('outbox_events').whereIn('id', ids).update({ published_at: publishedAt });
  }
}
