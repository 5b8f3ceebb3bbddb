/**
 * Makes a jail's bans: ban time escalated for repeat offenders, the address guard, the active set,
 * and subnet escalation of a prefix once enough of its addresses are banned.
 */
import type { Ban } from '../core/types';
import { ActiveBans } from './active-bans';
import type { BanHistory } from './ban-history';
import { escalatedBanTime, spreadMs } from './ban-time';
import type { Guard } from './jail-engine';
import { banHistoryMs, type JailRules } from './jail-rules';
import { SubnetTracker } from './subnet-tracker';

export class BanMaker {
  /** Active bans made or restored: target (ip or prefix) -> until (compact: 100,000 are restored at start). */
  readonly active = new ActiveBans();
  readonly subnets: SubnetTracker;

  constructor(
    private readonly rules: JailRules,
    private readonly guard: Guard,
    private readonly history: BanHistory,
  ) {
    this.subnets = new SubnetTracker(rules.subnet);
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

  /** Is the offender (or a prefix around it) under an active ban? */
  isBanned(target: string, now: number): boolean {
    if (this.active.get(target) > now) return true;
    const around = this.subnets.prefixAround(target);
    return around !== target && this.active.get(around) > now;
  }
}
