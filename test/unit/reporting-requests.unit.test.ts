import { reportCsv } from '../../gateway/reports/report-csv';
import { money, reportSvg } from '../../gateway/reports/report-svg';
import { FACT_KINDS } from '../../migrations/20261124001200_reporting_read_models';
import { REPORT_TYPES as STORED_REPORT_TYPES } from '../../migrations/20261123000700_reporting_and_gateway';
import { canonicalJson, contentHash } from '../../processors/reporting/canonical';
import { kilometresDriven, maintenanceCost, revenueByVehicleClass } from '../../processors/reporting/fleet-reports';
import { decideGenerateReport, type GenerateReport, type GenerateReportState } from '../../processors/reporting/generate-report';
import { FOLLOWED_EVENTS, type FactKind } from '../../processors/reporting/source-events';
import type { CommandContext } from '../../processors/runtime/command-handler';
import { checkReportRequest, REPORT_TYPES, type ReportRequest } from '../../schemas/reporting/report-parameters';

const request = (fields: Partial<ReportRequest>): ReportRequest => ({ reportType: 'income_statement', from: null, to: null, asOf: null, watermark: null, ...fields });
const TODAY = '2026-11-24';

describe('report requests', () => {
  it('takes a period for the period reports and a day for the others', () => {
    expect(checkReportRequest(request({ from: '2026-03-01', to: '2026-03-31' }), TODAY)).toEqual({ ok: true, reportType: 'income_statement', scope: { kind: 'period', from: '2026-03-01', to: '2026-03-31' } });
    expect(checkReportRequest(request({ reportType: 'receivables_aging', asOf: '2026-03-31' }), TODAY)).toEqual({ ok: true, reportType: 'receivables_aging', scope: { kind: 'asOf', asOf: '2026-03-31' } });
    // A one-day period and the longest one are periods too.
    expect(checkReportRequest(request({ from: '2026-03-01', to: '2026-03-01' }), TODAY).ok).toBe(true);
    expect(checkReportRequest(request({ from: '2016-04-01', to: '2026-03-31' }), TODAY).ok).toBe(true);
  });

  it.each([
    [{ reportType: 'cash_flow', asOf: '2026-03-31' }, 'type'],
    [{ from: '2026-03-01' }, 'to'],
    [{ to: '2026-03-01' }, 'from'],
    [{ from: '2026-02-29', to: '2026-03-31' }, 'from'],
    [{ from: '2026-03-01', to: '2026-13-01' }, 'to'],
    [{ from: '1999-12-31', to: '2000-01-31' }, 'from'],
    [{ from: '2999-12-01', to: '3000-01-01' }, 'to'],
    [{ from: '2026-03-02', to: '2026-03-01' }, 'to'],
    [{ from: '2016-03-30', to: '2026-03-31' }, 'to'],
    [{ from: '2026-03-01', to: '2026-03-31', asOf: '2026-03-31' }, 'asOf'],
    [{ reportType: 'trial_balance', asOf: '2026-03-31', to: '2026-03-31' }, 'to'],
    [{ reportType: 'trial_balance' }, 'asOf'],
    [{ reportType: 'fleet_utilisation', from: '2026-11-01', to: TODAY }, 'to'],
    [{ from: '2026-03-01', to: '2026-03-31', watermark: [{ topic: 'a b', partition: 0, offset: 0 }] }, 'watermark[0].topic'],
    [{ from: '2026-03-01', to: '2026-03-31', watermark: [{ topic: 'ledger.events', partition: -1, offset: 0 }] }, 'watermark[0].partition'],
    [{ from: '2026-03-01', to: '2026-03-31', watermark: [{ topic: 'ledger.events', partition: 0, offset: 0.5 }] }, 'watermark[0].offset'],
  ])('refuses %j naming %s', (fields, field) => {
    const checked = checkReportRequest(request(fields), TODAY);
    expect(checked).toMatchObject({ ok: false, field });
  });

  it('declares the same report types the snapshots table accepts', () => {
    expect([...REPORT_TYPES]).toEqual([...STORED_REPORT_TYPES]);
  });

  it('reads each followed event into facts of the kinds the read model accepts', () => {
    const kinds = new Set<FactKind>(FACT_KINDS);
    const vehicleId = 'a0000000-0000-4000-8000-000000000001';
    const rows = FOLLOWED_EVENTS['fleet.VehicleRegistered']!({ vehicleId, vehicleClass: 'van', registeredAt: 1_000 });
    expect(rows).toEqual({ kind: 'facts', facts: [expect.objectContaining({ kind: 'vehicle_registered', subjectId: vehicleId, vehicleClass: 'van', at: new Date(1_000) })] });
    if (rows.kind === 'facts') for (const fact of rows.facts) expect(kinds.has(fact.kind)).toBe(true);
    // An update that leaves the class alone, and a status move that is no decommissioning, leave nothing.
    expect(FOLLOWED_EVENTS['fleet.VehicleUpdated']!({ vehicleId, vehicleClass: null, version: 3, updatedAt: 1 })).toEqual({ kind: 'facts', facts: [] });
    expect(FOLLOWED_EVENTS['fleet.VehicleStateChanged']!({ vehicleId, from: 'available', to: 'rented', at: 1 })).toEqual({ kind: 'facts', facts: [] });
    expect(() => FOLLOWED_EVENTS['ledger.LedgerPosted']!({ entryId: 'e', entryDate: '2026-03-01', externalRefType: 't', externalRefId: 'r', lines: [{ accountCode: 'CASH', direction: 'up', amountMinor: 1, currency: 'EUR' }] })).toThrow(
      'LedgerPosted.lines[0].direction is up, neither debit nor credit',
    );
    expect(() => FOLLOWED_EVENTS['rental.RentalActivated']!({ rentalId: 'r', vehicleId })).toThrow();
  });
});

