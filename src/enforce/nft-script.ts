/**
 * Text of the `nft -f -` scripts the nftables action sends. Pure, so the exact ruleset is unit
 * tested; each script is applied by nft as one transaction (all or nothing).
 */
import type { Cidr, Family } from '../core/ip';
import type { BanElement } from './ban-elements';
import { shortHash } from './short-hash';

/** nft's parser refuses a timeout of 100,000,000 s or more ("value too large"), nft 1.0.6. */
export const NFT_MAX_TIMEOUT_S = 99_999_999;

/** Elements per `add element` statement: keeps lines short; the transaction is still one. */
const CHUNK = 1000;

export interface NftNames {
  table: string;
  jail: string;
}

export function setName(jail: string, family: Family): string {
  return `${jail}_v${family}`;
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

/**
 * The comment marks a rule as ours and says which port list it enforces, so setup can tell a
 * current rule from one left by an older config (nft caps comments at 128 bytes).
 */
export function ruleComment(jail: string, family: Family, ports: number[] | 'all'): string {
  const list = ports === 'all' ? 'all' : ports.join(',');
  const key = list.length <= 60 ? list : `#${shortHash(list)}`;
  return `mailjail ${setName(jail, family)} ${key}`;
}

/** True when `comment` marks a rule for this jail's set of this family (any port list). */
export function isRuleFor(comment: string | undefined, jail: string, family: Family): boolean {
  return comment !== undefined && comment.startsWith(`mailjail ${setName(jail, family)} `);
}

export function ruleBody(jail: string, family: Family, ports: number[] | 'all'): string {
  const match = `${family === 4 ? 'ip' : 'ip6'} saddr @${setName(jail, family)}`;
  const dport = ports === 'all' ? '' : ports.length === 1 ? ` tcp dport ${ports[0]}` : ` tcp dport { ${ports.join(', ')} }`;
  return `${match}${dport} drop comment "${ruleComment(jail, family, ports)}"`;
}

/** Table, chain and both sets; `add` leaves existing ones (and their elements) untouched. */
export function setupScript(n: NftNames): string {
  return [
    `add table inet ${n.table}`,
    `add chain inet ${n.table} input { type filter hook input priority filter - 10; policy accept; }`,
    `add set inet ${n.table} ${setName(n.jail, 4)} { type ipv4_addr; flags interval, timeout; }`,
    `add set inet ${n.table} ${setName(n.jail, 6)} { type ipv6_addr; flags interval, timeout; }`,
  ].join('\n');
}

export function addRuleLine(n: NftNames, family: Family, ports: number[] | 'all'): string {
  return `add rule inet ${n.table} input ${ruleBody(n.jail, family, ports)}`;
}

export function deleteRuleLine(n: NftNames, handle: number): string {
  return `delete rule inet ${n.table} input handle ${handle}`;
}

function chunked<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** `add element` lines; an existing element gets the new timeout (kernel >= 6.10 updates it). */
export function addElementLines(n: NftNames, elements: BanElement[]): string[] {
  const lines: string[] = [];
  for (const family of [4, 6] as const) {
    const mine = elements.filter((e) => e.cidr.family === family);
    for (const chunk of chunked(mine, CHUNK)) {
      const items = chunk.map((e) => `${e.cidr.text} timeout ${e.timeoutS}s`).join(', ');
      lines.push(`add element inet ${n.table} ${setName(n.jail, family)} { ${items} }`);
    }
  }
  return lines;
}

export function deleteElementLines(n: NftNames, elements: Cidr[]): string[] {
  const lines: string[] = [];
  for (const family of [4, 6] as const) {
    const mine = elements.filter((e) => e.family === family);
    for (const chunk of chunked(mine, CHUNK)) {
      lines.push(`delete element inet ${n.table} ${setName(n.jail, family)} { ${chunk.map((c) => c.text).join(', ')} }`);
    }
  }
  return lines;
}

/**
 * Removes elements whether or not they are present: `delete` of an absent element fails the whole
 * transaction (and nft 1.0.6 has no `destroy`), so each one is first added with a 1 s timeout -
 * harmless for a present element - then deleted, in the same transaction.
 */
export function unbanScript(n: NftNames, elements: Cidr[]): string {
  const ensure = addElementLines(n, elements.map((cidr) => ({ cidr, timeoutS: 1, reason: '' })));
  return [...ensure, ...deleteElementLines(n, elements)].join('\n');
}
