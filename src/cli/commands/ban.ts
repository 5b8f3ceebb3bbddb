/** `mailjail ban IP|CIDR [--jail J] [--for DURATION] [--reason TEXT]`: in the kernel before it returns. */
import type { Command } from 'commander';
import type { BanReply } from '../../control/replies';
import { parseAddressArg } from '../address-arg';
import { ask, printJson, remoteCommand, wantsJson } from '../remote';

export function register(program: Command): void {
  const cmd = remoteCommand(program.command('ban').description('ban an address or prefix now').argument('<ip>', 'IP address or CIDR'))
    .option('-j, --jail <name>', 'jail whose firewall set and ports to use (default: manual, all ports)')
    .option('--for <duration>', "how long (90s, 10m, 1d, 1w); default: the jail's banTime")
    .option('--reason <text>', 'why, shown by list and why');
  cmd.action(async (ip: string, opts: { jail?: string; for?: string; reason?: string }) => {
    const result = await ask<BanReply>(cmd, { cmd: 'ban', ip: parseAddressArg(ip), jail: opts.jail, for: opts.for, reason: opts.reason });
    if (wantsJson(cmd)) return printJson(result);
    process.stdout.write(`banned ${result.ip} in jail ${result.jail} for ${result.for} (until ${result.until})\n`);
  });
}
