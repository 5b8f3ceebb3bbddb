/**
 * Turns Bans and unban requests into firewall elements: validated, canonical, deduplicated, with a
 * kernel timeout. Pure; every action builds its argv or script from these and nothing else.
 */
import { MailjailError } from '../core/errors';
import { networkAddress, parseCidr, type Cidr } from '../core/ip';
import type { Ban } from '../core/types';

export interface BanElement {
  cidr: Cidr;
  /** Kernel timeout in whole seconds, at least 1. */
  timeoutS: number;
  reason: string;
}

/** (until - now) rounded up to whole seconds, at least 1 s, at most `maxS` (a firewall limit). */
export function timeoutSeconds(until: number, now: number, maxS: number): number {
  const s = Math.ceil((until - now) / 1000);
  return Math.min(Math.max(s, 1), maxS);
}

function parseOrThrow(text: string): Cidr {
  const cidr = typeof text === 'string' ? parseCidr(text) : null;
  if (!cidr) {
    throw new MailjailError('FIREWALL', `refusing to pass ${JSON.stringify(text)} to the firewall: not an IP or CIDR`);
  }
  return cidr;
}

/**
 * Elements for a ban batch. The whole batch is refused if any address does not parse (a broken
 * invariant upstream). The same address twice keeps the longest timeout.
 */
export function toBanElements(bans: Ban[], now: number, maxTimeoutS: number): BanElement[] {
  const byText = new Map<string, BanElement>();
  for (const ban of bans) {
    const cidr = parseOrThrow(ban.ip);
    const timeoutS = timeoutSeconds(ban.until, now, maxTimeoutS);
    const seen = byText.get(cidr.text);
    if (!seen || seen.timeoutS < timeoutS) byText.set(cidr.text, { cidr, timeoutS, reason: String(ban.reason) });
  }
  return [...byText.values()];
}

/** Canonical, deduplicated elements for an unban batch; refuses the batch on any unparseable one. */
export function toUnbanElements(ips: string[]): Cidr[] {
  const byText = new Map<string, Cidr>();
  for (const ip of ips) {
    const cidr = parseOrThrow(ip);
    byText.set(cidr.text, cidr);
  }
  return [...byText.values()];
}

export function isHost(cidr: Cidr): boolean {
  return cidr.prefix === (cidr.family === 4 ? 32 : 128);
}

/**
 * Splits elements into those to add and those already inside a wider element of the same list.
 * An interval set refuses overlapping elements, so a batch for one holding both 192.0.2.0/24 and
 * 192.0.2.128/25 must carry only the /24. (nftables keeps hosts in hash sets, where nothing
 * overlaps, and passes only its prefixes through here.)
 */
export function dropCovered<T extends { cidr: Cidr }>(elements: T[]): { kept: T[]; covered: T[] } {
  if (elements.every((e) => isHost(e.cidr))) return { kept: elements, covered: [] };
  const sorted = [...elements].sort((a, b) => a.cidr.prefix - b.cidr.prefix);
  const kept: T[] = [];
  const covered: T[] = [];
  const keptText = new Set<string>();
  const prefixes = { 4: new Set<number>(), 6: new Set<number>() };
  for (const e of sorted) {
    const { family, addr, prefix } = e.cidr;
    let inside = false;
    for (const p of prefixes[family]) {
      if (p < prefix && keptText.has(`${family}:${networkAddress(addr, p)}/${p}`)) {
        inside = true;
        break;
      }
    }
    if (inside) {
      covered.push(e);
      continue;
    }
    kept.push(e);
    keptText.add(`${family}:${addr}/${prefix}`);
    prefixes[family].add(prefix);
  }
  return { kept, covered };
}
