/**
 * Addresses and prefixes. Every IP that enters mailjail (from a log line, a config file or the
 * socket) passes through here first, so the rest of the code only sees canonical text:
 * IPv4 dotted quad, IPv6 in RFC 5952 form, IPv4-mapped IPv6 folded to IPv4.
 */
import ipaddr from 'ipaddr.js';
import { canonicalIpv6, ipv6Groups, rfc5952 } from './ipv6-text';
export { canonicalIpv6 };

export type Family = 4 | 6;

export interface Cidr {
  /** Canonical network address (host bits cleared). */
  addr: string;
  prefix: number;
  family: Family;
  /** `addr/prefix`, or just `addr` for a single host (/32, /128). */
  text: string;
}

/**
 * Canonical text of an IP address, or null if `text` is not one. Accepts `[v6]` brackets. The
 * plain forms a log line nearly always holds take fast paths, without a regex or ipaddr.js.
 */
export function parseIp(text: string): string | null {
  const v4 = canonicalIpv4(text);
  if (v4 !== undefined) return v4;
  const v6 = canonicalIpv6(text);
  if (v6 !== undefined) return v6;
  return parseIpGeneral(text);
}

/**
 * parseIp for every form it accepts, through ipaddr.js: the definition of canonical, which
 * canonicalIpv4 and canonicalIpv6 only shortcut (unit tests hold them to the same answers).
 */
export function parseIpGeneral(text: string): string | null {
  if (ipv4Number(text) >= 0) return text; // plain IPv4 is already canonical
  let s = text;
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  if (s.toLowerCase().startsWith('ipv6:')) s = s.slice(5); // Exim/Postfix address literals
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  if (!ipaddr.isValid(s)) return null;
  // ipaddr.isValid accepts legacy forms like "1" or "0x7f.1"; logs and admins never mean those.
  if (!s.includes(':') && ipv4Number(s) < 0) return null;
  const addr = ipaddr.parse(s);
  if (addr.kind() === 'ipv6') {
    const v6 = addr as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) return v6.toIPv4Address().toString();
    return v6.toRFC5952String();
  }
  return addr.toString();
}

/**
 * parseIp's IPv4 fast path (the IPv6 one is in ipv6-text.ts): for a text of digits and dots,
 * itself if it is a dotted quad parseIp accepts, else null; undefined for any other text.
 */
export function canonicalIpv4(text: string): string | null | undefined {
  if (ipv4Number(text) >= 0) return text;
  return /^[\d.]*$/.test(text) ? null : undefined;
}

/**
 * The one IPv4 reader (issue 16 point 3): the 32-bit value of a dotted quad in parseIp's
 * canonical spelling (four parts of 0-255, no leading zero: "010" is octal to some parsers), or
 * -1 for anything else (IPv6, a prefix, other spellings).
 */
export function ipv4Number(s: string): number {
  const n = s.length;
  if (n < 7 || n > 15) return -1;
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && part === 0) return -1;
      part = part * 10 + (c - 48);
      if (++digits > 3 || part > 255) return -1;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + part;
}

export function familyOf(ip: string): Family {
  return ip.includes(':') ? 6 : 4;
}

/** Parses `ip` or `ip/prefix`; null if invalid. A host route comes back with prefix 32/128. */
export function parseCidr(text: string): Cidr | null {
  const slash = text.indexOf('/');
  const ipText = slash < 0 ? text : text.slice(0, slash);
  const ip = parseIp(ipText.trim());
  if (!ip) return null;
  const family = familyOf(ip);
  const max = family === 4 ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const p = text.slice(slash + 1).trim();
    if (!/^\d{1,3}$/.test(p)) return null;
    prefix = Number(p);
    // A mapped IPv6 prefix like ::ffff:192.0.2.0/120 folds to the IPv4 one.
    if (family === 4 && ipText.includes(':')) prefix -= 96;
    if (prefix < 0 || prefix > max) return null;
  }
  const addr = networkAddress(ip, prefix);
  return { addr, prefix, family, text: prefix === max ? addr : `${addr}/${prefix}` };
}

/**
 * For `addr/prefix` text whose address has bits set past the prefix (`2001:db8::/16`): the network
 * it would silently become (`2001::/16`); null for anything else, valid networks included.
 */
export function widenedNetwork(text: string): string | null {
  const slash = text.indexOf('/');
  if (slash < 0) return null;
  const c = parseCidr(text);
  const ip = parseIp(text.slice(0, slash).trim());
  return c && ip !== null && ip !== c.addr ? c.text : null;
}

