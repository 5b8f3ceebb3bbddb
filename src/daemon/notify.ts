/**
 * sd_notify for Type=notify: "READY=1" means bans restored and sources open. Node has no
 * datagram Unix sockets, so this runs systemd-notify (the unit sets NotifyAccess=all for it).
 * Outside systemd (no NOTIFY_SOCKET) it does nothing.
 */
import { runCommand } from '../process/run-command';
import type { Logger } from './logger';

export async function notifySystemd(state: string, log: Logger): Promise<void> {
  if (!process.env.NOTIFY_SOCKET) return;
  const result = await runCommand(['systemd-notify', `--pid=${process.pid}`, state], { timeoutMs: 5000 });
  if (result.code !== 0) log.warn({ state, stderr: result.stderr.trim() }, 'systemd-notify failed');
}
