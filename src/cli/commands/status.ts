/**
 * `mailjail status [JAIL]`: jails, sources and positions, counts, action health, database, uptime,
 * and problems: it exits 11 (STATUS_UNHEALTHY) when an action fails, a source is missing or
 * unreadable for a while, or the kernel drifts, saying which and what to do. `--watch` (and
 * `mailjail top`) redraws a compact live view until Ctrl-C.
 */
import type { Command } from 'commander';
import type { StatusReply } from '../../control/replies';
import { ask, printJson, remoteCommand, wantsJson } from '../remote';
import { formatStatus, STATUS_UNHEALTHY } from '../status-view';
import { addWatchOptions, watchStatus, type WatchOptions } from '../watch-status';

export function register(program: Command): void {
  const cmd = remoteCommand(program.command('status').description('show jails, sources, counts, action health and problems (exit 11 when something is stuck)').argument('[jail]', 'only this jail'));
  addWatchOptions(cmd.option('-w, --watch', 'redraw a compact live view (lines/s, events/s, bans/s, the last bans) until Ctrl-C'));
  cmd.action(async (jail: string | undefined, opts: WatchOptions & { watch?: boolean }) => {
    if (opts.watch) return watchStatus(cmd, jail, opts);
    const s = await ask<StatusReply>(cmd, { cmd: 'status', jail });
    if (wantsJson(cmd)) printJson(s);
    else process.stdout.write(formatStatus(s));
    if ((s.problems ?? []).length > 0) process.exitCode = STATUS_UNHEALTHY;
  });
}
