/**
 * The only wiring: config -> store -> jails (matcher, engine, action, sources) -> timers.
 * Start order matters: bans are restored into the kernel before any source is opened, so a
 * restart never leaves a window in which a banned bot can get through.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadConfig, type LoadedConfig } from '../config/load-config';
import { systemClock, type Clock } from '../core/clock';
import { MailjailError, isMailjailError } from '../core/errors';
import { StoredBanHistory } from '../decide/ban-history';
import { strikeMemoryMs } from '../decide/jail-rules';
import { ServerKnowledge } from '../decide/server-knowledge';
import type { EventKind } from '../core/types';
import { checkFirewallRequirements } from '../enforce/requirements';
import { Store } from '../store/store';
import { createJailRuntime, type JailRuntime, type RuntimeDeps } from './jail-runtime';
import { JailRegistry } from './jail-registry';
import type { Logger } from './logger';
import { restoreBans } from './restore';
import { openSources } from './open-sources';
import { createUserHasher, newHashKey } from './user-hash';
import { Housekeeping } from './housekeeping';
import { startControlServer, type ControlServer } from '../control/server';
import type { Request } from '../control/protocol';
import { createAdminHandler } from './admin';
import { groupId } from './group-id';
import type { Metrics } from '../metrics/metrics';
import { serveMetrics, type MetricsServing } from '../metrics/serve-metrics';
import { createDaemonMetrics } from './daemon-metrics';
import { logBansAndUnbans } from './ban-log';

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
  private ready = false;
  private control: ControlServer | null = null;
  private readonly metrics: Metrics;
  private metricsServing: MetricsServing | null = null;

  private constructor(private readonly options: DaemonOptions) {
    this.clock = options.clock ?? systemClock;
    this.log = options.log;
    this.startedAt = this.clock.now();
    this.jails = new JailRegistry(this.log);
    logBansAndUnbans(this.jails, this.log);
    this.metrics = createDaemonMetrics({
      jails: this.jails,
      store: () => this.store,
      isReady: () => this.ready,
      startedAt: Date.now(),
      reconcileIntervalMs: () => this.config.main.reconcileIntervalMs,
    });
  }

  static async start(options: DaemonOptions): Promise<Daemon> {
    const d = new Daemon(options);
    await d.open(options.config ?? loadConfig(options.configDir));
    return d;
  }

  private async open(config: LoadedConfig): Promise<void> {
    this.config = config;
    // The socket first: a second daemon must fail here, before it touches the kernel or the database.
    this.control = await startControlServer(config.main.socket, (req) => this.answer(req), {
      group: config.main.socketGroup === undefined ? undefined : groupId(config.main.socketGroup),
    });
    try {
      // a port already taken refuses the start before the firewall is touched
      this.metricsServing = await serveMetrics(this.metrics, config.main.metrics, (level, msg, ctx) => this.log[level](ctx ?? {}, msg));
      mkdirSync(dirname(config.main.database), { recursive: true });
      this.store = Store.open(config.main.database);
      await this.startJails();
    } catch (e) {
      await this.control.close();
      await this.metricsServing?.close();
      // Say exactly what is missing (root, nft, ipset...) rather than the first command's error.
      if (isMailjailError(e) && e.code === 'FIREWALL' && !this.options.skipRequirements) await this.checkRequirements(config);
      throw e;
    }
    this.admin = createAdminHandler({
      jails: this.jails,
      store: this.store,
      now: () => this.clock.now(),
      startedAt: this.startedAt,
      main: () => this.config.main,
      metrics: this.metrics,
      reload: async () => {
        await this.reload();
        return this.jails.names();
      },
    });
    this.housekeeping = new Housekeeping({ jails: this.jails, store: this.store, log: this.log, clock: this.clock });
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

  /** Throws MISSING naming every missing program or privilege, when there is one. */
  private async checkRequirements(config: LoadedConfig): Promise<void> {
    const kinds = new Set<string>([config.main.action]);
    for (const j of config.jails.values()) if (j.enabled) kinds.add(j.action ?? config.main.action);
    const missing: string[] = [];
    for (const kind of kinds) if (kind === 'nftables' || kind === 'iptables') missing.push(...(await checkFirewallRequirements(kind)));
    if (missing.length > 0) throw new MailjailError('MISSING', `cannot start: ${missing.join('; ')}`, [...new Set(missing)].map((m) => `mailjail: ${m}`));
  }

  private runtimeDeps(): RuntimeDeps {
    let key = this.store.getMeta('user-hash-key');
    if (!key) {
      key = newHashKey();
      this.store.setMeta('user-hash-key', key);
    }
    const store = this.store;
    // Under a flood almost every ban is a first offence: answer those from memory, not SQLite.
    const history = new StoredBanHistory((ip, jail, since) => store.banCount(ip, jail, since));
    store.eachBannedTarget((jail, ip) => history.add(jail, ip));
    // One ServerKnowledge per start: every jail sees the same customers and sprays (issue 12).
    return { config: this.config, history, hashUser: createUserHasher(key), shared: new ServerKnowledge(), log: this.log, wrap: this.options.wrap, now: () => this.clock.now(), meterOf: (jail) => this.metrics.jail(jail) };
  }

  private async startJails(): Promise<void> {
    const deps = this.runtimeDeps();
    const now = this.clock.now();
    for (const expired of this.store.expireBans(now)) this.log.debug({ ip: expired.ip, jail: expired.jail }, 'ban expired while stopped');
    const enabled = [...this.config.jails.values()].filter((j) => j.enabled);
    // Jails' firewall setups and restores are independent: each starts as soon as its jail is
    // built, so the firewall commands of one run while the next jail's filters are compiled.
    const restores: Array<Promise<number>> = [];
    const runtimes: JailRuntime[] = [];
    try {
      for (const jail of [null, ...enabled]) {
        const rt = createJailRuntime(deps, jail);
        runtimes.push(rt);
        restores.push(restoreBans(rt, this.store, now, this.log));
      }
    } catch (e) {
      // no restore may be left running (or rejecting unhandled) behind a failed start
      await Promise.allSettled(restores);
      throw e;
    }
    await Promise.all(restores);
    this.jails.swap(runtimes);
    for (const rt of runtimes) {
      const engine = rt.parts?.engine;
      if (engine) this.store.eachStrikeFact(now - strikeMemoryMs(rt.config!.rules), rt.name, (ip, time, event, weight) => engine.restoreStrike(ip, time, event as EventKind, weight, now));
    }
    // Only now, every ban back in the kernel: sources of all jails open side by side.
    await Promise.all(
      runtimes.map(async (rt) => {
        if (rt.config) rt.sources = await openSources(rt, { store: this.store, jails: this.jails, log: this.log, now: () => this.clock.now() });
      }),
    );
  }

  private async stopJails(): Promise<void> {
    const old = this.jails.swap([]);
    for (const rt of old) for (const s of rt.sources) await s.stop();
    for (const rt of old) await rt.applier.idle();
  }

  /** SIGHUP: new config, same bans. An invalid config is reported and the old one kept. */
  async reload(): Promise<void> {
    let config: LoadedConfig;
    try {
      config = loadConfig(this.options.configDir);
    } catch (e) {
      const problems = e instanceof MailjailError ? e.problems : [(e as Error).message];
      this.log.error({ problems }, 'reload refused: configuration invalid; keeping the running one');
      throw e;
    }
    await this.stopJails();
    this.config = config;
    await this.startJails();
    this.log.info({ jails: this.jails.names() }, 'reloaded');
  }

  /** SIGTERM: stop reading, finish what is queued, leave the kernel's bans (they expire by their own timeouts). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.ready = false;
    this.housekeeping.stop();
    await this.control?.close();
    await this.metricsServing?.close();
    await this.stopJails();
    this.store.close();
    this.log.info('stopped');
  }
}
