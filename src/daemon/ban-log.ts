/**
 * Every ban and unban logged once, where it enters or leaves the kernel (the jail registry), with
 * the jail, the address, the reason and who asked: `by` is rule (a log line), cli (an admin) or
 * fleet for bans; cli (lifted) or expiry for unbans. An admin filters them with
 * `journalctl -u mailjail -g '"msg":"ban"'`.
 */
import { untilText } from '../core/clock';
import type { JailEvents } from './jail-registry';
import type { Logger } from './logger';

const BAN_BY: Record<string, string> = { log: 'rule', manual: 'cli', fleet: 'fleet' };
/** Unban causes as `by` labels (the log's and the metrics'): who asked. */
export const UNBAN_BY: Record<string, string> = { lifted: 'cli', expired: 'expiry', fleet: 'fleet' };

export function logBansAndUnbans(jails: JailEvents, log: Logger): void {
  jails.onBans((rt, bans, origin) => {
    const by = BAN_BY[origin] ?? origin;
    for (const b of bans) log.info({ jail: rt.name, ip: b.ip, reason: b.reason, by, until: untilText(b.until), count: b.count }, 'ban');
  });
  jails.onUnbans((rt, ips, cause) => {
    const by = UNBAN_BY[cause] ?? cause;
    for (const ip of ips) log.info({ jail: rt.name, ip, reason: cause, by }, 'unban');
  });
}
