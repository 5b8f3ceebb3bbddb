/**
 * parseIp for the hot path, with its general path remembered: ipaddr.js is the slow part and
 * attackers repeat themselves. The plain forms are cheaper to read again than to look up.
 */
import { canonicalIpv4, canonicalIpv6, parseIpGeneral } from '../core/ip';

const MAX_ENTRIES = 4096;

export class IpCache {
  private readonly cache = new Map<string, string | null>();

  /** Canonical address text, or null for text that is not an address (999.1.1.1). */
  canonical(text: string): string | null {
    const v4 = canonicalIpv4(text);
    if (v4 !== undefined) return v4;
    const v6 = canonicalIpv6(text);
    if (v6 !== undefined) return v6;
    let ip = this.cache.get(text);
    if (ip === undefined) {
      ip = parseIpGeneral(text);
      if (this.cache.size >= MAX_ENTRIES) this.cache.clear();
      this.cache.set(text, ip);
    }
    return ip;
  }
}
