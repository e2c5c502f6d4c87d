/**
 * A report snapshot's chart as a self-contained SVG document (no scripts, fonts, styles or images
 * from elsewhere), sized by its content so that a browser shows it whole: utilisation per vehicle
 * as bars, the income statement as a waterfall, receivables aging as stacked bars, and the other
 * reports as bars of their main figure. Every text is XML-escaped; money is shown in major units
 * with its currency's own number of decimals.
 */
import type { AgingBuckets, ReportResult } from './report-results';

export interface ChartHeading {
  readonly title: string;
  /** The period or day, the snapshot's id and hash: what identifies the numbers shown. */
  readonly subtitle: string;
}

const WIDTH = 960;
const MARGIN = 24;
const LABEL_WIDTH = 260;
const VALUE_WIDTH = 150;
const ROW_HEIGHT = 22;
const BAR_HEIGHT = 14;
const FONT = 'font-family="Helvetica, Arial, sans-serif"';
const COLOURS = { up: '#2e7d32', down: '#c62828', total: '#1565c0', bar: '#1565c0', axis: '#9e9e9e', text: '#212121', muted: '#616161' };
const BUCKET_COLOURS: Readonly<Record<keyof AgingBuckets, string>> = { current: '#2e7d32', '1-30': '#9e9d24', '31-60': '#f9a825', '61-90': '#ef6c00', 'over-90': '#c62828' };
const BUCKETS = Object.keys(BUCKET_COLOURS) as (keyof AgingBuckets)[];

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const round = (value: number) => Math.round(value * 10) / 10;

function text(x: number, y: number, content: string, options: { anchor?: 'start' | 'end' | 'middle'; size?: number; colour?: string; weight?: 'bold' } = {}): string {
  return `<text x="${round(x)}" y="${round(y)}" ${FONT} font-size="${options.size ?? 12}" fill="${options.colour ?? COLOURS.text}" text-anchor="${options.anchor ?? 'start'}"${options.weight === undefined ? '' : ` font-weight="${options.weight}"`}>${escape(content)}</text>`;
}

function rect(x: number, y: number, width: number, height: number, colour: string, label?: string): string {
  const title = label === undefined ? '' : `<title>${escape(label)}</title>`;
  return `<rect x="${round(x)}" y="${round(y)}" width="${round(Math.max(width, 0))}" height="${round(height)}" fill="${colour}">${title}</rect>`;
}

