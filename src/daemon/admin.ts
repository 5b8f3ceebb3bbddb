/**
 * What the control socket can ask of the daemon. Addresses arrive parsed (control/protocol.ts);
 * here they meet the jails: refusing ignored and own addresses, putting bans into the kernel
 * before answering, and clearing strikes on unban so the next log line does not re-ban.
 */
import { MailjailError } from '../core/errors';
import { formatDuration } from '../core/duration';
import type { Ban } from '../core/types';
import { WEEK } from '../decide/jail-rules';
import type { Request } from '../control/protocol';
import type { BanRow } from '../store/store';
import { createGuard } from './guard';
import { checkManualBan } from './ban-refusal';
import type { Daemon } from './daemon';
import { MANUAL_JAIL, type JailRuntime } from './jail-runtime';

export interface BanView {
  ip: string;
  jail: string;
  since: string;
  until: string;
  reason: string;
  count: number;
}

export function createAdminHandler(daemon: Daemon) {
  return async (req: Request): Promise<unknown> => {
    switch (req.cmd) {
      case 'ping':
        return { pong: true };
      case 'status':
        return status(daemon, req.jail);
      case 'list':
        return daemon.store.activeBans(daemon.now(), { jail: req.jail, ip: req.ip }).map(view);
      case 'ban':
        return ban(daemon, req.ip, req.jail, req.for, req.reason, req.force ?? false);
      case 'unban':
        return unban(daemon, req.ip, req.jail);
      case 'why':
        return why(daemon, req.ip, req.limit ?? 200);
      case 'metrics':
        return { text: await daemon.metrics.render() };
      case 'reload':
        await daemon.reload();
        return { jails: [...daemon.jails.keys()] };
    }
  };
}

export function view(b: Ban): BanView {
  return { ip: b.ip, jail: b.jail, since: new Date(b.since).toISOString(), until: new Date(b.until).toISOString(), reason: b.reason, count: b.count };
}

async function ban(daemon: Daemon, ip: string, jailName: string | undefined, forMs: number | undefined, reason: string | undefined, force: boolean) {
  const rt = daemon.jail(jailName ?? MANUAL_JAIL);
  const { ignoreIp, maxBanPrefix } = daemon.config.main;
  const guard = rt.parts?.guard ?? createGuard(ignoreIp);
  checkManualBan(ip, { guard, mainIgnoreIp: ignoreIp, jail: rt.config, maxBanPrefix, force });
  const now = daemon.now();
  const durationMs = forMs ?? rt.config?.rules.banTimeMs ?? WEEK;
  const b: Ban = { ip, jail: rt.name, since: now, until: now + durationMs, reason: reason ? `manual: ${reason}` : 'manual', count: daemon.store.banCount(ip, rt.name, 0) };
  daemon.store.recordBans([b]);
  rt.parts?.engine.noteBan(b);
  rt.meter.banned(b);
  rt.applier.ban([b]);
  daemon.log.info({ jail: b.jail, ip, reason: b.reason, by: 'cli', until: new Date(b.until).toISOString(), count: b.count }, 'ban');
  await rt.applier.flushNow();
  return { ...view(b), for: formatDuration(durationMs) };
}

async function unban(daemon: Daemon, ip: string, jailName: string | undefined) {
  if (jailName) daemon.jail(jailName); // unknown jail: say so
  const now = daemon.now();
  const lifted = daemon.store.liftBans(ip, now, jailName);
  const cleared = ip === '*' ? 0 : clearOffenderStrikes(daemon, ip, lifted, jailName);
  // One unban call per jail: the applier sends the first call of a burst on its own.
  const byJail = new Map<JailRuntime, string[]>();
  for (const row of lifted) {
    const rt = daemon.jails.get(row.jail);
    if (!rt) continue;
    rt.parts?.engine.forget(row.ip);
    const ips = byJail.get(rt);
    if (ips) ips.push(row.ip);
    else byJail.set(rt, [row.ip]);
  }
  for (const [rt, ips] of byJail) {
    rt.applier.unban(ips);
    rt.meter.unbanned('cli', ips.length);
  }
  for (const row of lifted) daemon.log.info({ jail: row.jail, ip: row.ip, reason: row.reason, by: 'cli' }, 'unban');
  if (ip !== '*') for (const rt of daemon.jails.values()) if (!jailName || rt.name === jailName) rt.parts?.engine.forget(ip);
  await Promise.all([...byJail.keys()].map((rt) => rt.applier.flushNow()));
  return { lifted: lifted.map(view), strikesCleared: cleared };
}

/**
 * Unbanning any address of an offender clears the whole offender in the database (issue 15): the
 * address, its IPv6 host prefix in each jail, and every prefix the unban lifted; otherwise the
 * strikes left behind re-ban it as a repeat offender after the next restart or reload.
 */
function clearOffenderStrikes(daemon: Daemon, ip: string, lifted: BanRow[], jailName: string | undefined): number {
  let cleared = daemon.store.clearStrikes(ip, jailName);
  for (const rt of daemon.jails.values()) {
    const offender = ip.includes('/') || (jailName && rt.name !== jailName) ? undefined : rt.parts?.engine.offenderOf(ip);
    if (offender && offender !== ip) cleared += daemon.store.clearStrikes(offender, rt.name);
  }
  for (const row of lifted) if (row.ip !== ip) cleared += daemon.store.clearStrikes(row.ip, row.jail);
  return cleared;
}

function why(daemon: Daemon, ip: string, limit: number) {
  const strikes = daemon.store.strikesOf(ip, undefined, limit).map((s) => ({
    time: new Date(s.time).toISOString(),
    ip: s.ip,
    jail: s.jail,
    event: s.event,
    weight: s.weight,
    rule: s.rule,
    source: s.source,
    line: s.line,
    text: s.text,
  }));
  const bans = daemon.store.banHistory(ip, limit).map((b) => ({
    ...view(b),
    state: b.liftedAt !== undefined ? 'lifted' : b.expired || b.until <= daemon.now() ? 'expired' : 'active',
  }));
  return { ip, bans, strikes };
}

function status(daemon: Daemon, only: string | undefined) {
  const now = daemon.now();
  const stats = daemon.store.stats(now);
  const jails = [...daemon.jails.values()]
    .filter((rt) => !only || rt.name === only)
    .map((rt) => ({
      name: rt.name,
      filters: rt.config?.filters ?? [],
      action: rt.applier.status(),
      activeBans: daemon.store.countActiveBans(now, rt.name),
      counters: rt.counters,
      engine: rt.parts?.engine.stats(),
      sources: rt.sources.map((s) => s.status()),
    }));
  if (only && jails.length === 0) throw new MailjailError('USAGE', `no running jail "${only}"`);
  return {
    version: require('../../package.json').version as string,
    pid: process.pid,
    uptimeSeconds: Math.round((now - daemon.startedAt) / 1000),
    database: { path: daemon.store.path, bytes: stats.bytes, strikes: stats.strikes, activeBans: stats.activeBans },
    jails,
  };
}
