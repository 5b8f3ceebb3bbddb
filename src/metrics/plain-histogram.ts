/**
 * A histogram kept as plain numbers and written in the Prometheus text format by itself: observing
 * is a bucket search and three additions, with no label hashing, and prom-client need not be
 * loaded for it (the daemon loads prom-client only when the metrics are first asked for, so a
 * start does not pay for it).
 */
interface Series {
  labels: string;
  counts: Float64Array;
  sum: number;
  count: number;
}

export class PlainHistogram {
  private readonly series = new Map<string, Series>();

  constructor(
    readonly name: string,
    private readonly help: string,
    private readonly labelNames: readonly string[],
    private readonly buckets: readonly number[],
  ) {}

  /** `values` in the order of labelNames (bounded by the configuration: jail and action names). */
  observe(values: readonly string[], v: number): void {
    const key = values.join('\0');
    let s = this.series.get(key);
    if (!s) {
      const labels = this.labelNames.map((n, i) => `${n}="${escapeLabel(values[i])}"`).join(',');
      this.series.set(key, (s = { labels, counts: new Float64Array(this.buckets.length), sum: 0, count: 0 }));
    }
    let i = 0;
    while (i < this.buckets.length && v > this.buckets[i]) i++;
    if (i < this.buckets.length) s.counts[i]++;
    s.sum += v;
    s.count++;
  }

  /** HELP, TYPE and every series: cumulative buckets, +Inf, sum and count. */
  text(): string {
    const out = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const s of this.series.values()) {
      const sep = s.labels ? ',' : '';
      let cumulative = 0;
      this.buckets.forEach((le, i) => {
        cumulative += s.counts[i];
        out.push(`${this.name}_bucket{${s.labels}${sep}le="${le}"} ${cumulative}`);
      });
      out.push(`${this.name}_bucket{${s.labels}${sep}le="+Inf"} ${s.count}`);
      const braces = s.labels ? `{${s.labels}}` : '';
      out.push(`${this.name}_sum${braces} ${s.sum}`, `${this.name}_count${braces} ${s.count}`);
    }
    return `${out.join('\n')}\n`;
  }
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}
