/**
 * Addresses as sortable keys, so that "inside a CIDR" is an index range query in SQLite.
 *
 * A key is the family digit followed by the address bytes in fixed-width lowercase hex
 * (`4c0000201` for 192.0.2.1, `62001...` for 2001:db8::1). Text comparison of keys is then byte
 * order within a family, and the leading digit keeps the families apart.
 */
import ipaddr from 'ipaddr.js';
import { MailjailError } from '../core/errors';
import { ipv4Number, parseCidr, type Cidr } from '../core/ip';

/** A CIDR (a host is a /32 or /128) as the keys of its first and last address. */
export interface KeyRange {
  /** Canonical text: what the store keeps in its `ip` column. */
  text: string;
  lo: string;
  hi: string;
  family: 4 | 6;
  prefix: number;
}

function hex(bytes: number[]): string {
  let s = '';
  for (const b of bytes) s += (b < 16 ? '0' : '') + b.toString(16);
  return s;
}

function keyOfBytes(bytes: number[]): string {
  return (bytes.length === 4 ? '4' : '6') + hex(bytes);
}

/**
 * Key of a host address (strikes are always single hosts). Canonical text, which is what the
 * pipeline hands over, takes a fast path: a flood of strikes should not pay for ipaddr.js.
 */
export function keyOfIp(ip: string): string {
  const key = canonicalHostKey(ip);
  if (key) return key;
  const r = keyRangeOf(ip);
  if (r.lo !== r.hi) throw new MailjailError('USAGE', `not a single IP address: ${ip}`);
  return r.lo;
}

/** Key of `text` when it is a host address in canonical text, else null. */
function canonicalHostKey(text: string): string | null {
  const v4 = ipv4Number(text);
  if (v4 >= 0) return '4' + v4.toString(16).padStart(8, '0');
  const words = parseCanonicalV6(text);
  return words ? keyOfWords(words) : null;
}

function bytesOfCidr(c: Cidr): number[] {
  return ipaddr.parse(c.addr).toByteArray();
}

/** Bytes of `bytes` with every bit past `prefix` set to `fill` (0 = network, 1 = last address). */
function maskBytes(bytes: number[], prefix: number, fill: 0 | 1): number[] {
  return bytes.map((b, i) => {
    const keep = Math.max(0, Math.min(8, prefix - i * 8));
    const hostMask = 0xff >> keep;
    return fill ? b | hostMask : b & ~hostMask & 0xff;
  });
}

/**
 * Key range of an ip or CIDR text; throws MailjailError('USAGE') when it is neither. A host in
 * canonical text (what the pipeline and the engine hand over) takes keyOfIp's fast path.
 */
export function keyRangeOf(ipOrCidr: string): KeyRange {
  const key = ipOrCidr.includes('/') ? null : canonicalHostKey(ipOrCidr);
  if (key) {
    const family = key[0] === '4' ? 4 : 6;
    return { text: ipOrCidr, lo: key, hi: key, family, prefix: family === 4 ? 32 : 128 };
  }
  const c = parseCidr(ipOrCidr);
  if (!c) throw new MailjailError('USAGE', `not an IP address or CIDR: ${ipOrCidr}`);
  const bytes = bytesOfCidr(c);
  return {
    text: c.text,
    lo: keyOfBytes(bytes),
    hi: keyOfBytes(maskBytes(bytes, c.prefix, 1)),
    family: c.family,
    prefix: c.prefix,
  };
}

const V6_WORD = /^[0-9a-f]{1,4}$/;

/** The eight 16-bit words of an IPv6 address in RFC 5952 text, or null for any other text. */
export function parseCanonicalV6(text: string): number[] | null {
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const gap = 8 - head.length - tail.length;
  if (halves.length === 1 ? gap !== 0 : gap < 1) return null;
  const words: number[] = [];
  for (const part of [...head, ...Array<string>(halves.length === 2 ? gap : 0).fill('0'), ...tail]) {
    if (!V6_WORD.test(part)) return null;
    words.push(parseInt(part, 16));
  }
  // IPv4-mapped addresses are canonically their IPv4 form.
  const isMapped = words.slice(0, 5).every((w) => w === 0) && words[5] === 0xffff;
  return !isMapped && formatV6(words) === text ? words : null;
}

/** RFC 5952: lowercase, no leading zeros, the first longest run of two or more zero words as `::`. */
function formatV6(words: number[]): string {
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hexWords = words.map((w) => w.toString(16));
  if (best < 0) return hexWords.join(':');
  return `${hexWords.slice(0, best).join(':')}::${hexWords.slice(best + bestLen).join(':')}`;
}

function keyOfWords(words: number[]): string {
  return '6' + words.map((w) => w.toString(16).padStart(4, '0')).join('');
}

/** The address bytes a key was made from. */
function bytesOfKey(key: string): number[] {
  const bytes: number[] = [];
  for (let i = 1; i < key.length; i += 2) bytes.push(parseInt(key.slice(i, i + 2), 16));
  return bytes;
}

/**
 * Keys of every network strictly wider than `r` that contains it: a stored CIDR contains `r`
 * only if its first address is one of these (or `r.lo` itself), which turns "containing" into
 * a handful of index lookups instead of a scan.
 */
export function containerKeys(r: KeyRange): string[] {
  const bytes = bytesOfKey(r.lo);
  const keys = new Set<string>();
  for (let p = 0; p < r.prefix; p++) keys.add(keyOfBytes(maskBytes(bytes, p, 0)));
  keys.delete(r.lo);
  return [...keys];
}
