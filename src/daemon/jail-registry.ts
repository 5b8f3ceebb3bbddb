/**
 * The running jails, in one place: the map, the lookups, bans into and out of the kernel grouped
 * per jail, and the swap a reload makes. Admin, housekeeping, metrics and the fleet each get the
 * narrow interface they need (JailLookup, JailBans, JailEvents), never the daemon itself.
 */
import { MailjailError } from '../core/errors';
import type { Ban } from '../core/types';
import { MANUAL_JAIL, type JailRuntime } from './jail-runtime';
import type { Logger } from './logger';

/** Finding running jails (status, metrics, admin requests). */
export interface JailLookup {
  names(): string[];
  list(): readonly JailRuntime[];
  find(name: string): JailRuntime | undefined;
  /** The named jail, `manual` when none is named; a USAGE error naming the running jails otherwise. */
  get(name?: string): JailRuntime;
}

/** Where a ban was decided: a log line, an admin, another node of the fleet. */
export type BanOrigin = 'log' | 'manual' | 'fleet';
/** Why bans leave the kernel: an admin lifted them, or their time was up. */
export type UnbanCause = 'lifted' | 'expired' | 'fleet';

/** Bans into and out of the kernel. The callers record them in the store first (the store is the truth). */
export interface JailBans {
  /** Puts recorded bans of one jail into its kernel set and tells the listeners. */
  enforce(jail: JailRuntime, bans: readonly Ban[], origin: BanOrigin): void;
  /**
   * Takes lifted or expired ban rows out of the kernel, one unban call per jail (the applier sends
   * the first call of a burst on its own), and out of the jails' memory. Rows of jails not running
   * are skipped. Returns the jails touched, so a caller can wait for their appliers.
   */
  release(rows: ReadonlyArray<{ ip: string; jail: string }>, cause: UnbanCause): JailRuntime[];
}

export type BanListener = (jail: JailRuntime, bans: readonly Ban[], origin: BanOrigin) => void;
export type UnbanListener = (jail: JailRuntime, ips: readonly string[], cause: UnbanCause) => void;
export type SwapListener = (jails: readonly JailRuntime[]) => void;

/** Hooks for modules that follow bans and reloads (metrics, fleet). Each returns its own remover. */
export interface JailEvents {
  onBans(fn: BanListener): () => void;
  onUnbans(fn: UnbanListener): () => void;
  /** After a start or reload installed a new set of jails. */
  onSwap(fn: SwapListener): () => void;
}

export class JailRegistry implements JailLookup, JailBans, JailEvents {
  private jails = new Map<string, JailRuntime>();
  private readonly banListeners = new Set<BanListener>();
  private readonly unbanListeners = new Set<UnbanListener>();
  private readonly swapListeners = new Set<SwapListener>();

  constructor(private readonly log: Logger) {}

  names(): string[] {
    return [...this.jails.keys()];
  }

  list(): readonly JailRuntime[] {
    return [...this.jails.values()];
  }

  find(name: string): JailRuntime | undefined {
    return this.jails.get(name);
  }

  get(name?: string): JailRuntime {
    const rt = this.jails.get(name ?? MANUAL_JAIL);
    if (!rt) throw new MailjailError('USAGE', `no running jail "${name}" (running: ${this.names().join(', ')})`);
    return rt;
  }

  /** Installs a new set of jails (start, reload) and returns the ones it replaced, for stopping. */
  swap(next: readonly JailRuntime[]): JailRuntime[] {
    const old = [...this.jails.values()];
    this.jails = new Map(next.map((rt) => [rt.name, rt]));
    if (next.length > 0) this.tell(this.swapListeners, (fn) => fn(next));
    return old;
  }

  enforce(jail: JailRuntime, bans: readonly Ban[], origin: BanOrigin): void {
    if (bans.length === 0) return;
    // a ban decided from the jail's own lines is in its engine already
    if (origin !== 'log') for (const b of bans) jail.parts?.engine.noteBan(b);
    jail.applier.ban(bans as Ban[]);
    this.tell(this.banListeners, (fn) => fn(jail, bans, origin));
  }

  release(rows: ReadonlyArray<{ ip: string; jail: string }>, cause: UnbanCause): JailRuntime[] {
    const byJail = ipsByJail(rows, (name) => this.jails.get(name));
    for (const [rt, ips] of byJail) {
      for (const ip of ips) {
        if (cause === 'expired') rt.parts?.engine.noteExpired(ip);
        else rt.parts?.engine.forget(ip);
      }
      rt.applier.unban(ips);
      this.tell(this.unbanListeners, (fn) => fn(rt, ips, cause));
    }
    return [...byJail.keys()];
  }

  onBans(fn: BanListener): () => void {
    return listen(this.banListeners, fn);
  }

  onUnbans(fn: UnbanListener): () => void {
    return listen(this.unbanListeners, fn);
  }

  onSwap(fn: SwapListener): () => void {
    return listen(this.swapListeners, fn);
  }

  /** A listener's failure is logged and goes no further: bans reach the kernel whatever metrics or the fleet do. */
  private tell<T>(listeners: Set<T>, call: (fn: T) => void): void {
    for (const fn of listeners) {
      try {
        call(fn);
      } catch (e) {
        this.log.error({ err: (e as Error).message }, 'a jail listener failed');
      }
    }
  }
}

function listen<T>(set: Set<T>, fn: T): () => void {
  set.add(fn);
  return () => set.delete(fn);
}

/** Rows' addresses grouped by the running jail `find` gives for their jail name (none: left out). */
export function ipsByJail(rows: ReadonlyArray<{ ip: string; jail: string }>, find: (name: string) => JailRuntime | undefined): Map<JailRuntime, string[]> {
  const byJail = new Map<JailRuntime, string[]>();
  for (const row of rows) {
    const rt = find(row.jail);
    if (!rt) continue;
    const ips = byJail.get(rt);
    if (ips) ips.push(row.ip);
    else byJail.set(rt, [row.ip]);
  }
  return byJail;
}
