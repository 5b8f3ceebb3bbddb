/**
 * Throwaway network namespaces for tests that touch a firewall: the host's own ruleset is never
 * changed. Each namespace is named `mj-<tag>-<random>` and must be removed in afterAll.
 */
import { randomBytes } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { assertOk, runCommand, type CommandResult, type RunOptions } from '../../src/process/run-command';

export interface Netns {
  name: string;
  /** argv prefix that runs a command inside the namespace (an action's `wrap`). */
  wrap: string[];
  exec(argv: string[], options?: RunOptions): Promise<CommandResult>;
  /** exec, throwing when the command fails. */
  execOk(argv: string[], options?: RunOptions): Promise<CommandResult>;
  /** Deletes the namespace (and with it its firewall, links and sockets). Safe to call twice. */
  remove(): Promise<void>;
}

export async function createNetns(tag: string): Promise<Netns> {
  const name = `mj-${tag}-${randomBytes(4).toString('hex')}`;
  assertOk(await runCommand(['ip', 'netns', 'add', name]), `ip netns add ${name}`);
  const wrap = ['ip', 'netns', 'exec', name];
  const exec = (argv: string[], options?: RunOptions) => runCommand([...wrap, ...argv], options);
  let removed = false;
  const ns: Netns = {
    name,
    wrap,
    exec,
    execOk: async (argv, options) => assertOk(await exec(argv, options), argv.join(' ')),
    remove: async () => {
      if (removed) return;
      removed = true;
      assertOk(await runCommand(['ip', 'netns', 'delete', name]), `ip netns delete ${name}`);
    },
  };
  try {
    await ns.execOk(['ip', 'link', 'set', 'lo', 'up']);
  } catch (e) {
    await ns.remove();
    throw e;
  }
  return ns;
}

function onPath(program: string): boolean {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    try {
      accessSync(join(dir, program), constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

/**
 * Why firewall tests cannot run here (not root, a program missing), or null when they can.
 * Synchronous so a test file can pick `describe` or `describe.skip` at load time.
 */
export function netnsSkipReason(programs: string[]): string | null {
  if (process.getuid?.() !== 0) return 'needs root to create network namespaces';
  const missing = ['ip', ...programs].filter((p) => !onPath(p));
  return missing.length > 0 ? `needs ${missing.join(', ')} on PATH` : null;
}

/** `describe`, or `describe.skip` with a warning saying why. */
export function describeWithNetns(programs: string[]): jest.Describe {
  const reason = netnsSkipReason(programs);
  if (reason === null) return describe;
  console.warn(`skipping firewall integration tests: ${reason}`);
  return describe.skip;
}

/**
 * Joins two namespaces with a veth pair and addresses them (v4 /24 and v6 /64 from the
 * documentation ranges). IPv6 DAD is skipped so the addresses are usable at once.
 */
export async function linkNamespaces(
  a: Netns,
  b: Netns,
  addrs: { a4: string; b4: string; a6: string; b6: string },
): Promise<void> {
  assertOk(await runCommand(['ip', '-n', a.name, 'link', 'add', 'veth-a', 'type', 'veth', 'peer', 'name', 'veth-b', 'netns', b.name]), 'ip link add veth');
  for (const [ns, dev, v4, v6] of [[a, 'veth-a', addrs.a4, addrs.a6], [b, 'veth-b', addrs.b4, addrs.b6]] as const) {
    await ns.execOk(['ip', 'addr', 'add', `${v4}/24`, 'dev', dev]);
    await ns.execOk(['ip', '-6', 'addr', 'add', `${v6}/64`, 'dev', dev, 'nodad']);
    await ns.execOk(['ip', 'link', 'set', dev, 'up']);
  }
}
