/**
 * Makes a jail's bans: ban time escalated for repeat offenders, the address guard, the active set,
 * and subnet escalation of a prefix once enough of its addresses are banned.
 */
import { familyOf } from '../core/ip';
import type { Ban } from '../core/types';
import { ActiveBans } from './active-bans';
import type { BanHistory } from './ban-history';
import { escalatedBanTime, spreadMs } from './ban-time';
import type { Guard } from './engine-types';
import { banHistoryMs, type JailRules } from './jail-rules';
import { SubnetTracker } from './subnet-tracker';

export class BanMaker {
  /** Active bans made or restored: target (ip or prefix) -> until (compact: 100,000 are restored at start). */
  private readonly active = new ActiveBans();
  private readonly subnets: SubnetTracker;

  constructor(
    private readonly rules: JailRules,
    private readonly guard: Guard,
    private readonly history: BanHistory,
    /** The server's shared tracker (absent: this jail keeps its own). */
    subnets?: SubnetTracker,
  ) {
    this.subnets = subnets ?? new SubnetTracker(rules.subnet);
  }

  make(target: string, reason: string, baseMs: number, now: number): Ban | null {
    if (this.guard.isProtected(target)) return null;
    const count = this.history.count(target, this.rules.name, now - banHistoryMs(this.rules));
    const durationMs = escalatedBanTime(baseMs, count, this.rules.escalation);
    const ban: Ban = {
      ip: target,
      jail: this.rules.name,
      since: now,
      until: now + durationMs + spreadMs(target, durationMs),
      reason: count > 0 && this.rules.escalation ? 'recidive' : reason,
      count,
    };
    this.active.set(target, ban.until);
    this.history.record(ban);
    return ban;
  }

  /** The prefix ban `made` completes, if any (never a prefix a customer logged in from lately). */
  escalate(made: Ban, now: number, time: number, hasCustomerIn: (prefix: string) => boolean): Ban | null {
    const prefix = this.subnets.onBan(made.ip, time);
    if (!prefix || this.isBanned(prefix, now) || this.guard.isProtected(prefix) || hasCustomerIn(prefix)) return null;
    const ban = this.make(prefix, `subnet:${prefix}`, this.rules.banTimeMs, now);
    if (ban) this.subnets.clear(prefix);
    return ban;
  }

  /** `bans` and the prefix bans they complete. */
  escalateAll(bans: Ban[], now: number, time: number, hasCustomerIn: (prefix: string) => boolean): Ban[] {
    for (const made of [...bans]) {
      const prefix = this.escalate(made, now, time, hasCustomerIn);
      if (prefix) bans.push(prefix);
    }
    return bans;
  }

  /**
   * A ban made elsewhere (the fleet) passes this jail's own guard (protected addresses, customers,
   * no prefix wider than the jail's subnet escalation would make); once accepted it is active here
   * and counts towards subnet escalation, which a later local ban in that prefix may then trigger.
   */
  accept(ban: Ban, time: number, hasCustomer: (target: string) => boolean): boolean {
    const [addr, len] = ban.ip.split('/');
    const widest = familyOf(addr) === 4 ? this.rules.subnet.ipv4Prefix : this.rules.subnet.ipv6Prefix;
    if (this.guard.isProtected(ban.ip) || (len !== undefined && Number(len) < widest) || hasCustomer(ban.ip)) return false;
    this.active.set(ban.ip, ban.until);
    this.history.record(ban);
    this.subnets.onBan(ban.ip, time);
    return true;
  }

  /** A ban made elsewhere (an admin's, one restored at start) is active here. */
  note(target: string, until: number): void {
    this.active.set(target, until);
  }

  /** The ban of `target` ended or was lifted: no longer active. */
  forget(target: string): void {
    this.active.delete(target);
  }

  /** Drops ended bans and subnet counts that left their window. */
  prune(now: number): void {
    this.subnets.pruneAll(now);
    this.active.prune(now);
  }

  /** How many bans are active here (ended ones until the next prune or expiry). */
  get activeCount(): number {
    return this.active.size;
  }

  /** Is the offender (or a prefix around it) under an active ban? */
  isBanned(target: string, now: number): boolean {
    if (this.active.get(target) > now) return true;
    const around = this.subnets.prefixAround(target);
    return around !== target && this.active.get(around) > now;
  }
}
