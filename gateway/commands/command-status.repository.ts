import type { Knex } from 'knex';
import { Batcher } from '../../platform/batcher';
import { isUuid, userIdOrNull } from '../../platform/identifiers';

export type CommandStatus = 'pending' | 'accepted' | 'rejected' | 'failed';

export interface CommandStatusRecord {
  readonly commandId: string;
  readonly commandType: string;
  readonly aggregateId: string | null;
  readonly status: CommandStatus;
  readonly reasonCode: string | null;
  readonly message: string | null;
  readonly resourcePath: string | null;
  readonly correlationId: string;
  readonly submittedBy: string | null;
  readonly submittedAt: Date;
  readonly completedAt: Date | null;
}

export interface CommandResultValue {
  readonly commandId: string;
  readonly status: string;
  readonly reasonCode: string | null;
  readonly message: string | null;
  readonly aggregateId: string | null;
  readonly resourcePath: string | null;
  readonly completedAt: number;
}

interface Row {
  command_id: string;
  command_type: string;
  aggregate_id: string | null;
  status: CommandStatus;
  reason_code: string | null;
  message: string | null;
  resource_location: string | null;
  correlation_id: string;
  submitted_by: string | null;
  submitted_at: Date;
  completed_at: Date | null;
}

export interface PendingCommand {
  readonly commandId: string;
  readonly commandType: string;
  readonly aggregateId: string;
  readonly correlationId: string;
  readonly submittedBy: string;
}

/** Pending rows written by one INSERT at most; concurrent requests share it (see Batcher). */
const PENDING_BATCH_SIZE_MAX = 500;
const PENDING_INSERTS_CONCURRENTLY = 2;

/** The gateway's own record of every command it accepted, and of its outcome once known. */
export class CommandStatusRepository {
  private readonly pending: Batcher<PendingCommand, CommandStatusRecord>;

  constructor(private readonly database: Knex) {
    this.pending = new Batcher((commands) => this.insertPendingRows(commands), {
      sizeMax: PENDING_BATCH_SIZE_MAX,
      concurrency: PENDING_INSERTS_CONCURRENTLY,
    });
  }

  /** Records a command as pending; resolves once its row is committed, with the status it now has. */
  insertPending(command: PendingCommand): Promise<CommandStatusRecord> {
    return this.pending.add(command);
  }

  private async insertPendingRows(commands: readonly PendingCommand[]): Promise<CommandStatusRecord[]> {
    const rows: Row[] = await this.database
      .withSchema('gateway')
      .table('command_status')
      .insert(
        commands.map((command) => ({
          command_id: command.commandId,
          command_type: command.commandType,
          aggregate_id: command.aggregateId,
          status: 'pending',
          correlation_id: command.correlationId,
          submitted_by: userIdOrNull(command.submittedBy),
        })),
      )
      .returning(COLUMNS);
    const byId = new Map(rows.map((row) => [row.command_id, toRecord(row)]));
    return commands.map((command) => byId.get(command.commandId)!);
  }

  /**
   * Records a batch of results in one statement. Accepted and rejected are final: a redelivered
   * result finds its row settled and changes nothing. Failed (dead-lettered) is not: a command
   * replayed from the dead-letter topic may still be accepted or rejected. Returns the ids whose
   * row changed now.
   */
  async applyResults(results: readonly CommandResultValue[]): Promise<string[]> {
    const byId = new Map<string, CommandResultValue>();
    for (const result of results) if (isUuid(result.commandId) && !byId.has(result.commandId)) byId.set(result.commandId, result);
    if (byId.size === 0) return [];
    const rows = [...byId.values()].map((result) => {
      const status: CommandStatus = result.status === 'accepted' || result.status === 'failed' ? result.status : 'rejected';
      return {
        command_id: result.commandId,
        status,
        reason_code: result.reasonCode ?? (status === 'accepted' ? null : 'UNKNOWN'),
        message: result.message,
        aggregate_id: result.aggregateId,
        resource_location: result.resourcePath,
        completed_at: new Date(result.completedAt).toISOString(),
      };
    });
    const updated = await this.database.raw<{ rows: { command_id: string }[] }>(
      `UPDATE gateway.command_status AS s
          SET status = r.status, reason_code = r.reason_code, message = r.message, aggregate_id = r.aggregate_id,
              resource_location = r.resource_location, completed_at = r.completed_at
         FROM jsonb_to_recordset(?::jsonb) AS r(command_id uuid, status text, reason_code text, message text,
                                                aggregate_id uuid, resource_location text, completed_at timestamptz)
        WHERE s.command_id = r.command_id AND s.status IN ('pending', 'failed')
    RETURNING s.command_id`,
      [JSON.stringify(rows)],
    );
    return updated.rows.map((row) => row.command_id);
  }

  async markFailed(commandId: string, reasonCode: string, message: string): Promise<void> {
    await this.database
      .withSchema('gateway')
      .table('command_status')
      .where({ command_id: commandId, status: 'pending' })
      .update({ status: 'failed', reason_code: reasonCode, message, completed_at: new Date() });
  }

  async find(commandId: string): Promise<CommandStatusRecord | undefined> {
    if (!isUuid(commandId)) return undefined;
    const row: Row | undefined = await this.database.withSchema('gateway').table('command_status').where('command_id', commandId).first(COLUMNS);
    return row === undefined ? undefined : toRecord(row);
  }
}

const COLUMNS = [
  'command_id',
  'command_type',
  'aggregate_id',
  'status',
  'reason_code',
  'message',
  'resource_location',
  'correlation_id',
  'submitted_by',
  'submitted_at',
  'completed_at',
] as const;

function toRecord(row: Row): CommandStatusRecord {
  return {
    commandId: row.command_id,
    commandType: row.command_type,
    aggregateId: row.aggregate_id,
    status: row.status,
    reasonCode: row.reason_code,
    message: row.message,
    resourcePath: row.resource_location,
    correlationId: row.correlation_id,
    submittedBy: row.submitted_by,
    submittedAt: row.submitted_at,
    completedAt: row.completed_at,
  };
}
