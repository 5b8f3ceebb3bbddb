/**
 * Finding the socket of a daemon started by hand (`npm start` serves ./var/mailjail.sock with
 * `--config ./etc`), so a plain `mailjail status` reaches it (issue 15): the running
 * `mailjail daemon` processes are read from /proc, each one's --config resolved against its own
 * working directory, and the socket its mailjail.yaml names (relative paths likewise).
 */
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { resolve } from 'node:path';

export interface RunningDaemon {
  pid: number;
  socket: string;
}

/** Every running mailjail daemon whose socket exists, found through /proc (empty where there is none). */
export function findRunningDaemons(readSocket: (configDir: string) => string | undefined, defaultSocket: string): RunningDaemon[] {
  const found: RunningDaemon[] = [];
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return found;
  }
  for (const pid of pids) {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      const d = argv.indexOf('daemon');
      if (d < 1 || !argv.slice(0, d).some((a) => a.endsWith('cli/main.js') || a.endsWith('bin/mailjail') || a === 'mailjail')) continue;
      const cwd = readlinkSync(`/proc/${pid}/cwd`);
      const c = argv.findIndex((a) => a === '--config' || a === '-c');
      const inline = argv.find((a) => a.startsWith('--config='));
      const named = c >= 0 ? argv[c + 1] : inline?.slice('--config='.length);
      const configDir = resolve(cwd, named ?? '/etc/mailjail');
      const socket = resolve(cwd, readSocket(configDir) ?? defaultSocket);
      if (existsSync(socket)) found.push({ pid: Number(pid), socket });
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}
