/**
 * Puts decided bans into one jail's firewall action and takes them out, in batches, without ever
 * blocking the pipeline or losing a change:
 * - changes queue up while a batch runs and go together in the next one (a flood of 10,000 bans a
 *   second becomes a few `nft -f -` transactions, not 10,000 processes);
 * - a failed batch is retried with backoff (1 s doubling to 60 s) and reported; the bans are in the
 *   database already, so a daemon restart would restore them anyway;
 * - the latest change per address wins (ban then unban before the flush = unban).
 */
import type { Ban } from '../core/types';
import type { FirewallAction } from '../enforce/action';
import type { ActionHealthView } from '../control/replies';
import type { Logger } from './logger';

/** An action's health as `status` shows it: the control protocol's shape, kept by the applier. */
export type ActionHealth = ActionHealthView;

/** Told of every batch (metrics): duration, success, and the bans it put into the kernel. */
export interface BatchMeter {
  firewallBatch(action: string, ok: boolean, seconds: number, bans: readonly Ban[], at: number): void;
}

type Change = { kind: 'ban'; ban: Ban } | { kind: 'unban'; ip: string };

export class BanApplier {
  /** One action: it is the firewall, and its health is all there is (the Applier interface, action-fanout.ts). */
  readonly firewall: BanApplier = this;

  statuses(): ActionHealth[] {
    return [this.status()];
  }

  private pending = new Map<string, Change>();
  /** The changes of the batch being applied. */
  private inFlight: Map<string, Change> | null = null;
  private running: Promise<void> | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private retryDelayMs = 1000;
  private waiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  private readonly health: ActionHealth;

  constructor(
    private readonly action: FirewallAction,
    private readonly jail: string,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
    private readonly meter?: BatchMeter,
  ) {
    this.health = { action: action.name, ok: true, pending: 0, failures: 0 };
  }

  ban(bans: Ban[]): void {
    for (const ban of bans) this.pending.set(ban.ip, { kind: 'ban', ban });
    this.kick();
  }

  unban(ips: string[]): void {
    for (const ip of ips) this.pending.set(ip, { kind: 'unban', ip });
    this.kick();
  }

  /** Resolves once everything queued so far is in the kernel; rejects if that batch failed. */
  flushNow(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      if (this.retryTimer) {
        clearTimeout(this.retryTimer);
        this.retryTimer = null;
      }
      this.kick();
    });
  }

  /**
   * True while a change of `ip` waits or is being applied: reconcile, which reads the kernel while
   * bans keep coming, must not take such a ban for one the kernel lost.
   */
  queued(ip: string): boolean {
    return this.pending.has(ip) || (this.inFlight?.has(ip) ?? false);
  }

  status(): ActionHealth {
    return { ...this.health, pending: this.pending.size };
  }

  /** Waits for the batch in flight (stop). */
  async idle(): Promise<void> {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    while (this.running) await this.running;
  }

  private kick(): void {
    if (this.running || this.retryTimer) return;
    if (this.pending.size === 0) {
      this.settle();
      return;
    }
    this.running = this.runBatch().finally(() => {
      this.running = null;
      this.inFlight = null;
      // next batch, or settle flushNow() callers that arrived while this one ran
      if (!this.retryTimer) this.kick();
    });
  }

  private async runBatch(): Promise<void> {
    const batch = this.pending;
    this.pending = new Map();
    this.inFlight = batch;
    const bans: Ban[] = [];
    const unbans: string[] = [];
    for (const change of batch.values()) {
      if (change.kind === 'ban') bans.push(change.ban);
      else unbans.push(change.ip);
    }
    const waiters = this.waiters;
    this.waiters = [];
    const startedAt = this.now();
    const wallStart = Date.now();
    try {
      if (unbans.length > 0) await this.action.unban(unbans);
      const now = this.now();
      const live = bans.filter((b) => b.until > now);
      if (live.length > 0) await this.action.ban(live, now);
      this.health.ok = true;
      this.health.lastSuccessAt = this.now();
      this.meter?.firewallBatch(this.action.name, true, (Date.now() - wallStart) / 1000, live, Date.now());
      this.log.debug({ jail: this.jail, action: this.action.name, bans: bans.length, unbans: unbans.length, ms: this.health.lastSuccessAt - startedAt }, 'firewall batch applied');
      this.retryDelayMs = 1000;
      for (const w of waiters) w.resolve();
    } catch (e) {
      const message = (e as Error).message;
      this.health.ok = false;
      this.health.failures++;
      this.health.lastError = message;
      this.health.lastErrorAt = this.now();
      this.meter?.firewallBatch(this.action.name, false, (Date.now() - wallStart) / 1000, [], Date.now());
      // logged once per failed run, naming the addresses it was for (the first ten of a big batch)
      const ips = [...batch.keys()].slice(0, 10);
      this.log.error({ jail: this.jail, action: this.action.name, ips, bans: bans.length, unbans: unbans.length, err: message }, 'firewall action failed; will retry');
      // put the batch back under anything newer that arrived meanwhile
      for (const [ip, change] of batch) if (!this.pending.has(ip)) this.pending.set(ip, change);
      for (const w of waiters) w.reject(e as Error);
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        this.kick();
      }, this.retryDelayMs);
      this.retryTimer.unref();
      this.retryDelayMs = Math.min(this.retryDelayMs * 2, 60_000);
    }
  }

  /** Nothing left to apply: flushNow() callers are done. */
  private settle(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.resolve();
  }
}
