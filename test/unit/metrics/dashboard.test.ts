/**
 * Issue 14: every query of contrib/grafana/mailjail.json names metrics the daemon exports, so the
 * dashboard cannot silently show "No data" after a metric is renamed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Metrics } from '../../../src/metrics/metrics';
import type { MetricsView } from '../../../src/metrics/view';

const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'offset', 'bool', 'inf', 'nan']);

/** The metric names a PromQL expression reads (labels, ranges, strings, groupings and functions removed). */
function metricNamesOf(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names: string[] = [];
  for (const m of bare.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const after = bare.slice(m.index! + m[0].length).trimStart();
    if (after.startsWith('(') || KEYWORDS.has(m[0].toLowerCase())) continue;
    names.push(m[0]);
  }
  return names;
}

async function exportedNames(): Promise<Set<string>> {
  const view: MetricsView = { startedAt: 0, reconcileIntervalMs: 60_000, sourceGraceMs: 60_000, jails: () => [], databaseBytes: () => 0, isReady: () => true };
  const text = await new Metrics(view).render();
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const m = /^# TYPE (\S+) (\S+)/.exec(line);
    if (!m) continue;
    names.add(m[1]);
    if (m[2] === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(m[1] + s);
  }
  return names;
}

describe('the Grafana dashboard', () => {
  const dashboard = JSON.parse(readFileSync(join(__dirname, '../../../contrib/grafana/mailjail.json'), 'utf8'));
  const panels = (dashboard.panels as Array<{ type: string; title: string; targets?: Array<{ expr: string }> }>).filter((p) => p.type !== 'row');
  const queries = [
    ...panels.flatMap((p) => (p.targets ?? []).map((t) => ({ where: p.title, expr: t.expr }))),
    ...(dashboard.templating.list as Array<{ name: string; definition?: string }>).filter((v) => v.definition).map((v) => ({ where: `$${v.name}`, expr: v.definition!.replace(/^label_values\(([^,]+),.*\)$/, '$1') })),
  ];

  it('has panels for reading, seeing, banning, safety and enforcement, each with a query', () => {
    expect(panels.length).toBeGreaterThanOrEqual(12);
    for (const p of panels) expect(p.targets?.length).toBeGreaterThan(0);
  });

  it('names, in every query, only metrics the daemon exports', async () => {
    const exported = await exportedNames();
    for (const q of queries) {
      const names = metricNamesOf(q.expr);
      expect({ where: q.where, names: names.length > 0 }).toEqual({ where: q.where, names: true });
      for (const n of names) expect({ where: q.where, metric: n, exported: exported.has(n) }).toEqual({ where: q.where, metric: n, exported: true });
    }
  });

  it('finds the metric names of a query (and would flag a renamed one)', () => {
    expect(metricNamesOf('histogram_quantile(0.99, sum by (le) (rate(mailjail_ban_latency_seconds_bucket{jail=~"$jail"}[$__rate_interval])))')).toEqual(['mailjail_ban_latency_seconds_bucket']);
    expect(metricNamesOf('process_resident_memory_bytes and on (instance, job) mailjail_ready')).toEqual(['process_resident_memory_bytes', 'mailjail_ready']);
    expect(metricNamesOf('sum(rate(mailjail_bans_totl[5m]))')).toEqual(['mailjail_bans_totl']);
  });
});
