/**
 * A user-defined action: argv templates run once per ban/unban, no shell. For firewalls mailjail
 * has no native action for (a cloud security group, a router API). Slow by nature: one process
 * per address, so it suits small jails.
 */
import { MailjailError } from '../core/errors';
import type { Ban } from '../core/types';
import {
  assertJailName,
  DEFAULT_COMMAND_TIMEOUT_MS,
  type ActionOptions,
  type CommandActionSpec,
  type FirewallAction,
} from './action';
import { toBanElements, toUnbanElements } from './ban-elements';
import { assertOk, runCommand } from '../process/run-command';

export type Placeholder = 'ip' | 'jail' | 'timeout' | 'reason';
const PLACEHOLDER = /<([a-z]+)>/g;
const KNOWN = new Set<string>(['ip', 'jail', 'timeout', 'reason']);

/** Placeholders a template uses that mailjail does not fill (config reports them). */
export function findUnknownPlaceholders(template: string[]): string[] {
  const unknown = new Set<string>();
  for (const arg of template) for (const m of arg.matchAll(PLACEHOLDER)) if (!KNOWN.has(m[1])) unknown.add(m[0]);
  return [...unknown];
}

/** Substitutes every known placeholder in every argument; each argument stays one argv entry. */
export function fillTemplate(template: string[], values: Record<Placeholder, string>): string[] {
  return template.map((arg) => arg.replace(PLACEHOLDER, (whole, key: string) => (KNOWN.has(key) ? values[key as Placeholder] : whole)));
}

/** No kernel timeout to respect; a finite cap keeps `<timeout>` a plain integer. */
const MAX_TIMEOUT_S = 2 ** 31 - 1;

export class CommandAction implements FirewallAction {
  readonly name: string;

  constructor(private readonly spec: CommandActionSpec, private readonly options: ActionOptions) {
    assertJailName(options.jail);
    if (!spec.name) throw new MailjailError('CONFIG', 'a command action needs a name');
    for (const key of ['ban', 'unban'] as const) {
      if (!Array.isArray(spec[key]) || spec[key].length === 0) {
        throw new MailjailError('CONFIG', `command action ${spec.name}: ${key} must be a non-empty argv list`);
      }
    }
    const unknown = [spec.ban, spec.unban, spec.setup ?? [], spec.teardown ?? []].flatMap(findUnknownPlaceholders);
    if (unknown.length > 0) {
      throw new MailjailError('CONFIG', `command action ${spec.name}: unknown placeholder(s) ${[...new Set(unknown)].join(', ')}`);
    }
    this.name = spec.name;
  }

  /** Runs each argv in turn; one failure does not stop the others, all are reported together. */
  private async runAll(argvs: string[][], what: string): Promise<void> {
    const failures: string[] = [];
    for (const argv of argvs) {
      const result = await runCommand([...(this.options.wrap ?? []), ...argv], {
        timeoutMs: this.options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
      });
      try {
        assertOk(result, `${this.name} ${what} (${argv.join(' ')})`);
      } catch (e) {
        failures.push((e as Error).message);
      }
    }
    if (failures.length > 0) {
      const first = failures[0];
      const more = failures.length > 1 ? ` (and ${failures.length - 1} more)` : '';
      throw new MailjailError('FIREWALL', `${first}${more}`, failures);
    }
  }

  private values(over: Partial<Record<Placeholder, string>>): Record<Placeholder, string> {
    return { ip: '', jail: this.options.jail, timeout: '0', reason: '', ...over };
  }

  async setup(): Promise<void> {
    if (this.spec.setup?.length) await this.runAll([fillTemplate(this.spec.setup, this.values({}))], 'setup');
  }

  async ban(bans: Ban[], now: number): Promise<void> {
    const elements = toBanElements(bans, now, MAX_TIMEOUT_S);
    const argvs = elements.map((e) =>
      fillTemplate(this.spec.ban, this.values({ ip: e.cidr.text, timeout: String(e.timeoutS), reason: e.reason })),
    );
    await this.runAll(argvs, 'ban');
  }

  async unban(ips: string[]): Promise<void> {
    const argvs = toUnbanElements(ips).map((c) => fillTemplate(this.spec.unban, this.values({ ip: c.text })));
    await this.runAll(argvs, 'unban');
  }

  async listed(): Promise<null> {
    return null;
  }

  async teardown(): Promise<void> {
    if (this.spec.teardown?.length) await this.runAll([fillTemplate(this.spec.teardown, this.values({}))], 'teardown');
  }
}
