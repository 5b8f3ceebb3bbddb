/**
 * Subnet escalation: counts distinct banned offenders per prefix inside a window and says when a
 * prefix has reached the threshold. Whether the prefix may be banned (ignored or own addresses,
 * customers inside) is the engine's call.
 */
import { familyOf, prefixOf } from '../core/ip';
import type { JailRules } from './jail-rules';

const MAX_PREFIXES = 200_000;

export class SubnetTracker {
  private readonly prefixes = new Map<string, Map<string, number>>();

  constructor(private readonly rules: JailRules['subnet']) {}

  /** The escalation prefix (`net/len`) around an address or prefix, whether or not escalation is on. */
  prefixAround(target: string): string {
    const addr = target.split('/')[0];
    return prefixOf(addr, familyOf(addr) === 4 ? this.rules.ipv4Prefix : this.rules.ipv6Prefix);
  }

  /**
   * Records a ban of `target` (an address, or a prefix narrower than the escalation one); returns
   * the escalation prefix when it now holds `threshold` banned offenders, else null.
   */
  onBan(target: string, time: number): string | null {
    if (!this.rules.enabled) return null;
    const slash = target.indexOf('/');
    const addr = slash < 0 ? target : target.slice(0, slash);
    const family = familyOf(addr);
    const len = family === 4 ? this.rules.ipv4Prefix : this.rules.ipv6Prefix;
    const own = slash < 0 ? (family === 4 ? 32 : 128) : Number(target.slice(slash + 1));
    if (len >= own) return null;
    const prefix = prefixOf(addr, len);
    return this.add(prefix, target, time) ? prefix : null;
  }

  /** True when `prefix` now holds `threshold` bans. */
  private add(prefix: string, key: string, time: number): boolean {
    let members = this.prefixes.get(prefix);
    if (!members) {
      if (this.prefixes.size >= MAX_PREFIXES) this.prefixes.delete(this.prefixes.keys().next().value as string);
      members = new Map();
      this.prefixes.set(prefix, members);
    }
    this.dropOld(members, time);
    members.delete(key);
    members.set(key, time);
    return members.size >= this.rules.threshold;
  }

  clear(prefix: string): void {
    this.prefixes.delete(prefix);
  }

  pruneAll(now: number): void {
    for (const [prefix, members] of this.prefixes) {
      this.dropOld(members, now);
      if (members.size === 0) this.prefixes.delete(prefix);
    }
  }

  /** Members older than the window go; insertion order is time order. */
  private dropOld(members: Map<string, number>, now: number): void {
    for (const [k, t] of members) {
      if (t > now - this.rules.windowMs) break;
      members.delete(k);
    }
  }
}
