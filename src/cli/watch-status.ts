/** The live view of `mailjail status --watch` and `mailjail top`: its options and its redraw loop. */
import type { Command } from 'commander';
import type { StatusReply } from '../control/replies';
import { parseDuration } from '../core/duration';
import { MailjailError } from '../core/errors';
import { ask } from './remote';
import { formatWatch, sampleOf, type Sample } from './status-view';

export interface WatchOptions {
  interval: string;
  count?: string;
}

export function addWatchOptions(cmd: Command): Command {
  return cmd.option('--interval <duration>', 'time between refreshes', '2s').option('--count <n>', 'stop after n refreshes');
}

/** Redraws until Ctrl-C (or --count refreshes); exits 0 then. */
export async function watchStatus(cmd: Command, jail: string | undefined, opts: WatchOptions): Promise<void> {
  const intervalMs = parseDuration(opts.interval);
  if (!intervalMs || intervalMs < 100) throw new MailjailError('USAGE', `--interval: expected a duration of at least 100ms, got "${opts.interval}"`);
  const count = opts.count === undefined ? Infinity : Number(opts.count);
  if (!(count >= 1)) throw new MailjailError('USAGE', `--count: expected a positive number, got "${opts.count}"`);
  const out = process.stdout;
  let stopped = false;
  let wake: () => void = () => undefined;
  process.once('SIGINT', () => {
    stopped = true;
    wake();
  });
  let before: Sample | null = null;
  for (let i = 0; i < count && !stopped; i++) {
    const s = await ask<StatusReply>(cmd, { cmd: 'status', jail });
    const now = sampleOf(s, Date.now());
    // a terminal is redrawn in place; a pipe gets one frame after another
    out.write(`${out.isTTY ? '\x1b[H\x1b[2J' : i > 0 ? '\n' : ''}${formatWatch(s, now, before, out.columns ?? 100)}`);
    before = now;
    if (i + 1 < count) await new Promise<void>((resolve) => ((wake = resolve), setTimeout(resolve, intervalMs)));
  }
}
