/**
 * The decision core of one jail: Failures in, Strikes and Bans out. Pure: time comes from the
 * failure (when it happened) and from `now` (when the ban starts); history and the address guard
 * are injected. The same engine runs in the daemon, in `replay` and in the scenario tests.
 *
 * Rules, in the order they are tried for a failure:
 *  1. fingerprint  proof on its own (ylmf-pc, pregreet): ban at first sighting (not for customers)
 *  2. spray        one user name failing from many IPs: ban all of them, and every new one,
 *                  each after a grace period that a login from it cancels (spray-grace.ts)
 *  3. threshold    weighted strikes in the window reach maxRetry (customers: reduced weight,
 *                  plus a hard ceiling `customers.maxFailures` that is never forgiven)
 *  then, for every single-address ban: subnet escalation of its prefix.
 *  A ban of an address banned before is escalated in length and recorded as `recidive`.
 */
import { cidrContains, familyOf, parseCidr, prefixOf } from '../core/ip';
import type { Ban, EventKind, Failure, Strike } from '../core/types';
import type { BanHistory } from './ban-history';
import { BanMaker } from './ban-maker';
import { CustomerRegister, wouldBanNonCustomer } from './customer-register';
import type { JailRules } from './jail-rules';
import type { UserHasher } from './normalise-user';
import type { ServerKnowledge } from './server-knowledge';
import { SprayDetector } from './spray-detector';
import { SprayGrace } from './spray-grace';
import { strikeOf, type Evidence } from './strike-of';
import { StrikeWindows } from './strike-window';
import { NO_OUTCOME, type Guard, type Outcome } from './engine-types';
export type { Guard } from './engine-types';
export type { Evidence } from './strike-of';

const isAuthFailure = (event: EventKind) => event === 'auth-failure' || event === 'helo-fingerprint';

export class JailEngine {
  private readonly windows = new StrikeWindows();
  private readonly customers: CustomerRegister;
  private readonly spray: SprayDetector;
  private readonly grace: SprayGrace;
  private readonly banner: BanMaker;

  constructor(
    readonly rules: JailRules,
    private readonly guard: Guard,
    history: BanHistory,
    private readonly hashUser: UserHasher,
    /** The server's shared customers and sprays (absent: this jail keeps its own). */
    shared?: ServerKnowledge,
  ) {
    this.customers = new CustomerRegister(rules.customers, shared?.logins);
    this.spray = shared ? shared.sprayDetector(rules.spray.distinctIps, rules.spray.windowMs) : new SprayDetector(rules.spray.distinctIps, rules.spray.windowMs);
    this.grace = new SprayGrace(rules.spray.graceMs, rules.spray.holdMs, rules.spray.stampSlackMs);
    this.banner = new BanMaker(rules, guard, history, shared?.subnetTracker(rules.subnet));
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
    const strike = strikeOf(this.rules.name, this.hashUser, f, event, weight, evidence);
    const userHash = strike.userHash;
    const scoreBefore = isCustomer ? this.windows.score(key, f.time) : 0;
    this.windows.add(key, f.time, weight, rule.findTimeMs);
    if (isCustomer) for (let i = 0; i < attempts; i++) this.customers.addFailure(key, f.time);

    const bans: Ban[] = [];
    const add = (made: Ban | null) => made && bans.push(made);
    // Grace runs on `now` (the daemon's clock, the log's in replay), as the daemon's tick does.
    for (const due of this.grace.takeDue(now)) add(this.banDue(due.target, due.reason, now, f.time));
    const { fingerprint, spray, maxRetry, banTimeMs } = this.rules;
    // A spray counts every address taking part, banned ones included: its partners must still be found.
    const sprayers = spray.enabled && userHash && !isCustomer && isAuthFailure(f.event) ? this.spray.add(userHash, key, f.time) : [];
    const covered = this.isBanned(key, now);
    if (!covered && fingerprint.enabled && fingerprint.events.includes(event) && !isCustomer) add(this.banner.make(key, 'fingerprint', fingerprint.banTimeMs, now));
    for (const member of sprayers) {
      if (this.grace.isOn && !this.isBanned(member, now)) this.grace.defer(member, `spray:${userHash}`, now);
      else add(this.banDue(member, `spray:${userHash}`, now, f.time));
    }
    // No ban of `key` made so far: `covered` still answers isBanned(key).
    const open = !covered && !bans.some((b) => b.ip === key);
    const score = this.windows.score(key, f.time);
    const due = open && ((isCustomer && this.customers.overCeiling(key, f.time)) || score >= maxRetry);
    const made = due ? this.banner.make(key, 'threshold', banTimeMs, now) : null;
    add(made);
    const spared = isCustomer && open && !made && wouldBanNonCustomer(this.rules, event, scoreBefore, score);
    return { strike, bans: this.escalated(bans, now, f.time), forgiven: null, spared };
  }

