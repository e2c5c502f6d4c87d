/**
 * Counters, gauges and histograms a service keeps about itself, by name and labels, with
 * Prometheus naming (units in names, `_total` for counters, `_seconds` for durations). The
 * registry is in-process: an exporter (the `/metrics` endpoint) renders it, and tests read it.
 */
export type Labels = Record<string, string>;

interface Family {
  readonly kind: 'counter' | 'gauge' | 'histogram';
  readonly help: string;
  readonly series: Map<string, { labels: Labels; value: number }>;
  /** Histograms only: upper bounds, ascending, and per series the count in each bucket and the sum. */
  readonly buckets?: readonly number[];
  readonly distributions?: Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>;
}

/** Upper bounds for durations in seconds, from a millisecond to ten seconds. */
export const DURATION_BUCKETS_SECONDS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

const labelText = (labels: Labels) =>
  Object.entries(labels)
    .map(([key, text]) => `${key}="${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
    .join(',');

function seriesKey(labels: Labels): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));
}

export class Metrics {
  private readonly families = new Map<string, Family>();

  counter(name: string, help: string): { inc(labels: Labels, by?: number): void } {
    const family = this.family(name, 'counter', help);
    return {
      inc: (labels, by = 1) => {
        if (by < 0) throw new RangeError(`counter ${name} cannot go down`);
        const series = family.series.get(seriesKey(labels)) ?? { labels, value: 0 };
        series.value += by;
        family.series.set(seriesKey(labels), series);
      },
    };
  }

  gauge(name: string, help: string): { set(labels: Labels, value: number): void } {
    const family = this.family(name, 'gauge', help);
    return { set: (labels, value) => void family.series.set(seriesKey(labels), { labels, value }) };
  }

  /** Observations counted in buckets (`le`: at most the bound), with their sum and count. */
  histogram(name: string, help: string, buckets: readonly number[]): { observe(labels: Labels, value: number): void } {
    const family = this.family(name, 'histogram', help, buckets);
    return {
      observe: (labels, value) => {
        const key = seriesKey(labels);
        const distribution = family.distributions!.get(key) ?? { labels, counts: family.buckets!.map(() => 0), sum: 0, count: 0 };
        family.buckets!.forEach((bound, index) => {
          if (value <= bound) distribution.counts[index]! += 1;
        });
        distribution.sum += value;
        distribution.count += 1;
        family.distributions!.set(key, distribution);
      },
    };
  }

  /** How many observations a histogram series holds; 0 when it was never touched. */
  observations(name: string, labels: Labels): number {
    return this.families.get(name)?.distributions?.get(seriesKey(labels))?.count ?? 0;
  }

  /** The value of one series; 0 when it was never touched. */
  value(name: string, labels: Labels): number {
    return this.families.get(name)?.series.get(seriesKey(labels))?.value ?? 0;
  }

  /** The sum over every series of a family whose labels include `labels`. */
  sum(name: string, labels: Labels = {}): number {
    let total = 0;
    for (const series of this.families.get(name)?.series.values() ?? []) {
      if (Object.entries(labels).every(([key, value]) => series.labels[key] === value)) total += series.value;
    }
    return total;
  }

  /** The Prometheus text exposition format. */
  render(): string {
    const lines: string[] = [];
    for (const [name, family] of this.families) {
      lines.push(`# HELP ${name} ${family.help}`, `# TYPE ${name} ${family.kind}`);
      for (const { labels, value } of family.series.values()) {
        const rendered = labelText(labels);
        lines.push(`${name}${rendered === '' ? '' : `{${rendered}}`} ${value}`);
      }
      for (const { labels, counts, sum, count } of family.distributions?.values() ?? []) {
        const rendered = labelText(labels);
        const withBound = (bound: string) => `{${rendered === '' ? '' : `${rendered},`}le="${bound}"}`;
        family.buckets!.forEach((bound, index) => lines.push(`${name}_bucket${withBound(String(bound))} ${counts[index]}`));
        lines.push(`${name}_bucket${withBound('+Inf')} ${count}`);
        lines.push(`${name}_sum${rendered === '' ? '' : `{${rendered}}`} ${sum}`, `${name}_count${rendered === '' ? '' : `{${rendered}}`} ${count}`);
      }
    }
    return `${lines.join('\n')}\n`;
  }

  private family(name: string, kind: Family['kind'], help: string, buckets?: readonly number[]): Family {
    const existing = this.families.get(name);
    if (existing !== undefined) {
      if (existing.kind !== kind) throw new Error(`metric ${name} is a ${existing.kind}, not a ${kind}`);
      return existing;
    }
    if (buckets !== undefined && buckets.some((bound, index) => index > 0 && bound <= buckets[index - 1]!)) throw new Error(`histogram ${name} needs ascending buckets`);
    const family: Family = { kind, help, series: new Map(), ...(buckets === undefined ? {} : { buckets, distributions: new Map() }) };
    this.families.set(name, family);
    return family;
  }
}
