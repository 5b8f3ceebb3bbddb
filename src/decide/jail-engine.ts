/**
 * The decision core of one jail: Failures in, Strikes and Bans out. Pure: time comes from the
 * failure (when it happened) and from `now` (when the ban starts); history and the address guard
 * are injected. The same engine runs in the daemon, in `replay` and in the scenario tests.
 *
 * Rules, in the order they are tried for a failure:
 *  1. fingerprint  proof on its own (ylmf-pc, pregreet): ban at first sighting (not for customers)
 *  2. spray        one user name failing from many IPs: ban all of them, and every new one
 *  3. threshold    weighted strikes in the window reach maxRetry (customers: reduced weight,
 *                  plus a hard ceiling `customers.maxFailures` that is never forgiven)
 *  then, for every single-address ban: subnet escalation of its prefix.
 *  A ban of an address banned before is escalated in length and recorded as `recidive`.
 */
import { cidrContains, familyOf, parseCidr, prefixOf } from '../core/ip';
import type { Ban, EventKind, Failure, Strike } from '../core/types';
import { ActiveBans } from './active-bans';
import type { BanHistory } from './ban-history';
import { escalatedBanTime, spreadMs } from './ban-time';
import { CustomerRegister, wouldBanNonCustomer } from './customer-register';
import { banHistoryMs, type JailRules } from './jail-rules';
import { normaliseUser, type UserHasher } from './normalise-user';
import { redactUser } from './redact-user';
import type { ServerKnowledge } from './server-knowledge';
import { SprayDetector } from './spray-detector';
import { StrikeWindows } from './strike-window';
import { SubnetTracker } from './subnet-tracker';

export interface Guard {
  /** True for addresses (or prefixes overlapping addresses) that must never be banned. */
  isProtected(ipOrCidr: string): boolean;
}

export interface Evidence {
  source?: string;
  line?: number;
  text?: string;
}

export interface Outcome {
  /** What to store (null when the failure does not count in this jail). */
  strike: Strike | null;
  bans: Ban[];
  /** An offender whose earlier strikes were forgiven (a customer who then logged in). */
  forgiven: string | null;
  /** A customer's failure that would have banned anyone else (counted by metrics). */
  spared?: boolean;
}

const NO_OUTCOME: Outcome = { strike: null, bans: [], forgiven: null };
const MAX_TEXT = 1024;

export class JailEngine {
  private readonly windows = new StrikeWindows();
  private readonly customers: CustomerRegister;
  /** Active bans made or restored: target (ip or prefix) -> until (compact: 100,000 are restored at start). */
  private readonly active = new ActiveBans();
  private readonly spray: SprayDetector;
  private readonly subnets: SubnetTracker;

  constructor(
    readonly rules: JailRules,
    private readonly guard: Guard,
    private readonly history: BanHistory,
    private readonly hashUser: UserHasher,
    /** The server's shared customers and sprays (absent: this jail keeps its own). */
    shared?: ServerKnowledge,
  ) {
    this.customers = new CustomerRegister(rules.customers, shared?.logins);
    this.spray = shared ? shared.sprayDetector(rules.spray.distinctIps, rules.spray.windowMs) : new SprayDetector(rules.spray.distinctIps, rules.spray.windowMs);
    this.subnets = shared ? shared.subnetTracker(rules.subnet) : new SubnetTracker(rules.subnet);
  }

  /** The offender an address belongs to: itself, or its IPv6 host prefix. */
  offenderOf(ip: string): string {
    return familyOf(ip) === 6 ? prefixOf(ip, this.rules.ipv6HostPrefix) : ip;
  }

