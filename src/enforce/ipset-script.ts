/**
 * Text and argv for the ipset/iptables action: set names, `ipset restore` batches, the iptables
 * rule, and reading `ipset save`. Pure.
 */
import type { Cidr, Family } from '../core/ip';
import { parseCidr } from '../core/ip';
import type { BanElement } from './ban-elements';
import { shortHash } from './short-hash';

/** The kernel keeps ipset timeouts in ms in a signed 32-bit field: (2^31 - 1) / 1000 s, ~24.8 days. */
export const IPSET_MAX_TIMEOUT_S = 2_147_483;

/** IPSET_MAXNAMELEN is 32 bytes including the terminating NUL. */
const MAX_SET_NAME = 31;

/** multiport takes at most 15 ports per rule. */
const MULTIPORT_MAX = 15;

/** `mailjail-<jail>-4`; a name too long for ipset keeps its start and gains a hash of the whole. */
export function ipsetName(table: string, jail: string, family: Family): string {
  const base = `${table}-${jail}`;
  const suffix = `-${family}`;
  if (base.length + suffix.length <= MAX_SET_NAME) return base + suffix;
  const tag = `-${shortHash(base)}`;
  return base.slice(0, MAX_SET_NAME - suffix.length - tag.length).replace(/-+$/, '') + tag + suffix;
}

export function createSetLine(name: string, family: Family, maxElem: number): string {
  // `timeout 0` makes the set timeout-capable with no default: every add carries its own.
  return `create ${name} hash:net family ${family === 4 ? 'inet' : 'inet6'} timeout 0 maxelem ${maxElem}`;
}

/** `ipset -exist restore` lines: re-adding an element replaces its timeout. */
export function addLines(names: Record<Family, string>, elements: BanElement[]): string[] {
  return elements.map((e) => `add ${names[e.cidr.family]} ${e.cidr.text} timeout ${e.timeoutS}`);
}

/** `ipset -exist restore` lines: deleting an absent element is no error under -exist. */
export function delLines(names: Record<Family, string>, elements: Cidr[]): string[] {
  return elements.map((c) => `del ${names[c.family]} ${c.text}`);
}

/** The port part of each rule: one entry per rule (multiport's 15-port limit splits long lists). */
export function portGroups(ports: number[] | 'all'): string[] {
  if (ports === 'all') return [''];
  const groups: string[] = [];
  for (let i = 0; i < ports.length; i += MULTIPORT_MAX) groups.push(ports.slice(i, i + MULTIPORT_MAX).join(','));
  return groups;
}

/** Rule match and target, after `-I INPUT` / `-C INPUT` / `-D INPUT`. */
export function ruleArgs(setName: string, portGroup: string): string[] {
  const ports = portGroup === '' ? [] : ['-p', 'tcp', '-m', 'multiport', '--dports', portGroup];
  return [...ports, '-m', 'set', '--match-set', setName, 'src', '-j', 'DROP'];
}

export interface SavedRule {
  /** The rule's arguments after `-A INPUT`, usable with `-D INPUT`. */
  args: string[];
  /** Its `--dports` value, '' when it has no port match. */
  portGroup: string;
}

/**
 * Our rules in `iptables -S INPUT` output: those matching `setName` as source. Our rules carry no
 * quoted arguments, so splitting on blanks gives back their argv.
 */
export function parseSavedRules(stdout: string, setName: string): SavedRule[] {
  const out: SavedRule[] = [];
  for (const line of stdout.split('\n')) {
    const words = line.trim().split(/\s+/);
    if (words[0] !== '-A' || words[1] !== 'INPUT') continue;
    const at = words.indexOf('--match-set');
    if (at < 0 || words[at + 1] !== setName) continue;
    const dports = words.indexOf('--dports');
    out.push({ args: words.slice(2), portGroup: dports >= 0 ? (words[dports + 1] ?? '') : '' });
  }
  return out;
}

export interface IpsetMember {
  text: string;
  /** Seconds left, when the set has timeouts. */
  timeoutS?: number;
}

/** Members of `setName` in `ipset save` / `ipset list -o save` output, canonical text. */
export function parseIpsetSave(stdout: string, setName: string): IpsetMember[] {
  const out: IpsetMember[] = [];
  for (const line of stdout.split('\n')) {
    const words = line.trim().split(/\s+/);
    if (words[0] !== 'add' || words[1] !== setName || !words[2]) continue;
    const cidr = parseCidr(words[2]);
    if (!cidr) continue;
    const t = words.indexOf('timeout');
    const member: IpsetMember = { text: cidr.text };
    if (t >= 0 && /^\d+$/.test(words[t + 1] ?? '')) member.timeoutS = Number(words[t + 1]);
    out.push(member);
  }
  return out;
}
