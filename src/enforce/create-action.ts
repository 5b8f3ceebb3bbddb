/** Picks the FirewallAction for a jail's `action:` setting. */
import type { ActionOptions, ActionSpec, FirewallAction } from './action';
import { CommandAction } from './command-action';
import { DryRunAction } from './dry-run-action';
import { IptablesAction } from './iptables-action';
import { NftablesAction } from './nftables-action';

export function createAction(spec: ActionSpec, options: ActionOptions): FirewallAction {
  if (spec === 'nftables') return new NftablesAction(options);
  if (spec === 'iptables') return new IptablesAction(options);
  if (spec === 'dry-run') return new DryRunAction(options);
  return new CommandAction(spec, options);
}
