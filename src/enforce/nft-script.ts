/**
 * Text of the `nft -f -` scripts the nftables action sends. Pure, so the exact ruleset is unit
 * tested; each script is applied by nft as one transaction (all or nothing).
 *
 * Per jail: its own input chain and six sets. Single hosts live in plain timeout sets (hash
 * sets: adding or deleting costs the same with 10 or 100,000 elements). The two prefix lengths
 * the daemon bans by the thousand - an IPv6 offender's /64 and the IPv4 /24 of subnet escalation -
 * live in hash sets too, as network addresses, matched through a masked lookup
 * (`ip6 saddr & ffff:ffff:ffff:ffff:: @postfix_v6_64`). Only other prefix lengths go into interval
 * sets: nft 1.0.6 reads every element of every interval set in the ruleset before any element
 * change (overlap checks), so with 100,000 /64s there one new ban took 1.7 s.
 */
import type { Cidr, Family } from '../core/ip';
import { isHost } from './ban-elements';
import { shortHash } from './short-hash';

/** nft's parser refuses a timeout of 100,000,000 s or more ("value too large"), nft 1.0.6. */
export const NFT_MAX_TIMEOUT_S = 99_999_999;

/** Elements per `add element` statement: keeps lines short; the transaction is still one. */
const CHUNK = 1000;

/** The one chain every jail shared before per-jail chains; setup removes the jail's rules from it. */
export const LEGACY_CHAIN = 'input';

export interface NftNames {
  table: string;
  jail: string;
}

export interface JailSet {
  name: string;
  family: Family;
  /** true for the prefix sets (`flags interval, timeout`), false for the hash sets. */
  interval: boolean;
  /** Hash sets of network addresses: the prefix length they hold (24 or 64), matched masked. */
  mask?: number;
}

/** The prefix length each family's masked hash set holds. */
export const MASKED_PREFIX: Record<Family, number> = { 4: 24, 6: 64 };
const NETMASK: Record<Family, string> = { 4: '255.255.255.0', 6: 'ffff:ffff:ffff:ffff::' };

/** The set holding single hosts of one family: `postfix_v4`. */
export function setName(jail: string, family: Family): string {
  return `${jail}_v${family}`;
}

/** The set holding prefixes of one family: `postfix_v4_net`. */
export function netSetName(jail: string, family: Family): string {
  return `${jail}_v${family}_net`;
}

/** The hash set holding /24s (IPv4) or /64s (IPv6) as network addresses: `postfix_v6_64`. */
export function maskedSetName(jail: string, family: Family): string {
  return `${jail}_v${family}_${MASKED_PREFIX[family]}`;
}

/** The jail's own base chain. Never `input`, so it cannot be the legacy shared chain. */
export function chainName(jail: string): string {
  return `${jail}_input`;
}

export function jailSets(jail: string): JailSet[] {
  return [
    { name: setName(jail, 4), family: 4, interval: false },
    { name: setName(jail, 6), family: 6, interval: false },
    { name: maskedSetName(jail, 4), family: 4, interval: false, mask: MASKED_PREFIX[4] },
    { name: maskedSetName(jail, 6), family: 6, interval: false, mask: MASKED_PREFIX[6] },
    { name: netSetName(jail, 4), family: 4, interval: true },
    { name: netSetName(jail, 6), family: 6, interval: true },
  ];
}

/** True for what goes into a hash set (a host, a /24, a /64): nothing there ever overlaps. */
export function inHashSet(cidr: Cidr): boolean {
  return isHost(cidr) || cidr.prefix === MASKED_PREFIX[cidr.family];
}

/** The set an element belongs in. */
export function setFor(jail: string, cidr: Cidr): string {
  if (isHost(cidr)) return setName(jail, cidr.family);
  return cidr.prefix === MASKED_PREFIX[cidr.family] ? maskedSetName(jail, cidr.family) : netSetName(jail, cidr.family);
}

/** How an element is written into its set: a masked set holds the bare network address. */
function elementText(cidr: Cidr): string {
  return !isHost(cidr) && cidr.prefix === MASKED_PREFIX[cidr.family] ? cidr.addr : cidr.text;
}

/** Ports as nft and iptables want them: unique, sorted, each 1..65535. */
export function normalisePorts(ports: number[] | 'all'): number[] | 'all' {
  if (ports === 'all') return 'all';
  const unique = [...new Set(ports)].sort((a, b) => a - b);
  for (const p of unique) {
    if (!Number.isInteger(p) || p < 1 || p > 65535) throw new RangeError(`invalid port ${p}`);
  }
  if (unique.length === 0) throw new RangeError('a port list needs at least one port');
  return unique;
}

