import type { Knex } from 'knex';
import type { WatermarkPosition } from '../../schemas/reporting/report-parameters';
import type { SourcePosition } from '../runtime/command-handler';
import type { JobCost, OdometerReading, VehicleRevenueLine } from './fleet-reports';
import { ACCOUNTS_RECEIVABLE, type AccountType, type LedgerLine, type OpenItem, type Period } from './ledger-reports';
import type { ReadModelRows } from './source-events';
import type { FleetVehicle, Interval } from './utilisation';

export interface ReportSnapshot {
  readonly id: string;
  readonly reportType: string;
  readonly periodStart: string | null;
  readonly periodEnd: string | null;
  readonly parameters: Record<string, unknown>;
  readonly watermark: readonly WatermarkPosition[];
  readonly generatedAt: Date;
  /** The result's canonical JSON text (canonical.ts): what the content hash is taken over. */
  readonly resultText: string;
  readonly contentHash: string;
  readonly requestedBy: string | null;
}

export interface StoredSnapshot extends Omit<ReportSnapshot, 'resultText'> {
  readonly result: unknown;
}

/** What utilisation reads: the vehicles in service at some time in the period, their rentals and workshop windows. */
export interface FleetTimeline {
  readonly vehicles: readonly FleetVehicle[];
  readonly rentals: ReadonlyMap<string, readonly Interval[]>;
  readonly maintenance: ReadonlyMap<string, readonly Interval[]>;
}

/** Open ends (a rental not yet returned, a job not yet done) reach past any period. */
const OPEN_END = Number.MAX_SAFE_INTEGER;
const UNIQUE_VIOLATION = '23505';
const READ_MODEL_TABLES = ['accounts', 'journal_lines', 'facts', 'source_positions'] as const;
const SNAPSHOTS = 'reporting.report_snapshots';
/** Rows per multi-row INSERT: 13 columns each stays well under PostgreSQL's 65,535 parameters. */
const ROWS_PER_STATEMENT = 2_000;

/** A sum PostgreSQL returns as numeric text, back to a number, refusing what a number cannot hold exactly. */
function exactInteger(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new RangeError(`a reported amount ${text} is beyond what is exact in a report`);
  return value;
}

/** The rows of one raw statement, typed as the caller reads them. */
async function rowsOf<Row>(transaction: Knex.Transaction, sql: string, bindings: readonly Knex.RawBinding[]): Promise<Row[]> {
  const result: { rows: Row[] } = await transaction.raw(sql, bindings);
  return result.rows;
}

const millis = (value: Date | null) => (value === null ? OPEN_END : value.getTime());

function groupIntervals(rows: readonly { vehicle_id: string; start_at: Date; end_at: Date | null }[]): Map<string, Interval[]> {
  const grouped = new Map<string, Interval[]>();
  for (const row of rows) {
    const intervals = grouped.get(row.vehicle_id) ?? [];
    intervals.push({ start: row.start_at.getTime(), end: millis(row.end_at) });
    grouped.set(row.vehicle_id, intervals);
  }
  return grouped;
}

/**
 * The reporting context's only SQL: its read models (every row with the stream position it was
 * read at), the watermark they have reached, the inputs of each report at a watermark, and the
 * append-only snapshots. `schema` is `reporting`, or the scratch schema a rebuild fills.
 */
