/**
 * Addresses that are never banned: loopback/link-local, the host's own addresses, and the
 * ignore lists (global and per jail). Prefixes overlapping any of them are never banned either.
 */
import { networkInterfaces } from 'node:os';
import { CidrList, isNeverBannable, parseCidr } from '../core/ip';
import type { Guard } from '../decide/jail-engine';

/** Every address configured on this host (in this network namespace). */
function ownAddresses(): string[] {
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) out.push(a.address);
  return out;
}

export function createGuard(entries: string[], own: string[] = ownAddresses()): Guard {
  const list = cidrListOf([...entries, ...own]);
  return {
    isProtected(ipOrCidr: string): boolean {
      const c = parseCidr(ipOrCidr);
      if (!c) return true; // not an address: never hand it to a firewall
      // Only a prefix's network address meets isNeverBannable: that catches 0.0.0.0/0 and ::/0, not 64.0.0.0/2.
      return isNeverBannable(c.addr) || list.matches(c.text);
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