/** The comment on a rule: names its set and port list, for people reading `nft list ruleset`. */
export function ruleComment(set: string, ports: number[] | 'all'): string {
  const prefix = `mailjail ${set} `;
  const list = ports === 'all' ? 'all' : ports.join(',');
  // nft caps comments at 128 bytes
  return list.length <= 60 && prefix.length + list.length <= 128 ? prefix + list : `${prefix}#${shortHash(list)}`;
}

/** True when `comment` marks a rule for `set` (any port list); old versions marked rules this way too. */
export function isRuleFor(comment: string | undefined, set: string): boolean {
  return comment !== undefined && comment.startsWith(`mailjail ${set} `);
}

export function ruleBody(set: JailSet, ports: number[] | 'all'): string {
  const saddr = `${set.family === 4 ? 'ip' : 'ip6'} saddr`;
  const match = set.mask === undefined ? `${saddr} @${set.name}` : `${saddr} & ${NETMASK[set.family]} @${set.name}`;
  const dport = ports === 'all' ? '' : ports.length === 1 ? ` tcp dport ${ports[0]}` : ` tcp dport { ${ports.join(', ')} }`;
  return `${match}${dport} drop comment "${ruleComment(set.name, ports)}"`;
}

export function setLine(n: NftNames, set: JailSet): string {
  const flags = set.interval ? 'interval, timeout' : 'timeout';
  return `add set inet ${n.table} ${set.name} { type ipv${set.family}_addr; flags ${flags}; }`;
}

/**
 * Table, the jail's chain and sets, and its rules, without reading anything first: `add` leaves
 * existing objects (and set elements) untouched, and the chain is flushed and refilled in the same
 * transaction, so a changed port list is picked up and there is never a moment without the rules.
 * An existing set with other flags makes `add set` fail with "File exists" (the caller upgrades).
 */
export function setupScript(n: NftNames, ports: number[] | 'all'): string[] {
  const chain = chainName(n.jail);
  const sets = jailSets(n.jail);
  return [
    `add table inet ${n.table}`,
    `add chain inet ${n.table} ${chain} { type filter hook input priority filter - 10; policy accept; }`,
    ...sets.map((s) => setLine(n, s)),
    `flush chain inet ${n.table} ${chain}`,
    ...sets.map((s) => `add rule inet ${n.table} ${chain} ${ruleBody(s, ports)}`),
  ];
}

export function deleteRuleLine(n: NftNames, chain: string, handle: number): string {
  return `delete rule inet ${n.table} ${chain} handle ${handle}`;
}

export function chunked<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Elements grouped by the set they belong in, sets in jailSets order. */
function bySet<T>(jail: string, items: T[], cidrOf: (t: T) => Cidr): [string, T[]][] {
  const groups = new Map<string, T[]>(jailSets(jail).map((s) => [s.name, []]));
  for (const item of items) groups.get(setFor(jail, cidrOf(item)))!.push(item);
  return [...groups].filter(([, xs]) => xs.length > 0);
}

/**
 * `add element` lines, each element into its set; an existing element gets the new timeout
 * (kernel >= 6.10). An element without timeoutS gets none (only when moving one that had none).
 */
export function addElementLines(n: NftNames, elements: { cidr: Cidr; timeoutS?: number }[]): string[] {
  const lines: string[] = [];
  for (const [set, mine] of bySet(n.jail, elements, (e) => e.cidr)) {
    for (const chunk of chunked(mine, CHUNK)) {
      const items = chunk.map((e) => (e.timeoutS === undefined ? elementText(e.cidr) : `${elementText(e.cidr)} timeout ${e.timeoutS}s`)).join(', ');
      lines.push(`add element inet ${n.table} ${set} { ${items} }`);
    }
  }
  return lines;
}

export function deleteElementLines(n: NftNames, elements: Cidr[]): string[] {
  const lines: string[] = [];
  for (const [set, mine] of bySet(n.jail, elements, (c) => c)) {
    for (const chunk of chunked(mine, CHUNK)) {
      lines.push(`delete element inet ${n.table} ${set} { ${chunk.map(elementText).join(', ')} }`);
    }
  }
  return lines;
}

/**
 * Removes elements whether or not they are present: `delete` of an absent element fails the whole
 * transaction (and nft 1.0.6 has no `destroy`), so each one is first added with a 1 s timeout -
 * harmless for a present element - then deleted, in the same transaction.
 */
export function unbanLines(n: NftNames, elements: Cidr[]): string[] {
  const ensure = addElementLines(n, elements.map((cidr) => ({ cidr, timeoutS: 1 })));
  return [...ensure, ...deleteElementLines(n, elements)];
}
