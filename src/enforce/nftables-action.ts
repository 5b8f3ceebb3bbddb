/**
 * nftables: our own `table inet mailjail`; per jail one input chain (hooked before the usual
 * filter priority), two timeout sets for single hosts (`<jail>_v4`, `<jail>_v6`), two masked
 * timeout sets for /24s and /64s (`<jail>_v4_24`, `<jail>_v6_64`), two interval+timeout sets for
 * other prefixes (`<jail>_v4_net`, `<jail>_v6_net`) and one drop rule per set. Every element
 * carries its remaining ban time as a kernel timeout, so bans expire even when mailjail is not
 * running.
 *
 * Only the interval sets can overlap, and nft 1.0.6 reads every element of every interval set
 * before each element change: hosts, /24s and /64s stay out of them (with 100,000 /64s in an
 * interval set, one new ban took 1.7 s).
 */
import type { Ban } from '../core/types';
import { assertJailName, assertTableName, DEFAULT_COMMAND_TIMEOUT_MS, DEFAULT_TABLE, type ActionLog, type ActionOptions, type FirewallAction } from './action';
import { dropCovered, toBanElements, toUnbanElements } from './ban-elements';
import { planAgainstPresent } from './interval-overlaps';
import { NftClient } from './nft-client';
import type { NftElement, NftTableSummary } from './nft-json';
import {
  addElementLines,
  chainName,
  deleteElementLines,
  inHashSet,
  jailSets,
  LEGACY_CHAIN,
  NFT_MAX_TIMEOUT_S,
  normalisePorts,
  setupScript,
  unbanLines,
  type NftNames,
} from './nft-script';
import { legacyCleanup, mayHoldMaskedPrefixes, presentJailSets } from './nft-upgrade';
import { ABSENT, moveMaskedPrefixes, upgradeMisfits } from './nft-upgrader';
import { assertOk } from '../process/run-command';

const OVERLAP = /interval overlaps|conflicting intervals/i;
const EXISTS = /File exists/;

export class NftablesAction implements FirewallAction {
  readonly name = 'nftables';
  private readonly names: NftNames;
  private readonly ports: number[] | 'all';
  private readonly nft: NftClient;
  private readonly log: ActionLog;
  /** Whether setup has looked for /24s and /64s an older layout left in the interval sets. */
  private layoutChecked = false;
  /** The table before this instance's first setup (read once, shared with the jails set up beside it). */
  private before: NftTableSummary | null = null;

  constructor(options: ActionOptions) {
    assertJailName(options.jail);
    this.names = { table: options.table ?? DEFAULT_TABLE, jail: options.jail };
    assertTableName(this.names.table);
    this.ports = normalisePorts(options.ports);
    this.nft = new NftClient(this.names, options.wrap, options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS);
    this.log = (level, msg, ctx) => options.log?.(level, msg, { jail: this.names.jail, action: this.name, ...ctx });
  }

  /**
   * Reads nothing on the usual path (reconcile calls this often, and any listing of the table
   * makes nft fetch every element). Only when a set of the jail exists with other flags - an older
   * layout - does it read the table and upgrade. The first setup of each instance reads the
   * table's summary (no elements) once, and the (small) interval sets only when an older layout
   * may have left /24s and /64s there to move.
   */
  async setup(): Promise<void> {
    const what = `nft setup of jail ${this.names.jail}`;
    this.before ??= await this.nft.sharedSummary();
    const first = await this.nft.batched(setupScript(this.names, this.ports));
    if (first.code !== 0) {
      if (!EXISTS.test(first.stderr)) assertOk(first, what);
      const upgraded = await upgradeMisfits(this.nft, this.ports, this.log);
      // "File exists" for another reason than a misfit set (a chain of ours with another hook?)
      if (upgraded === null) assertOk(first, what);
      else if (upgraded.code !== 0) {
        // A present prefix may have expired between reading and applying: read again, once.
        if (!ABSENT.test(upgraded.stderr)) assertOk(upgraded, `${what} (upgrading its sets)`);
        const again = await upgradeMisfits(this.nft, this.ports, this.log);
        if (again) assertOk(again, `${what} (upgrading its sets)`);
      }
    }
    if (this.layoutChecked) return;
    if (mayHoldMaskedPrefixes(this.names, this.before)) await moveMaskedPrefixes(this.nft, this.log);
    this.layoutChecked = true;
  }

  heldBeforeSetup(): boolean | undefined {
    return this.before ? presentJailSets(this.names.jail, this.before).length > 0 : undefined;
  }

