/**
 * ipset + iptables/ip6tables: per jail one hash:net set per family with per-element timeouts, and
 * one DROP rule per set (per 15 ports) at the top of INPUT. Batches go through one
 * `ipset -exist restore`.
 */
import type { Family } from '../core/ip';
import type { Ban } from '../core/types';
import {
  assertJailName,
  assertTableName,
  DEFAULT_COMMAND_TIMEOUT_MS,
  DEFAULT_MAX_ELEM,
  DEFAULT_TABLE,
  type ActionOptions,
  type FirewallAction,
} from './action';
import { toBanElements, toUnbanElements } from './ban-elements';
import {
  addLines,
  createSetLine,
  delLines,
  IPSET_MAX_TIMEOUT_S,
  ipsetName,
  parseIpsetSave,
  parseSavedRules,
  portGroups,
  ruleArgs,
  type IpsetMember,
  type SavedRule,
} from './ipset-script';
import { normalisePorts } from './nft-script';
import { assertOk, runCommand, type CommandResult } from '../process/run-command';

const NO_SUCH_SET = /does not exist/i;

export class IptablesAction implements FirewallAction {
  readonly name = 'iptables';
  private readonly sets: Record<Family, string>;
  private readonly groups: string[];

  constructor(private readonly options: ActionOptions) {
    assertJailName(options.jail);
    const table = options.table ?? DEFAULT_TABLE;
    assertTableName(table);
    this.sets = { 4: ipsetName(table, options.jail, 4), 6: ipsetName(table, options.jail, 6) };
    this.groups = portGroups(normalisePorts(options.ports));
  }

  private run(argv: string[], input?: string): Promise<CommandResult> {
    const timeoutMs = this.options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    return runCommand([...(this.options.wrap ?? []), ...argv], { input, timeoutMs });
  }

  private restore(lines: string[], what: string): Promise<CommandResult> {
    return this.run(['ipset', '-exist', 'restore'], lines.join('\n') + '\n').then((r) => assertOk(r, what));
  }

  private static tool(family: Family): string {
    return family === 4 ? 'iptables' : 'ip6tables';
  }

  async setup(): Promise<void> {
    const maxElem = this.options.maxElem ?? DEFAULT_MAX_ELEM;
    await this.restore(
      ([4, 6] as const).map((f) => createSetLine(this.sets[f], f, maxElem)),
      `ipset create for jail ${this.options.jail}`,
    );
    for (const family of [4, 6] as const) {
      const tool = IptablesAction.tool(family);
      const saved = await this.savedRules(family);
      // A rule for a port list no longer configured goes; a current one stays as it is.
      for (const stale of saved.filter((r) => !this.groups.includes(r.portGroup))) {
        assertOk(await this.run([tool, '-w', '-D', 'INPUT', ...stale.args]), `${tool} -D for jail ${this.options.jail}`);
      }
      for (const group of this.groups) {
        const args = ruleArgs(this.sets[family], group);
        const check = await this.run([tool, '-w', '-C', 'INPUT', ...args]);
        if (check.code === 0) continue;
        assertOk(await this.run([tool, '-w', '-I', 'INPUT', ...args]), `${tool} -I for jail ${this.options.jail}`);
      }
    }
  }

  private async savedRules(family: Family): Promise<SavedRule[]> {
    const tool = IptablesAction.tool(family);
    const r = assertOk(await this.run([tool, '-w', '-S', 'INPUT']), `${tool} -S INPUT`);
    return parseSavedRules(r.stdout, this.sets[family]);
  }

  async ban(bans: Ban[], now: number): Promise<void> {
    const elements = toBanElements(bans, now, IPSET_MAX_TIMEOUT_S);
    if (elements.length === 0) return;
    await this.restore(addLines(this.sets, elements), `ipset ban of ${elements.length} element(s) in jail ${this.options.jail}`);
  }

  async unban(ips: string[]): Promise<void> {
    const cidrs = toUnbanElements(ips);
    if (cidrs.length === 0) return;
    await this.restore(delLines(this.sets, cidrs), `ipset unban of ${cidrs.length} element(s) in jail ${this.options.jail}`);
  }

  /** Every member of both sets, with seconds left. */
  async elements(): Promise<IpsetMember[]> {
    const out: IpsetMember[] = [];
    for (const family of [4, 6] as const) {
      const r = assertOk(await this.run(['ipset', 'save', this.sets[family]]), `ipset save ${this.sets[family]}`);
      out.push(...parseIpsetSave(r.stdout, this.sets[family]));
    }
    return out;
  }

  async listed(): Promise<Set<string>> {
    return new Set((await this.elements()).map((m) => m.text));
  }

  async teardown(): Promise<void> {
    for (const family of [4, 6] as const) {
      const tool = IptablesAction.tool(family);
      for (const rule of await this.savedRules(family)) {
        assertOk(await this.run([tool, '-w', '-D', 'INPUT', ...rule.args]), `${tool} -D for jail ${this.options.jail}`);
      }
      const r = await this.run(['ipset', 'destroy', this.sets[family]]);
      if (r.code !== 0 && !NO_SUCH_SET.test(r.stderr)) assertOk(r, `ipset destroy ${this.sets[family]}`);
    }
  }
}
