/**
 * What the control socket can ask of the daemon. Addresses arrive parsed (control/protocol.ts);
 * here they meet the jails: refusing ignored and own addresses, putting bans into the kernel
 * before answering, and clearing strikes on unban so the next log line does not re-ban.
 */
import { MailjailError } from '../core/errors';
import { formatDuration, WEEK } from '../core/duration';
import type { Ban } from '../core/types';
import type { Request } from '../control/protocol';
import { banView, type BanReply, type ReloadReply, type StatusReply, type UnbanReply, type WhyReply } from '../control/replies';
import type { MainConfig } from '../config/load-config';
import type { BanRow, Store } from '../store/store';
import type { FleetStatus } from '../fleet/fleet-node';
import { checkManualBan } from './ban-refusal';
import { commitDecided, commitLift } from './commit-bans';
import { readCustomers, type JailView } from './why-view';
import { createGuard } from './guard';
import type { JailBans, JailLookup } from './jail-registry';
import type { Metrics } from '../metrics/metrics';

/** What the admin handler needs of the daemon: the jails, the store, the clock and a reload. */
export interface AdminDeps {
  jails: JailLookup & JailBans;
  store: Store;
  now(): number;
  startedAt: number;
  /** The running main config (ignoreIp, maxBanPrefix): a reload may change it. */
  main(): MainConfig;
  /** The metrics text (`mailjail metrics`) and the problems `status` reports. */
  metrics: Pick<Metrics, 'render' | 'health'>;
  /** The last bans into the kernel, newest first (status --watch). */
  recentBans(): Ban[];
  /** This server's name in `list` rows (its fleet node name, else its host name). */
  node: string;
  /** The fleet's health for `status`; undefined for a single server. */
  fleet(): FleetStatus | undefined;
  /** Reloads the config; resolves with the names of the jails running afterwards. */
  reload(): Promise<string[]>;
}

export function createAdminHandler(deps: AdminDeps) {
  return async (req: Request): Promise<unknown> => {
    switch (req.cmd) {
      case 'ping':
        return { pong: true };
      case 'status':
        return status(deps, req.jail);
      case 'list':
        return deps.store.activeBans(deps.now(), { jail: req.jail, ip: req.ip }).map((b) => ({ ...banView(b), node: b.node ?? deps.node }));
      case 'ban':
        return ban(deps, req.ip, req.jail, req.for, req.reason, req.force ?? false);
      case 'unban':
        return unban(deps, req.ip, req.jail);
      case 'why':
        return why(deps, req.ip, req.limit ?? 200);
      case 'metrics':
        return { text: await deps.metrics.render() };
      case 'reload':
        return { jails: await deps.reload() } satisfies ReloadReply;
    }
  };
}

async function ban(deps: AdminDeps, ip: string, jailName: string | undefined, forMs: number | undefined, reason: string | undefined, force: boolean): Promise<BanReply> {
  const rt = deps.jails.get(jailName);
  const { ignoreIp, maxBanPrefix } = deps.main();
  const guard = rt.parts?.guard ?? createGuard(ignoreIp);
  checkManualBan(ip, { guard, mainIgnoreIp: ignoreIp, jail: rt.config, maxBanPrefix, force });
  const now = deps.now();
  const durationMs = forMs ?? rt.config?.rules.banTimeMs ?? WEEK;
  const b: Ban = { ip, jail: rt.name, since: now, until: now + durationMs, reason: reason ? `manual: ${reason}` : 'manual', count: deps.store.banCount(ip, rt.name, 0) };
  // stored with its fleet outbox row in one transaction, then into the kernel (issue 13)
  commitDecided(deps, rt, { bans: [b] }, 'manual');
  await rt.applier.flushNow();
  return { ...banView(b), for: formatDuration(durationMs) };
}

