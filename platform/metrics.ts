/**
 * Counters and gauges a service keeps about itself, by name and labels, with Prometheus naming
 * (units in names, `_total` for counters). The registry is in-process: an exporter (the
 * `/metrics` endpoint) renders it, and tests read it.
 */
export type Labels = Record<string, string>;

interface Family {
  readonly kind: 'counter' | 'gauge';
  readonly help: string;
  readonly series: Map<string, { labels: Labels; value: number }>;
}

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
        const rendered = Object.entries(labels)
          .map(([key, text]) => `${key}="${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
          .join(',');
        lines.push(`${name}${rendered === '' ? '' : `{${rendered}}`} ${value}`);
      }
    }
    return `${lines.join('\n')}\n`;
  }

  private family(name: string, kind: Family['kind'], help: string): Family {
    const existing = this.families.get(name);
    if (existing !== undefined) {
      if (existing.kind !== kind) throw new Error(`metric ${name} is a ${existing.kind}, not a ${kind}`);
      return existing;
    }
    const family: Family = { kind, help, series: new Map() };
    this.families.set(name, family);
    return family;
  }
}
