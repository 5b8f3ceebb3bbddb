/**
 * What a matched rule yields: the Failure built from its groups and what the session knows, or
 * nothing (no event, no address, a HELO rule without a fingerprint).
 */
import type { EventKind, Failure } from '../core/types';
import type { CompiledFilter, CompiledRule } from './compile-filter';

export type Groups = Record<string, string | undefined>;

export function failureOf(filter: CompiledFilter, rule: CompiledRule, g: Groups, ip: string | undefined, time: number, helo?: string, user?: string): Failure | null {
  if (!rule.event || !ip) return null;
  const fingerprint = helo === undefined ? undefined : filter.fingerprints.get(helo.toLowerCase());
  let event: EventKind = rule.event;
  if (event === 'helo-fingerprint' && !fingerprint) return null;
  if (event === 'helo-reject' && fingerprint) event = 'helo-fingerprint';
  const failure: Failure = { ip, time, filter: filter.name, rule: rule.id, event };
  if (user !== undefined && user !== '') failure.user = user;
  if (helo !== undefined && helo !== '') failure.helo = helo;
  if (fingerprint) failure.fingerprint = fingerprint;
  if (g.attempts !== undefined) failure.attempts = attemptsOf(g.attempts);
  return failure;
}

/** A summary line's attempt count, kept within what one connection can make (1..MAX_ATTEMPTS). */
const MAX_ATTEMPTS = 100;
function attemptsOf(text: string): number {
  const n = Number(text);
  return n >= 1 ? Math.min(n, MAX_ATTEMPTS) : 1;
}
