/**
 * A jail's customers: offenders that logged in successfully within `customers.windowMs`. The
 * engine gives their failures reduced weight, never bans them for a fingerprint, a spray or a
 * subnet, and forgets their strikes when they log in again; their own failures are counted here
 * as well, so that one failing `maxFailures` times within `findTimeMs` is banned all the same (a
 * customer's account being guessed at).
 */
import { familyOf, prefixOf } from '../core/ip';
import type { EventKind } from '../core/types';
import type { JailRules } from './jail-rules';
import { LoginBook } from './server-knowledge';
import { StrikeWindows } from './strike-window';

export class CustomerRegister {
  private readonly failures = new StrikeWindows();

  /** `logins` is the server's book when jails share customers (ServerKnowledge), else the jail's own. */
  constructor(
    private readonly rules: JailRules['customers'],
    private readonly logins: LoginBook = new LoginBook(),
  ) {
    logins.retain(rules.windowMs);
  }

  /** A successful login by `key` at `time` (live or replayed from the store). */
  login(key: string, time: number): void {
    this.logins.record(key, time);
  }

  isCustomer(key: string, time: number): boolean {
    if (!this.rules.enabled) return false;
    const last = this.logins.lastLogin(key);
    return last !== undefined && last > time - this.rules.windowMs;
  }

  /** Counts a customer's failure towards the ceiling (a failure older than its window is not kept). */
  addFailure(key: string, time: number, now = time): void {
    if (time > now - this.rules.findTimeMs) this.failures.add(key, time, 1, this.rules.findTimeMs);
  }

  overCeiling(key: string, time: number): boolean {
    return this.failures.score(key, time) >= this.rules.maxFailures;
  }

  /** Did a customer log in from inside `prefix` (`net/len`) lately? Such a prefix is never banned. */
  hasCustomerIn(prefix: string, time: number): boolean {
    const [net, len] = prefix.split('/');
    for (const [key, last] of this.logins.entries()) {
      if (last <= time - this.rules.windowMs) continue;
      const addr = key.split('/')[0];
      if (familyOf(addr) === familyOf(net) && prefixOf(addr, Number(len)) === prefix) return true;
    }
    return false;
  }

  forgetFailures(key: string): void {
    this.failures.forget(key);
  }

  prune(now: number): void {
    this.failures.prune(now);
    this.logins.prune(now);
  }

  get size(): number {
    return this.logins.size;
  }
}

/**
 * A customer's failure that would have banned anyone else (counted by metrics): a fingerprint, or
 * the full-weight score crossing maxRetry with this failure (so an offender counts once per window).
 */
export function wouldBanNonCustomer(rules: JailRules, event: EventKind, scoreBefore: number, scoreAfter: number): boolean {
  const { fingerprint, customers, maxRetry } = rules;
  if (fingerprint.enabled && fingerprint.events.includes(event)) return true;
  if (customers.weight <= 0) return false;
  return scoreBefore / customers.weight < maxRetry && scoreAfter / customers.weight >= maxRetry;
}
