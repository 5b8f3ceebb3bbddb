/**
 * Issue 13: `mailjail ban` and `unban` reach the fleet through the outbox written in the same
 * transaction as the ban (or the lift), as the pipeline's bans do. The fault: the daemon dies right
 * after the commit, before its ban reaches the kernel, while Redis is out of reach; after a restart
 * (same database, Redis back) the other node gets the ban, or the lift, exactly once. Real SQLite,
 * real redis-server, the real admin handler, jail registry and fleet wiring; the firewall is a
 * dry-run action whose ban (or unban) is where the process "dies".
 */
import { Writable } from 'node:stream';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Ban } from '../../../src/core/types';
import type { FleetConfig, MainConfig } from '../../../src/config/load-config';
import { createAction } from '../../../src/enforce/create-action';
import type { FirewallAction } from '../../../src/enforce/action';
import { createAdminHandler } from '../../../src/daemon/admin';
import { BanApplier } from '../../../src/daemon/ban-applier';
import { createFleet } from '../../../src/daemon/fleet-wiring';
import { createGuard } from '../../../src/daemon/guard';
import { JailRegistry } from '../../../src/daemon/jail-registry';
import type { JailRuntime } from '../../../src/daemon/jail-runtime';
import { createLogger } from '../../../src/daemon/logger';
import type { FleetJail, FleetJails } from '../../../src/fleet/fleet-jails';
import { FleetNode } from '../../../src/fleet/fleet-node';
import type { Store } from '../../../src/store/store';
import { RedisServer, freePort } from '../../helpers/redis-server';
import { netnsSkipReason } from '../../helpers/netns';
import { useTempStores } from '../store/temp-store';
import { waitFor } from '../daemon/daemon-harness';

const describeRedis = netnsSkipReason(['redis-server']) === null ? describe : describe.skip;
const SECRET = 'admin-outbox-test-secret-0123456789';
const IP = '203.0.113.9';
const quiet = createLogger('error', new Writable({ write: (_c, _e, done) => done() }) as never);
const main = { ignoreIp: [], maxBanPrefix: { ipv4: 24, ipv6: 48 } } as unknown as MainConfig;

class Died extends Error {}

/** The `manual` jail on a dry-run firewall; `dies` makes its ban or unban throw, as a kill -9 there would end the process. */
function manualJail(dies?: 'ban' | 'unban'): JailRuntime {
  const action = createAction('dry-run', { jail: 'manual', ports: 'all' }) as FirewallAction;
  const rt: JailRuntime = { name: 'manual', action, applier: new BanApplier(action, 'manual', quiet), sources: [], counters: { lines: 0, failures: 0, strikes: 0, bans: 0 } } as JailRuntime;
  if (dies) {
    rt.applier[dies] = () => {
      throw new Died(`killed before the ${dies} reached the kernel`);
    };
  }
  return rt;
}

/** One life of the origin node mx1 on its database: the daemon's wiring, minus sources and the socket. */
function lifeOf(store: Store, fleetConfig: FleetConfig, dies?: 'ban' | 'unban') {
  const registry = new JailRegistry(quiet);
  const fleet = createFleet(fleetConfig, store, registry, () => main, quiet, Date.now);
  registry.swap([manualJail(dies)]);
  fleet.start();
  const admin = createAdminHandler({
    jails: registry,
    store,
    now: Date.now,
    startedAt: Date.now(),
    main: () => main,
    metrics: { render: async () => '', health: { evaluate: () => [] } } as never,
    recentBans: () => [],
    node: fleet.node,
    fleet: () => fleet.status(),
    reload: async () => registry.names(),
  });
  return { admin, fleet };
}

/** The other node, mx2: a fleet node whose `manual` jail records what reaches its kernel. */
function receiver(store: Store, fleetConfig: FleetConfig) {
  const kernel = { bans: [] as Ban[], unbans: [] as string[] };
  const manual: FleetJail = {
    name: 'manual',
    sharesCounts: true,
    guard: createGuard([], []),
    ban: (bans) => kernel.bans.push(...bans),
    unban: (ips) => kernel.unbans.push(...ips),
  };
  const jails: FleetJails = { ready: () => true, get: (n) => (n === 'manual' ? manual : undefined), all: () => [manual], fallback: () => manual };
  const node = new FleetNode({ ...fleetConfig, node: 'mx2' }, store, () => jails, quiet, Date.now);
  node.start();
  return { node, kernel };
}

describeRedis('an admin ban or unban when the daemon dies right after committing it', () => {
  const stores = useTempStores();
  let redis: RedisServer;
  let unreachable: string;
  beforeAll(async () => {
    redis = new RedisServer(await freePort());
    await redis.start();
    unreachable = `redis://127.0.0.1:${await freePort()}/0`; // nothing listens there
  });
  afterAll(() => redis.teardown());

  function configs(): { live: FleetConfig; away: FleetConfig } {
    const secretFile = join(stores.dir(), 'fleet.key');
    writeFileSync(secretFile, SECRET);
    const live: FleetConfig = { redis: redis.url, node: 'mx1', secretFile, keyPrefix: `mj-${Date.now()}:`, streamLength: 1000 };
    return { live, away: { ...live, redis: unreachable } };
  }

  it('publishes a `mailjail ban` after the restart, and the other node applies it once', async () => {
    const { live, away } = configs();
    const other = receiver(stores.open({}, join(stores.dir(), 'mx2.db')), live);
    await waitFor(() => other.node.status().position !== null); // reading the stream: it learns only from events
    const first = lifeOf(stores.open(), away, 'ban');
    try {
      await expect(first.admin({ cmd: 'ban', ip: IP, for: 3_600_000, reason: 'spamtrap' })).rejects.toThrow(Died);
    } finally {
      await first.fleet.stop();
    }
    const second = lifeOf(stores.open(), live);
    try {
      await waitFor(() => other.kernel.bans.length > 0);
      await waitFor(() => second.fleet.status().pending === 0);
      await new Promise((r) => setTimeout(r, 1500)); // a second copy would arrive by now
      expect(other.kernel.bans).toEqual([expect.objectContaining({ ip: IP, jail: 'manual', reason: 'manual: spamtrap', node: 'mx1' })]);
      expect(other.node.status()).toMatchObject({ received: 1, bansApplied: 1, duplicates: 0 });
    } finally {
      await second.fleet.stop();
      await other.node.stop();
    }
  });

  it('publishes a `mailjail unban` after the restart, and the other node lifts the ban once', async () => {
    const { live, away } = configs();
    const other = receiver(stores.open({}, join(stores.dir(), 'mx2.db')), live);
    await waitFor(() => other.node.status().position !== null);
    const lives = [lifeOf(stores.open(), live)];
    try {
      await lives[0].admin({ cmd: 'ban', ip: IP, for: 3_600_000 });
      await waitFor(() => other.kernel.bans.length === 1);
      await lives[0].fleet.stop();
      lives.push(lifeOf(stores.open(), away, 'unban'));
      await expect(lives[1].admin({ cmd: 'unban', ip: IP })).rejects.toThrow(Died);
      await lives[1].fleet.stop();
      lives.push(lifeOf(stores.open(), live));
      await waitFor(() => other.kernel.unbans.length > 0);
      await waitFor(() => lives[2].fleet.status().pending === 0);
      await new Promise((r) => setTimeout(r, 1500));
      expect(other.kernel.unbans).toEqual([IP]);
      expect(other.node.status()).toMatchObject({ received: 2, unbansApplied: 1, duplicates: 0 });
    } finally {
      await lives[lives.length - 1].fleet.stop();
      await other.node.stop();
    }
  });
});
