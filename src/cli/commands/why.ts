/**
 * `mailjail why IP`: every strike and ban recorded for an address, with the log lines behind them,
 * whether it is a customer and which strikes a login forgave. Local times; every line fits the
 * terminal (80 columns when not one): long log lines wrap under their strike (issue 15).
 */
import type { Command } from 'commander';
import type { WhyReply } from '../../control/replies';
import { parseAddressArg } from '../address-arg';
import { localTime, terminalWidth, zoneLabel } from '../local-time';
import { ask, printJson, remoteCommand, wantsJson } from '../remote';

export function register(program: Command): void {
  const cmd = remoteCommand(program.command('why').description('show the strikes and bans recorded for an address, with their log lines').argument('<ip>', 'IP address or CIDR'))
    .option('--limit <n>', 'at most this many strikes and bans', (v) => Number(v), 200);
  cmd.action(async (ip: string, opts: { limit: number }) => {
    const r = await ask<WhyReply>(cmd, { cmd: 'why', ip: parseAddressArg(ip), limit: opts.limit });
    if (wantsJson(cmd)) return printJson(r);
    const width = terminalWidth();
    const say = (text: string, indent = 0): void => void process.stdout.write(wrap(text, indent, width));
    if (r.bans.length === 0 && r.strikes.length === 0) return say(`nothing recorded for ${r.ip}`);
    const forgiven = r.strikes.filter((s) => s.forgiven).length;
    say(`${r.ip}: ${count(r.bans.length, 'ban')}, ${count(r.strikes.length, 'strike')}${forgiven ? ` (${forgiven} forgiven)` : ''}; times are local (${zoneLabel()})`);
    for (const c of r.customers) {
      say(`CUSTOMER in jail ${c.jail}: ${c.offender} logged in ${localTime(c.lastLogin)}; its failures weigh less until ${localTime(c.until)}`, 2);
    }
    say('Bans:');
    for (const b of r.bans) say(`${localTime(b.since)} -> ${localTime(b.until)}  ${b.ip}  ${b.jail}  ${b.reason}  (${b.state}; ${b.count} earlier)`, 2);
    if (r.bans.length === 0) say('none', 2);
    say('Strikes (newest first):');
    for (const s of r.strikes) {
      const note = s.forgiven ? '  FORGIVEN (a later login)' : '';
      say(`${localTime(s.time)}  ${s.ip}  ${s.jail}  ${s.event} x${s.weight}  ${s.rule}${note}`, 2);
      if (s.source) say(`${s.source}${s.line ? `:${s.line}` : ''}`, 6);
      if (s.text) say(s.text, 6);
    }
  });
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** `text` indented by `indent` and cut into lines of at most `width` columns (at spaces where it can). */
export function wrap(text: string, indent: number, width: number): string {
  const room = Math.max(20, width - indent);
  const pad = ' '.repeat(indent);
  const lines: string[] = [];
  let rest = text;
  while (rest.length > room) {
    const space = rest.lastIndexOf(' ', room);
    const cut = space > room / 2 ? space : room;
    lines.push(rest.slice(0, cut));
    rest = rest.slice(cut).replace(/^ /, '');
  }
  lines.push(rest);
  return lines.map((l) => `${pad}${l}\n`).join('');
}
