/**
 * Addresses that are never banned: loopback/link-local, the host's own addresses, and the
 * ignore lists (global and per jail). Prefixes overlapping any of them are never banned either.
 */
import { networkInterfaces } from 'node:os';
import { CidrList, isNeverBannable, NEVER_BANNABLE_RANGES, parseCidr } from '../core/ip';
import type { Guard } from '../decide/jail-engine';

/** Every address configured on this host (in this network namespace). */
export function ownAddresses(): string[] {
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) out.push(a.address);
  return out;
}

export function createGuard(entries: string[], own: string[] = ownAddresses()): Guard {
  const list = cidrListOf([...entries, ...own]);
  const neverBannable = cidrListOf(NEVER_BANNABLE_RANGES);
  return {
    isProtected(ipOrCidr: string): boolean {
      const c = parseCidr(ipOrCidr);
      if (!c) return true; // not an address: never hand it to a firewall
      if (isNeverBannable(c.addr) || list.matches(c.text)) return true;
      // A prefix may hold loopback or link-local without starting there (64.0.0.0/2 holds 127/8).
      return c.prefix < (c.family === 4 ? 32 : 128) && neverBannable.matches(c.text);
    },
  };
}

/** The entries of `texts` that parse as an address or CIDR, as a CidrList. */
export function cidrListOf(texts: string[]): CidrList {
  const list = new CidrList();
  for (const t of texts) {
    const c = parseCidr(t);
    if (c) list.add(c);
  }
  return list;
}
