import { randomUUID } from 'node:crypto';
import { screenshot } from '../support/headless-chromium';
import { decodePng, pixelsOfColour } from '../support/png';
import { eventually } from '../support/eventually';
import { SystemHarness } from '../support/system';

/**
 * Reports through HTTP, the whole system running: journal entries posted through the gateway reach
 * the ledger, its LedgerPosted events reach reporting; a report asked for with POST /v1/reports is
 * answered as JSON, CSV and an SVG chart that headless Chromium draws; bad parameters of every kind
 * are 400 problem documents (nothing produced), never a 500; permissions are checked.
 */
const harness = new SystemHarness({ reporting: true });

describe('reports through the gateway', () => {
  const entries = [randomUUID(), randomUUID(), randomUUID()];

  beforeAll(async () => {
    await harness.start();
    const post = async (entryId: string, entryDate: string, lines: [string, 'debit' | 'credit', number][]) => {
      const answer = await harness.decided(
        await harness.send('POST', '/v1/accounting/journal', { entryId, entryDate, reason: 'opening figures', lines: lines.map(([accountCode, direction, amountMinor]) => ({ accountCode, direction, amountMinor, currency: 'EUR' })) }, { roles: ['accountant'] }),
        { roles: ['accountant'] },
      );
      expect(answer.status).toBe(201);
    };
    await post(entries[0]!, '2026-03-15', [['CASH', 'debit', 12_000], ['RENTAL_REVENUE', 'credit', 12_000]]);
    await post(entries[1]!, '2026-03-16', [['MAINTENANCE_PARTS_EXPENSE', 'debit', 4_000], ['CASH', 'credit', 4_000]]);
    await post(entries[2]!, '2026-03-20', [['ACCOUNTS_RECEIVABLE', 'debit', 3_000], ['LATE_FEE_REVENUE', 'credit', 3_000]]);
    // Reporting reads the ledger's events on its own time: wait until it holds the three entries.
    await eventually(
      async () => {
        const rows = await harness.reporting.withSchema('reporting').table('journal_lines').whereIn('entry_id', entries).count({ count: '*' }).first();
        return Number((rows as { count: string }).count) === 6 ? true : undefined;
      },
      30_000,
      'reporting to read the three journal entries',
    );
  }, 180_000);

  afterAll(() => harness.stop());

  async function generate(body: Record<string, unknown>, roles = ['fleet_manager']): Promise<string> {
    const reportId = randomUUID();
    const answer = await harness.decided(await harness.send('POST', '/v1/reports', { reportId, ...body }, { roles }), { roles });
    expect({ status: answer.status, location: answer.headers.get('location') }).toEqual({ status: 201, location: `/v1/reports/${reportId}` });
    return reportId;
  }

  it('answers a report as JSON with its watermark and hash, and as CSV', async () => {
    const reportId = await generate({ type: 'income_statement', from: '2026-03-01', to: '2026-03-31' });
    const json = await harness.get(`/v1/reports/${reportId}`, { roles: ['auditor'] });
    expect(json.status).toBe(200);
    expect(json.body).toMatchObject({
      id: reportId,
      reportType: 'income_statement',
      periodStart: '2026-03-01',
      periodEnd: '2026-03-31',
      parameters: { from: '2026-03-01', to: '2026-03-31' },
      result: {
        currencies: [
          {
            currency: 'EUR',
            revenue: [
              { code: 'LATE_FEE_REVENUE', amountMinor: 3_000 },
              { code: 'RENTAL_REVENUE', amountMinor: 12_000 },
            ],
            netRevenueMinor: 15_000,
            expensesMinor: 4_000,
            netIncomeMinor: 11_000,
          },
        ],
      },
      links: { self: `/v1/reports/${reportId}`, chart: `/v1/reports/${reportId}.svg` },
    });
    expect((json.body.watermark as { topic: string }[]).map((position) => position.topic)).toContain(harness.topics.ledgerEvents);
    expect(json.headers.get('etag')).toBe(`"${json.body.contentHash as string}"`);
    // The snapshot is announced on reporting's events topic with the same hash and watermark.
    const announced = await eventually(
      () => harness.events.get(harness.topics.reportingEvents)!.find((event) => event.type === 'reporting.ReportGenerated' && event.value.reportId === reportId),
      20_000,
      `ReportGenerated for ${reportId}`,
    );
    expect(announced.value).toMatchObject({ reportType: 'income_statement', periodStart: '2026-03-01', periodEnd: '2026-03-31', contentHash: json.body.contentHash, watermark: json.body.watermark });

    const csv = await harness.getText(`/v1/reports/${reportId}`, { roles: ['accountant'], headers: { Accept: 'text/csv' } });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.text).toBe(
      [
        'currency,line,account,amount_minor',
        'EUR,revenue,LATE_FEE_REVENUE,3000',
        'EUR,revenue,RENTAL_REVENUE,12000',
        'EUR,gross_revenue,,15000',
        'EUR,discounts,DISCOUNTS,0',
        'EUR,net_revenue,,15000',
        'EUR,expense,MAINTENANCE_PARTS_EXPENSE,4000',
        'EUR,expenses,,4000',
        'EUR,net_income,,11000',
        '',
      ].join('\r\n'),
    );
  });

  it('draws the income statement as a waterfall and the aging as stacked bars that headless Chromium shows', async () => {
    const statement = await generate({ type: 'income_statement', from: '2026-03-01', to: '2026-03-31' });
    const svg = await harness.getText(`/v1/reports/${statement}.svg`, { roles: ['auditor'] });
    expect(svg.status).toBe(200);
    expect(svg.headers.get('content-type')).toBe('image/svg+xml');
    expect(svg.text).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="960" height="\d+"/);
    const drawn = decodePng(await screenshot(svg.text, 'income-statement.svg', 960, 520));
    // Revenue steps up in green, the expense down in red, the net income stands in blue.
    expect(pixelsOfColour(drawn, '#2e7d32')).toBeGreaterThan(500);
    expect(pixelsOfColour(drawn, '#c62828')).toBeGreaterThan(200);
    expect(pixelsOfColour(drawn, '#1565c0')).toBeGreaterThan(500);

    const aging = await generate({ type: 'receivables_aging', asOf: '2026-04-30' }, ['accountant']);
    const agingSvg = await harness.getText(`/v1/reports/${aging}.svg`, { roles: ['accountant'] });
    const agingDrawn = decodePng(await screenshot(agingSvg.text, 'aging.svg', 960, 320));
    // 3,000 due 20 March is 41 days overdue on 30 April: the 31–60 bucket's amber.
    expect(pixelsOfColour(agingDrawn, '#f9a825')).toBeGreaterThan(500);
    expect(pixelsOfColour(agingDrawn, '#2e7d32')).toBeLessThan(200);
  }, 120_000);

  it('gives correct empty reports for empty, future and long periods', async () => {
    const future = await generate({ type: 'income_statement', from: '2031-01-01', to: '2031-12-31' });
    expect((await harness.get(`/v1/reports/${future}`)).body.result).toEqual({ period: { from: '2031-01-01', to: '2031-12-31' }, currencies: [] });
    const decade = await generate({ type: 'revenue_by_vehicle', from: '2016-04-01', to: '2026-03-31' });
    expect((await harness.get(`/v1/reports/${decade}`)).body.result).toEqual({ period: { from: '2016-04-01', to: '2026-03-31' }, currencies: [expect.objectContaining({ currency: 'EUR', vehicles: [] })] });
    const quiet = await generate({ type: 'fleet_utilisation', from: '2020-01-01', to: '2020-01-31' });
    expect((await harness.get(`/v1/reports/${quiet}`)).body.result).toEqual({ period: { from: '2020-01-01', to: '2020-01-31' }, vehicles: [], overall: { availableMs: 0, rentedMs: 0, utilisationBp: null } });
    const emptyChart = await harness.getText(`/v1/reports/${future}.svg`);
    expect(emptyChart.status).toBe(200);
    expect(emptyChart.text).toContain('Nothing to show');
  });

  it('refuses malformed and out-of-range parameters with 400 naming the field, producing nothing', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const cases: [Record<string, unknown> | string, string][] = [
      [{ type: 'income_statement', from: '0001-01-01', to: '9999-12-31' }, 'from'],
      [{ type: 'income_statement', from: '2000-01-01', to: '2026-12-31' }, 'to'],
      [{ type: 'income_statement', from: '2026-02-30', to: '2026-03-31' }, 'from'],
      [{ type: 'income_statement', from: '2026-03-31', to: '2026-03-01' }, 'to'],
      [{ type: 'income_statement', from: '2026-03-01' }, 'to'],
      [{ type: 'income_statement', from: '2026-3-1', to: '2026-03-31' }, 'from'],
      [{ type: 'income_statement', asOf: '2026-03-31' }, 'asOf'],
      [{ type: 'trial_balance' }, 'asOf'],
      [{ type: 'trial_balance', asOf: '2026-03-31', from: '2026-03-01' }, 'from'],
      [{ type: 'fleet_utilisation', from: '2026-01-01', to: today }, 'to'],
      [{ type: 'cash_flow', asOf: '2026-03-31' }, 'type'],
      [{ type: 'trial_balance', asOf: 20260331 }, 'asOf'],
      [{ type: 'trial_balance', asOf: '2026-03-31', reportId: 'report-1' }, 'reportId'],
      [{ type: 'trial_balance', asOf: '2026-03-31', colour: 'red' }, 'colour'],
      [{ type: 'trial_balance', asOf: '2026-03-31', watermark: [{ topic: 'ledger.events', partition: 0, offset: -1 }] }, 'watermark[0].offset'],
      [{ type: 'trial_balance', asOf: '2026-03-31', watermark: [{ topic: 'ledger events', partition: 0, offset: 1 }] }, 'watermark[0].topic'],
      [
        {
          type: 'trial_balance',
          asOf: '2026-03-31',
          watermark: [
            { topic: 'ledger.events', partition: 0, offset: 1 },
            { topic: 'ledger.events', partition: 0, offset: 2 },
          ],
        },
        'watermark[1]',
      ],
      [{ type: 'trial_balance', asOf: '2026-03-31', watermark: Array.from({ length: 257 }, (_, partition) => ({ topic: 'ledger.events', partition, offset: 0 })) }, 'watermark'],
      ['[1, 2]', ''],
    ];
    const before = await harness.commandsProduced('reporting');
    for (const [body, field] of cases) {
      const answer = await harness.send('POST', '/v1/reports', body, { roles: ['fleet_manager'] });
      expect({ body, status: answer.status }).toEqual({ body, status: 400 });
      expect((answer.body.errors as { field: string }[]).map((error) => error.field)).toContain(field);
    }
    const notJson = await harness.send('POST', '/v1/reports', '{"type": ', { roles: ['fleet_manager'] });
    expect(notJson.status).toBe(400);
    expect(await harness.commandsProduced('reporting')).toBe(before);
  });

  it('lists snapshots newest first, by type, a page at a time', async () => {
    const first = await generate({ type: 'maintenance_cost', from: '2026-03-01', to: '2026-03-31' });
    const second = await generate({ type: 'maintenance_cost', from: '2026-02-01', to: '2026-02-28' });
    const third = await generate({ type: 'maintenance_cost', from: '2026-01-01', to: '2026-01-31' });
    const page = await harness.get('/v1/reports?type=maintenance_cost&limit=2', { roles: ['auditor'] });
    expect(page.status).toBe(200);
    const items = page.body.items as { id: string; reportType: string; periodStart: string; links: { self: string } }[];
    expect(items.map((item) => item.id)).toEqual([third, second]);
    expect(items[0]).toMatchObject({ reportType: 'maintenance_cost', periodStart: '2026-01-01', links: { self: `/v1/reports/${third}` } });
    expect(items[0]).not.toHaveProperty('result');
    const next = (page.body.links as { next: string }).next;
    const rest = await harness.get(next, { roles: ['auditor'] });
    expect((rest.body.items as { id: string }[]).map((item) => item.id)).toEqual([first]);
    expect((rest.body.links as { next: string | null }).next).toBeNull();
    expect((await harness.get('/v1/reports?type=cash_flow')).status).toBe(400);
    expect((await harness.get('/v1/reports?limit=101')).status).toBe(400);
    expect((await harness.get('/v1/reports?after=bm90LWEtY3Vyc29y')).status).toBe(400);
    expect((await harness.get('/v1/reports', { roles: ['rental_agent'] })).status).toBe(403);
  });

  it('answers 400, 404 and 406 for reads it cannot serve', async () => {
    expect((await harness.get('/v1/reports/not-a-uuid')).status).toBe(400);
    expect((await harness.get(`/v1/reports/${randomUUID()}`)).status).toBe(404);
    expect((await harness.getText(`/v1/reports/${randomUUID()}.svg`)).status).toBe(404);
    const reportId = await generate({ type: 'trial_balance', asOf: '2026-03-31' });
    expect((await harness.get(`/v1/reports/${reportId}?format=xml`)).status).toBe(400);
    expect((await harness.getText(`/v1/reports/${reportId}`, { headers: { Accept: 'image/png' } })).status).toBe(406);
  });

  it('lets only holders of reports.generate ask for a report and of reports.read read one', async () => {
    const reportId = await generate({ type: 'trial_balance', asOf: '2026-03-31' }, ['accountant']);
    const asked = { type: 'trial_balance', asOf: '2026-03-31' };
    expect((await harness.send('POST', '/v1/reports', asked, { roles: ['rental_agent'] })).status).toBe(403);
    expect((await harness.send('POST', '/v1/reports', asked, { roles: ['auditor'] })).status).toBe(403);
    expect((await harness.get(`/v1/reports/${reportId}`, { roles: ['rental_agent'] })).status).toBe(403);
    expect((await harness.getText(`/v1/reports/${reportId}.svg`, { roles: ['mechanic'] })).status).toBe(403);
    expect((await harness.get(`/v1/reports/${reportId}`, { roles: ['fleet_manager'] })).status).toBe(200);
  });
});
