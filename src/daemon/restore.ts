/**
 * Start-up and periodic agreement between the database (the truth) and the kernel:
 * - restore: every unexpired ban goes back in one batch per jail before any line is read;
 * - reconcile: the kernel's sets are compared with the database; what is missing is re-asserted
 *   (someone ran `nft flush ruleset`, a firewall reload), what should not be there is removed.
 */
import { cidrListOf } from './guard';
import type { Store } from '../store/store';
import type { JailRuntime } from './jail-runtime';
import type { Logger } from './logger';

/** Bans per database page and firewall batch at start: never the whole 100,000 in memory at once. */
const RESTORE_PAGE = 5_000;

export async function restoreBans(rt: JailRuntime, store: Store, now: number, log: Logger): Promise<number> {
  await rt.action.setup();
  let restored = 0;
  for (let afterId = 0; ; ) {
    const page = store.activeBansPage(now, rt.name, afterId, RESTORE_PAGE);
    if (page.length === 0) break;
    await rt.action.ban(page, now);
    for (const ban of page) rt.parts?.engine.noteBan(ban);
    restored += page.length;
    afterId = page[page.length - 1].id;
  }
  log.info({ jail: rt.name, bans: restored }, 'bans restored');
  return restored;
}

/**
 * Runs on every tick, whatever the ban rate: it used to wait for 5 quiet seconds, which a steady
 * attack never gives, so a flushed set stayed empty (1,000 bans still missing after 200 s). No
 * quiet moment is needed: the kernel is read first and the database second, and a ban is recorded
 * before it reaches the kernel, so a change in flight can only look missing (skipped while the
 * applier holds it, re-added if it landed just after the listing: harmless) or, once lifted,
 * extra (removed: what the applier does anyway). Nothing awaits between reading the database
 * and queueing, so no newer change can be overtaken. In the usual case (nothing missing, nothing
 * extra) it costs one listing and two set look-ups per ban.
 */
export async function reconcile(rt: JailRuntime, store: Store, now: number, log: Logger): Promise<{ added: number; removed: number }> {
  // setup() is cheap (it re-creates what is missing and reads nothing); the listing is not.
  await rt.action.setup();
  const listed = await rt.action.listed();
  if (!listed) return { added: 0, removed: 0 };
  const active = store.activeBans(now, { jail: rt.name });
  // A ban still on its way to the kernel is not lost (under a flood, thousands are), nor one made
  // after `now`, while the kernel was being listed: counted as lost, it was false drift (issue 14).
  let missing = active.filter((b) => !listed.has(b.ip) && b.since <= now && !rt.applier.firewall.queued(b.ip));
  if (missing.some((b) => !b.ip.includes('/'))) {
    // A prefix in the kernel covers the single bans inside it (the action drops covered elements).
    const prefixes = cidrListOf([...listed].filter((e) => e.includes('/')));
    missing = missing.filter((b) => b.ip.includes('/') || !prefixes.matches(b.ip));
  }
  const wanted = new Set(active.map((b) => b.ip));
  let extra = [...listed].filter((e) => !wanted.has(e));
  if (extra.length > 0) {
    // Remove only what bans nothing the database wants (a merged range may hold wanted bans).
    const wantedList = cidrListOf(active.map((b) => b.ip));
    extra = extra.filter((e) => !wantedList.matches(e));
  }
  if (missing.length > 0) {
    log.warn({ jail: rt.name, missing: missing.length }, 'kernel set lost bans; re-asserting them');
    rt.applier.firewall.ban(missing); // the firewall alone: a notify action must not hear of these again
  }
  if (extra.length > 0) {
    log.warn({ jail: rt.name, extra: extra.length }, 'kernel set holds addresses the database does not ban; removing them');
    rt.applier.firewall.unban(extra);
  }
  if (missing.length > 0 || extra.length > 0) await rt.applier.firewall.flushNow().catch(() => undefined);
  return { added: missing.length, removed: extra.length };
}
