/** Reading `nft -j list ...` output (JSON schema version 1, nft 1.0.x). Pure. */
import ipaddr from 'ipaddr.js';
import { MailjailError } from '../core/errors';
import { parseCidr } from '../core/ip';

export interface NftElement {
  /** Canonical text: `192.0.2.1`, `192.0.2.0/24`, `2001:db8::/64`. */
  text: string;
  /** The timeout the element was added with, in seconds. */
  timeoutS?: number;
  /** Seconds left until the kernel drops it. */
  expiresS?: number;
}

export interface NftRule {
  handle: number;
  chain: string;
  comment?: string;
}

type Json = unknown;

function listOf(stdout: string): Record<string, Json>[] {
  let doc: Json;
  try {
    doc = JSON.parse(stdout);
  } catch (e) {
    throw new MailjailError('FIREWALL', `nft -j printed something that is not JSON: ${(e as Error).message}`);
  }
  const list = (doc as { nftables?: Json }).nftables;
  if (!Array.isArray(list)) throw new MailjailError('FIREWALL', 'nft -j output has no "nftables" array');
  return list.filter((x): x is Record<string, Json> => typeof x === 'object' && x !== null);
}

function toBig(ip: string): bigint {
  return ipaddr
    .parse(ip)
    .toByteArray()
    .reduce((n, b) => (n << 8n) | BigInt(b), 0n);
}

function fromBig(n: bigint, bytes: number): string {
  const out: number[] = [];
  for (let i = 0; i < bytes; i++) out.unshift(Number((n >> BigInt(8 * i)) & 0xffn));
  const addr = ipaddr.fromByteArray(out);
  return addr.kind() === 'ipv6' ? (addr as ipaddr.IPv6).toRFC5952String() : addr.toString();
}

/**
 * The fewest CIDRs covering `first`..`last`. mailjail never adds ranges, but nft shows one when an
 * admin (or auto-merge) put it there, and reconcile needs every element in CIDR form.
 */
export function rangeToCidrs(first: string, last: string): string[] {
  const bits = first.includes(':') ? 128 : 32;
  let start = toBig(first);
  const end = toBig(last);
  const out: string[] = [];
  while (start <= end) {
    let size = 0;
    while (size < bits && ((start >> BigInt(size)) & 1n) === 0n && start + (1n << BigInt(size + 1)) - 1n <= end) {
      size++;
    }
    const cidr = parseCidr(`${fromBig(start, bits / 8)}/${bits - size}`);
    if (cidr) out.push(cidr.text);
    start += 1n << BigInt(size);
  }
  return out;
}

/**
 * nft prints IPv6 addresses with glibc's inet_ntop: lowercase, no leading zeros, the first longest
 * run of two or more zero groups as `::` - RFC 5952 already, except the embedded-IPv4 forms (with a
 * dot), which parseCidr folds. Taking those texts as they are saves ~1 s per 100,000 elements of
 * synchronous parsing on every reconcile.
 */
const INET_NTOP_V6 = /^[0-9a-f:]+$/;

/** Canonical texts of one element value: a string, a prefix or a range. */
function valueTexts(val: Json): string[] {
  if (typeof val === 'string') {
    if (val.includes(':') && INET_NTOP_V6.test(val)) return [val];
    const c = parseCidr(val);
    return c ? [c.text] : [];
  }
  if (typeof val !== 'object' || val === null) return [];
  const v = val as Record<string, Json>;
  if (v.prefix && typeof v.prefix === 'object') {
    const p = v.prefix as { addr?: Json; len?: Json };
    const c = typeof p.addr === 'string' && typeof p.len === 'number' ? parseCidr(`${p.addr}/${p.len}`) : null;
    return c ? [c.text] : [];
  }
  if (Array.isArray(v.range) && typeof v.range[0] === 'string' && typeof v.range[1] === 'string') {
    return rangeToCidrs(v.range[0], v.range[1]);
  }
  return [];
}

/**
 * Elements of every set in a `nft -j list set ...` (or `list table`) output. `mask`: the set holds
 * network addresses of that prefix length (a masked hash set); the texts get it appended.
 */
export function parseSetElements(stdout: string, mask?: number): NftElement[] {
  const out: NftElement[] = [];
  for (const item of listOf(stdout)) {
    const set = item.set as { elem?: Json[] } | undefined;
    if (!set || !Array.isArray(set.elem)) continue;
    for (const raw of set.elem) {
      const wrapped = typeof raw === 'object' && raw !== null && 'elem' in raw;
      const e = wrapped ? ((raw as { elem: Record<string, Json> }).elem ?? {}) : {};
      const val = wrapped ? e.val : raw;
      const timeoutS = typeof e.timeout === 'number' ? e.timeout : undefined;
      const expiresS = typeof e.expires === 'number' ? e.expires : undefined;
      for (const text of valueTexts(val)) {
        const el: NftElement = { text: mask === undefined ? text : `${text}/${mask}` };
        if (timeoutS !== undefined) el.timeoutS = timeoutS;
        if (expiresS !== undefined) el.expiresS = expiresS;
        out.push(el);
      }
    }
  }
  return out;
}

export interface NftSetSummary {
  name: string;
  /** `ipv4_addr`, `ipv6_addr`, ... */
  type?: string;
  /** `interval`, `timeout`, ... */
  flags: string[];
}

export interface NftTableSummary {
  sets: NftSetSummary[];
  chains: string[];
  rules: NftRule[];
}

/**
 * Sets (name, type, flags), chain names and rules (handle, chain, comment) in a
 * `nft -t -j list table` output; terse (-t) leaves out set elements, which can be 100,000s (nft
 * 1.0.6 still fetches them from the kernel: about 1 s for 100,000, so this is not for a hot path).
 */
export function parseTableSummary(stdout: string): NftTableSummary {
  const out: NftTableSummary = { sets: [], chains: [], rules: [] };
  for (const item of listOf(stdout)) {
    const set = item.set as { name?: Json; type?: Json; flags?: Json } | undefined;
    if (set && typeof set.name === 'string') {
      const summary: NftSetSummary = { name: set.name, flags: Array.isArray(set.flags) ? set.flags.filter((f): f is string => typeof f === 'string') : [] };
      if (typeof set.type === 'string') summary.type = set.type;
      out.sets.push(summary);
    }
    const chain = item.chain as { name?: Json } | undefined;
    if (chain && typeof chain.name === 'string') out.chains.push(chain.name);
    const rule = item.rule as { handle?: Json; chain?: Json; comment?: Json } | undefined;
    if (rule && typeof rule.handle === 'number') {
      const r: NftRule = { handle: rule.handle, chain: typeof rule.chain === 'string' ? rule.chain : '' };
      if (typeof rule.comment === 'string') r.comment = rule.comment;
      out.rules.push(r);
    }
  }
  return out;
}
