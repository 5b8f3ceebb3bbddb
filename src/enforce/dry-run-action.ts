/**
 * Changes nothing: logs what it would do and remembers it, so listed() and reconcile behave as
 * with a real firewall. Used by `--dry-run` and to try a new jail on a live server.
 */
import type { Ban } from '../core/types';
import { assertJailName, type ActionOptions, type FirewallAction } from './action';
import { toBanElements, toUnbanElements } from './ban-elements';

/** How many addresses one log line names before it just counts. */
const LOG_SAMPLE = 20;

export class DryRunAction implements FirewallAction {
  readonly name = 'dry-run';
  /** Canonical element -> kernel timeout it would have been given, in seconds. */
  private readonly held = new Map<string, number>();

  constructor(private readonly options: ActionOptions) {
    assertJailName(options.jail);
  }

  private log(msg: string, ctx: object): void {
    this.options.log?.('info', msg, { jail: this.options.jail, action: this.name, ...ctx });
  }

  async setup(): Promise<void> {
    this.log('dry-run: would create the firewall sets and rules', { ports: this.options.ports });
  }

  async ban(bans: Ban[], now: number): Promise<void> {
    // No kernel limit to respect; the cap only keeps the number finite.
    const elements = toBanElements(bans, now, Number.MAX_SAFE_INTEGER);
    if (elements.length === 0) return;
    for (const e of elements) this.held.set(e.cidr.text, e.timeoutS);
    const sample = elements.slice(0, LOG_SAMPLE).map((e) => ({ ip: e.cidr.text, timeoutS: e.timeoutS, reason: e.reason }));
    this.log('dry-run: would ban', { count: elements.length, bans: sample });
  }

  async unban(ips: string[]): Promise<void> {
    const cidrs = toUnbanElements(ips);
    if (cidrs.length === 0) return;
    for (const c of cidrs) this.held.delete(c.text);
    this.log('dry-run: would unban', { count: cidrs.length, ips: cidrs.slice(0, LOG_SAMPLE).map((c) => c.text) });
  }

  /** What it would hold; without a kernel nothing expires here, reconcile unbans what the store ended. */
  async listed(): Promise<Set<string>> {
    return new Set(this.held.keys());
  }

  async teardown(): Promise<void> {
    this.held.clear();
    this.log('dry-run: would remove the firewall sets and rules', {});
  }
}
