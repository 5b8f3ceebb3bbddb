/** `mailjail reload`: re-read the config (bans stay); an invalid config is refused with its problems. */
import type { Command } from 'commander';
import type { ReloadReply } from '../../control/replies';
import { ask, printJson, remoteCommand, wantsJson } from '../remote';

export function register(program: Command): void {
  const cmd = remoteCommand(program.command('reload').description('re-read the configuration without dropping bans'));
  cmd.action(async () => {
    const r = await ask<ReloadReply>(cmd, { cmd: 'reload' });
    if (wantsJson(cmd)) return printJson(r);
    process.stdout.write(`reloaded; running jails: ${r.jails.join(', ')}\n`);
  });
}
