/**
 * The daemon's metrics in the Prometheus text format (prom-client, used nowhere else). Counters
 * are read from the jails' meters at scrape time; gauges from the MetricsView; the two histograms
 * (firewall batch duration, line-to-kernel latency) are plain ones, observed as things happen, once
 * per firewall batch and once per ban. prom-client is loaded when the metrics are first asked for
 * (it and its default metrics cost a start ~50 ms). README "Watching mailjail" lists every metric.
 */
import type * as PromClient from 'prom-client';
import { EVENT_KINDS } from '../core/types';
import { PlainHistogram } from './plain-histogram';
import { HealthTracker } from './health';
import { JailMeter } from './jail-meter';

type Fill<L extends string> = (set: (labels: Record<L, string>, v: number) => void) => void;
import type { MetricsView } from './view';

const P = 'mailjail_';

export class Metrics {
  readonly health: HealthTracker;
  /** Meters outlive reloads: a counter that restarted at 0 on every reload would lie to rate(). */
  private readonly meters = new Map<string, JailMeter>();
  private readonly banLatency = new PlainHistogram(
    `${P}ban_latency_seconds`,
    "Time from a log line's own timestamp to its ban being in the kernel",
    ['jail'],
    [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
  );
  private readonly firewallDuration = new PlainHistogram(
    `${P}firewall_duration_seconds`,
    'Duration of one firewall batch (one nft/ipset/command run for many bans)',
    ['jail', 'action'],
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  );
  private prom: typeof PromClient | null = null;
  private registry: PromClient.Registry | null = null;

  constructor(private readonly view: MetricsView) {
    this.health = new HealthTracker(view, (jail) => this.meters.get(jail));
  }

  /** The meter of a jail (the same one across reloads). */
  jail(name: string): JailMeter {
    let m = this.meters.get(name);
    if (!m) {
      m = new JailMeter(name, {
        observeBanLatency: (jail, s) => this.banLatency.observe([jail], s),
        observeFirewall: (jail, action, s) => this.firewallDuration.observe([jail, action], s),
      });
      this.meters.set(name, m);
    }
    return m;
  }

  /** The text format, as /metrics, the textfile and `mailjail metrics` serve it. */
  async render(): Promise<string> {
    return (await this.registered().metrics()) + this.banLatency.text() + this.firewallDuration.text();
  }

  readonly contentType = 'text/plain; version=0.0.4; charset=utf-8';

  /** prom-client's registry with every counter and gauge, made on first use. */
  private registered(): PromClient.Registry {
    if (this.registry) return this.registry;
    this.prom = require('prom-client') as typeof PromClient;
    this.registry = new this.prom.Registry();
    this.prom.collectDefaultMetrics({ register: this.registry });
    this.defineReading();
    this.defineDeciding();
    this.defineEnforcing();
    this.defineProcess();
    return this.registry;
  }

  private counter<L extends string>(name: string, help: string, labelNames: L[], fill: Fill<L>): void {
    this.collected('Counter', name, help, labelNames, fill);
  }

  private gauge<L extends string>(name: string, help: string, labelNames: L[], fill: Fill<L>): void {
    this.collected('Gauge', name, help, labelNames, fill);
  }

  /** A metric whose values are read at scrape time: reset, then set from `fill` (a counter's
   *  values are running totals kept by the meters, so setting them is right for both kinds). */
  private collected<L extends string>(kind: 'Counter' | 'Gauge', name: string, help: string, labelNames: L[], fill: Fill<L>): void {
    const Metric = this.prom![kind] as unknown as new (c: PromClient.GaugeConfiguration<L>) => PromClient.Gauge<L>;
    new Metric({
      name: P + name,
      help,
      labelNames,
      registers: [this.registry!],
      collect() {
        this.reset();
        fill((labels, v) => (kind === 'Gauge' ? this.set(labels as never, v) : (this as unknown as PromClient.Counter<L>).inc(labels as never, v)));
      },
    });
  }


  private defineReading(): void {
    const each = (fn: (jail: string, pattern: string, s: JailMeter['sources'] extends Map<string, infer S> ? S : never) => void) => {
      for (const m of this.meters.values()) for (const s of m.sources.values()) fn(m.name, s.pattern, s);
    };
    this.counter('lines_read_total', 'Log lines read, per source', ['jail', 'source'], (set) => each((jail, source, s) => set({ jail, source }, s.lines)));
    this.counter('bytes_read_total', 'Log bytes read, per source', ['jail', 'source'], (set) => each((jail, source, s) => set({ jail, source }, s.bytes)));
    this.gauge('source_last_line_age_seconds', 'Seconds since the source last delivered a line', ['jail', 'source'], (set) => {
      const now = Date.now();
      each((jail, source, s) => s.lastLineAt !== undefined && set({ jail, source }, (now - s.lastLineAt) / 1000));
    });
    this.gauge('source_backlog_bytes', 'Bytes written to the source and not read yet (catch-up remaining)', ['jail', 'source'], (set) => {
      for (const j of this.view.jails()) {
        for (const s of j.sources) {
          if (s.kind !== 'file') continue;
          const backlog = s.files.reduce((sum, f) => sum + Math.max(0, (f.size ?? f.offset) - f.offset), 0);
          set({ jail: j.name, source: patternOf(j.name, s.id) }, backlog);
        }
      }
    });
    this.gauge('source_files', 'Files a source follows now (0: its pattern matches nothing)', ['jail', 'source'], (set) => {
      for (const j of this.view.jails()) for (const s of j.sources) set({ jail: j.name, source: patternOf(j.name, s.id) }, s.kind === 'file' ? s.files.length : 1);
    });
  }

  private defineDeciding(): void {
    const meters = () => this.meters.values();
    this.counter('events_total', 'Matched log lines, per filter and event kind', ['jail', 'filter', 'event'], (set) => {
      for (const m of meters()) for (const [filter, counts] of m.events) counts.forEach((v, i) => v > 0 && set({ jail: m.name, filter, event: EVENT_KINDS[i] }, v));
    });
    this.counter('lines_unmatched_keyword_total', "Lines that held one of a filter's keywords but matched no rule", ['jail'], (set) => {
      for (const m of meters()) set({ jail: m.name }, m.nearMisses);
    });
    this.counter('strikes_total', 'Strikes recorded, per event kind', ['jail', 'event'], (set) => {
      for (const m of meters()) m.strikes.forEach((v, i) => v > 0 && set({ jail: m.name, event: EVENT_KINDS[i] }, v));
    });
    this.counter('bans_total', 'Bans made, per reason class', ['jail', 'reason'], (set) => {
      for (const m of meters()) for (const [reason, v] of m.bans) set({ jail: m.name, reason }, v);
    });
    this.counter('unbans_total', 'Bans lifted, per cause (cli, expiry, fleet, disabled)', ['jail', 'cause'], (set) => {
      for (const m of meters()) for (const [cause, v] of m.unbans) set({ jail: m.name, cause }, v);
    });
    this.counter('customer_bans_prevented_total', "Bans a customer's protection prevented", ['jail'], (set) => {
      for (const m of meters()) set({ jail: m.name }, m.spared);
    });
    this.counter('forgiven_offenders_total', 'Offenders whose strikes a successful login forgave', ['jail'], (set) => {
      for (const m of meters()) set({ jail: m.name }, m.forgiven);
    });
    this.gauge('active_bans', 'Bans in force', ['jail'], (set) => {
      for (const j of this.view.jails()) set({ jail: j.name }, j.activeBans);
    });
    this.gauge('offenders', 'Offenders with strikes in a window', ['jail'], (set) => {
      for (const j of this.view.jails()) set({ jail: j.name }, j.offenders);
    });
  }

  private defineEnforcing(): void {
    const meters = () => this.meters.values();
    this.counter('firewall_batches_total', 'Firewall batches run (each one nft/ipset/command run)', ['jail', 'action'], (set) => {
      for (const m of meters()) for (const [action, f] of m.firewall) set({ jail: m.name, action }, f.batches);
    });
    this.counter('firewall_failures_total', 'Firewall batches that failed (retried with backoff)', ['jail', 'action'], (set) => {
      for (const m of meters()) for (const [action, f] of m.firewall) set({ jail: m.name, action }, f.failures);
    });
    this.gauge('firewall_pending', 'Changes waiting for the firewall (retry backlog)', ['jail', 'action'], (set) => {
      for (const j of this.view.jails()) set({ jail: j.name, action: j.action.name }, j.action.pending);
    });
    this.gauge('action_up', '1 while the last firewall batch succeeded', ['jail', 'action'], (set) => {
      for (const j of this.view.jails()) set({ jail: j.name, action: j.action.name }, j.action.ok ? 1 : 0);
    });
    this.counter('reconcile_drift_total', 'Differences the reconcile found between kernel and database (missing: re-asserted; extra: removed)', ['jail', 'kind'], (set) => {
      for (const m of meters()) {
        set({ jail: m.name, kind: 'missing' }, m.drift.missing);
        set({ jail: m.name, kind: 'extra' }, m.drift.extra);
      }
    });
  }

  private defineProcess(): void {
    this.gauge('database_bytes', 'Size of the SQLite database', [], (set) => set({}, this.view.databaseBytes()));
    this.gauge('start_time_seconds', 'When the daemon started (Unix time)', [], (set) => set({}, this.view.startedAt / 1000));
    this.gauge('ready', '1 once every ban is restored and every source is open', [], (set) => set({}, this.view.isReady() ? 1 : 0));
    this.gauge('problems', 'Problems mailjail status reports (failing action, missing source, drift)', ['kind'], (set) => {
      const counts = new Map<string, number>([['action', 0], ['source-missing', 0], ['source-unreadable', 0], ['drift', 0]]);
      for (const p of this.health.evaluate(Date.now())) counts.set(p.kind, (counts.get(p.kind) ?? 0) + 1);
      for (const [kind, v] of counts) set({ kind }, v);
    });
  }
}

/** A source id is `jail:pattern`; the pattern is the label. */
function patternOf(jail: string, id: string): string {
  return id.startsWith(`${jail}:`) ? id.slice(jail.length + 1) : id;
}
