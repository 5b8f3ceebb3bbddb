/**
 * nftables: our own `table inet mailjail`, per jail two interval+timeout sets and one drop rule
 * per set, in a chain hooked before the usual filter priority. Every element carries its remaining
 * ban time as a kernel timeout, so bans expire even when mailjail is not running.
 */
import type { Family } from '../core/ip';
import type { Ban } from '../core/types';
import {
  assertJailName,
  DEFAULT_COMMAND_TIMEOUT_MS,
  DEFAULT_TABLE,
  type ActionOptions,
  type FirewallAction,
} from './action';
import { dropCovered, toBanElements, toUnbanElements } from './ban-elements';
import { planAgainstPresent } from './interval-overlaps';
import { parseSetElements, parseTableSummary, type NftElement, type NftTableSummary } from './nft-json';
import {
  addElementLines,
  addRuleLine,
  deleteElementLines,
  deleteRuleLine,
  isRuleFor,
  NFT_MAX_TIMEOUT_S,
  normalisePorts,
  ruleComment,
  setName,
  setupScript,
  unbanScript,
  type NftNames,
} from './nft-script';
import { assertOk, runCommand, type CommandResult } from './run-command';

const OVERLAP = /interval overlaps|conflicting intervals/i;
const MISSING = /No such file or directory/;
const ABSENT = /element does not exist/i;

export class NftablesAction implements FirewallAction {
  readonly name = 'nftables';
  private readonly names: NftNames;
  private readonly ports: number[] | 'all';

  constructor(private readonly options: ActionOptions) {
    assertJailName(options.jail);
    this.names = { table: options.table ?? DEFAULT_TABLE, jail: options.jail };
    assertJailName(this.names.table);
    this.ports = normalisePorts(options.ports);
  }

  private nft(args: string[], input?: string): Promise<CommandResult> {
    const argv = [...(this.options.wrap ?? []), 'nft', ...args];
    return runCommand(argv, { input, timeoutMs: this.options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS });
  }

  /** One `nft -f -` transaction: all lines apply, or none. */
  private async apply(lines: string[], what: string): Promise<CommandResult> {
    return assertOk(await this.nft(['-f', '-'], lines.join('\n') + '\n'), what);
  }

  /** The table's sets, chains and rules; empty when the table does not exist yet. */
  private async summary(): Promise<NftTableSummary> {
    const r = await this.nft(['-t', '-j', 'list', 'table', 'inet', this.names.table]);
    if (r.code !== 0 && MISSING.test(r.stderr)) return { sets: [], chains: [], rules: [] };
    return parseTableSummary(assertOk(r, `nft list table ${this.names.table}`).stdout);
  }

  async setup(): Promise<void> {
    const { rules } = await this.summary();
    const lines = [setupScript(this.names)];
    for (const family of [4, 6] as const) {
      const want = ruleComment(this.names.jail, family, this.ports);
      const mine = rules.filter((r) => r.chain === 'input' && isRuleFor(r.comment, this.names.jail, family));
      const current = mine.find((r) => r.comment === want);
      // A rule for an older port list (or a duplicate) goes, in the same transaction.
      for (const stale of mine) if (stale !== current) lines.push(deleteRuleLine(this.names, stale.handle));
      if (!current) lines.push(addRuleLine(this.names, family, this.ports));
    }
    await this.apply(lines, `nft setup of jail ${this.names.jail}`);
  }

