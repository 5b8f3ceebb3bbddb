/**
 * What a jail is when its files say nothing: the defaults every key falls back to. The shipped
 * mail jails (jails/*.yaml) rely on these; README "Defences" explains each in an admin's words.
 */
import type { EventKind } from '../core/types';
import { DAY, HOUR, MINUTE, WEEK } from '../core/duration';
import type { EventRule } from '../decide/jail-rules';

export const DEFAULT_EVENTS: Partial<Record<EventKind, EventRule>> = {
  'auth-failure': { weight: 1, findTimeMs: 10 * MINUTE },
  'helo-reject': { weight: 1, findTimeMs: 10 * MINUTE },
  'helo-fingerprint': { weight: 1, findTimeMs: 10 * MINUTE },
  pregreet: { weight: 1, findTimeMs: 10 * MINUTE },
  'protocol-abuse': { weight: 1, findTimeMs: 10 * MINUTE },
  'rcpt-reject': { weight: 0.5, findTimeMs: 10 * MINUTE },
  // EHLO-then-QUIT scanners come back every few minutes for hours: low weight, long memory.
  scanner: { weight: 0.25, findTimeMs: DAY },
  // Temporary (4xx) rejects, counted once per SMTP visit whatever its recipients (match/session-table.ts):
  // an MTA retries one message at least 5 minutes apart (RFC 5321 says 30), so a window shorter than
  // that never adds two of its visits up, while a bot hammering (20 visits in 4 minutes) is banned. README "Event kinds".
  'temp-reject': { weight: 0.25, findTimeMs: 4 * MINUTE },
  // 'spam-verdict' is absent: the shipped MTA jails do not count it; jails/*_spam.yaml do.
};

/** Event kinds whose window is their own, not the jail's findTime (unless the jail's `events` sets one). */
export const OWN_WINDOW_EVENTS: readonly EventKind[] = ['scanner', 'temp-reject'];

export const JAIL_DEFAULTS = {
  enabled: false,
  maxRetry: 5,
  findTimeMs: 10 * MINUTE,
  banTimeMs: WEEK,
  escalation: { factor: 2, maxBanTimeMs: 4 * WEEK },
  ports: 'all' as const,
  startAt: 'end' as const,
  ipv6HostPrefix: 64,
  fingerprint: { enabled: true, events: ['helo-fingerprint', 'pregreet'] as EventKind[] },
  // A customer mistyping during a spray on their own name logs in within seconds (issue 11.4).
  spray: { enabled: true, distinctIps: 10, windowMs: HOUR, graceMs: 20_000, holdMs: 45_000 },
  subnet: { enabled: true, threshold: 5, windowMs: HOUR, ipv4Prefix: 24, ipv6Prefix: 48 },
  customers: { enabled: true, windowMs: 7 * DAY, weight: 0.2, forgive: true, maxFailures: 30, findTimeMs: HOUR },
};
