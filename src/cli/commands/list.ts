/**
 * `mailjail list [--jail J] [--ip IP|CIDR] [--json]`: active bans. --json prints an array of
 * {"ip","jail","since","until","reason","count","node"} (node: the server that made the ban).
 */
import type { Command } from 'commander';
import type { BanView } from '../../control/replies';
import { ask, printJson, remoteCommand, wantsJson } from '../remote';
import { printTable } from '../table';
import { parseAddressArg } from '../address-arg';

export function register(program: Command): void {
  const cmd = remoteCommand(program.command('list').description('list active bans'))
    .option('-j, --jail <name>', 'only this jail')
    .option('--ip <ip|cidr>', 'only bans equal to, inside or around this address');
  cmd.action(async (opts: { jail?: string; ip?: string }) => {
    const bans = await ask<BanView[]>(cmd, { cmd: 'list', jail: opts.jail, ip: opts.ip === undefined ? undefined : parseAddressArg(opts.ip) });
    if (wantsJson(cmd)) return printJson(bans);
    printTable(
      ['IP', 'JAIL', 'SINCE', 'UNTIL', 'REASON', 'BANS BEFORE'],
      bans.map((b) => [b.ip, b.jail, b.since, b.until, b.reason, String(b.count)]),
    );
    process.stdout.write(`${bans.length} active ban${bans.length === 1 ? '' : 's'}\n`);
  });
}
