/**
 * The daemon's timers: expire ended bans, prune old strikes and history, reconcile the kernel
 * with the database. Each tick catches its own errors: housekeeping never takes the daemon down.
 */
import type { Clock } from '../core/clock';
import { banHistoryMs, DAY, strikeMemoryMs } from '../decide/jail-rules';
import type { Daemon } from './daemon';
import type { Logger } from './logger';

const EXPIRE_EVERY_MS = 5_000;
const PRUNE_EVERY_MS = 10 * 60_000;
const PRUNE_SLICE = 10_000;

export class Housekeeping {
  private timers: NodeJS.Timeout[] = [];
  private reconciling = false;

  constructor(private readonly daemon: Daemon, private readonly log: Logger, private readonly clock: Clock) {}

  start(reconcileEveryMs: number): void {
    this.every(EXPIRE_EVERY_MS, () => this.expire());
    this.every(PRUNE_EVERY_MS, () => this.prune());
    this.every(reconcileEveryMs, async () => {
      if (this.reconciling) return;
      this.reconciling = true;
      try {
        await this.daemon.reconcileAll();
      } finally {
        this.reconciling = false;
      }
    });
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }

  /** Bans whose time is up: out of the database's active set, out of the kernel (which has usually dropped them already). */
  expire(): void {
    const expired = this.daemon.store.expireBans(this.clock.now());
    // One unban call per jail: the applier sends the first call of a burst on its own.
    const byJail = new Map<string, string[]>();
    for (const ban of expired) {
      const rt = this.daemon.jails.get(ban.jail);
      if (!rt) continue;
      rt.parts?.engine.noteExpired(ban.ip);
      const ips = byJail.get(rt.name);
      if (ips) ips.push(ban.ip);
      else byJail.set(rt.name, [ban.ip]);
    }
    for (const [jail, ips] of byJail) {
      const rt = this.daemon.jails.get(jail)!;
      rt.applier.unban(ips);
      rt.meter.unbanned('expiry', ips.length);
    }
    for (const ban of expired) this.log.info({ jail: ban.jail, ip: ban.ip, reason: ban.reason, by: 'expiry' }, 'unban');
  }

  async prune(): Promise<void> {
    const now = this.clock.now();
    let strikeKeep = 0;
    let historyKeep = 0;
    for (const rt of this.daemon.jails.values()) {
      const r = rt.config?.rules;
      if (!r) continue;
      rt.parts?.engine.prune(now);
      strikeKeep = Math.max(strikeKeep, strikeMemoryMs(r));
      historyKeep = Math.max(historyKeep, banHistoryMs(r));
    }
    // In slices, yielding between them: the first prune after a long downtime can be 500k rows,
    // and one long DELETE would stall the pipeline for seconds.
    const total = { strikes: 0, bans: 0 };
    for (;;) {
      const r = this.daemon.store.prune(now - Math.max(strikeKeep, DAY), now - Math.max(historyKeep, DAY), PRUNE_SLICE);
      total.strikes += r.strikes;
      total.bans += r.bans;
      if (r.strikes < PRUNE_SLICE && r.bans < PRUNE_SLICE) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (total.strikes + total.bans > 0) this.log.info(total, 'pruned old strikes and ban history');
  }

  private every(ms: number, fn: () => void | Promise<void>): void {
    const t = setInterval(() => {
      Promise.resolve()
        .then(fn)
        .catch((e) => this.log.error({ err: (e as Error).message }, 'housekeeping failed'));
    }, ms);
    t.unref();
    this.timers.push(t);
  }
}
