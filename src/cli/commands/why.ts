/** `mailjail why IP`: every strike and ban recorded for an address, with the log lines behind them. */
import type { Command } from 'commander';
import type { WhyReply } from '../../control/replies';
import { parseAddressArg } from '../address-arg';
import { ask, printJson, remoteCommand, wantsJson } from '../remote';

export function register(program: Command): void {
  const cmd = remoteCommand(program.command('why').description('show the strikes and bans recorded for an address, with their log lines').argument('<ip>', 'IP address or CIDR'))
    .option('--limit <n>', 'at most this many strikes and bans', (v) => Number(v), 200);
  cmd.action(async (ip: string, opts: { limit: number }) => {
    const r = await ask<WhyReply>(cmd, { cmd: 'why', ip: parseAddressArg(ip), limit: opts.limit });
    if (wantsJson(cmd)) return printJson(r);
    const out = process.stdout;
    if (r.bans.length === 0 && r.strikes.length === 0) return void out.write(`nothing recorded for ${r.ip}\n`);
    out.write(`Bans of ${r.ip}:\n`);
    for (const b of r.bans) out.write(`  ${b.since} -> ${b.until}  ${b.ip}  jail ${b.jail}  ${b.reason}  (${b.state}; ${b.count} earlier)\n`);
    if (r.bans.length === 0) out.write('  none\n');
    out.write(`Strikes (newest first):\n`);
    for (const s of r.strikes) {
      out.write(`  ${s.time}  ${s.ip}  jail ${s.jail}  ${s.event} x${s.weight}  ${s.rule}\n`);
      if (s.text) out.write(`      ${s.source ?? ''}${s.line ? `:${s.line}` : ''}: ${s.text}\n`);
    }
  });
}
