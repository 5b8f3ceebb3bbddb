/**
 * The daemon's side of metrics: what a scrape reads (src/metrics/view.ts) from the running jails
 * and the store. Gauges only; counters are the jails' meters, fed by the pipeline.
 */
import { statSync } from 'node:fs';
import type { MetricsView } from '../metrics/view';
import type { Store } from '../store/store';
import type { JailRuntime } from './jail-runtime';

export interface MetricsSources {
  jails(): Iterable<JailRuntime>;
  store(): Store | undefined;
  isReady(): boolean;
  startedAt: number;
  reconcileIntervalMs(): number;
}

export function metricsViewOf(d: MetricsSources): MetricsView {
  return {
    startedAt: d.startedAt,
    get reconcileIntervalMs() {
      return d.reconcileIntervalMs();
    },
    isReady: () => d.isReady(),
    databaseBytes: () => {
      const path = d.store()?.path;
      // the file and its write-ahead log; a stat, not a COUNT over millions of strikes
      return path ? fileSize(path) + fileSize(`${path}-wal`) : 0;
    },
    jails: () =>
      [...d.jails()].map((rt) => {
        const a = rt.applier.status();
        const engine = rt.parts?.engine.stats();
        return {
          name: rt.name,
          action: { name: a.action, ok: a.ok, pending: a.pending, failures: a.failures, lastError: a.lastError, lastErrorAt: a.lastErrorAt },
          // the engine's memory holds every ban made or restored; the manual jail has none
          activeBans: engine ? engine.activeBans : (d.store()?.countActiveBans(Date.now(), rt.name) ?? 0),
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
