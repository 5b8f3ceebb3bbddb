/**
 * The nft process for one jail's table: scripts (`nft -f -`, one transaction each), the terse
 * table summary, and one set's elements. Behind the `wrap` prefix when there is one (tests run it
 * in a network namespace). No policy here: the action and the layout upgrade decide what to send.
 */
import { parseSetElements, parseTableSummary, type NftElement, type NftTableSummary } from './nft-json';
import type { JailSet, NftNames } from './nft-script';
import { assertOk, runCommand, type CommandResult } from '../process/run-command';
import { sharedBatcher } from './script-batcher';
import { sharedRead } from './shared-read';

const MISSING = /No such file or directory/;

export class NftClient {
  private readonly argv: string[];

  constructor(
    readonly names: NftNames,
    wrap: string[] | undefined,
    private readonly timeoutMs: number,
  ) {
    this.argv = [...(wrap ?? []), 'nft'];
  }

  run(args: string[], input?: string): Promise<CommandResult> {
    return runCommand([...this.argv, ...args], { input, timeoutMs: this.timeoutMs });
  }

  script(lines: string[]): Promise<CommandResult> {
    return this.run(['-f', '-'], lines.join('\n') + '\n');
  }

  /** One `nft -f -` transaction: all lines apply, or none; throws FIREWALL on failure. */
  async apply(lines: string[], what: string): Promise<CommandResult> {
    return assertOk(await this.script(lines), what);
  }

  /** Scripts submitted in the same turn (every jail's setup at start) share one transaction. */
  batched(lines: string[]): Promise<CommandResult> {
    return sharedBatcher(JSON.stringify([this.argv, this.timeoutMs]), (l) => this.script(l)).submit(lines);
  }

  /** The table's sets, chains and rules; empty when the table does not exist yet. */
  async summary(): Promise<NftTableSummary> {
    const r = await this.run(['-t', '-j', 'list', 'table', 'inet', this.names.table]);
    if (r.code !== 0 && MISSING.test(r.stderr)) return { sets: [], chains: [], rules: [] };
    return parseTableSummary(assertOk(r, `nft list table ${this.names.table}`).stdout);
  }

  /** The summary, one nft process for all the asks of one turn (every jail's first setup at start). */
  sharedSummary(): Promise<NftTableSummary> {
    return sharedRead(JSON.stringify([this.argv, this.names.table]), () => this.summary());
  }

  /** One set's elements, as CIDR texts also for a masked set (which holds bare network addresses). */
  async setElements(set: JailSet | string): Promise<NftElement[]> {
    const name = typeof set === 'string' ? set : set.name;
    const r = await this.run(['-j', 'list', 'set', 'inet', this.names.table, name]);
    return parseSetElements(assertOk(r, `nft list set ${this.names.table} ${name}`).stdout, typeof set === 'string' ? undefined : set.mask);
  }

  /** Elements of several sets, one listing each. */
  async elementsOf(sets: JailSet[]): Promise<NftElement[]> {
    const out: NftElement[] = [];
    for (const s of sets) out.push(...(await this.setElements(s)));
    return out;
  }
}
