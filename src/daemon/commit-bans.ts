/**
 * One road for what the daemon decides itself: a log line's strikes and bans (pipeline.ts), a spray
 * ban whose grace ended (housekeeping.ts), an admin's ban or lift (admin.ts). Each is stored and,
 * in a fleet, put in the outbox in ONE transaction (published if and only if stored, whatever
 * happens after the commit), counted, then handed to the registry, which puts it into the kernel
 * and logs it once (ban-log.ts). Bans that come from the fleet take their own road
 * (fleet/remote-apply.ts): they are not published again.
 */
import type { Ban, Strike } from '../core/types';
import type { BanRow, Store } from '../store/store';
import { ipsByJail, type BanOrigin, type JailBans, type JailLookup } from './jail-registry';
import type { JailRuntime } from './jail-runtime';

/** What a caller needs: the store, and the jails the bans go to. */
export interface BanRoad {
  store: Store;
  jails: JailBans;
}

export interface Decided {
  strikes?: Strike[];
  bans: Ban[];
  /** A source's new position, committed with what was derived from its lines (the pipeline's). */
  cursor?: { key: string; value: unknown };
}

/**
 * Stores `decided` (with its fleet outbox row) in one transaction, counts it, and puts its bans into
 * the kernel. Throws when the store fails: then nothing is written, shared or enforced. `onStored`
 * runs once the transaction committed, before the bans go to the kernel: a caller that retries a
 * failed commit (the pipeline's held step, a held grace ban) stops holding there, so a ban that
 * failed later is never stored twice.
 */
export function commitDecided(road: BanRoad, rt: JailRuntime, decided: Decided, origin: BanOrigin, onStored?: () => void): void {
  const { strikes = NO_STRIKES, bans, cursor } = decided;
  const { store } = road;
  store.transaction(() => {
    // first: a ban made here takes this node's name (fleet-node.ts), so its row carries it too
    if (rt.share && strikes.length + bans.length > 0) rt.share(strikes, bans);
    if (strikes.length > 0) store.addStrikes(strikes);
    if (bans.length > 0) store.recordBans(bans);
    if (cursor) store.setCursor(cursor.key, cursor.value);
  });
  onStored?.();
  if (strikes.length > 0) {
    rt.counters.strikes += strikes.length;
    for (const strike of strikes) rt.meter.struck(strike.event);
  }
  // the jail's own count is of what its rules decided; an admin's bans are in the metrics (by cli)
  if (origin === 'log') rt.counters.bans += bans.length;
  road.jails.enforce(rt, bans, origin);
}

/**
 * An admin's lift: `lift` (the rows lifted, and whatever else must commit with them) and, in a
 * fleet, the lifted rows of each running jail into the outbox, in one transaction; then the rows
 * leave the kernel (logged once there). Returns what `lift` returned and the jails touched.
 */
export function commitLift<T extends { lifted: BanRow[] }>(road: BanRoad & { jails: JailLookup }, lift: () => T): T & { touched: JailRuntime[] } {
  const done = road.store.transaction(() => {
    const result = lift();
    for (const [rt, ips] of ipsByJail(result.lifted, (name) => road.jails.find(name))) rt.shareLifted?.(ips);
    return result;
  });
  return { ...done, touched: road.jails.release(done.lifted, 'lifted') };
}

const NO_STRIKES: Strike[] = [];
