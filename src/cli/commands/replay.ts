/**
 * `mailjail replay [--config DIR] [--jail NAME]... [--json] FILE...`
 * Whole jails over old logs, the logs' own time as the clock, no firewall: the bans they would
 * have made. With --json one object per ban: {"ip","jail","time","until","reason"} (+ "count").
 */
import type { Command } from 'commander';
import { loadConfig } from '../../config/load-config';
import type { Ban } from '../../core/types';
import { replay } from '../../daemon/replay';
import { addConfigOption, addJsonOption, collect, configDirOf } from '../options';
import { EXIT_STATUS } from '../../core/errors';
import { localTime, terminalWidth } from '../local-time';
import { printTable } from '../table';

export function register(program: Command): void {
  const cmd = program
    .command('replay')
    .description('run jails over old logs (their own timestamps as the clock, no firewall) and print the bans they would make')
    .argument('<file...>', 'log files, oldest first')
    .option('-j, --jail <name>', 'run this jail over all the files, enabled or not (repeatable)', collect, []);
  addConfigOption(cmd);
  addJsonOption(cmd);
  cmd.action((files: string[], _opts: unknown, self: Command) => {
    // --json and --config are program-wide options too: read them merged
    const opts = self.optsWithGlobals() as { jail: string[]; json?: boolean };
    const config = loadConfig(configDirOf(cmd));
    const bans: Ban[] = [];
    const summary = replay(config, { jails: opts.jail, files }, (ban) => {
      if (opts.json) process.stdout.write(`${JSON.stringify(banJson(ban))}\n`);
      else bans.push(ban);
    });
    for (const f of summary.unmatchedFiles) process.stderr.write(`mailjail: ${f}: no enabled jail reads this file (name one with --jail)\n`);
    // a replay that read a file with no jail proved nothing: say so in the exit status (issue 15)
    if (summary.unmatchedFiles.length > 0) process.exitCode = EXIT_STATUS.USAGE;
    if (opts.json) return;
    printTable(
      ['TIME', 'IP', 'JAIL', 'UNTIL', 'REASON'],
      bans.map((b) => [localTime(iso(b.since)), b.ip, b.jail, localTime(iso(b.until)), b.reason]),
      { maxWidth: terminalWidth(), shrink: 4 },
    );
    const events = Object.entries(summary.failures).map(([k, n]) => `${k} ${n}`).join(', ') || 'none';
    process.stdout.write(`\n${summary.lines} lines, events: ${events}; ${summary.bans} bans\n`);
  });
}

function banJson(ban: Ban): Record<string, unknown> {
  return { ip: ban.ip, jail: ban.jail, time: iso(ban.since), until: iso(ban.until), reason: ban.reason, count: ban.count };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
