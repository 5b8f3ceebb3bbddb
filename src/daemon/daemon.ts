/**
 * The only wiring: control socket -> store -> jails (start-jails.ts) -> admin and timers; and the
 * daemon's life: start, reloads one at a time, stop.
 */
import { accessSync, constants, mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { loadConfig, type LoadedConfig } from '../config/load-config';
import { systemClock, type Clock } from '../core/clock';
import { MailjailError, isMailjailError } from '../core/errors';
import { claimFirewall, type FirewallClaim } from '../enforce/firewall-owner';
import { Store } from '../store/store';
import { JailRegistry } from './jail-registry';
import type { Logger } from './logger';
import { startFailure } from './start-errors';
import type { JailRuntime } from './jail-runtime';
import { startJails, stopJails } from './start-jails';
import { Housekeeping } from './housekeeping';
import { startControlServer, type ControlServer } from '../control/server';
import type { Request } from '../control/protocol';
import { createAdminHandler } from './admin';
import { groupId } from './group-id';
import type { Metrics } from '../metrics/metrics';
import { serveMetrics, type MetricsServing } from '../metrics/serve-metrics';
import { createDaemonMetrics } from './daemon-metrics';
import { logBansAndUnbans } from './ban-log';
import { RecentBans } from './recent-bans';
import type { FleetNode } from '../fleet/fleet-node';
import { createFleet } from './fleet-wiring';
import { assertFirewallRequirements, firewallKinds } from './firewall-kinds';
import { SerialSteps } from './serial-steps';

export interface DaemonOptions {
  configDir: string | null;
  log: Logger;
  clock?: Clock;
  /** argv prefix for firewall commands (tests: `ip netns exec NS`). */
  wrap?: string[];
  /** Skip the root/nft checks (dry-run tests). */
  skipRequirements?: boolean;
  /** Already loaded from configDir (the CLI loads it once to learn the log level). */
  config?: LoadedConfig;
}

export class Daemon {
  readonly startedAt: number;
  private config!: LoadedConfig;
  private store!: Store;
  private admin: ((req: Request) => Promise<unknown>) | null = null;
  private readonly jails: JailRegistry;
  private housekeeping!: Housekeeping;
  private readonly clock: Clock;
  private readonly log: Logger;
  private stopped = false;
  /** Reloads and the stop, one at a time in the order asked. */
  private readonly steps = new SerialSteps();
  private ready = false;
  private control: ControlServer | null = null;
  private readonly metrics: Metrics;
  private metricsServing: MetricsServing | null = null;
  private readonly recentBans: RecentBans;
  /** In a fleet (`fleet:` in mailjail.yaml): this node's link to the others; null for a single server. */
  private fleet: FleetNode | null = null;
  private claim: FirewallClaim | null = null;

  private constructor(private readonly options: DaemonOptions) {
    this.clock = options.clock ?? systemClock;
    this.log = options.log;
    this.startedAt = this.clock.now();
    this.jails = new JailRegistry(this.log);
    logBansAndUnbans(this.jails, this.log);
    this.recentBans = new RecentBans(this.jails);
    this.metrics = createDaemonMetrics({
      jails: this.jails,
      store: () => this.store,
      isReady: () => this.ready,
      startedAt: Date.now(),
      reconcileIntervalMs: () => this.config.main.reconcileIntervalMs,
      sourceGraceMs: () => this.config.main.metrics.sourceGraceMs,
    });
  }

  static async start(options: DaemonOptions): Promise<Daemon> {
    const d = new Daemon(options);
    await d.open(options.config ?? loadConfig(options.configDir));
    return d;
  }

  private async open(config: LoadedConfig): Promise<void> {
    this.config = config;
    const database = config.main.database;
    // The socket first: a second daemon must fail here, before it touches the kernel or the database.
    this.control = await startControlServer(config.main.socket, (req) => this.answer(req), {
      group: config.main.socketGroup === undefined ? undefined : groupId(config.main.socketGroup),
    }).catch((e) => Promise.reject(startFailure(e, database)));
    try {
      // a port already taken refuses the start before the firewall is touched
      this.metricsServing = await serveMetrics(this.metrics, config.main.metrics, (level, msg, ctx) => this.log[level](ctx ?? {}, msg));
      // ...and one on the same firewall table with another socket (`npm start` beside the service) here.
      if (firewallKinds(config).size > 0) this.claim = await claimFirewall(config.main.nftablesTable, this.options.wrap);
      mkdirSync(dirname(database), { recursive: true });
      // SQLite says "unable to open database file" where the directory just is not ours to write
      accessSync(dirname(database), constants.W_OK);
      this.store = Store.open(database);
      const { fleet } = config.main;
      if (fleet) this.fleet = createFleet(fleet, this.store, this.jails, () => this.config.main, this.log, () => this.clock.now());
      await this.startJails([], this.store.created);
      this.fleet?.start();
    } catch (e) {
      await this.fleet?.stop();
      this.claim?.release();
      await this.control?.close();
      await this.metricsServing?.close();
      // Say exactly what is missing (root, nft, ipset...) rather than the first command's error.
      if (isMailjailError(e) && e.code === 'FIREWALL' && !this.options.skipRequirements) await assertFirewallRequirements(config);
      throw startFailure(e, database);
    }
    this.admin = createAdminHandler({
      jails: this.jails,
      store: this.store,
      now: () => this.clock.now(),
      startedAt: this.startedAt,
      main: () => this.config.main,
      metrics: this.metrics,
      recentBans: () => this.recentBans.list(),
      node: this.fleet?.node ?? hostname().split('.')[0],
      fleet: () => this.fleet?.status(),
      reload: async () => {
        await this.reload();
        return this.jails.names();
      },
    });
    this.housekeeping = new Housekeeping({
      jails: this.jails,
      store: this.store,
      log: this.log,
      clock: this.clock,
      logLineRetentionMs: () => this.config.main.logLineRetentionMs,
    });
    this.housekeeping.start(config.main.reconcileIntervalMs);
    this.ready = true;
    this.log.info({ jails: this.jails.names(), database: config.main.database, socket: config.main.socket }, 'ready');
  }

  /** A control request: only `ping` is answered before the daemon is ready. */
  private answer(req: Request): Promise<unknown> {
    if (req.cmd === 'ping') return Promise.resolve({ pong: true });
    if (!this.ready || !this.admin) return Promise.reject(new MailjailError('SOCKET', 'the daemon is still starting'));
    return this.admin(req);
  }

  /** `previous`: the jails a reload stopped; those not started again are retired. */
  private startJails(previous: readonly JailRuntime[] = [], adoptKernelBans = false): Promise<void> {
    const { config, store, jails, log } = this;
    const userHashKey = this.fleet?.userHashKey;
    return startJails({ config, store, jails, log, now: () => this.clock.now(), wrap: this.options.wrap, userHashKey, adoptKernelBans, meterOf: (jail) => this.metrics.jail(jail) }, previous);
  }

  /**
   * SIGHUP or `mailjail reload`: new config, same bans. An invalid config is reported and the old
   * one kept. One at a time (serial-steps.ts); asks made while one waits to begin join it.
   */
  reload(): Promise<void> {
    return this.steps.runJoinable(() => this.reloadNow());
  }

  private async reloadNow(): Promise<void> {
    if (this.stopped) throw new MailjailError('SOCKET', 'the daemon is stopping; reload refused');
    let config: LoadedConfig;
    try {
      config = loadConfig(this.options.configDir);
    } catch (e) {
      const problems = e instanceof MailjailError ? e.problems : [(e as Error).message];
      this.log.error({ problems }, 'reload refused: configuration invalid; keeping the running one');
      throw e;
    }
    const previous = await stopJails(this.jails);
    this.config = config;
    await this.startJails(previous).catch((e) => Promise.reject(startFailure(e, config.main.database)));
    this.log.info({ jails: this.jails.names() }, 'reloaded');
  }

  /** SIGTERM: stop reading, finish what is queued, leave the kernel's bans (they expire by their own timeouts). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.ready = false;
    await this.housekeeping.stop();
    await this.control?.close();
    await this.metricsServing?.close();
    // after the reloads already running or queued, which see `stopped` and do nothing
    await this.steps.run(async () => {
      await this.fleet?.stop();
      await stopJails(this.jails);
      this.claim?.release();
      this.store.close();
    });
    this.log.info('stopped');
  }
}