describe('fleet reports', () => {
  const DAY = 86_400_000;
  it('counts kilometres from the last reading before the start, or the first one inside, to the last one before the end', () => {
    const readings = [
      { vehicleId: 'v', readingKm: 1_000, recordedAt: 0 },
      { vehicleId: 'v', readingKm: 1_400, recordedAt: 5 * DAY },
      { vehicleId: 'v', readingKm: 2_000, recordedAt: 20 * DAY },
    ];
    expect(kilometresDriven(readings, 1 * DAY, 10 * DAY)).toBe(400);
    expect(kilometresDriven(readings, 2 * DAY, 30 * DAY)).toBe(1_000);
    expect(kilometresDriven(readings.slice(1), 1 * DAY, 30 * DAY)).toBe(600);
    expect(kilometresDriven(readings.slice(2), 1 * DAY, 30 * DAY)).toBe(0);
    expect(kilometresDriven([], 0, DAY)).toBe(0);
  });

  it('gives no cost per 1,000 km for a vehicle not seen driving, and leaves out jobs outside the period', () => {
    const report = maintenanceCost(
      [
        { vehicleId: 'v', completedOn: '2026-03-10', costMinor: 5_000, currency: 'EUR' },
        { vehicleId: 'v', completedOn: '2026-04-01', costMinor: 9_999, currency: 'EUR' },
      ],
      [],
      new Map([['v', 'van']]),
      { from: '2026-03-01', to: '2026-03-31' },
    );
    expect(report.currencies).toEqual([
      { currency: 'EUR', vehicles: [{ vehicleId: 'v', vehicleClass: 'van', jobs: 1, costMinor: 5_000, kilometres: 0, costPer1000KmMinor: null }], jobs: 1, costMinor: 5_000, kilometres: 0, costPer1000KmMinor: null },
    ]);
  });

  it('puts a vehicle of unknown class under class null, after the known ones', () => {
    const lines = [
      { vehicleId: 'z', accountCode: 'RENTAL_REVENUE', currency: 'EUR', creditMinor: 100 },
      { vehicleId: 'y', accountCode: 'RENTAL_REVENUE', currency: 'EUR', creditMinor: 50 },
    ];
    const report = revenueByVehicleClass(lines, new Map([['y', 'van']]), { from: '2026-03-01', to: '2026-03-31' });
    expect(report.currencies[0]!.classes.map((group) => [group.vehicleClass, group.netRevenueMinor])).toEqual([
      ['van', 50],
      [null, 100],
    ]);
  });
});