/** The network address of `ip` under `prefix` bits. */
export function networkAddress(ip: string, prefix: number): string {
  // Hot path (every failure asks for its /24): canonical IPv4 in plain integer arithmetic.
  const n = ipv4Number(ip);
  if (n >= 0) {
    if (prefix >= 32) return ip;
    const net = prefix <= 0 ? 0 : (n & (~0 << (32 - prefix))) >>> 0;
    return `${net >>> 24}.${(net >>> 16) & 255}.${(net >>> 8) & 255}.${net & 255}`;
  }
  // Restoring 100,000 IPv6 /64 bans asks 100,000 times: canonical text is masked by hand.
  const groups = ipv6Groups(ip);
  if (groups) return rfc5952(groups.map((g, i) => g & (0xffff << (16 - Math.max(0, Math.min(16, prefix - i * 16)))) & 0xffff));
  const bytes = ipaddr.parse(ip).toByteArray();
  for (let i = 0; i < bytes.length; i++) {
    const bitsHere = Math.max(0, Math.min(8, prefix - i * 8));
    bytes[i] &= bitsHere === 0 ? 0 : (0xff << (8 - bitsHere)) & 0xff;
  }
  const net = ipaddr.fromByteArray(bytes);
  return net.kind() === 'ipv6' ? (net as ipaddr.IPv6).toRFC5952String() : net.toString();
}

/** The `net/prefix` text containing `ip` (e.g. the /24 of an IPv4 address). */
export function prefixOf(ip: string, prefix: number): string {
  const max = familyOf(ip) === 4 ? 32 : 128;
  if (prefix >= max) return ip;
  return `${networkAddress(ip, prefix)}/${prefix}`;
}

/** Does `cidr` contain `ip` (or the whole of another CIDR)? */
export function cidrContains(cidr: Cidr, ipOrCidr: string): boolean {
  const other = parseCidr(ipOrCidr);
  if (!other || other.family !== cidr.family || other.prefix < cidr.prefix) return false;
  return networkAddress(other.addr, cidr.prefix) === cidr.addr;
}

/** Do two CIDRs overlap (one contains the other)? */
export function cidrOverlaps(a: Cidr, b: Cidr): boolean {
  return a.prefix <= b.prefix ? cidrContains(a, b.text) : cidrContains(b, a.text);
}

/** The ranges isNeverBannable answers for: unspecified, loopback, link-local. */
export const NEVER_BANNABLE_RANGES = ['0.0.0.0/8', '127.0.0.0/8', '169.254.0.0/16', '::/128', '::1/128', 'fe80::/10'];

/** Loopback, unspecified and link-local addresses are never banned. */
export function isNeverBannable(ip: string): boolean {
  const n = ipv4Number(ip);
  if (n >= 0) {
    // the hot path (every ban passes here): 0.0.0.0/8, 127.0.0.0/8, 169.254.0.0/16, as ipaddr.js ranges them
    const first = n >>> 24;
    return first === 0 || first === 127 || n >>> 16 === 0xa9fe;
  }
  const range = ipaddr.parse(ip).range();
  return range === 'loopback' || range === 'unspecified' || range === 'linkLocal';
}

/** A list of CIDRs to test addresses against (ignore lists, own addresses). */
export class CidrList {
  private readonly v4: Cidr[] = [];
  private readonly v6: Cidr[] = [];
  private readonly hosts = new Set<string>();

  constructor(entries: Iterable<Cidr> = []) {
    for (const c of entries) this.add(c);
  }

  add(c: Cidr): void {
    if (c.prefix === (c.family === 4 ? 32 : 128)) this.hosts.add(c.addr);
    else (c.family === 4 ? this.v4 : this.v6).push(c);
  }

  /** True when `ipOrCidr` is inside any entry, or (for a CIDR) overlaps one. */
  matches(ipOrCidr: string): boolean {
    const c = parseCidr(ipOrCidr);
    if (!c) return false;
    if (this.hosts.has(c.addr) && c.prefix === (c.family === 4 ? 32 : 128)) return true;
    const list = c.family === 4 ? this.v4 : this.v6;
    for (const entry of list) if (cidrOverlaps(entry, c)) return true;
    if (c.prefix < (c.family === 4 ? 32 : 128)) {
      for (const h of this.hosts) if (familyOf(h) === c.family && cidrContains(c, h)) return true;
    }
    return false;
  }

  get size(): number {
    return this.v4.length + this.v6.length + this.hosts.size;
  }
}