  /** Spray bans whose grace ended by `now` with no login from them (the daemon asks every second). */
  dueBans(now: number): Ban[] {
    // Replay flushes with no end in sight (MAX_SAFE_INTEGER): a ban starts when its grace ended.
    // All held bans first, then the prefixes they complete (as onFailure does): a node of a fleet
    // receiving them in this order keeps every member's own ban.
    const made = this.grace.takeDue(now).flatMap((d) => this.banDue(d.target, d.reason, Math.min(now, d.due), Math.min(now, d.due)) ?? []);
    return [...made, ...made.flatMap((b) => this.escalated([b], b.since, b.since).slice(1))];
  }

  private banDue(member: string, reason: string, now: number, time: number): Ban | null {
    if (this.customers.isCustomer(member, time) || this.isBanned(member, now)) return null;
    return this.banner.make(member, reason, this.rules.banTimeMs, now);
  }

  /** `bans` and the prefix bans they complete (never a prefix a customer logged in from). */
  private escalated(bans: Ban[], now: number, time: number): Ban[] {
    return this.banner.escalateAll(bans, now, time, (p) => this.customers.hasCustomerIn(p, time));
  }

  /** A successful login: the offender becomes a customer; earlier strikes may be forgiven. */
  private onSuccess(f: Failure, key: string, evidence: Evidence): Outcome {
    if (!this.rules.customers.enabled) return NO_OUTCOME;
    this.customers.login(key, f.time);
    const forgiven = this.rules.customers.forgive && this.windows.score(key, f.time) > 0 ? key : null;
    if (forgiven) this.windows.forget(key);
    this.spray.forget(key);
    this.grace.cancel(key);
    return { strike: strikeOf(this.rules.name, this.hashUser, f, 'auth-success', 0, evidence), bans: [], forgiven };
  }

  /** Is the offender (or a prefix around it) under an active ban? */
  isBanned(target: string, now: number): boolean {
    return this.banner.isBanned(target, now);
  }

  /**
   * Replays one stored strike at start, oldest first: the state the live strikes built, later logins'
   * forgiveness included. Strikes older than their window are skipped (read for customers' logins).
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
      this.banner.forget(key);
      this.windows.forget(key);
      this.customers.forgetFailures(key);
      this.spray.forget(key);
      this.grace.cancel(key);
    }
  }

  /** An admin ban, or a ban restored from elsewhere: remember it as active. */
  noteBan(ban: Ban): void {
    if (ban.jail === this.rules.name) this.banner.note(ban.ip, ban.until);
  }

  /**
   * A strike another node of the fleet counted (issue 13): counted as a local one, but it bans nothing
   * itself; the node that sees the next failure decides with the fleet's counts (one ban, not one per node).
   */
  addRemoteStrike(ip: string, time: number, event: EventKind, weight: number, userHash: string | null): void {
    if (this.guard.isProtected(ip)) return;
    const key = this.offenderOf(ip);
    if (event === 'auth-success') {
      this.restoreStrike(ip, time, event, 0, time);
      this.spray.forget(key);
      this.grace.cancel(key); // a login another node saw cancels a spray ban held here
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

  /** A ban made elsewhere (the fleet), if this jail's own guard lets it through (BanMaker.accept). */
  acceptRemoteBan(ban: Ban, time: number): boolean {
    return this.banner.accept(ban, time, (target) => this.hasCustomer(target, time));
  }

  /** Bans that ended are no longer active. */
  noteExpired(ip: string): void {
    this.banner.forget(ip);
  }

  /** Drops state that has left every window. */
  prune(now: number): void {
    this.windows.prune(now);
    this.customers.prune(now);
    this.spray.pruneAll(now);
    this.banner.prune(now);
  }

  stats(): { offenders: number; customers: number; activeBans: number } {
    return { offenders: this.windows.size, customers: this.customers.size, activeBans: this.banner.activeCount };
  }
}
