/** `mailjail ban IP|CIDR [--jail J] [--for DURATION] [--reason TEXT] [--force]`: in the kernel before it returns. */
import type { Command } from 'commander';
import { parseDuration } from '../../core/duration';
import { MailjailError } from '../../core/errors';
import type { BanReply } from '../../control/replies';
import { parseBanTargetArg } from '../address-arg';
import { ask, printJson, remoteCommand, wantsJson } from '../remote';

export function register(program: Command): void {
  const cmd = remoteCommand(program.command('ban').description('ban an address or prefix now').argument('<ip>', 'IP address or CIDR'))
    .option('-j, --jail <name>', 'jail whose firewall set and ports to use (default: manual, all ports)')
    .option('--for <duration>', "how long (90s, 10m, 1d, 1w); default: the jail's banTime")
    .option('--reason <text>', 'why, shown by list and why')
    .option('--force', 'ban a prefix wider than maxBanPrefix (default /16 IPv4, /32 IPv6)');
  cmd.action(async (ip: string, opts: { jail?: string; for?: string; reason?: string; force?: boolean }) => {
    // a bad duration is a usage error (exit 2) here, not a malformed request (10) at the daemon
    if (opts.for !== undefined && !((parseDuration(opts.for) ?? 0) > 0)) {
      throw new MailjailError('USAGE', `--for: expected a duration such as 90s, 10m, 1d or 1w, not ${JSON.stringify(opts.for)}`);
    }
    const req = { cmd: 'ban' as const, ip: parseBanTargetArg(ip), jail: opts.jail, for: opts.for, reason: opts.reason, force: opts.force };
    const result = await ask<BanReply>(cmd, req);
    if (wantsJson(cmd)) return printJson(result);
    process.stdout.write(`banned ${result.ip} in jail ${result.jail} for ${result.for} (until ${result.until})\n`);
  });
}