function decimalsOf(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** Minor units as major units with the currency's decimals, e.g. 123456 EUR → "1,234.56 EUR". */
export function money(minor: number, currency: string): string {
  const decimals = decimalsOf(currency);
  const major = minor / 10 ** decimals;
  return `${major.toLocaleString('en', { minimumFractionDigits: decimals, maximumFractionDigits: decimals })} ${currency}`;
}

/** An account code as a short caption: MAINTENANCE_PARTS_EXPENSE → "Maintenance parts". */
function caption(code: string): string {
  const words = code.toLowerCase().replace(/_/g, ' ').replace(/ (revenue|expense)$/, '');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const percent = (basisPoints: number | null) => (basisPoints === null ? 'not available' : `${(basisPoints / 100).toFixed(2)} %`);
const shortId = (id: string) => id.slice(0, 8);

function document(heading: ChartHeading, height: number, body: readonly string[]): string {
  const total = Math.ceil(height + MARGIN);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${total}" viewBox="0 0 ${WIDTH} ${total}" role="img">`,
    `<title>${escape(heading.title)}</title>`,
    `<rect x="0" y="0" width="${WIDTH}" height="${total}" fill="#ffffff"/>`,
    text(MARGIN, MARGIN + 14, heading.title, { size: 18, weight: 'bold' }),
    text(MARGIN, MARGIN + 34, heading.subtitle, { size: 11, colour: COLOURS.muted }),
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

const TOP = MARGIN + 56;

interface Bar {
  readonly label: string;
  readonly value: number;
  readonly shown: string;
}

/** Horizontal bars from a zero line, negative ones to its left; `scaleMax` fixes the scale (100 % for ratios). */
function bars(y: number, caption: string, rows: readonly Bar[], scaleMax?: number): { svg: string[]; height: number } {
  const plotLeft = MARGIN + LABEL_WIDTH;
  const plotWidth = WIDTH - plotLeft - VALUE_WIDTH - MARGIN;
  const largest = scaleMax ?? Math.max(1, ...rows.map((row) => Math.abs(row.value)));
  const hasNegative = rows.some((row) => row.value < 0);
  const zeroX = hasNegative ? plotLeft + plotWidth / 2 : plotLeft;
  const scale = (hasNegative ? plotWidth / 2 : plotWidth) / largest;
  const svg = [text(MARGIN, y + 14, caption, { size: 13, weight: 'bold' })];
  if (rows.length === 0) {
    svg.push(text(MARGIN, y + 36, 'Nothing to show for this period.', { colour: COLOURS.muted }));
    return { svg, height: 48 };
  }
  rows.forEach((row, index) => {
    const rowY = y + 24 + index * ROW_HEIGHT;
    const width = Math.abs(row.value) * scale;
    svg.push(text(plotLeft - 8, rowY + BAR_HEIGHT - 3, row.label, { anchor: 'end', size: 11 }));
    svg.push(rect(row.value < 0 ? zeroX - width : zeroX, rowY, width, BAR_HEIGHT, row.value < 0 ? COLOURS.down : COLOURS.bar, `${row.label}: ${row.shown}`));
    svg.push(text(WIDTH - MARGIN, rowY + BAR_HEIGHT - 3, row.shown, { anchor: 'end', size: 11 }));
  });
  const bottom = y + 24 + rows.length * ROW_HEIGHT;
  svg.push(`<line x1="${round(zeroX)}" y1="${y + 20}" x2="${round(zeroX)}" y2="${bottom}" stroke="${COLOURS.axis}" stroke-width="1"/>`);
  return { svg, height: bottom - y + 12 };
}

interface Step {
  readonly label: string;
  /** Positive raises the running total, negative lowers it; a total bar stands from zero. */
  readonly amount: number;
  readonly kind: 'step' | 'total';
}

/** A vertical waterfall: each step starts where the one before ended, totals stand from zero. */
function waterfall(y: number, caption: string, currency: string, steps: readonly Step[]): { svg: string[]; height: number } {
  const plotHeight = 220;
  const plotLeft = MARGIN + 60;
  const plotWidth = WIDTH - plotLeft - MARGIN;
  let running = 0;
  const placed = steps.map((step) => {
    const from = step.kind === 'total' ? 0 : running;
    const to = step.kind === 'total' ? step.amount : running + step.amount;
    running = to;
    return { ...step, from, to };
  });
  const high = Math.max(0, ...placed.flatMap((step) => [step.from, step.to]));
  const low = Math.min(0, ...placed.flatMap((step) => [step.from, step.to]));
  const span = Math.max(1, high - low);
  const yOf = (value: number) => y + 28 + ((high - value) / span) * plotHeight;
  const slot = plotWidth / Math.max(1, placed.length);
  const svg = [text(MARGIN, y + 14, caption, { size: 13, weight: 'bold' })];
  svg.push(`<line x1="${plotLeft}" y1="${round(yOf(0))}" x2="${plotLeft + plotWidth}" y2="${round(yOf(0))}" stroke="${COLOURS.axis}" stroke-width="1"/>`);
  placed.forEach((step, index) => {
    const x = plotLeft + index * slot + slot * 0.15;
    const top = yOf(Math.max(step.from, step.to));
    const colour = step.kind === 'total' ? COLOURS.total : step.amount < 0 ? COLOURS.down : COLOURS.up;
    const shown = money(step.kind === 'total' ? step.to : step.amount, currency);
    svg.push(rect(x, top, slot * 0.7, Math.max(1, Math.abs(yOf(step.from) - yOf(step.to))), colour, `${step.label}: ${shown}`));
    svg.push(text(x + slot * 0.35, top - 4, shown, { anchor: 'middle', size: 10 }));
    svg.push(text(x + slot * 0.35, y + 28 + plotHeight + 16, step.label, { anchor: 'middle', size: 10, colour: COLOURS.muted }));
  });
  return { svg, height: plotHeight + 60 };
}

/** One horizontal bar per row, stacked by aging bucket, with a legend. */
function stackedAging(y: number, caption: string, currency: string, rows: readonly { label: string; buckets: AgingBuckets; total: number }[]): { svg: string[]; height: number } {
  const plotLeft = MARGIN + LABEL_WIDTH;
  const plotWidth = WIDTH - plotLeft - VALUE_WIDTH - MARGIN;
  const largest = Math.max(1, ...rows.map((row) => BUCKETS.reduce((sum, bucket) => sum + Math.max(0, row.buckets[bucket]), 0)));
  const svg = [text(MARGIN, y + 14, caption, { size: 13, weight: 'bold' })];
  BUCKETS.forEach((bucket, index) => {
    const x = plotLeft + index * 110;
    svg.push(rect(x, y + 22, 10, 10, BUCKET_COLOURS[bucket]));
    svg.push(text(x + 14, y + 31, bucket === 'current' ? 'current' : `${bucket} days`, { size: 10 }));
  });
  rows.forEach((row, index) => {
    const rowY = y + 42 + index * ROW_HEIGHT;
    let x = plotLeft;
    svg.push(text(plotLeft - 8, rowY + BAR_HEIGHT - 3, row.label, { anchor: 'end', size: 11 }));
    for (const bucket of BUCKETS) {
      const width = (Math.max(0, row.buckets[bucket]) / largest) * plotWidth;
      if (width > 0) svg.push(rect(x, rowY, width, BAR_HEIGHT, BUCKET_COLOURS[bucket], `${row.label}, ${bucket}: ${money(row.buckets[bucket], currency)}`));
      x += width;
    }
    svg.push(text(WIDTH - MARGIN, rowY + BAR_HEIGHT - 3, money(row.total, currency), { anchor: 'end', size: 11 }));
  });
  return { svg, height: 42 + rows.length * ROW_HEIGHT + 12 };
}

/** Panels stacked top to bottom, one per currency or one in all. */
function stack(panels: readonly ((y: number) => { svg: string[]; height: number })[]): { svg: string[]; height: number } {
  let y = TOP;
  const svg: string[] = [];
  for (const panel of panels) {
    const drawn = panel(y);
    svg.push(...drawn.svg);
    y += drawn.height + 16;
  }
  if (panels.length === 0) svg.push(text(MARGIN, y + 14, 'Nothing to show: no amounts in this report.', { colour: COLOURS.muted }));
  return { svg, height: Math.max(y, TOP + 30) };
}

/** The most customers one aging chart lists by name; the rest are summed into one bar. */
const AGING_CUSTOMERS_SHOWN = 25;

function chartBody(report: ReportResult): { svg: string[]; height: number } {
  switch (report.reportType) {
    case 'fleet_utilisation':
      return stack([
        (y) =>
          bars(
            y,
            `Utilisation per vehicle (overall ${percent(report.result.overall.utilisationBp)})`,
            report.result.vehicles.map((vehicle) => ({ label: `${vehicle.vehicleClass} · ${shortId(vehicle.vehicleId)}`, value: (vehicle.utilisationBp ?? 0) / 100, shown: percent(vehicle.utilisationBp) })),
            100,
          ),
      ]);
    case 'income_statement':
      return stack(
        report.result.currencies.map((currency) => (y: number) =>
          waterfall(y, `Income statement, ${currency.currency}`, currency.currency, [
            ...currency.revenue.map((account): Step => ({ label: caption(account.code), amount: account.amountMinor, kind: 'step' })),
            { label: 'Discounts', amount: -currency.discountsMinor, kind: 'step' },
            ...currency.expenses.map((account): Step => ({ label: caption(account.code), amount: -account.amountMinor, kind: 'step' })),
            { label: 'Net income', amount: currency.netIncomeMinor, kind: 'total' },
          ]),
        ),
      );
    case 'receivables_aging':
      return stack(
        report.result.currencies.map((currency) => (y: number) => {
          const named = currency.customers.slice(0, AGING_CUSTOMERS_SHOWN);
          const rest = currency.customers.slice(AGING_CUSTOMERS_SHOWN);
          const restBuckets = Object.fromEntries(BUCKETS.map((bucket) => [bucket, rest.reduce((sum, customer) => sum + customer.buckets[bucket], 0)])) as unknown as AgingBuckets;
          return stackedAging(y, `Receivables by age, ${currency.currency}`, currency.currency, [
            { label: 'All customers', buckets: currency.buckets, total: currency.totalMinor },
            ...named.map((customer) => ({ label: customer.customerId === null ? 'no customer' : `customer ${shortId(customer.customerId)}`, buckets: customer.buckets, total: customer.totalMinor })),
            ...(rest.length === 0 ? [] : [{ label: `${rest.length} more customers`, buckets: restBuckets, total: rest.reduce((sum, customer) => sum + customer.totalMinor, 0) }]),
          ]);
        }),
      );
    case 'trial_balance':
      return stack(
        report.result.currencies.map((currency) => (y: number) =>
          bars(y, `Balances (debit − credit), ${currency.currency}`, currency.accounts.map((account) => ({ label: account.code, value: account.balanceMinor, shown: money(account.balanceMinor, currency.currency) }))),
        ),
      );
    case 'revenue_by_vehicle':
      return stack(
        report.result.currencies.map((currency) => (y: number) =>
          bars(
            y,
            `Net revenue per vehicle, ${currency.currency}`,
            currency.vehicles.map((vehicle) => ({ label: `${vehicle.vehicleClass ?? 'unknown'} · ${shortId(vehicle.vehicleId)}`, value: vehicle.netRevenueMinor, shown: money(vehicle.netRevenueMinor, currency.currency) })),
          ),
        ),
      );
    case 'revenue_by_vehicle_class':
      return stack(
        report.result.currencies.map((currency) => (y: number) =>
          bars(
            y,
            `Net revenue per vehicle class, ${currency.currency}`,
            currency.classes.map((group) => ({ label: `${group.vehicleClass ?? 'unknown'} (${group.vehicles})`, value: group.netRevenueMinor, shown: money(group.netRevenueMinor, currency.currency) })),
          ),
        ),
      );
    case 'maintenance_cost':
      return stack(
        report.result.currencies.map((currency) => (y: number) =>
          bars(
            y,
            `Workshop cost per vehicle, ${currency.currency}`,
            currency.vehicles.map((vehicle) => ({ label: `${vehicle.vehicleClass ?? 'unknown'} · ${shortId(vehicle.vehicleId)}`, value: vehicle.costMinor, shown: money(vehicle.costMinor, currency.currency) })),
          ),
        ),
      );
    default: {
      const unexpected: never = report;
      throw new Error(`no chart for ${String(unexpected)}`);
    }
  }
}

/** The SVG document of a report's chart. */
export function reportSvg(report: ReportResult, heading: ChartHeading): string {
  const body = chartBody(report);
  return document(heading, body.height, body.svg);
}
