/**
 * Password spray across IPs: one user name failing from many distinct addresses in a window.
 * Once a user crosses the threshold every address that took part is returned, and so is every new
 * one while the spray lasts (the count stays above the threshold inside the window).
 */
const MAX_USERS = 100_000;
const MAX_IPS_PER_USER = 20_000;

export class SprayDetector {
  /** userHash -> (offender key -> last failure time). Map order = insertion order = LRU-ish. */
  private readonly users = new Map<string, Map<string, number>>();

  constructor(private readonly distinctIps: number, private readonly windowMs: number) {}

  /**
   * Records a failure and returns the offenders to ban now: all of them at the moment the spray is
   * recognised, then just the new one. Empty while below the threshold.
   */
  add(userHash: string, key: string, time: number): string[] {
    let ips = this.users.get(userHash);
    if (!ips) {
      if (this.users.size >= MAX_USERS) this.users.delete(this.users.keys().next().value as string);
      ips = new Map();
      this.users.set(userHash, ips);
    }
    const wasActive = this.prune(ips, time) >= this.distinctIps;
    ips.delete(key);
    ips.set(key, time);
    if (ips.size > MAX_IPS_PER_USER) ips.delete(ips.keys().next().value as string);
    if (ips.size < this.distinctIps) return [];
    return wasActive ? [key] : [...ips.keys()];
  }

  /** Drops members older than the window; returns how many remain. */
  private prune(ips: Map<string, number>, now: number): number {
    for (const [ip, t] of ips) {
      if (t > now - this.windowMs) break; // insertion order is time order
      ips.delete(ip);
    }
    return ips.size;
  }

  /** Forget an offender everywhere (it turned out to be a customer, or an admin unbanned it). */
  forget(key: string): void {
    for (const ips of this.users.values()) ips.delete(key);
  }

  pruneAll(now: number): void {
    for (const [user, ips] of this.users) if (this.prune(ips, now) === 0) this.users.delete(user);
  }
}
