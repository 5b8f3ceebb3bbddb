/**
 * `mailjail list [--jail J] [--ip IP|CIDR] [--json]`: active bans. --json prints an array of
 * {"ip","jail","since","until","reason","count","node"} (node: the server that made the ban).
 */
import type { Command } from 'commander';
import type { BanView } from '../../control/replies';
import { ask, printJson, remoteCommand, wantsJson } from '../remote';
import { localTime, terminalWidth, zoneLabel } from '../local-time';
import { printTable } from '../table';
import { parseAddressArg } from '../address-arg';

export function register(program: Command): void {
  const cmd = remoteCommand(program.command('list').description('list active bans'))
    .option('-j, --jail <name>', 'only this jail')
    .option('--ip <ip|cidr>', 'only bans equal to, inside or around this address');
  cmd.action(async (opts: { jail?: string; ip?: string }) => {
    const bans = await ask<BanView[]>(cmd, { cmd: 'list', jail: opts.jail, ip: opts.ip === undefined ? undefined : parseAddressArg(opts.ip) });
    if (wantsJson(cmd)) return printJson(bans);
    // local times to the minute, a reason that gives way, and SINCE left out for a full IPv6
    // address: the table fits 80 columns (issue 15)
    printTable(
      ['IP', 'JAIL', 'SINCE', 'UNTIL', 'REASON', 'BEFORE'],
      bans.map((b) => [b.ip, b.jail, localTime(b.since), localTime(b.until), b.reason, String(b.count)]),
      { maxWidth: terminalWidth(), shrink: 4, drop: [2] },
    );
    process.stdout.write(`${bans.length} active ban${bans.length === 1 ? '' : 's'}; times are local (${zoneLabel()})\n`);
  });
}
