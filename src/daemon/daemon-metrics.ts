/**
 * The daemon's side of metrics, wired through the jail registry (never the Daemon object): what a
 * scrape reads (src/metrics/view.ts: gauges from the running jails and the store), and the bans
 * and unbans the registry reports, counted per jail. Per-line counters are fed by the pipeline.
 */
import { statSync } from 'node:fs';
import { Metrics } from '../metrics/metrics';
import type { MetricsView } from '../metrics/view';
import type { Store } from '../store/store';
import type { JailEvents, JailLookup } from './jail-registry';
import { UNBAN_BY } from './ban-log';

export interface MetricsSources {
  jails: JailLookup & JailEvents;
  store(): Store | undefined;
  isReady(): boolean;
  startedAt: number;
  reconcileIntervalMs(): number;
  sourceGraceMs(): number;
}


export function createDaemonMetrics(d: MetricsSources): Metrics {
  const metrics = new Metrics(metricsViewOf(d));
  d.jails.onBans((rt, bans) => {
    for (const b of bans) rt.meter.banned(b);
  });
  d.jails.onUnbans((rt, ips, cause) => rt.meter.unbanned(UNBAN_BY[cause] ?? cause, ips.length));
  return metrics;
}

function metricsViewOf(d: MetricsSources): MetricsView {
  return {
    startedAt: d.startedAt,
    get reconcileIntervalMs() {
      return d.reconcileIntervalMs();
    },
    get sourceGraceMs() {
      return d.sourceGraceMs();
    },
    isReady: () => d.isReady(),
    databaseBytes: () => {
      const path = d.store()?.path;
      // the file and its write-ahead log; a stat, not a COUNT over millions of strikes
      return path ? fileSize(path) + fileSize(`${path}-wal`) : 0;
    },
    jails: () =>
      d.jails.list().map((rt) => {
        const a = rt.applier.status();
        const engine = rt.parts?.engine.stats();
        return {
          name: rt.name,
          action: { name: a.action, ok: a.ok, pending: a.pending, failures: a.failures, lastError: a.lastError, lastErrorAt: a.lastErrorAt },
          // The engine's memory holds every ban made or restored; the manual jail's are counted in
          // the database, only when read (a scrape, `status`): the health check every 5 s never
          // reads them, and that COUNT over 100,000 bans stalled the pipeline (issue 16, paced lag).
          get activeBans() {
            return engine ? engine.activeBans : (d.store()?.countActiveBans(Date.now(), rt.name) ?? 0);
          },
          offenders: engine?.offenders ?? 0,
          sources: rt.sources.map((s) => s.status()),
        };
      }),
  };
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
