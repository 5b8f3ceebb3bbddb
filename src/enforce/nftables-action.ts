/**
 * nftables: our own `table inet mailjail`; per jail one input chain (hooked before the usual
 * filter priority), two timeout sets for single hosts (`<jail>_v4`, `<jail>_v6`), two
 * interval+timeout sets for prefixes (`<jail>_v4_net`, `<jail>_v6_net`) and one drop rule per set.
 * Every element carries its remaining ban time as a kernel timeout, so bans expire even when
 * mailjail is not running.
 *
 * Hosts are kept out of interval sets because nft 1.0.6 reads every element of every interval set
 * before each element change: with 100,000 hosts in an interval set, banning 10 took ~3 s.
 */
import type { Ban } from '../core/types';
import {
  assertJailName,
  assertTableName,
  DEFAULT_COMMAND_TIMEOUT_MS,
  DEFAULT_TABLE,
  type ActionOptions,
  type FirewallAction,
} from './action';
import { dropCovered, isHost, toBanElements, toUnbanElements } from './ban-elements';
import { planAgainstPresent } from './interval-overlaps';
import { parseSetElements, parseTableSummary, type NftElement, type NftTableSummary } from './nft-json';
import {
  addElementLines,
  chainName,
  deleteElementLines,
  jailSets,
  LEGACY_CHAIN,
  NFT_MAX_TIMEOUT_S,
  normalisePorts,
  setupScript,
  unbanLines,
  type JailSet,
  type NftNames,
} from './nft-script';
import { legacyCleanup, misfitSets, upgradeScript } from './nft-upgrade';
import { assertOk, runCommand, type CommandResult } from '../process/run-command';
import { sharedBatcher } from './script-batcher';

const OVERLAP = /interval overlaps|conflicting intervals/i;
const MISSING = /No such file or directory/;
const ABSENT = /element does not exist/i;
const EXISTS = /File exists/;

export class NftablesAction implements FirewallAction {
  readonly name = 'nftables';
  private readonly names: NftNames;
  private readonly ports: number[] | 'all';
  /** `nft`, behind the wrap prefix when there is one. */
  private readonly nftArgv: string[];
  private readonly timeoutMs: number;

  constructor(private readonly options: ActionOptions) {
    assertJailName(options.jail);
    this.names = { table: options.table ?? DEFAULT_TABLE, jail: options.jail };
    assertTableName(this.names.table);
    this.ports = normalisePorts(options.ports);
    this.nftArgv = [...(options.wrap ?? []), 'nft'];
    this.timeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  }

  private nft(args: string[], input?: string): Promise<CommandResult> {
    return runCommand([...this.nftArgv, ...args], { input, timeoutMs: this.timeoutMs });
  }

  private script(lines: string[]): Promise<CommandResult> {
    return this.nft(['-f', '-'], lines.join('\n') + '\n');
  }

  /** Jails set up in the same turn (the daemon's start) share one nft transaction. */
  private setupBatcher() {
    return sharedBatcher(JSON.stringify([this.nftArgv, this.timeoutMs]), (lines) => this.script(lines));
  }

  /** One `nft -f -` transaction: all lines apply, or none. */
  private async apply(lines: string[], what: string): Promise<CommandResult> {
    return assertOk(await this.script(lines), what);
  }

  /** The table's sets, chains and rules; empty when the table does not exist yet. */
  private async summary(): Promise<NftTableSummary> {
    const r = await this.nft(['-t', '-j', 'list', 'table', 'inet', this.names.table]);
    if (r.code !== 0 && MISSING.test(r.stderr)) return { sets: [], chains: [], rules: [] };
    return parseTableSummary(assertOk(r, `nft list table ${this.names.table}`).stdout);
  }

  /**
   * Reads nothing on the usual path (reconcile calls this often, and any listing of the table
   * makes nft fetch every element). Only when a set of the jail exists with other flags - an older
   * layout - does it read the table and upgrade.
   */
  async setup(): Promise<void> {
    const what = `nft setup of jail ${this.names.jail}`;
    const first = await this.setupBatcher().submit(setupScript(this.names, this.ports));
    if (first.code === 0) return;
    if (!EXISTS.test(first.stderr)) assertOk(first, what);
    const upgraded = await this.upgrade();
    // "File exists" for another reason than a misfit set (a chain of ours with another hook?)
    if (upgraded === null) assertOk(first, what);
    else if (upgraded.code !== 0) {
      // A present prefix may have expired between reading and applying: read again, once.
      if (!ABSENT.test(upgraded.stderr)) assertOk(upgraded, `${what} (upgrading its sets)`);
      const again = await this.upgrade();
      if (again) assertOk(again, `${what} (upgrading its sets)`);
    }
  }

