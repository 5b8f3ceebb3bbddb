/**
 * `mailjail unban IP|CIDR|--all [--jail J]`: out of the kernel before it returns, and the
 * address's strikes cleared so the next log line does not ban it again.
 */
import type { Command } from 'commander';
import { MailjailError } from '../../core/errors';
import type { UnbanReply } from '../../control/replies';
import { parseAddressArg } from '../address-arg';
import { ask, printJson, remoteCommand, wantsJson } from '../remote';

export function register(program: Command): void {
  const cmd = remoteCommand(program.command('unban').description('lift bans of an address, a prefix, or all').argument('[ip]', 'IP address or CIDR'))
    .option('--all', 'lift every active ban (of --jail, or of all jails)')
    .option('-j, --jail <name>', 'only in this jail');
  cmd.action(async (ip: string | undefined, opts: { all?: boolean; jail?: string }) => {
    if (!ip && !opts.all) throw new MailjailError('USAGE', 'name an IP address or CIDR to unban, or --all');
    if (ip && opts.all) throw new MailjailError('USAGE', 'give either an address or --all, not both');
    const result = await ask<UnbanReply>(cmd, { cmd: 'unban', ip: opts.all ? '*' : parseAddressArg(ip!), jail: opts.jail });
    if (wantsJson(cmd)) return printJson(result);
    for (const b of result.lifted) process.stdout.write(`unbanned ${b.ip} (jail ${b.jail}, was: ${b.reason})\n`);
    if (result.lifted.length === 0) process.stdout.write(`no active ban matched${ip ? ` ${ip}` : ''}\n`);
    if (result.strikesCleared > 0) process.stdout.write(`cleared ${result.strikesCleared} strike${result.strikesCleared === 1 ? '' : 's'}\n`);
  });
}
