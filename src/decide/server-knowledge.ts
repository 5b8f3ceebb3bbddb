/**
 * What the jails of one server know together (issue 12). One mail server runs Postfix, Exim or
 * Dovecot side by side, each read by its own jail, but a customer is a person and a spray targets
 * a mailbox, not a daemon: a customer who logs in over IMAP is a customer for the SMTP jail too,
 * and `alice@` guessed at over SMTP and IMAP is one spray. The daemon (and replay) builds one of
 * these per start and hands it to every jail's engine; each jail keeps its own strike windows,
 * bans and customer ceiling. Subnet escalation counts the bans of all jails too (a spray's
 * members are banned by whichever jail sees them).
 */
import type { JailRules } from './jail-rules';
import { SprayDetector } from './spray-detector';
import { SubnetTracker } from './subnet-tracker';

/** offender -> time of its latest successful login, whichever jail saw it. */
export class LoginBook {
  private readonly last = new Map<string, number>();
  /** The longest customer window among the jails using the book: logins are kept that long. */
  private keepMs = 0;

  /** A jail using the book looks back `windowMs`: keep logins at least that long. */
  retain(windowMs: number): void {
    this.keepMs = Math.max(this.keepMs, windowMs);
  }

  record(key: string, time: number): void {
    this.last.set(key, Math.max(time, this.last.get(key) ?? 0));
  }

  lastLogin(key: string): number | undefined {
    return this.last.get(key);
  }

  entries(): IterableIterator<[string, number]> {
    return this.last.entries();
  }

  prune(now: number): void {
    for (const [k, t] of this.last) if (t <= now - this.keepMs) this.last.delete(k);
  }

  get size(): number {
    return this.last.size;
  }
}

export class ServerKnowledge {
  readonly logins = new LoginBook();
  private readonly sprays = new Map<string, SprayDetector>();
  private readonly subnets = new Map<string, SubnetTracker>();

  /**
   * The spray detector of jails with these settings: jails that count a spray alike (all of them
   * with the default settings) count it together; a jail with its own threshold keeps its own.
   */
  sprayDetector(distinctIps: number, windowMs: number): SprayDetector {
    const key = `${distinctIps}/${windowMs}`;
    let detector = this.sprays.get(key);
    if (!detector) this.sprays.set(key, (detector = new SprayDetector(distinctIps, windowMs)));
    return detector;
  }

  /**
   * The subnet tracker of jails with these settings: a spray's members banned by two jails are
   * one prefix's offenders, so five of them escalate the prefix whichever jails banned them.
   */
  subnetTracker(rules: JailRules['subnet']): SubnetTracker {
    const key = JSON.stringify(rules);
    let tracker = this.subnets.get(key);
    if (!tracker) this.subnets.set(key, (tracker = new SubnetTracker(rules)));
    return tracker;
  }
}
