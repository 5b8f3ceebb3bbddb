/**
 * A jail's decision rules in the units the code uses (milliseconds, weights). config/ turns the YAML
 * (human durations) into this; decide/ never sees YAML.
 */
import type { EventKind } from '../core/types';

export interface EventRule {
  /** How much one such event counts toward maxRetry. 0 = not counted. */
  weight: number;
  /** How far back events of this kind are counted (scanners come back over hours, not minutes). */
  findTimeMs: number;
}

export interface JailRules {
  name: string;
  maxRetry: number;
  /**
   * IPv6 offenders are counted (and banned) per prefix of this length: one host owns a whole /64
   * and can rotate through it. 128 counts single addresses.
   */
  ipv6HostPrefix: number;
  events: Partial<Record<EventKind, EventRule>>;
  banTimeMs: number;
  /** Repeat offenders: ban time x factor per earlier ban, capped. null = no escalation. */
  escalation: { factor: number; maxBanTimeMs: number } | null;
  /** Events that are proof on their own (`ylmf-pc`, pregreet): ban at first sighting. */
  fingerprint: { enabled: boolean; events: EventKind[]; banTimeMs: number };
  /** One user name failed from many distinct IPs: ban every IP taking part while it lasts. */
  /**
   * A spray ban waits `holdMs` after the member's first failure, or `graceMs` after its latest if
   * later (at most 2 × holdMs), and a login from it cancels it: a customer caught mistyping in a spray on their own
   * name is not banned. 0 = ban at once. `stampSlackMs` (replay only): how long after a deadline a
   * line's stamp must be to make the ban, for logs stamped in whole seconds.
   */
  spray: { enabled: boolean; distinctIps: number; windowMs: number; graceMs: number; holdMs: number; stampSlackMs?: number };
  /** Many banned IPs in one prefix: ban the prefix. */
  subnet: { enabled: boolean; threshold: number; windowMs: number; ipv4Prefix: number; ipv6Prefix: number };
  /**
   * IPs that authenticated recently are customers: reduced weight, forgiven on success, never hit by
   * spray or subnet bans. `maxFailures` in `findTimeMs` still bans a customer IP (full count,
   * never forgiven): a compromised or misconfigured client.
   */
  customers: { enabled: boolean; windowMs: number; weight: number; forgive: boolean; maxFailures: number; findTimeMs: number };
}

/**
 * How far back a jail's decisions read strikes: its longest event window, the customers' memory
 * of logins, and the spray and subnet windows. The daemon restores and keeps strikes this long.
 */
export function strikeMemoryMs(r: JailRules): number {
  const windows = Object.values(r.events).map((e) => e?.findTimeMs ?? 0);
  return Math.max(...windows, r.customers.enabled ? r.customers.windowMs : 0, r.spray.windowMs, r.subnet.windowMs);
}

/**
 * How long ban history counts for escalation: twice the longest ban (a bot back right after its
 * longest ban ended is still a repeat offender). The store keeps history that long.
 */
export function banHistoryMs(r: JailRules): number {
  return 2 * Math.max(r.escalation?.maxBanTimeMs ?? 0, r.banTimeMs, r.fingerprint.banTimeMs);
}
