import type pg from 'pg';
import { poolFor, ScratchDatabase, sqlFailure } from '../../support/database';
import { eventually } from '../../support/eventually';

/**
 * What the database guarantees of invoices and credit notes, attacked in SQL as the ledger's own
 * login: numbers without gaps per year (a rolled-back issue gives its number back, a skipped or
 * reused number is refused, each year starts at 1), a total that is the sum of its lines in its
 * own currency, discounts as the only negative lines, credit notes within their invoice.
 */
describe('invoices and credit notes in the database', () => {
  const database = new ScratchDatabase();
  let accounting: pg.Pool;
  /** A pool of its own to watch the others' sessions while both of accounting's connections are taken. */
  let observer: pg.Pool;

  beforeAll(async () => {
    await database.create({ migrate: true });
    accounting = poolFor(database.urlFor('accounting_svc'));
    observer = poolFor(database.adminUrl);
  });

  afterAll(async () => {
    await accounting.end();
    await observer.end();
    await database.drop();
  });

  interface Line {
    readonly chargeType: string;
    readonly amount: number;
    readonly currency?: string;
  }

  /** One statement writing a document and its lines, the way the ledger does in one transaction. */
  function issueSql(document: { kind?: 'invoice' | 'credit_note'; year: number; number: number; total: number; currency?: string; credits?: string; lines: readonly Line[] }) {
    const kind = document.kind ?? 'invoice';
    const currency = document.currency ?? 'EUR';
    const prefix = kind === 'invoice' ? 'INV' : 'CRN';
    const values = document.lines.map((_line, index) => `($${index * 3 + 8}, $${index * 3 + 9}::bigint, $${index * 3 + 10}, ${index + 1})`).join(', ');
    return {
      text: `WITH document AS (
               INSERT INTO accounting.invoices (kind, year, sequence_number, invoice_number, source_event_type, source_event_id, total_cents, currency, issued_at, credited_invoice_id)
               VALUES ($1, $2, $3, $4, 'test', gen_random_uuid(), $5, $6, now(), $7) RETURNING id)
             INSERT INTO accounting.invoice_lines (invoice_id, line_number, description, charge_type, unit_amount_cents, amount_cents, currency)
             SELECT document.id, line.number, line.charge_type, line.charge_type, line.amount, line.amount, line.currency
             FROM document, (VALUES ${values}) AS line (charge_type, amount, currency, number)
             RETURNING invoice_id`,
      values: [
        kind,
        document.year,
        document.number,
        `${prefix}-${document.year}-${String(document.number).padStart(6, '0')}`,
        document.total,
        currency,
        document.credits ?? null,
        ...document.lines.flatMap((line) => [line.chargeType, line.amount, line.currency ?? currency]),
      ],
    };
  }
  const issue = async (document: Parameters<typeof issueSql>[0]): Promise<string> => (await accounting.query<{ invoice_id: string }>(issueSql(document))).rows[0]!.invoice_id;
  const lastNumber = async (year: number) => (await accounting.query<{ last_number: number }>('SELECT last_number FROM accounting.invoice_number_counters WHERE year = $1', [year])).rows[0]?.last_number;

  it('numbers without gaps: the first of a year is 1, the next is the next, a skipped or reused number is refused', async () => {
    await issue({ year: 2030, number: 1, total: 5_000, lines: [{ chargeType: 'base', amount: 5_000 }] });
    await issue({ year: 2030, number: 2, total: 5_000, lines: [{ chargeType: 'base', amount: 5_000 }] });
    expect(await sqlFailure(issue({ year: 2030, number: 4, total: 100, lines: [{ chargeType: 'base', amount: 100 }] }))).toMatchObject({ code: '23514', constraint: 'invoices_gapless_number' });
    expect(await sqlFailure(issue({ year: 2030, number: 2, total: 100, lines: [{ chargeType: 'base', amount: 100 }] }))).toMatchObject({ code: '23514', constraint: 'invoices_gapless_number' });
    expect(await sqlFailure(issue({ year: 2031, number: 2, total: 100, lines: [{ chargeType: 'base', amount: 100 }] }))).toMatchObject({ code: '23514', constraint: 'invoices_gapless_number' });
    await issue({ year: 2031, number: 1, total: 100, lines: [{ chargeType: 'base', amount: 100 }] });
    expect([await lastNumber(2030), await lastNumber(2031)]).toEqual([2, 1]);
  });

  it('gives a rolled-back number back, and makes a concurrent issue of the same number wait for the first to end', async () => {
    const first = await accounting.connect();
    const second = await accounting.connect();
    try {
      await first.query('BEGIN');
      await first.query(issueSql({ year: 2032, number: 1, total: 700, lines: [{ chargeType: 'base', amount: 700 }] }));
      await second.query('BEGIN');
      const racing = second.query(issueSql({ year: 2032, number: 1, total: 800, lines: [{ chargeType: 'base', amount: 800 }] })).then(
        () => 'issued',
        (error: { code?: string }) => error.code,
      );
      await eventually(
        async () => ((await observer.query("SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")).rowCount ?? 0) > 0 || undefined,
        10_000,
        'the second issue to wait for the first',
      );
      await first.query('ROLLBACK');
      // The first gave number 1 back: the second, which waited on it, takes it.
      expect(await racing).toBe('issued');
      await second.query('COMMIT');
    } finally {
      first.release();
      second.release();
    }
    const { rows } = await accounting.query<{ invoice_number: string; total_cents: number }>('SELECT invoice_number, total_cents FROM accounting.invoices WHERE year = 2032');
    expect(rows).toEqual([{ invoice_number: 'INV-2032-000001', total_cents: 800 }]);
    expect(await lastNumber(2032)).toBe(1);
  });

  it('refuses at commit a document whose total is not the sum of its lines, or whose lines are in another currency', async () => {
    expect(await sqlFailure(issue({ year: 2033, number: 1, total: 5_000, lines: [{ chargeType: 'base', amount: 4_000 }] }))).toMatchObject({ code: '23514', constraint: 'invoices_lines_total' });
    expect(await sqlFailure(issue({ year: 2033, number: 1, total: 5_000, lines: [{ chargeType: 'base', amount: 5_000, currency: 'GBP' }] }))).toMatchObject({ code: '23514', constraint: 'invoices_lines_total' });
    expect(await lastNumber(2033)).toBeUndefined();
  });

  it('takes a discount as a negative line and no other charge', async () => {
    await issue({ year: 2034, number: 1, total: 4_000, lines: [{ chargeType: 'base', amount: 5_000 }, { chargeType: 'discount', amount: -1_000 }] });
    expect(await sqlFailure(issue({ year: 2034, number: 2, total: -100, lines: [{ chargeType: 'base', amount: -100 }] }))).toMatchObject({ code: '23514' });
    expect(await sqlFailure(issue({ year: 2034, number: 2, total: 6_000, lines: [{ chargeType: 'base', amount: 5_000 }, { chargeType: 'discount', amount: 1_000 }] }))).toMatchObject({
      code: '23514',
      constraint: 'invoice_lines_sign_check',
    });
  });

  it('lets credit notes credit an invoice up to what it charged, and no more', async () => {
    const invoice = await issue({ year: 2035, number: 1, total: 3_000, lines: [{ chargeType: 'base', amount: 3_000 }] });
    await issue({ kind: 'credit_note', year: 2035, number: 2, total: 2_000, credits: invoice, lines: [{ chargeType: 'base', amount: 2_000 }] });
    expect(await sqlFailure(issue({ kind: 'credit_note', year: 2035, number: 3, total: 1_001, credits: invoice, lines: [{ chargeType: 'base', amount: 1_001 }] }))).toMatchObject({
      code: '23514',
      constraint: 'invoices_credit_within_invoice',
    });
    await issue({ kind: 'credit_note', year: 2035, number: 3, total: 1_000, credits: invoice, lines: [{ chargeType: 'base', amount: 1_000 }] });
  });

  it('refuses a number written in another form than its kind, year and place', async () => {
    const wrong = issueSql({ year: 2036, number: 1, total: 100, lines: [{ chargeType: 'base', amount: 100 }] });
    wrong.values[3] = 'INV-2036-1';
    expect(await sqlFailure(accounting.query(wrong))).toMatchObject({ code: '23514', constraint: 'invoices_number_format_check' });
  });
});