  /** Feeds one failure. `now` is when a resulting ban starts (the failure's time in replay). */
  onFailure(f: Failure, now: number, evidence: Evidence = {}): Outcome {
    if (this.guard.isProtected(f.ip)) return NO_OUTCOME;
    const key = this.offenderOf(f.ip);
    if (f.event === 'auth-success') return this.onSuccess(f, key, evidence);

    const event: EventKind = f.fingerprint ? 'helo-fingerprint' : f.event;
    const rule = this.rules.events[event] ?? this.rules.events[f.event];
    if (!rule || rule.weight <= 0) return NO_OUTCOME;

    const isCustomer = this.customers.isCustomer(key, f.time);
    // One line may stand for several attempts (Dovecot's `auth failed, 3 attempts`): one strike, weighed for all.
    const attempts = f.attempts ?? 1;
    const weight = (isCustomer ? rule.weight * this.rules.customers.weight : rule.weight) * attempts;
    const strike = this.strikeOf(f, event, weight, evidence);
    const userHash = strike.userHash;
    const scoreBefore = isCustomer ? this.windows.score(key, f.time) : 0;
    this.windows.add(key, f.time, weight, rule.findTimeMs);
    if (isCustomer) for (let i = 0; i < attempts; i++) this.customers.addFailure(key, f.time);

    const bans: Ban[] = [];
    const ban = (target: string, reason: string, baseMs: number) => {
      const made = this.makeBan(target, reason, baseMs, now);
      if (made) bans.push(made);
    };
    const { fingerprint, spray, maxRetry } = this.rules;
    // A spray counts every address taking part, banned ones included: its partners must still be found.
    const sprayers = spray.enabled && userHash && !isCustomer && isAuthFailure(f.event) ? this.spray.add(userHash, key, f.time) : [];
    const banSprayers = () => {
      for (const member of sprayers) {
        if (!this.customers.isCustomer(member, f.time) && !this.isBanned(member, now)) ban(member, `spray:${userHash}`, this.rules.banTimeMs);
      }
    };
    const covered = this.isBanned(key, now);
    if (!covered && fingerprint.enabled && fingerprint.events.includes(event) && !isCustomer) ban(key, 'fingerprint', fingerprint.banTimeMs);
    banSprayers();
    // No ban made so far means `active` is unchanged: `covered` still answers isBanned(key).
    if (!covered && bans.length === 0) {
      const overCeiling = isCustomer && this.customers.overCeiling(key, f.time);
      if (overCeiling || this.windows.score(key, f.time) >= maxRetry) ban(key, 'threshold', this.rules.banTimeMs);
    }
    for (const made of [...bans]) this.escalateSubnet(made, now, f.time, bans);
    const spared = isCustomer && !covered && bans.length === 0 && wouldBanNonCustomer(this.rules, event, scoreBefore, this.windows.score(key, f.time));
    return { strike, bans, forgiven: null, spared };
  }

  /** A successful login: the offender becomes a customer; earlier strikes may be forgiven. */
  private onSuccess(f: Failure, key: string, evidence: Evidence): Outcome {
    if (!this.rules.customers.enabled) return NO_OUTCOME;
    this.customers.login(key, f.time);
    let forgiven: string | null = null;
    if (this.rules.customers.forgive && this.windows.score(key, f.time) > 0) {
      this.windows.forget(key);
      forgiven = key;
    }
    this.spray.forget(key);
    return { strike: this.strikeOf(f, 'auth-success', 0, evidence), bans: [], forgiven };
  }

  private strikeOf(f: Failure, event: EventKind, weight: number, evidence: Evidence): Strike {
    const userHash = f.user ? this.hashUser(normaliseUser(f.user)) : undefined;
    return {
      ip: f.ip,
      jail: this.rules.name,
      time: f.time,
      event,
      weight,
      rule: `${f.filter}/${f.rule}`,
      userHash,
      source: evidence.source,
      line: evidence.line,
      // the name is kept only as its keyed hash, in the line too (issue 15)
      text: evidence.text === undefined ? undefined : redactUser(evidence.text.slice(0, MAX_TEXT), f.user, userHash),
    };
  }

  private escalateSubnet(made: Ban, now: number, time: number, bans: Ban[]): void {
    const prefix = this.subnets.onBan(made.ip, time);
    if (!prefix || this.isBanned(prefix, now) || this.guard.isProtected(prefix) || this.customers.hasCustomerIn(prefix, time)) return;
    const ban = this.makeBan(prefix, `subnet:${prefix}`, this.rules.banTimeMs, now);
    if (ban) {
      bans.push(ban);
      this.subnets.clear(prefix);
    }
  }

