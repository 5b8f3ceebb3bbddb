/** `mailjail status [JAIL]`: jails, sources and positions, counts, action health, database, uptime. */
import type { Command } from 'commander';
import type { StatusReply } from '../../control/replies';
import { formatDuration } from '../../core/duration';
import { ask, printJson, remoteCommand, wantsJson } from '../remote';

export function register(program: Command): void {
  const cmd = remoteCommand(program.command('status').description('show jails, sources, counts and action health').argument('[jail]', 'only this jail'));
  cmd.action(async (jail: string | undefined) => {
    const s = await ask<StatusReply>(cmd, { cmd: 'status', jail });
    if (wantsJson(cmd)) return printJson(s);
    const out = process.stdout;
    out.write(`mailjail ${s.version}, pid ${s.pid}, up ${formatDuration(s.uptimeSeconds * 1000)}\n`);
    out.write(`database ${s.database.path}: ${(s.database.bytes / 1048576).toFixed(1)} MiB, ${s.database.strikes} strikes, ${s.database.activeBans} active bans\n`);
    for (const j of s.jails) {
      const health = j.action.ok ? 'ok' : `FAILING (${j.action.failures} failures; ${j.action.lastError ?? ''})`;
      out.write(`\njail ${j.name}: ${j.activeBans} active bans; action ${j.action.action} ${health}${j.action.pending ? `, ${j.action.pending} pending` : ''}\n`);
      if (j.filters.length) out.write(`  filters ${j.filters.join(', ')}; ${j.counters.lines} lines, ${j.counters.failures} matched, ${j.counters.bans} bans since start\n`);
      for (const src of j.sources) {
        out.write(`  source ${src.id}${src.error ? ` ERROR ${src.error}` : ''}\n`);
        for (const f of src.files) out.write(`    ${f.path} at byte ${f.offset}${f.size !== undefined ? ` of ${f.size}` : ''}, line ${f.line}\n`);
      }
    }
  });
}