export class ReportingRepository {
  constructor(readonly schema = 'reporting') {
    if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`${schema} is not a schema name`);
  }

  private table(name: string): string {
    return `${this.schema}.${name}`;
  }

  /**
   * Creates empty read models in a schema of their own (the chart of accounts seeded as in
   * `reporting`), for a rebuild to fill from the topics, usable by `role`. Needs a login that
   * may create schemas. Snapshots stay in reporting.report_snapshots whatever the read models.
   */
  static async createReadModels(admin: Knex, schema: string, role = 'reporting_svc'): Promise<ReportingRepository> {
    const repository = new ReportingRepository(schema);
    if (schema === 'reporting' || !/^[a-z_][a-z0-9_]*$/.test(role)) throw new Error(`${schema} and ${role} are no scratch schema and role`);
    await admin.transaction(async (transaction) => {
      await transaction.raw(`CREATE SCHEMA ${schema}`);
      for (const table of READ_MODEL_TABLES) await transaction.raw(`CREATE TABLE ${schema}.${table} (LIKE reporting.${table} INCLUDING ALL)`);
      await transaction.raw(`INSERT INTO ${schema}.accounts (code, type) SELECT code, type FROM reporting.accounts WHERE source_topic IS NULL`);
      await transaction.raw(`GRANT USAGE ON SCHEMA ${schema} TO ${role}`);
      await transaction.raw(`GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA ${schema} TO ${role}`);
    });
    return repository;
  }

  /** Drops read models made by createReadModels. */
  static async dropReadModels(admin: Knex, schema: string): Promise<void> {
    if (schema === 'reporting' || !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`${schema} is not a schema of scratch read models`);
    await admin.raw(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  }

  /** Events queued per batch transaction by `record(…, { defer: true })`, written by `flush`. */
  private readonly queued = new WeakMap<Knex.Transaction, { rows: ReadModelRows; position: SourcePosition }[]>();

  /**
   * Adds what one event brings to the read models and moves the watermark past it; rows already
   * read are kept as they are. With `defer`, the event is queued for `flush` (a batch's events
   * are then written with a few statements in all).
   */
  async record(transaction: Knex.Transaction, rows: ReadModelRows, position: SourcePosition, options: { defer?: boolean } = {}): Promise<void> {
    if (options.defer !== true) return this.recordAll(transaction, [{ rows, position }]);
    const queue = this.queued.get(transaction) ?? [];
    queue.push({ rows, position });
    this.queued.set(transaction, queue);
  }

  /** Writes what the transaction queued, in order; reads of the read models flush first. */
  async flush(transaction: Knex.Transaction): Promise<void> {
    const queue = this.queued.get(transaction);
    if (queue === undefined || queue.length === 0) return;
    this.queued.delete(transaction);
    await this.recordAll(transaction, queue);
  }

  /**
   * Adds what several events bring, in their order, with a few statements per table (a rebuild's
   * batches): where two carry the same fact, the first one's row is kept, as one at a time would.
   */
  async recordAll(transaction: Knex.Transaction, events: readonly { readonly rows: ReadModelRows; readonly position: SourcePosition }[]): Promise<void> {
    const source = (position: SourcePosition) => ({ source_topic: position.topic, source_partition: position.partition, source_offset: position.offset });
    const lines = events.flatMap(({ rows, position }) =>
      rows.kind !== 'journal'
        ? []
        : rows.lines.map((line) => ({
            entry_id: line.entryId,
            line_number: line.lineNumber,
            entry_date: line.entryDate,
            account_code: line.accountCode,
            direction: line.direction,
            amount_minor: line.amountMinor,
            currency: line.currency,
            external_ref_type: line.externalRefType,
            external_ref_id: line.externalRefId,
            ...source(position),
          })),
    );
    const facts = events.flatMap(({ rows, position }) =>
      rows.kind !== 'facts'
        ? []
        : rows.facts.map((fact) => ({
            kind: fact.kind,
            subject_id: fact.subjectId,
            revision: fact.revision,
            vehicle_id: fact.vehicleId,
            rental_id: fact.rentalId,
            customer_id: fact.customerId,
            at: fact.at,
            amount_minor: fact.amountMinor,
            currency: fact.currency,
            reading_km: fact.readingKm,
            vehicle_class: fact.vehicleClass,
            replaces_id: fact.replacesId,
            ...source(position),
          })),
    );
    const accounts = events.flatMap(({ rows, position }) => (rows.kind === 'account' ? [{ code: rows.code, type: rows.type, ...source(position) }] : []));
    for (let index = 0; index < lines.length; index += ROWS_PER_STATEMENT) {
      await transaction.table(this.table('journal_lines')).insert(lines.slice(index, index + ROWS_PER_STATEMENT)).onConflict(['entry_id', 'line_number']).ignore();
    }
    for (let index = 0; index < facts.length; index += ROWS_PER_STATEMENT) {
      await transaction.table(this.table('facts')).insert(facts.slice(index, index + ROWS_PER_STATEMENT)).onConflict(['kind', 'subject_id', 'revision']).ignore();
    }
    if (accounts.length > 0) await transaction.table(this.table('accounts')).insert(accounts).onConflict('code').ignore();
    // One row per partition, at its furthest offset: a statement may not move one row twice.
    const furthest = new Map<string, SourcePosition>();
    for (const { position } of events) {
      const key = `${position.topic}/${position.partition}`;
      if ((furthest.get(key)?.offset ?? -1) < position.offset) furthest.set(key, position);
    }
    if (furthest.size === 0) return;
    const positions = [...furthest.values()];
    await transaction.raw(
      `INSERT INTO ${this.table('source_positions')} (topic, partition, last_offset)
       SELECT * FROM unnest(?::text[], ?::int[], ?::bigint[])
       ON CONFLICT (topic, partition) DO UPDATE SET last_offset = GREATEST(source_positions.last_offset, EXCLUDED.last_offset)`,
      [positions.map((position) => position.topic), positions.map((position) => position.partition), positions.map((position) => String(position.offset))],
    );
  }

  /**
   * Runs a report's reads with hash joins only. The planner cannot know how many rows a watermark
   * lets through (an inequality per partition), guesses few, and would join the read models row by
   * row: minutes instead of a second over a year of a fleet. Reports read whole ranges; hashing is
   * right for all of them. The setting is put back for the rest of the transaction.
   */
  async scanning<T>(transaction: Knex.Transaction, reads: () => Promise<T>): Promise<T> {
    await transaction.raw('SET LOCAL enable_nestloop = off');
    // A failed read leaves the transaction (or its savepoint) to be rolled back, which undoes the setting too.
    const read = await reads();
    await transaction.raw('SET LOCAL enable_nestloop TO DEFAULT');
    return read;
  }

  /** The last position applied per source topic partition, in topic and partition order. */
  async watermark(transaction: Knex.Transaction): Promise<WatermarkPosition[]> {
    await this.flush(transaction);
    const rows: { topic: string; partition: number; last_offset: string }[] = await transaction
      .table(this.table('source_positions'))
      .select('topic', 'partition', 'last_offset')
      .orderBy([{ column: 'topic' }, { column: 'partition' }]);
    return rows.map((row) => ({ topic: row.topic, partition: row.partition, offset: Number(row.last_offset) }));
  }

  /** The rows a query sees at `watermark`: a `w` relation to join each read model on (its position at or before). */
  private visible(watermark: readonly WatermarkPosition[]): { cte: string; bindings: Knex.RawBinding[] } {
    return {
      cte: `w (topic, partition, last_offset) AS (SELECT * FROM unnest(?::text[], ?::int[], ?::bigint[])),
        vf AS (SELECT f.* FROM ${this.table('facts')} f JOIN w ON w.topic = f.source_topic AND w.partition = f.source_partition AND f.source_offset <= w.last_offset),
        vl AS (SELECT l.* FROM ${this.table('journal_lines')} l JOIN w ON w.topic = l.source_topic AND w.partition = l.source_partition AND l.source_offset <= w.last_offset),
        rental_of (ref_id, rental_id) AS (SELECT subject_id, rental_id FROM vf WHERE kind = 'rental_reference'),
        vehicle_of (rental_id, vehicle_id) AS (
          SELECT rental_id, COALESCE(max(vehicle_id::text) FILTER (WHERE kind = 'rental_activated'), max(vehicle_id::text) FILTER (WHERE kind = 'rental_reserved'))::uuid
          FROM vf WHERE kind IN ('rental_reserved', 'rental_activated') GROUP BY rental_id)`,
      bindings: [watermark.map((position) => position.topic), watermark.map((position) => position.partition), watermark.map((position) => String(position.offset))],
    };
  }

  /** The rental a journal line is booked for: its own reference for a completion or cancellation, else its charge's, payment's or refund's. */
  private static readonly RENTAL_OF_LINE = `CASE WHEN l.external_ref_type IN ('rental.RentalCompleted', 'rental.RentalCancelled') THEN l.external_ref_id ELSE r.rental_id END`;

  /**
   * The journal at the watermark, summed per day, account, direction and currency (what the
   * trial balance and the income statement add up is the same), from `from` (or the beginning)
   * up to `to`. An account the read models do not know yet fails the read: its type decides
   * where its lines go, and guessing would not be reproducible.
   */
  async ledgerLines(transaction: Knex.Transaction, watermark: readonly WatermarkPosition[], range: { from?: string; to: string; profitAndLossOnly?: boolean }): Promise<LedgerLine[]> {
    const { cte, bindings } = this.visible(watermark);
    const rows: { entry_date: string; account_code: string; type: AccountType | null; direction: 'debit' | 'credit'; currency: string; amount: string }[] = await rowsOf(
      transaction,
      // Summed first (on the day itself, so that the sum is hashed, not sorted), the account's type joined to the sums.
      `WITH ${cte},
      sums AS (SELECT l.entry_date, l.account_code, l.direction, l.currency, sum(l.amount_minor) AS amount FROM vl l
               WHERE l.entry_date <= ?::date AND (?::date IS NULL OR l.entry_date >= ?::date) GROUP BY 1, 2, 3, 4)
      SELECT s.entry_date::text AS entry_date, s.account_code, a.type, s.direction, s.currency, s.amount::text AS amount
      FROM sums s LEFT JOIN ${this.table('accounts')} a ON a.code = s.account_code
      WHERE NOT ?::boolean OR a.type IS NULL OR a.type IN ('revenue', 'expense')`,
      [...bindings, range.to, range.from ?? null, range.from ?? null, range.profitAndLossOnly === true],
    );
    return rows.map((row) => {
      if (row.type === null) throw new Error(`account ${row.account_code} is not in reporting's chart of accounts yet; the report is tried again`);
      return { entryDate: row.entry_date, accountCode: row.account_code, accountType: row.type, direction: row.direction, currency: row.currency, amountMinor: exactInteger(row.amount) };
    });
  }

  /** Revenue-account amounts dated in the period, per vehicle of the rental each was booked for (null: none). */
  async vehicleRevenue(transaction: Knex.Transaction, watermark: readonly WatermarkPosition[], period: Period): Promise<VehicleRevenueLine[]> {
    const { cte, bindings } = this.visible(watermark);
    const rows: { vehicle_id: string | null; account_code: string; currency: string; credit: string }[] = await rowsOf(
      transaction,
      // Summed per reference first: a rental's lines are tied to its vehicle once, not line by line.
      `WITH ${cte},
      sums AS (SELECT l.external_ref_type, l.external_ref_id, l.account_code, l.currency, sum(CASE WHEN l.direction = 'credit' THEN l.amount_minor ELSE -l.amount_minor END) AS credit
               FROM vl l WHERE l.entry_date BETWEEN ?::date AND ?::date AND l.account_code IN (SELECT code FROM ${this.table('accounts')} WHERE type = 'revenue')
               GROUP BY 1, 2, 3, 4)
      SELECT v.vehicle_id, l.account_code, l.currency, sum(l.credit)::text AS credit
      FROM sums l
      LEFT JOIN rental_of r ON r.ref_id = l.external_ref_id
      LEFT JOIN vehicle_of v ON v.rental_id = ${ReportingRepository.RENTAL_OF_LINE}
      GROUP BY 1, 2, 3`,
      [...bindings, period.from, period.to],
    );
    return rows.map((row) => ({ vehicleId: row.vehicle_id, accountCode: row.account_code, currency: row.currency, creditMinor: exactInteger(row.credit) }));
  }

  /** Each vehicle's class at the watermark: its latest change of class, else the class it was registered with. */
  async vehicleClasses(transaction: Knex.Transaction, watermark: readonly WatermarkPosition[]): Promise<Map<string, string>> {
    const { cte, bindings } = this.visible(watermark);
    const rows: { vehicle_id: string; vehicle_class: string }[] = (await rowsOf(transaction, 
        `WITH ${cte}
        SELECT DISTINCT ON (vehicle_id) vehicle_id, vehicle_class FROM vf
        WHERE kind IN ('vehicle_registered', 'vehicle_class_changed')
        ORDER BY vehicle_id, (kind = 'vehicle_class_changed') DESC, revision DESC`,
        bindings,
      ));
    return new Map(rows.map((row) => [row.vehicle_id, row.vehicle_class]));
  }

  /** The vehicles, rentals and workshop windows that touch [start, end) at the watermark. */
  async fleetTimeline(transaction: Knex.Transaction, watermark: readonly WatermarkPosition[], start: Date, end: Date): Promise<FleetTimeline> {
    const { cte, bindings } = this.visible(watermark);
    const vehicles: { vehicle_id: string; vehicle_class: string; registered_at: Date; decommissioned_at: Date | null }[] = (await rowsOf(transaction, 
        `WITH ${cte},
        classes AS (SELECT DISTINCT ON (vehicle_id) vehicle_id, vehicle_class FROM vf WHERE kind IN ('vehicle_registered', 'vehicle_class_changed')
          ORDER BY vehicle_id, (kind = 'vehicle_class_changed') DESC, revision DESC)
        SELECT reg.vehicle_id, c.vehicle_class, reg.at AS registered_at, dec.at AS decommissioned_at
        FROM vf reg JOIN classes c ON c.vehicle_id = reg.vehicle_id
        LEFT JOIN vf dec ON dec.kind = 'vehicle_decommissioned' AND dec.subject_id = reg.vehicle_id
        WHERE reg.kind = 'vehicle_registered' AND reg.at < ? AND (dec.at IS NULL OR dec.at > ?)`,
        [...bindings, end, start],
      ));
    const windows = (startKind: string, endKinds: readonly string[]) =>
      rowsOf<{ vehicle_id: string; start_at: Date; end_at: Date | null }>(transaction, 
          `WITH ${cte},
          ends AS (SELECT subject_id, min(at) AS at FROM vf WHERE kind = ANY(?::text[]) GROUP BY subject_id)
          SELECT s.vehicle_id, s.at AS start_at, e.at AS end_at
          FROM vf s LEFT JOIN ends e ON e.subject_id = s.subject_id
          WHERE s.kind = ? AND s.at < ? AND (e.at IS NULL OR e.at > ?)`,
          [...bindings, [...endKinds], startKind, end, start],
        );
    return {
      vehicles: vehicles.map((row) => ({
        vehicleId: row.vehicle_id,
        vehicleClass: row.vehicle_class,
        inServiceFrom: row.registered_at.getTime(),
        inServiceUntil: row.decommissioned_at === null ? null : row.decommissioned_at.getTime(),
      })),
      rentals: groupIntervals(await windows('rental_activated', ['rental_completed'])),
      maintenance: groupIntervals(await windows('maintenance_started', ['maintenance_completed', 'maintenance_cancelled'])),
    };
  }

  /** The cost of each workshop job completed in the period, and the standing odometer readings of the vehicles concerned. */
  async maintenanceInputs(transaction: Knex.Transaction, watermark: readonly WatermarkPosition[], period: Period): Promise<{ jobs: JobCost[]; readings: OdometerReading[] }> {
    const { cte, bindings } = this.visible(watermark);
    const jobs: { vehicle_id: string; completed_on: string; amount_minor: string; currency: string }[] = (await rowsOf(transaction, 
        `WITH ${cte}
        SELECT vehicle_id, (at AT TIME ZONE 'UTC')::date::text AS completed_on, amount_minor::text AS amount_minor, currency FROM vf
        WHERE kind = 'maintenance_completed' AND amount_minor IS NOT NULL
          AND at >= ?::date AT TIME ZONE 'UTC' AND at < (?::date + 1) AT TIME ZONE 'UTC'`,
        [...bindings, period.from, period.to],
      ));
    const vehicleIds = [...new Set(jobs.map((job) => job.vehicle_id))];
    const readings: { vehicle_id: string; reading_km: number; at: Date }[] =
      vehicleIds.length === 0
        ? []
        : (await rowsOf(transaction, 
              `WITH ${cte}
              SELECT rec.vehicle_id, rec.reading_km, rec.at FROM vf rec
              WHERE rec.kind = 'odometer_recorded' AND rec.vehicle_id = ANY(?::uuid[])
                AND NOT EXISTS (SELECT 1 FROM vf gone WHERE gone.kind = 'odometer_voided' AND gone.subject_id = rec.subject_id)
                AND NOT EXISTS (SELECT 1 FROM vf later WHERE later.kind = 'odometer_recorded' AND later.replaces_id = rec.subject_id)`,
              [...bindings, vehicleIds],
            ));
    return {
      jobs: jobs.map((job) => ({ vehicleId: job.vehicle_id, completedOn: job.completed_on, costMinor: exactInteger(job.amount_minor), currency: job.currency })),
      readings: readings.map((reading) => ({ vehicleId: reading.vehicle_id, readingKm: reading.reading_km, recordedAt: reading.at.getTime() })),
    };
  }

  /**
   * What customers owed at the end of `asOf`: the receivable lines dated up to it, per rental they
   * were booked for (a line no rental can be named for stands alone, as its entry), with the
   * rental's customer; due on the day of its first charge (rentals are due on receipt).
   */
  async openItems(transaction: Knex.Transaction, watermark: readonly WatermarkPosition[], asOf: string): Promise<OpenItem[]> {
    const { cte, bindings } = this.visible(watermark);
    const rows: { document: string; customer_id: string | null; currency: string; outstanding: string; due_date: string }[] = (await rowsOf(transaction, 
        `WITH ${cte},
        ar AS (SELECT l.*, ${ReportingRepository.RENTAL_OF_LINE} AS rental_id FROM vl l LEFT JOIN rental_of r ON r.ref_id = l.external_ref_id
               WHERE l.account_code = ? AND l.entry_date <= ?::date),
        customers AS (SELECT rental_id, customer_id FROM vf WHERE kind = 'rental_reserved')
        SELECT COALESCE(ar.rental_id, ar.entry_id)::text AS document, c.customer_id, ar.currency,
               sum(CASE WHEN ar.direction = 'debit' THEN ar.amount_minor ELSE -ar.amount_minor END)::text AS outstanding,
               COALESCE(min(ar.entry_date) FILTER (WHERE ar.direction = 'debit'), min(ar.entry_date))::text AS due_date
        FROM ar LEFT JOIN customers c ON c.rental_id = ar.rental_id
        GROUP BY 1, 2, 3`,
        [...bindings, ACCOUNTS_RECEIVABLE, asOf],
      ));
    return rows.map((row) => ({ customerId: row.customer_id, documentNumber: row.document, dueDate: row.due_date, outstandingMinor: exactInteger(row.outstanding), currency: row.currency }));
  }

  /** Keeps a snapshot; 'taken' when its id is a snapshot already (snapshots are never replaced). */
  async append(transaction: Knex.Transaction, snapshot: ReportSnapshot): Promise<'appended' | 'taken'> {
    try {
      await transaction.transaction((savepoint) =>
        savepoint.table(SNAPSHOTS).insert({
          id: snapshot.id,
          report_type: snapshot.reportType,
          period_start: snapshot.periodStart,
          period_end: snapshot.periodEnd,
          parameters: JSON.stringify(snapshot.parameters),
          watermark: JSON.stringify(snapshot.watermark),
          generated_at: snapshot.generatedAt,
          result: snapshot.resultText,
          content_hash: snapshot.contentHash,
          requested_by: snapshot.requestedBy,
        }),
      );
      return 'appended';
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) return 'taken';
      throw error;
    }
  }

  async exists(transaction: Knex.Transaction, id: string): Promise<boolean> {
    return (await transaction.table(SNAPSHOTS).where('id', id).first('id')) !== undefined;
  }

  /** The snapshots, oldest first (the rebuild checks each one), from `after` on. */
  async snapshots(connection: Knex | Knex.Transaction, options: { limit: number; after?: string; ids?: readonly string[] }): Promise<StoredSnapshot[]> {
    const rows: {
      id: string;
      report_type: string;
      period_start: string | null;
      period_end: string | null;
      parameters: Record<string, unknown>;
      watermark: WatermarkPosition[];
      generated_at: Date;
      result: unknown;
      content_hash: string;
      requested_by: string | null;
    }[] = await connection
      .table(SNAPSHOTS)
      .select('id', 'report_type', connection.raw('period_start::text AS period_start'), connection.raw('period_end::text AS period_end'), 'parameters', 'watermark', 'generated_at', 'result', 'content_hash', 'requested_by')
      .modify((query) => {
        if (options.after !== undefined) query.where('id', '>', options.after);
        if (options.ids !== undefined) query.whereIn('id', options.ids);
      })
      .orderBy('id')
      .limit(options.limit);
    return rows.map((row) => ({
      id: row.id,
      reportType: row.report_type,
      periodStart: row.period_start,
      periodEnd: row.period_end,
      parameters: row.parameters,
      watermark: row.watermark,
      generatedAt: row.generated_at,
      result: row.result,
      contentHash: row.content_hash,
      requestedBy: row.requested_by,
    }));
  }
}
