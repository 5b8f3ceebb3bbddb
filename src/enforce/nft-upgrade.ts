/**
 * Bringing a jail's nft objects from an older layout (or one changed by hand) to the current one,
 * in one transaction. nft cannot change a set's flags: a set that has the wrong ones is deleted
 * and created again, and its elements go back with their remaining time as the timeout.
 *
 * The layout before this one kept hosts and prefixes of a family together in one interval set
 * (`postfix_v4`, flags interval) and every jail's rules in one shared `input` chain, each rule
 * marked by a `mailjail <set> <ports>` comment. The layout after it kept /24s and /64s in the
 * interval sets, which made every element change slow once there were thousands of them (nft
 * reads all interval elements first): those move to the masked hash sets. Pure: nft-upgrader.ts
 * reads, this plans.
 */
import { parseCidr, type Cidr } from '../core/ip';
import { dropCovered } from './ban-elements';
import { planAgainstPresent } from './interval-overlaps';
import type { NftElement, NftTableSummary } from './nft-json';
import {
  addElementLines,
  chainName,
  chunked,
  inHashSet,
  MASKED_PREFIX,
  netSetName,
  deleteElementLines,
  deleteRuleLine,
  isRuleFor,
  jailSets,
  LEGACY_CHAIN,
  setupScript,
  type JailSet,
  type NftNames,
} from './nft-script';

/** The jail's sets that exist with another type or other flags than the layout wants. */
export function misfitSets(n: NftNames, summary: NftTableSummary): string[] {
  const out: string[] = [];
  for (const want of jailSets(n.jail)) {
    const have = summary.sets.find((s) => s.name === want.name);
    if (!have) continue;
    const fits =
      have.type === `ipv${want.family}_addr` && have.flags.includes('interval') === want.interval && have.flags.includes('timeout');
    if (!fits) out.push(want.name);
  }
  return out;
}

/** The jail's sets that the table held before this start's setup. */
export function presentJailSets(jail: string, before: NftTableSummary): JailSet[] {
  const present = new Set(before.sets.map((s) => s.name));
  return jailSets(jail).filter((s) => present.has(s.name));
}

/**
 * Whether the jail's interval sets may hold /24s or /64s (so moveMaskedPrefixes must read them),
 * judged from the table as it was before this start's setup. Not when they did not exist, nor when
 * the jail's chain already dropped from its masked sets: this layout set the chain up last, and it
 * never puts a /24 or /64 in an interval set. An older version's setup flushes the chain and adds
 * rules for its own sets only, so a table it touched since is read and upgraded again.
 */
export function mayHoldMaskedPrefixes(n: NftNames, before: NftTableSummary): boolean {
  const sets = jailSets(n.jail);
  if (!presentJailSets(n.jail, before).some((s) => s.interval)) return false;
  const chain = chainName(n.jail);
  const masked = sets.filter((s) => s.mask !== undefined);
  return !masked.every((s) => before.rules.some((r) => r.chain === chain && isRuleFor(r.comment, s.name)));
}

/**
 * Deletes the jail's rules that live outside its own chain (the shared chain of the older layout),
 * and that shared chain once nothing is left in it.
 */
export function legacyCleanup(n: NftNames, summary: NftTableSummary): { lines: string[]; legacyChainGoes: boolean } {
  const names = jailSets(n.jail).map((s) => s.name);
  const own = chainName(n.jail);
  const stale = summary.rules.filter((r) => r.chain !== own && names.some((s) => isRuleFor(r.comment, s)));
  const lines = stale.map((r) => deleteRuleLine(n, r.chain, r.handle));
  const left = summary.rules.filter((r) => r.chain === LEGACY_CHAIN && !stale.includes(r));
  const legacyChainGoes = summary.chains.includes(LEGACY_CHAIN) && left.length === 0;
  if (legacyChainGoes) lines.push(`delete chain inet ${n.table} ${LEGACY_CHAIN}`);
  return { lines, legacyChainGoes };
}

export interface UpgradeInput {
  summary: NftTableSummary;
  /** Elements of every misfit set, by set name: the set is deleted and they are re-added. */
  moved: Map<string, NftElement[]>;
  /** Elements of the jail's prefix sets that stay, so moved prefixes do not overlap them. */
  presentNets: string[];
}

export interface UpgradePlan {
  lines: string[];
  /** Elements re-added. */
  moved: number;
  /** Moved prefixes left out because a wider prefix covers them. */
  covered: string[];
}

interface MovedElement {
  cidr: Cidr;
  timeoutS?: number;
}

function toMoved(e: NftElement): MovedElement | null {
  const cidr = parseCidr(e.text);
  if (!cidr) return null;
  // `expires` is what is left; an element added without a timeout keeps having none
  const left = e.expiresS ?? e.timeoutS;
  return left === undefined ? { cidr } : { cidr, timeoutS: Math.max(1, left) };
}

export function upgradeScript(n: NftNames, ports: number[] | 'all', input: UpgradeInput): UpgradePlan {
  const own = chainName(n.jail);
  const lines: string[] = [];
  // Rules referencing a set must go before the set can: the jail's own chain is refilled below.
  if (input.summary.chains.includes(own)) lines.push(`flush chain inet ${n.table} ${own}`);
  lines.push(...legacyCleanup(n, input.summary).lines);
  for (const name of input.moved.keys()) lines.push(`delete set inet ${n.table} ${name}`);
  lines.push(...setupScript(n, ports));

  const byText = new Map<string, MovedElement>();
  for (const list of input.moved.values()) {
    for (const e of list) {
      const m = toMoved(e);
      const seen = m && byText.get(m.cidr.text);
      if (m && (!seen || (seen.timeoutS !== undefined && (m.timeoutS === undefined || m.timeoutS > seen.timeoutS)))) {
        byText.set(m.cidr.text, m);
      }
    }
  }
  const all = [...byText.values()];
  const hosts = all.filter((e) => inHashSet(e.cidr));
  const { kept, covered } = dropCovered(all.filter((e) => !inHashSet(e.cidr)));
  const plan = planAgainstPresent(kept, input.presentNets);
  lines.push(...deleteElementLines(n, plan.remove), ...addElementLines(n, [...hosts, ...plan.add]));
  return {
    lines,
    moved: hosts.length + plan.add.length,
    covered: [...covered, ...plan.skipped.map((s) => s.element)].map((e) => e.cidr.text),
  };
}

/**
 * Moves the /24s and /64s found in the jail's interval sets into the masked hash sets, with their
 * remaining time, in one transaction: deleted there and added here, never a moment without them.
 */
export function maskedMoveScript(n: NftNames, intervalElements: NftElement[]): { lines: string[]; moved: number } {
  const moving = intervalElements.map(toMoved).filter((m): m is MovedElement => m !== null && m.cidr.prefix === MASKED_PREFIX[m.cidr.family]);
  const lines: string[] = [];
  for (const family of [4, 6] as const) {
    const texts = moving.filter((m) => m.cidr.family === family).map((m) => m.cidr.text);
    for (const chunk of chunked(texts)) lines.push(`delete element inet ${n.table} ${netSetName(n.jail, family)} { ${chunk.join(', ')} }`);
  }
  return { lines: [...lines, ...addElementLines(n, moving)], moved: moving.length };
}
