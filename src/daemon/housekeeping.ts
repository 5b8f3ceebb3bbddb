/**
 * The daemon's timers: expire ended bans, prune old strikes and history, reconcile the kernel
 * with the database. Each tick catches its own errors: housekeeping never takes the daemon down.
 */
import type { Clock } from '../core/clock';
import { DAY } from '../core/duration';
import type { Ban } from '../core/types';
import { banHistoryMs, strikeMemoryMs } from '../decide/jail-rules';
import type { Store } from '../store/store';
import { commitDecided } from './commit-bans';
import type { JailBans, JailLookup } from './jail-registry';
import type { Logger } from './logger';
import { reconcile } from './restore';

const EXPIRE_EVERY_MS = 5_000;
const PRUNE_EVERY_MS = 10 * 60_000;
const PRUNE_SLICE = 10_000;
/** A spray ban held in grace (issue 11 point 4) is made within a second of its deadline. */
const GRACE_EVERY_MS = 1_000;

export interface HousekeepingDeps {
  jails: JailLookup & JailBans;
  store: Store;
  log: Logger;
  clock: Clock;
  /** The running config's logLineRetention (a reload may change it). */
  logLineRetentionMs(): number | undefined;
}

export class Housekeeping {
  private timers: NodeJS.Timeout[] = [];
  private reconciling = false;
  /** Ticks still running: stop waits for them (a reconcile once ran on after "stopped", on a closed database). */
  private readonly running = new Set<Promise<void>>();
  /** Per jail: grace bans the store refused, offered again on the next tick. */
  private readonly heldGrace = new Map<string, Ban[]>();

  constructor(private readonly deps: HousekeepingDeps) {}

  start(reconcileEveryMs: number): void {
    this.every(EXPIRE_EVERY_MS, () => this.expire());
    this.every(PRUNE_EVERY_MS, () => this.prune());
    this.every(GRACE_EVERY_MS, () => this.banAfterGrace());
    this.every(reconcileEveryMs, async () => {
      if (this.reconciling) return;
      this.reconciling = true;
      try {
        await this.reconcileAll();
      } finally {
        this.reconciling = false;
      }
    });
  }

  /** No tick starts any more; resolves once those already running have ended. */
  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await Promise.all(this.running);
  }

  /** Bans whose time is up: out of the database's active set, out of the kernel (which has usually dropped them already). */
  expire(): void {
    const expired = this.deps.store.expireBans(this.deps.clock.now());
    this.deps.jails.release(expired, 'expired');
  }

  async prune(): Promise<void> {
    const { store, clock, log } = this.deps;
    const now = clock.now();
    let strikeKeep = 0;
    let historyKeep = 0;
    for (const rt of this.deps.jails.list()) {
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
      const r = store.prune(now - Math.max(strikeKeep, DAY), now - Math.max(historyKeep, DAY), PRUNE_SLICE);
      total.strikes += r.strikes;
      total.bans += r.bans;
      if (r.strikes < PRUNE_SLICE && r.bans < PRUNE_SLICE) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (total.strikes + total.bans > 0) log.info(total, 'pruned old strikes and ban history');
    const keepLinesMs = this.deps.logLineRetentionMs();
    if (keepLinesMs !== undefined) {
      const lines = store.forgetLogLines(now - keepLinesMs);
      if (lines > 0) log.info({ lines }, 'log lines of old strikes forgotten (logLineRetention)');
    }
  }

  /**
   * Spray bans whose grace period ended with no login from them: recorded (with their fleet outbox
   * row), then into the kernel, by the daemon's one road (commit-bans.ts). The engine hands a due
   * ban out once: one the store could not take is held and offered again next second, never lost.
   */
  banAfterGrace(): void {
    const now = this.deps.clock.now();
    for (const rt of this.deps.jails.list()) {
      const bans = [...(this.heldGrace.get(rt.name) ?? []), ...(rt.parts?.engine.dueBans(now) ?? [])];
      if (bans.length === 0) continue;
      this.heldGrace.set(rt.name, bans);
      try {
        commitDecided(this.deps, rt, { bans }, 'log', () => this.heldGrace.delete(rt.name));
      } catch (e) {
        if (!this.heldGrace.has(rt.name)) throw e; // stored: the kernel's failure is for the tick's log
        this.deps.log.error({ jail: rt.name, bans: bans.length, err: (e as Error).message }, 'could not record spray bans after their grace; trying again');
      }
    }
  }

  async reconcileAll(): Promise<void> {
    for (const rt of this.deps.jails.list()) {
      try {
        const drift = await reconcile(rt, this.deps.store, this.deps.clock.now(), this.deps.log);
        rt.meter.reconciled(drift.added, drift.removed, Date.now());
      } catch (e) {
        this.deps.log.error({ jail: rt.name, err: (e as Error).message }, 'reconcile failed');
      }
    }
  }

  private every(ms: number, fn: () => void | Promise<void>): void {
    const t = setInterval(() => {
      const run = Promise.resolve()
        .then(fn)
        .catch((e) => this.deps.log.error({ err: (e as Error).message }, 'housekeeping failed'))
        .finally(() => this.running.delete(run));
      this.running.add(run);
    }, ms);
    t.unref();
    this.timers.push(t);
  }
}