  async ban(bans: Ban[], now: number): Promise<void> {
    const elements = toBanElements(bans, now, NFT_MAX_TIMEOUT_S);
    if (elements.length === 0) return;
    // Hosts, /24s and /64s go in hash sets whatever covers them; only interval elements overlap.
    const hosts = elements.filter((e) => inHashSet(e.cidr));
    const { kept, covered } = dropCovered(elements.filter((e) => !inHashSet(e.cidr)));
    for (const e of covered) this.log('info', 'ban covered by a wider ban in the same batch', { ip: e.cidr.text });

    const what = `nft ban of ${hosts.length + kept.length} element(s) in jail ${this.names.jail}`;
    const first = await this.nft.script(addElementLines(this.names, [...hosts, ...kept]));
    if (first.code === 0) return;
    if (!OVERLAP.test(first.stderr)) assertOk(first, what);

    // Slow path, only when the batch's prefixes overlap those in the interval sets: read those
    // (small: hosts, /24s and /64s are never there) and resolve.
    const plan = planAgainstPresent(kept, (await this.netElements()).map((e) => e.text));
    for (const s of plan.skipped) {
      this.log('info', 'ban already covered by a wider element in the kernel', { ip: s.element.cidr.text, coveredBy: s.coveredBy });
    }
    const adds = addElementLines(this.names, [...hosts, ...plan.add]);
    if (adds.length === 0) return;
    if (plan.remove.length === 0) {
      await this.nft.apply(adds, what);
      return;
    }
    // Plain deletes, then the wider element, in one transaction: no moment without the ban.
    // (nft 1.0.6 still sees an overlap when the deletes use the add-then-delete form.)
    const atomic = await this.nft.script([...deleteElementLines(this.names, plan.remove), ...adds]);
    if (atomic.code === 0) return;
    if (!ABSENT.test(atomic.stderr)) assertOk(atomic, what);
    // One of them expired since the listing: remove the rest tolerantly, then add.
    await this.nft.apply(unbanLines(this.names, plan.remove), what);
    await this.nft.apply(adds, what);
  }

  async unban(ips: string[]): Promise<void> {
    const cidrs = toUnbanElements(ips);
    if (cidrs.length === 0) return;
    const what = `nft unban of ${cidrs.length} element(s) in jail ${this.names.jail}`;
    const first = await this.nft.script(unbanLines(this.names, cidrs));
    if (first.code === 0) return;
    if (!OVERLAP.test(first.stderr)) assertOk(first, what);
    // A prefix lies inside (or around) a different one: remove only prefixes present as such.
    const present = new Set((await this.netElements()).map((e) => e.text));
    const there = cidrs.filter((c) => inHashSet(c) || present.has(c.text));
    if (there.length > 0) await this.nft.apply(unbanLines(this.names, there), what);
  }

  /** Every element of the jail's six sets, with timeouts (tests and `mailjail status` read these). */
  elements(): Promise<NftElement[]> {
    return this.nft.elementsOf(jailSets(this.names.jail));
  }

  /** Elements of the two interval sets only. */
  private netElements(): Promise<NftElement[]> {
    return this.nft.elementsOf(jailSets(this.names.jail).filter((s) => s.interval));
  }

  async listed(): Promise<Set<string>> {
    return new Set((await this.elements()).map((e) => e.text));
  }

  async teardown(): Promise<void> {
    const summary = await this.nft.summary();
    if (summary.chains.length === 0 && summary.sets.length === 0) return;
    const own = chainName(this.names.jail);
    const ours = jailSets(this.names.jail).map((s) => s.name);
    const lines: string[] = [];
    if (summary.chains.includes(own)) lines.push(`flush chain inet ${this.names.table} ${own}`, `delete chain inet ${this.names.table} ${own}`);
    const { lines: legacy, legacyChainGoes } = legacyCleanup(this.names, summary);
    lines.push(...legacy);
    for (const s of summary.sets) if (ours.includes(s.name)) lines.push(`delete set inet ${this.names.table} ${s.name}`);
    // The table goes too once nothing of another jail (or of an admin) is left in it.
    const othersLeft =
      summary.sets.some((s) => !ours.includes(s.name)) ||
      summary.chains.some((c) => c !== own && !(c === LEGACY_CHAIN && legacyChainGoes));
    if (!othersLeft) lines.push(`delete table inet ${this.names.table}`);
    if (lines.length > 0) await this.nft.apply(lines, `nft teardown of jail ${this.names.jail}`);
  }
}
