/** `mailjail top`: `mailjail status --watch`, a compact live view until Ctrl-C. */
import type { Command } from 'commander';
import { remoteCommand } from '../remote';
import { addWatchOptions, watchStatus, type WatchOptions } from '../watch-status';

export function register(program: Command): void {
  const cmd = addWatchOptions(remoteCommand(program.command('top').description('live view: lines/s, events/s, bans/s per jail, problems, the last bans (= status --watch)').argument('[jail]', 'only this jail')));
  cmd.action((jail: string | undefined, opts: WatchOptions) => watchStatus(cmd, jail, opts));
}