  private makeBan(target: string, reason: string, baseMs: number, now: number): Ban | null {
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

  /** Is the offender (or a prefix around it) under an active ban? */
  isBanned(target: string, now: number): boolean {
    if (this.active.get(target) > now) return true;
    const around = this.subnets.prefixAround(target);
    return around !== target && this.active.get(around) > now;
  }

  /**
   * Replays one stored strike into the windows at start, oldest first: the same state the live
   * strikes built, forgiveness by later logins included. Strikes older than their own window are
   * skipped (they are read only because customers' logins are remembered for longer).
   */
  restoreStrike(ip: string, time: number, event: EventKind, weight: number, now: number): void {
    const key = this.offenderOf(ip);
    if (event === 'auth-success') {
      this.customers.login(key, time);
      if (this.rules.customers.forgive) this.windows.forget(key);
      return;
    }
    const rule = this.rules.events[event];
    if (!rule) return;
    if (time > now - rule.findTimeMs) this.windows.add(key, time, weight, rule.findTimeMs);
    if (this.customers.isCustomer(key, time)) this.customers.addFailure(key, time, now);
  }

  /** An admin unbanned this: forget its offender (an IPv6 /64), or every offender inside a prefix (issue 15). */
  forget(ipOrCidr: string): void {
    const cidr = ipOrCidr.includes('/') ? parseCidr(ipOrCidr) : null;
    const keys = cidr ? [ipOrCidr, ...[...this.windows.keys()].filter((k) => cidrContains(cidr, k))] : [ipOrCidr, this.offenderOf(ipOrCidr)];
    for (const key of keys) {
      this.active.delete(key);
      this.windows.forget(key);
      this.customers.forgetFailures(key);
      this.spray.forget(key);
    }
  }

  /** An admin ban, or a ban restored from elsewhere: remember it as active. */
  noteBan(ban: Ban): void {
    if (ban.jail === this.rules.name) this.active.set(ban.ip, ban.until);
  }

  /**
   * A strike another node of the fleet counted (issue 13): it joins the windows, spray and customer
   * memory as a local one would, but bans nothing itself. The node that sees the next failure
   * decides, with the fleet's counts, so a ban is made once and not once per node.
   */
  addRemoteStrike(ip: string, time: number, event: EventKind, weight: number, userHash: string | null): void {
    if (this.guard.isProtected(ip)) return;
    const key = this.offenderOf(ip);
    if (event === 'auth-success') {
      this.restoreStrike(ip, time, event, 0, time);
      this.spray.forget(key);
      return;
    }
    const rule = this.rules.events[event];
    if (!rule) return;
    this.windows.add(key, time, weight, rule.findTimeMs);
    const isCustomer = this.customers.isCustomer(key, time);
    if (isCustomer) this.customers.addFailure(key, time);
    if (userHash && this.rules.spray.enabled && !isCustomer && isAuthFailure(event)) this.spray.add(userHash, key, time);
  }

  /** Is the address (or a customer inside the prefix) a customer of this jail at `time`? */
  hasCustomer(target: string, time: number): boolean {
    return target.includes('/') ? this.customers.hasCustomerIn(target, time) : this.customers.isCustomer(this.offenderOf(target), time);
  }

  /**
   * A ban made elsewhere passes this jail's own guard (protected addresses, customers, no prefix
   * wider than the jail's subnet escalation would make); once accepted it is active here and counts
   * towards subnet escalation, which a later local ban in that prefix may then trigger.
   */
  acceptRemoteBan(ban: Ban, time: number): boolean {
    const [addr, len] = ban.ip.split('/');
    const widest = familyOf(addr) === 4 ? this.rules.subnet.ipv4Prefix : this.rules.subnet.ipv6Prefix;
    if (this.guard.isProtected(ban.ip) || (len !== undefined && Number(len) < widest) || this.hasCustomer(ban.ip, time)) return false;
    this.active.set(ban.ip, ban.until);
    this.history.record(ban);
    this.subnets.onBan(ban.ip, time);
    return true;
  }

  /** Bans that ended are no longer active. */
  noteExpired(ip: string): void {
    this.active.delete(ip);
  }

  /** Drops state that has left every window. */
  prune(now: number): void {
    this.windows.prune(now);
    this.customers.prune(now);
    this.spray.pruneAll(now);
    this.subnets.pruneAll(now);
    this.active.prune(now);
  }

  stats(): { offenders: number; customers: number; activeBans: number } {
    return { offenders: this.windows.size, customers: this.customers.size, activeBans: this.active.size };
  }
}

function isAuthFailure(event: EventKind): boolean {
  return event === 'auth-failure' || event === 'helo-fingerprint';
}
