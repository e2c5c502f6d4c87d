import type { Knex } from 'knex';
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

/** The gateway's own record of every command it accepted, and of its outcome once known. */
export class CommandStatusRepository {
  constructor(private readonly database: Knex) {}

  async insertPending(command: { commandId: string; commandType: string; aggregateId: string; correlationId: string; submittedBy: string }): Promise<void> {
    await this.database.withSchema('gateway').table('command_status').insert({
      command_id: command.commandId,
      command_type: command.commandType,
      aggregate_id: command.aggregateId,
      status: 'pending',
      correlation_id: command.correlationId,
      submitted_by: userIdOrNull(command.submittedBy),
    });
  }

  /** Records a result once; a redelivered result finds the row no longer pending and changes nothing. */
  async applyResult(result: CommandResultValue): Promise<boolean> {
    const status = result.status === 'accepted' ? 'accepted' : 'rejected';
    const updated = await this.database
      .withSchema('gateway')
      .table('command_status')
      .where({ command_id: result.commandId, status: 'pending' })
      .update({
        status,
        reason_code: result.reasonCode ?? (status === 'rejected' ? 'UNKNOWN' : null),
        message: result.message,
        aggregate_id: result.aggregateId,
        resource_location: result.resourcePath,
        completed_at: new Date(result.completedAt),
      });
    return updated === 1;
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
    const row: Row | undefined = await this.database.withSchema('gateway').table('command_status').where('command_id', commandId).first();
    if (row === undefined) return undefined;
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
}