  async ban(bans: Ban[], now: number): Promise<void> {
    const elements = toBanElements(bans, now, NFT_MAX_TIMEOUT_S);
    if (elements.length === 0) return;
    const { kept, covered } = dropCovered(elements);
    for (const e of covered) this.log('info', 'ban covered by a wider ban in the same batch', { ip: e.cidr.text });

    const first = await this.nft(['-f', '-'], addElementLines(this.names, kept).join('\n') + '\n');
    if (first.code === 0) return;
    if (!OVERLAP.test(first.stderr)) assertOk(first, `nft ban of ${kept.length} element(s) in jail ${this.names.jail}`);

    // Slow path, only when the batch overlaps what the sets hold: read them and resolve.
    const present = (await this.elements()).map((e) => e.text);
    const plan = planAgainstPresent(kept, present);
    for (const s of plan.skipped) {
      this.log('info', 'ban already covered by a wider element in the kernel', { ip: s.element.cidr.text, coveredBy: s.coveredBy });
    }
    if (plan.add.length === 0) return;
    const what = `nft ban of ${plan.add.length} element(s) in jail ${this.names.jail}`;
    const adds = addElementLines(this.names, plan.add);
    if (plan.remove.length === 0) {
      await this.apply(adds, what);
      return;
    }
    // Plain deletes, then the wider element, in one transaction: no moment without the ban.
    // (nft 1.0.6 still sees an overlap when the deletes use the add-then-delete form.)
    const atomic = await this.nft(['-f', '-'], [...deleteElementLines(this.names, plan.remove), ...adds].join('\n') + '\n');
    if (atomic.code === 0) return;
    if (!ABSENT.test(atomic.stderr)) assertOk(atomic, what);
    // One of them expired since the listing: remove the rest tolerantly, then add.
    await this.apply([unbanScript(this.names, plan.remove)], what);
    await this.apply(adds, what);
  }

  async unban(ips: string[]): Promise<void> {
    const cidrs = toUnbanElements(ips);
    if (cidrs.length === 0) return;
    const what = `nft unban of ${cidrs.length} element(s) in jail ${this.names.jail}`;
    const first = await this.nft(['-f', '-'], unbanScript(this.names, cidrs) + '\n');
    if (first.code === 0) return;
    if (!OVERLAP.test(first.stderr)) assertOk(first, what);
    // Some address lies inside (or around) a different element: remove only exact matches.
    const present = new Set((await this.elements()).map((e) => e.text));
    const there = cidrs.filter((c) => present.has(c.text));
    if (there.length > 0) await this.apply([unbanScript(this.names, there)], what);
  }

  /** Every element of both sets, with timeouts (tests and `mailjail status` read these). */
  async elements(): Promise<NftElement[]> {
    const out: NftElement[] = [];
    for (const family of [4, 6] as const) out.push(...(await this.setElements(family)));
    return out;
  }

  private async setElements(family: Family): Promise<NftElement[]> {
    const set = setName(this.names.jail, family);
    const r = await this.nft(['-j', 'list', 'set', 'inet', this.names.table, set]);
    return parseSetElements(assertOk(r, `nft list set ${this.names.table} ${set}`).stdout);
  }

  async listed(): Promise<Set<string>> {
    return new Set((await this.elements()).map((e) => e.text));
  }

  async teardown(): Promise<void> {
    const summary = await this.summary();
    if (summary.chains.length === 0 && summary.sets.length === 0) return;
    const lines: string[] = [];
    const mine = summary.rules.filter((r) => isRuleFor(r.comment, this.names.jail, 4) || isRuleFor(r.comment, this.names.jail, 6));
    for (const r of mine) lines.push(deleteRuleLine(this.names, r.handle));
    const ourSets = [setName(this.names.jail, 4), setName(this.names.jail, 6)];
    for (const s of summary.sets) if (ourSets.includes(s)) lines.push(`delete set inet ${this.names.table} ${s}`);
    // The table goes too once nothing of another jail (or of an admin) is left in it.
    const othersLeft =
      summary.sets.some((s) => !ourSets.includes(s)) ||
      summary.rules.length > mine.length ||
      summary.chains.some((c) => c !== 'input');
    if (!othersLeft) lines.push(`delete table inet ${this.names.table}`);
    if (lines.length > 0) await this.apply(lines, `nft teardown of jail ${this.names.jail}`);
  }

  private log(level: 'info' | 'warn' | 'error', msg: string, ctx: object): void {
    this.options.log?.(level, msg, { jail: this.names.jail, action: this.name, ...ctx });
  }
}
