/**
 * Which kernel firewalls a configuration drives, and what this machine lacks for them: a start
 * that failed on a firewall command says exactly what is missing (root, nft, ipset...) rather
 * than that command's error.
 */
import { jailActions, type LoadedConfig } from '../config/load-config';
import { MailjailError } from '../core/errors';
import { checkFirewallRequirements, type FirewallKind } from '../enforce/requirements';

/** The kernel firewalls the enabled jails (and the manual jail, on the default action) use. */
export function firewallKinds(config: LoadedConfig): Set<FirewallKind> {
  const kinds = new Set<FirewallKind>();
  for (const kind of [config.main.action, ...[...config.jails.values()].filter((j) => j.enabled).flatMap((j) => jailActions(j, config.main))]) {
    if (kind === 'nftables' || kind === 'iptables') kinds.add(kind);
  }
  return kinds;
}

/** Throws MISSING naming every missing program or privilege, when there is one. */
export async function assertFirewallRequirements(config: LoadedConfig): Promise<void> {
  const missing: string[] = [];
  for (const kind of firewallKinds(config)) missing.push(...(await checkFirewallRequirements(kind)));
  if (missing.length > 0) throw new MailjailError('MISSING', `cannot start: ${missing.join('; ')}`, [...new Set(missing)].map((m) => `mailjail: ${m}`));
}
