import type { Knex } from 'knex';

/** The context schemas that own an outbox and an inbox. */
export type IntegrationSchema = 'identity' | 'fleet' | 'rental' | 'maintenance' | 'accounting' | 'reporting' | 'gateway';

export type InboxOutcome = 'accepted' | 'rejected' | 'ignored';

export interface InboxEntry {
  readonly messageId: string;
  readonly messageType: string;
  readonly outcome: InboxOutcome;
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
  constructor(private readonly schema: IntegrationSchema) {}

  /** Records a handled message; 'duplicate' when it was handled before (the caller skips it). */
  async recordInbox(transaction: Knex.Transaction, entry: InboxEntry): Promise<'recorded' | 'duplicate'> {
    const inserted = await transaction
      .withSchema(this.schema)
      .table('inbox_processed_messages')
      .insert({
        message_id: entry.messageId,
        message_type: entry.messageType,
        outcome: entry.outcome,
        reason_code: entry.reasonCode ?? null,
        correlation_id: entry.correlationId ?? null,
      })
      .onConflict('message_id')
      .ignore()
      .returning('message_id');
    return inserted.length === 1 ? 'recorded' : 'duplicate';
  }

  /** Corrects the outcome recorded for a message handled in this transaction. */
  async setOutcome(transaction: Knex.Transaction, messageId: string, outcome: InboxOutcome, reasonCode?: string): Promise<void> {
    await transaction
      .withSchema(this.schema)
      .table('inbox_processed_messages')
      .where('message_id', messageId)
      .update({ outcome, reason_code: reasonCode ?? null });
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

  async markPublished(transaction: Knex.Transaction, ids: readonly string[], publishedAt: Date): Promise<void> {
    if (ids.length === 0) return;
    await transaction.withSchema(this.schema).table('outbox_events').whereIn('id', ids).update({ published_at: publishedAt });
  }
}
