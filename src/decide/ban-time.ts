import type { JailRules } from './jail-rules';

/**
 * Ban length for the (count+1)-th ban of an address: banTime x factor^count, capped at the maximum.
 */
export function escalatedBanTime(baseMs: number, previousBans: number, escalation: JailRules['escalation']): number {
  if (!escalation || previousBans <= 0) return baseMs;
  const grown = baseMs * Math.pow(escalation.factor, previousBans);
  return Math.max(baseMs, Math.min(grown, escalation.maxBanTimeMs));
}

/**
 * A few extra seconds per address, derived from the address itself, so that 10,000 bans made in
 * one flood do not all expire in the same second (the kernel and the pruner would see one spike).
 * Up to 1% of the ban, at most an hour; deterministic so a restart computes the same value.
 */
export function spreadMs(ip: string, banMs: number): number {
  const span = Math.min(banMs / 100, 3_600_000);
  if (span < 1000) return 0;
  let h = 2166136261;
  for (let i = 0; i < ip.length; i++) h = Math.imul(h ^ ip.charCodeAt(i), 16777619);
  return Math.floor(((h >>> 0) / 0x1_0000_0000) * (span / 1000)) * 1000;
}
