/**
 * Addresses that are never banned: loopback/link-local, the host's own addresses, and the
 * ignore lists (global and per jail). Prefixes overlapping any of them are never banned either.
 */
import { networkInterfaces } from 'node:os';
import { CidrList, isNeverBannable, parseCidr, type Cidr } from '../core/ip';
import type { Guard } from '../decide/jail-engine';

/** Every address configured on this host (in this network namespace). */
export function ownAddresses(): string[] {
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) out.push(a.address);
  return out;
}

export function createGuard(entries: string[], own: string[] = ownAddresses()): Guard & { list: CidrList } {
  const cidrs: Cidr[] = [];
  for (const e of [...entries, ...own]) {
    const c = parseCidr(e);
    if (c) cidrs.push(c);
  }
  const list = new CidrList(cidrs);
  return {
    list,
    isProtected(ipOrCidr: string): boolean {
      const c = parseCidr(ipOrCidr);
      if (!c) return true; // not an address: never hand it to a firewall
      if (isNeverBannable(c.addr) || list.matches(c.text)) return true;
      // a prefix that contains loopback (::/0 ... ) is caught by the network address check above
      return false;
    },
  };
}
