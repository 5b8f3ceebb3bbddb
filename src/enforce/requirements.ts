/**
 * What the chosen firewall needs that this machine lacks, in words an admin can act on. Checked
 * by running the programs (read-only), so a capability granted without root counts as enough.
 */
import type { CommandResult } from '../process/run-command';
import { runCommand } from '../process/run-command';

export type FirewallKind = 'nftables' | 'iptables';

export interface RequirementOptions {
  /** argv prefix, as for actions (a namespace in tests, `setpriv ...` to check as another user). */
  wrap?: string[];
}

const PACKAGE: Record<string, string> = { nft: 'nftables', ipset: 'ipset', iptables: 'iptables', ip6tables: 'iptables' };

const PROGRAMS: Record<FirewallKind, string[]> = {
  nftables: ['nft'],
  iptables: ['ipset', 'iptables', 'ip6tables'],
};

/** Read-only listings that need CAP_NET_ADMIN; they fail with EPERM without it. */
const PROBES: Record<FirewallKind, string[][]> = {
  nftables: [['nft', 'list', 'tables']],
  iptables: [['ipset', 'list', '-n'], ['iptables', '-w', '-S', 'INPUT'], ['ip6tables', '-w', '-S', 'INPUT']],
};

const NOT_PERMITTED = /Operation not permitted|Permission denied|must be root/i;

/** Did the program fail to start? (ENOENT directly, 127 from env, ip-netns-exec's own message.) */
function isMissing(r: CommandResult): boolean {
  if (r.code === 0) return false;
  return r.code === null || r.code === 127 || /exec of .* failed: No such file|No such file or directory$/m.test(r.stderr);
}

export async function checkFirewallRequirements(kind: FirewallKind, options: RequirementOptions = {}): Promise<string[]> {
  const wrap = options.wrap ?? [];
  const problems: string[] = [];
  for (const program of PROGRAMS[kind]) {
    const version = program === 'ipset' ? ['ipset', 'version'] : [program, '--version'];
    const r = await runCommand([...wrap, ...version], { timeoutMs: 10_000 });
    if (isMissing(r)) problems.push(`${program} not found: apt-get install ${PACKAGE[program]}`);
  }
  if (problems.length > 0) return problems;

  for (const probe of PROBES[kind]) {
    const r = await runCommand([...wrap, ...probe], { timeoutMs: 10_000 });
    if (r.code === 0) continue;
    if (NOT_PERMITTED.test(r.stderr)) return ['mailjail needs root (CAP_NET_ADMIN) to change the firewall'];
    const line = r.stderr.trim().split('\n')[0] || `exit ${r.code}`;
    problems.push(`${probe.join(' ')} failed: ${line}`);
  }
  return problems;
}
