/**
 * Subnet escalation: counts distinct banned offenders per prefix inside a window and says when a
 * prefix has reached the threshold. Whether the prefix may be banned (ignored or own addresses,
 * customers inside) is the engine's call.
 */
const MAX_PREFIXES = 200_000;

export class SubnetTracker {
  private readonly prefixes = new Map<string, Map<string, number>>();

  constructor(private readonly threshold: number, private readonly windowMs: number) {}

  /** Records a ban of `key` inside `prefix`; true when the prefix now holds `threshold` bans. */
  add(prefix: string, key: string, time: number): boolean {
    let members = this.prefixes.get(prefix);
    if (!members) {
      if (this.prefixes.size >= MAX_PREFIXES) this.prefixes.delete(this.prefixes.keys().next().value as string);
      members = new Map();
      this.prefixes.set(prefix, members);
    }
    for (const [k, t] of members) {
      if (t > time - this.windowMs) break;
      members.delete(k);
    }
    members.delete(key);
    members.set(key, time);
    return members.size >= this.threshold;
  }

  members(prefix: string): string[] {
    return [...(this.prefixes.get(prefix)?.keys() ?? [])];
  }

  clear(prefix: string): void {
    this.prefixes.delete(prefix);
  }

  pruneAll(now: number): void {
    for (const [prefix, members] of this.prefixes) {
      for (const [k, t] of members) {
        if (t > now - this.windowMs) break;
        members.delete(k);
      }
      if (members.size === 0) this.prefixes.delete(prefix);
    }
  }
}
