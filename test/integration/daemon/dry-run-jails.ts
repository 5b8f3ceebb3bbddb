/** Real jail runtimes of the shipped configuration on dry-run firewalls, for tests that need the daemon's jails without a daemon. */
import { Writable } from 'node:stream';
import { loadConfig, type LoadedConfig, type MainConfig } from '../../../src/config/load-config';
import type { Request } from '../../../src/control/protocol';
import { MemoryBanHistory } from '../../../src/decide/ban-history';
import { ServerKnowledge } from '../../../src/decide/server-knowledge';
import { createAdminHandler } from '../../../src/daemon/admin';
import type { JailRegistry } from '../../../src/daemon/jail-registry';
import { createJailRuntime, type JailRuntime, type RuntimeDeps } from '../../../src/daemon/jail-runtime';
import { createLogger } from '../../../src/daemon/logger';
import { createUserHasher, newHashKey } from '../../../src/daemon/user-hash';
import { Metrics } from '../../../src/metrics/metrics';
import type { Store } from '../../../src/store/store';

export const quiet = createLogger('error', new Writable({ write: (_c, _e, done) => done() }) as never);

/** The shipped configuration with the dry-run action, and runtime deps on it (real metrics meters) at a fixed `now`. */
export function dryRunDeps(now: number): RuntimeDeps & { config: LoadedConfig } {
  const base = loadConfig(null);
  const config = { ...base, main: { ...base.main, action: 'dry-run' as const } };
  const metrics = new Metrics({ startedAt: now, reconcileIntervalMs: 60_000, sourceGraceMs: 60_000, jails: () => [], databaseBytes: () => 0, isReady: () => true });
  return { config, history: new MemoryBanHistory(), hashUser: createUserHasher(newHashKey()), shared: new ServerKnowledge(), log: quiet, now: () => now, meterOf: (n) => metrics.jail(n) };
}

/** A shipped jail (enabled, dry-run), or the `manual` jail for null. */
export function dryRunJail(deps: RuntimeDeps, name: string | null): JailRuntime {
  if (name === null) return createJailRuntime(deps, null);
  const jail = deps.config.jails.get(name);
  if (!jail) throw new Error(`no shipped jail ${name}`);
  return createJailRuntime(deps, { ...jail, enabled: true, action: 'dry-run' });
}

/** The daemon's admin handler on these jails and a store, as the control socket calls it (no fleet, no reload). */
export function adminOn(jails: JailRegistry, store: Store, main: MainConfig, now: number): (req: Request) => Promise<unknown> {
  return createAdminHandler({
    jails,
    store,
    now: () => now,
    startedAt: now,
    main: () => main,
    metrics: { render: async () => '', health: { evaluate: () => [] } } as never,
    recentBans: () => [],
    node: 'mx1',
    fleet: () => undefined,
    reload: async () => jails.names(),
  });
}
