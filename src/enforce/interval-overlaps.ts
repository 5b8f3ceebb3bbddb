/**
 * An nftables interval set refuses an element that overlaps one it holds ("interval overlaps with
 * an existing one"). Given what the set holds, decide what a ban batch must do instead. Pure.
 * Only the prefix sets are interval sets, so this is about prefixes (a /23 over a present /25);
 * hosts live in their own hash sets and never overlap anything.
 *
 * - same element present: add again (the kernel updates its timeout);
 * - a wider element already covers it: skip it (reconcile re-adds it if the wider one expires
 *   first);
 * - it covers narrower elements: remove those in the same transaction, then add it.
 */
import { networkAddress, parseCidr, type Cidr } from '../core/ip';

export interface OverlapPlan<T extends { cidr: Cidr }> {
  add: T[];
  remove: Cidr[];
  skipped: { element: T; coveredBy: string }[];
}

export function planAgainstPresent<T extends { cidr: Cidr }>(elements: T[], presentTexts: Iterable<string>): OverlapPlan<T> {
  const present = new Map<string, Cidr>();
  const presentPrefixes = { 4: new Set<number>(), 6: new Set<number>() };
  for (const text of presentTexts) {
    const c = parseCidr(text);
    if (!c) continue;
    present.set(`${c.family}:${c.text}`, c);
    presentPrefixes[c.family].add(c.prefix);
  }

  const plan: OverlapPlan<T> = { add: [], remove: [], skipped: [] };
  const widening = new Map<string, T>(); // `${family}:${prefix}:${addr}` of new CIDRs
  for (const e of elements) {
    const { family, addr, prefix, text } = e.cidr;
    if (present.has(`${family}:${text}`)) {
      plan.add.push(e);
      continue;
    }
    let coveredBy: string | undefined;
    for (const p of presentPrefixes[family]) {
      if (p >= prefix) continue;
      const wider = present.get(`${family}:${networkAddress(addr, p)}/${p}`);
      if (wider) {
        coveredBy = wider.text;
        break;
      }
    }
    if (coveredBy) {
      plan.skipped.push({ element: e, coveredBy });
      continue;
    }
    plan.add.push(e);
    widening.set(`${family}:${prefix}:${addr}`, e);
  }

  if (widening.size > 0) {
    const newPrefixes = { 4: new Set<number>(), 6: new Set<number>() };
    for (const e of widening.values()) newPrefixes[e.cidr.family].add(e.cidr.prefix);
    for (const c of present.values()) {
      for (const q of newPrefixes[c.family]) {
        if (q < c.prefix && widening.has(`${c.family}:${q}:${networkAddress(c.addr, q)}`)) {
          plan.remove.push(c);
          break;
        }
      }
    }
  }
  return plan;
}