describe('GenerateReport', () => {
  const command: GenerateReport = { reportId: 'r', reportType: 'income_statement', from: '2026-03-01', to: '2026-03-31', asOf: null, watermark: null };
  const state: GenerateReportState = {
    taken: false,
    watermark: [{ topic: 'ledger.events', partition: 1, offset: 9 }, { topic: 'fleet.events', partition: 0, offset: 3 }],
    notReached: [],
    inputs: { reportType: 'income_statement', lines: [{ entryDate: '2026-03-02', accountCode: 'RENTAL_REVENUE', accountType: 'revenue', direction: 'credit', amountMinor: 700, currency: 'EUR' }] },
  };
  const context = (permissions: readonly string[]): CommandContext => ({
    metadata: { messageId: 'm', messageType: 'reporting.GenerateReport', correlationId: 'c', causationId: null, actor: null, actorPermissions: new Set(permissions), traceparent: null, occurredAt: '' },
    now: new Date('2026-11-24T10:00:00Z'),
  });

  it('computes the report, hashes its canonical text and names the watermark in order', () => {
    const { decision, resultText } = decideGenerateReport(state, command, context(['reports.generate']));
    expect(decision.kind).toBe('accepted');
    expect(resultText).toBe(canonicalJson(JSON.parse(resultText!)));
    const payload = (decision as { readonly events: readonly { readonly payload: Record<string, unknown> }[] }).events[0]!.payload;
    expect(payload).toMatchObject({ reportType: 'income_statement', periodStart: '2026-03-01', periodEnd: '2026-03-31', contentHash: contentHash(JSON.parse(resultText!)) });
    expect(payload.watermark).toEqual([{ topic: 'fleet.events', partition: 0, offset: 3 }, { topic: 'ledger.events', partition: 1, offset: 9 }]);
    expect((JSON.parse(resultText!) as { currencies: { netIncomeMinor: number }[] }).currencies[0]!.netIncomeMinor).toBe(700);
  });

  it.each([
    [[], state, command, 'REPORTING.NOT_PERMITTED'],
    [['reports.generate'], state, { ...command, to: '2026-02-01' }, 'REPORTING.INVALID_PARAMETERS'],
    [['reports.generate'], { ...state, taken: true }, command, 'REPORTING.REPORT_ID_TAKEN'],
    [['reports.generate'], { ...state, notReached: [{ topic: 'ledger.events', partition: 1, offset: 99 }] }, command, 'REPORTING.WATERMARK_NOT_REACHED'],
  ] as const)('refuses with permissions %j: %#', (permissions, given, asked, reasonCode) => {
    expect(decideGenerateReport(given, asked, context(permissions)).decision).toMatchObject({ kind: 'rejected', reasonCode });
  });
});

describe('report output', () => {
  it('writes CSV with quoted fields and no formula a spreadsheet would run', () => {
    const csv = reportCsv({
      reportType: 'revenue_by_vehicle_class',
      result: {
        currencies: [
          {
            currency: 'EUR',
            classes: [{ vehicleClass: '=HYPERLINK("x"),van', vehicles: 2, grossRevenueMinor: -5, discountsMinor: 0, netRevenueMinor: -5 }],
            unattributed: { grossRevenueMinor: 0, discountsMinor: 0, netRevenueMinor: 0 },
            total: { grossRevenueMinor: -5, discountsMinor: 0, netRevenueMinor: -5 },
          },
        ],
      },
    });
    expect(csv.split('\r\n')[1]).toBe(`EUR,"'=HYPERLINK(""x""),van",2,-5,0,-5`);
    expect(csv.endsWith('\r\n')).toBe(true);
  });

  it('escapes text in the SVG and shows money in the currency decimals', () => {
    const svg = reportSvg(
      { reportType: 'maintenance_cost', result: { currencies: [{ currency: 'JPY', vehicles: [{ vehicleId: 'v', vehicleClass: '<script>', jobs: 1, costMinor: 1_500, kilometres: 0, costPer1000KmMinor: null }], jobs: 1, costMinor: 1_500, kilometres: 0, costPer1000KmMinor: null }] } },
      { title: 'Cost & <more>', subtitle: '"s"' },
    );
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;script&gt;');
    expect(svg).toContain('<title>Cost &amp; &lt;more&gt;</title>');
    expect(money(1_500, 'JPY')).toBe('1,500 JPY');
    expect(money(123_456, 'EUR')).toBe('1,234.56 EUR');
    expect(money(-5, 'EUR')).toBe('-0.05 EUR');
  });
});
