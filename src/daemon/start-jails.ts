/**
 * Starting the configured jails (daemon start and every reload). Order matters: bans are restored
 * into the kernel before any source is opened, so a restart never leaves a window in which a
 * banned bot can get through; strikes are restored before the first new line is counted.
 */
import type { LoadedConfig } from '../config/load-config';
import { WEEK } from '../core/duration';
import type { Ban, EventKind } from '../core/types';
import { StoredBanHistory } from '../decide/ban-history';
import { strikeMemoryMs } from '../decide/jail-rules';
import { ServerKnowledge } from '../decide/server-knowledge';
import type { Store } from '../store/store';
import type { JailRegistry } from './jail-registry';
import { createJailRuntime, type JailRuntime, type RuntimeDeps } from './jail-runtime';
import type { Logger } from './logger';
import { openSources } from './open-sources';
import { restoreBans } from './restore';
import { retireStoppedJails } from './retire-jails';
import { createUserHasher, newHashKey } from './user-hash';

export interface StartContext {
  config: LoadedConfig;
  store: Store;
  jails: JailRegistry;
  log: Logger;
  now: () => number;
  /** argv prefix for firewall commands (tests run them inside a network namespace). */
  wrap?: string[];
  /** The jail's metrics meter (kept across reloads). */
  meterOf: RuntimeDeps['meterOf'];
  /** In a fleet: the shared key user names are hashed with, so a spray over the fleet is one spray. */
  userHashKey?: string;
  /** The database was made by this start: take over the bans the kernel still holds. */
  adoptKernelBans?: boolean;
}

/**
 * Builds the jails, restores their bans and strikes, installs them in the registry, retires the
 * jails no longer enabled (`previous`: those a reload stopped), opens the sources.
 */
export async function startJails(ctx: StartContext, previous: readonly JailRuntime[] = []): Promise<void> {
  const { store, log } = ctx;
  const now = ctx.now();
  for (const expired of store.expireBans(now)) log.debug({ ip: expired.ip, jail: expired.jail }, 'ban expired while stopped');
  const runtimes = await buildAndRestore(runtimeDeps(ctx), ctx, now);
  if (ctx.adoptKernelBans) for (const rt of runtimes) await adoptKernelBans(rt, ctx, now);
  ctx.jails.swap(runtimes);
  await retireStoppedJails(previous, runtimes, { config: ctx.config, store, log, wrap: ctx.wrap, now });
  for (const rt of runtimes) {
    const engine = rt.parts?.engine;
    if (engine) store.eachStrikeFact(now - strikeMemoryMs(rt.config!.rules), rt.name, (ip, time, event, weight) => engine.restoreStrike(ip, time, event as EventKind, weight, now));
  }
  // Only now, every ban back in the kernel: sources of all jails open side by side.
  await Promise.all(
    runtimes.map(async (rt) => {
      if (rt.config) rt.sources = await openSources(rt, { store, jails: ctx.jails, log, now: ctx.now });
    }),
  );
}

/** Stops the registry's jails: no source reads on, every queued firewall change applied. Returns them. */
export async function stopJails(jails: JailRegistry): Promise<JailRuntime[]> {
  const old = jails.swap([]);
  for (const rt of old) for (const s of rt.sources) await s.stop();
  for (const rt of old) await rt.applier.idle();
  return old;
}

async function buildAndRestore(deps: RuntimeDeps, ctx: StartContext, now: number): Promise<JailRuntime[]> {
  const enabled = [...ctx.config.jails.values()].filter((j) => j.enabled);
  if (enabled.length === 0) ctx.log.warn({ configDir: ctx.config.dir }, 'no jail is enabled: mailjail watches nothing (enable one in jails.d, see README)');
  // Jails' firewall setups and restores are independent: each starts as soon as its jail is
  // built, so the firewall commands of one run while the next jail's filters are compiled.
  const restores: Array<Promise<number>> = [];
  const runtimes: JailRuntime[] = [];
  try {
    for (const jail of [null, ...enabled]) {
      const rt = createJailRuntime(deps, jail);
      runtimes.push(rt);
      restores.push(restoreBans(rt, ctx.store, now, ctx.log));
    }
  } catch (e) {
    // no restore may be left running (or rejecting unhandled) behind a failed start
    await Promise.allSettled(restores);
    throw e;
  }
  await Promise.all(restores);
  return runtimes;
}

/**
 * A new database beside a kernel that still bans (the old file was damaged and moved aside, or
 * lost): the kernel's bans are taken over, for the jail's ban time (the kernel keeps its own
 * timeouts), instead of being removed by the first reconcile as bans the database does not know.
 */
async function adoptKernelBans(rt: JailRuntime, { store, log }: StartContext, now: number): Promise<void> {
  // A table this start made holds nothing (on a first start, the listings were most of the wait for ready)
  if (rt.action.heldBeforeSetup?.() === false) return;
  const held = await rt.action.listed();
  if (!held || held.size === 0) return;
  const banTimeMs = rt.config?.rules.banTimeMs ?? WEEK;
  const bans: Ban[] = [...held].map((ip) => ({ ip, jail: rt.name, since: now, until: now + banTimeMs, reason: 'taken over from the kernel', count: 0 }));
  store.recordBans(bans);
  for (const b of bans) rt.parts?.engine.noteBan(b);
  log.warn({ jail: rt.name, bans: bans.length }, 'new database: the bans the kernel holds are taken over');
}

function runtimeDeps({ config, store, log, wrap, now, userHashKey, meterOf }: StartContext): RuntimeDeps {
  let key = userHashKey ?? store.getMeta('user-hash-key');
  if (!key) {
    key = newHashKey();
    store.setMeta('user-hash-key', key);
  }
  // Under a flood almost every ban is a first offence: answer those from memory, not SQLite.
  const history = new StoredBanHistory((ip, jail, since) => store.banCount(ip, jail, since));
  store.eachBannedTarget((jail, ip) => history.add(jail, ip));
  // One ServerKnowledge per start: every jail sees the same customers and sprays (issue 12).
  return { config, history, hashUser: createUserHasher(key), shared: new ServerKnowledge(), log, wrap, now, meterOf };
}
