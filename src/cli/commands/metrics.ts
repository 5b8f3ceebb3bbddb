/**
 * `mailjail metrics`: the daemon's metrics in the Prometheus text format, over the control socket
 * (the same text /metrics and the textfile serve; no port needed). `--json` wraps it as {text}.
 */
import type { Command } from 'commander';
import { ask, printJson, remoteCommand, wantsJson } from '../remote';

export function register(program: Command): void {
  const cmd = remoteCommand(program.command('metrics').description('print the daemon\'s Prometheus metrics (text format)'));
  cmd.action(async () => {
    const r = await ask<{ text: string }>(cmd, { cmd: 'metrics' });
    if (wantsJson(cmd)) return printJson(r);
    process.stdout.write(r.text);
  });
}