  /** Recreates misfit sets with their elements; null when there is none. */
  private async upgrade(): Promise<CommandResult | null> {
    const summary = await this.summary();
    const misfits = misfitSets(this.names, summary);
    if (misfits.length === 0) return null;
    const moved = new Map<string, NftElement[]>();
    for (const set of misfits) moved.set(set, await this.setElements(set));
    const presentNets: string[] = [];
    for (const s of jailSets(this.names.jail)) {
      if (s.interval && !misfits.includes(s.name) && summary.sets.some((x) => x.name === s.name)) {
        presentNets.push(...(await this.setElements(s.name)).map((e) => e.text));
      }
    }
    const plan = upgradeScript(this.names, this.ports, { summary, moved, presentNets });
    this.log('warn', 'recreating sets whose flags differ from the current layout, keeping their elements', {
      sets: misfits,
      moved: plan.moved,
    });
    for (const ip of plan.covered) this.log('info', 'moved ban covered by a wider ban; dropped', { ip });
    return this.script(plan.lines);
  }

  async ban(bans: Ban[], now: number): Promise<void> {
    const elements = toBanElements(bans, now, NFT_MAX_TIMEOUT_S);
    if (elements.length === 0) return;
    // Hosts go in their hash sets whatever prefix covers them; only prefixes can overlap.
    const hosts = elements.filter((e) => isHost(e.cidr));
    const { kept, covered } = dropCovered(elements.filter((e) => !isHost(e.cidr)));
    for (const e of covered) this.log('info', 'ban covered by a wider ban in the same batch', { ip: e.cidr.text });

    const what = `nft ban of ${hosts.length + kept.length} element(s) in jail ${this.names.jail}`;
    const first = await this.script(addElementLines(this.names, [...hosts, ...kept]));
    if (first.code === 0) return;
    if (!OVERLAP.test(first.stderr)) assertOk(first, what);

    // Slow path, only when the batch's prefixes overlap those in the prefix sets: read those
    // (small: hosts are never there) and resolve.
    const plan = planAgainstPresent(kept, (await this.netElements()).map((e) => e.text));
    for (const s of plan.skipped) {
      this.log('info', 'ban already covered by a wider element in the kernel', { ip: s.element.cidr.text, coveredBy: s.coveredBy });
    }
    const adds = addElementLines(this.names, [...hosts, ...plan.add]);
    if (adds.length === 0) return;
    if (plan.remove.length === 0) {
      await this.apply(adds, what);
      return;
    }
    // Plain deletes, then the wider element, in one transaction: no moment without the ban.
    // (nft 1.0.6 still sees an overlap when the deletes use the add-then-delete form.)
    const atomic = await this.script([...deleteElementLines(this.names, plan.remove), ...adds]);
    if (atomic.code === 0) return;
    if (!ABSENT.test(atomic.stderr)) assertOk(atomic, what);
    // One of them expired since the listing: remove the rest tolerantly, then add.
    await this.apply(unbanLines(this.names, plan.remove), what);
    await this.apply(adds, what);
  }

  async unban(ips: string[]): Promise<void> {
    const cidrs = toUnbanElements(ips);
    if (cidrs.length === 0) return;
    const what = `nft unban of ${cidrs.length} element(s) in jail ${this.names.jail}`;
    const first = await this.script(unbanLines(this.names, cidrs));
    if (first.code === 0) return;
    if (!OVERLAP.test(first.stderr)) assertOk(first, what);
    // A prefix lies inside (or around) a different one: remove only prefixes present as such.
    const present = new Set((await this.netElements()).map((e) => e.text));
    const there = cidrs.filter((c) => isHost(c) || present.has(c.text));
    if (there.length > 0) await this.apply(unbanLines(this.names, there), what);
  }

  /** Every element of the jail's four sets, with timeouts (tests and `mailjail status` read these). */
  elements(): Promise<NftElement[]> {
    return this.elementsOf(jailSets(this.names.jail));
  }

  /** Elements of the two prefix sets only. */
  private netElements(): Promise<NftElement[]> {
    return this.elementsOf(jailSets(this.names.jail).filter((s) => s.interval));
  }

  private async elementsOf(sets: JailSet[]): Promise<NftElement[]> {
    const out: NftElement[] = [];
    for (const s of sets) out.push(...(await this.setElements(s.name)));
    return out;
  }

  private async setElements(set: string): Promise<NftElement[]> {
    const r = await this.nft(['-j', 'list', 'set', 'inet', this.names.table, set]);
    return parseSetElements(assertOk(r, `nft list set ${this.names.table} ${set}`).stdout);
  }

  async listed(): Promise<Set<string>> {
    return new Set((await this.elements()).map((e) => e.text));
  }

  async teardown(): Promise<void> {
    const summary = await this.summary();
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
    if (lines.length > 0) await this.apply(lines, `nft teardown of jail ${this.names.jail}`);
  }

  private log(level: 'info' | 'warn' | 'error', msg: string, ctx: object): void {
    this.options.log?.(level, msg, { jail: this.names.jail, action: this.name, ...ctx });
  }
}
