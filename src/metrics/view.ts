/**
 * What metrics and health read from the running daemon when asked (a scrape, a textfile write,
 * `mailjail status`): gauges, never counters. The daemon hands an implementation over its jail
 * registry; nothing here reaches into the daemon.
 */
import type { SourceStatus } from '../sources/source';

export interface ActionView {
  name: string;
  ok: boolean;
  /** Changes waiting for the firewall (retry backlog). */
  pending: number;
  failures: number;
  lastError?: string;
  lastErrorAt?: number;
}

export interface JailView {
  name: string;
  action: ActionView;
  activeBans: number;
  /** Offenders with strikes in a window (0 for the manual jail). */
  offenders: number;
  sources: SourceStatus[];
}

export interface MetricsView {
  jails(): JailView[];
  databaseBytes(): number;
  isReady(): boolean;
  /** Epoch ms the daemon started. */
  startedAt: number;
  /** How often the kernel is compared with the database (a drift finding stays this long, twice). */
  reconcileIntervalMs: number;
  /** How long a source may be missing or unreadable before it is a problem (metrics.sourceGrace). */
  sourceGraceMs: number;
}