async function unban(deps: AdminDeps, ip: string, jailName: string | undefined): Promise<UnbanReply> {
  if (jailName) deps.jails.get(jailName); // unknown jail: say so
  const { lifted, cleared, touched } = commitLift(deps, () => {
    const rows = deps.store.liftBans(ip, deps.now(), jailName);
    return { lifted: rows, cleared: ip === '*' ? 0 : clearOffenderStrikes(deps, ip, rows, jailName) };
  });
  // strikes of the address itself go too, also in jails where it was not banned
  if (ip !== '*') for (const rt of deps.jails.list()) if (!jailName || rt.name === jailName) rt.parts?.engine.forget(ip);
  await Promise.all(touched.map((rt) => rt.applier.flushNow()));
  return { lifted: lifted.map(banView), strikesCleared: cleared };
}

/**
 * Unbanning any address of an offender clears the whole offender in the database (issue 15): the
 * address, its IPv6 host prefix in each jail, and every prefix the unban lifted; otherwise the
 * strikes left behind re-ban it as a repeat offender after the next restart or reload.
 */
function clearOffenderStrikes(deps: AdminDeps, ip: string, lifted: BanRow[], jailName: string | undefined): number {
  let cleared = deps.store.clearStrikes(ip, jailName);
  for (const rt of deps.jails.list()) {
    const offender = ip.includes('/') || (jailName && rt.name !== jailName) ? undefined : rt.parts?.engine.offenderOf(ip);
    if (offender && offender !== ip) cleared += deps.store.clearStrikes(offender, rt.name);
  }
  for (const row of lifted) if (row.ip !== ip) cleared += deps.store.clearStrikes(row.ip, row.jail);
  return cleared;
}

function why(deps: AdminDeps, ip: string, limit: number): WhyReply {
  const stored = deps.store.strikesOf(ip, undefined, limit);
  const views = new Map<string, JailView>();
  for (const rt of deps.jails.list()) {
    const engine = rt.parts?.engine;
    if (engine) views.set(rt.name, { rules: engine.rules, offenderOf: (a) => engine.offenderOf(a) });
  }
  const { forgiven, customers } = readCustomers(stored, views, deps.now());
  const strikes = stored.map((s, i) => ({
    time: new Date(s.time).toISOString(),
    ip: s.ip,
    jail: s.jail,
    event: s.event,
    weight: s.weight,
    rule: s.rule,
    source: s.source,
    line: s.line,
    text: s.text,
    forgiven: forgiven[i],
  }));
  const bans = deps.store.banHistory(ip, limit).map((b) => ({
    ...banView(b),
    state: b.liftedAt !== undefined ? ('lifted' as const) : b.expired || b.until <= deps.now() ? ('expired' as const) : ('active' as const),
  }));
  return { ip, customers, bans, strikes };
}

function status(deps: AdminDeps, only: string | undefined): StatusReply {
  const now = deps.now();
  const stats = deps.store.stats(now);
  const jails = deps.jails
    .list()
    .filter((rt) => !only || rt.name === only)
    .map((rt) => ({
      name: rt.name,
      filters: rt.config?.filters ?? [],
      action: rt.applier.status(),
      actions: rt.applier.statuses(),
      activeBans: stats.activeBansByJail.get(rt.name) ?? 0,
      counters: rt.counters,
      engine: rt.parts?.engine.stats(),
      sources: rt.sources.map((s) => s.status()),
    }));
  if (only && jails.length === 0) throw new MailjailError('USAGE', `no running jail "${only}"`);
  const problems = deps.metrics.health
    .evaluate(Date.now())
    .filter((p) => !only || p.jail === only)
    .map((p) => ({ ...p, since: new Date(p.since).toISOString() }));
  return {
    problems,
    recentBans: deps.recentBans().filter((b) => !only || b.jail === only).map(banView),
    version: require('../../package.json').version as string,
    pid: process.pid,
    uptimeSeconds: Math.round((now - deps.startedAt) / 1000),
    fleet: deps.fleet(),
    database: { path: deps.store.path, bytes: stats.bytes, strikes: stats.strikes, activeBans: stats.activeBans },
    jails,
  };
}
