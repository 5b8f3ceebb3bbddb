/**
 * Issue 13: one node's link to the fleet with a real SQLite store and a real redis-server: what it
 * shares goes out through the outbox, a `fleet: false` jail's strikes stay home, and what was
 * decided while Redis was away goes out when it returns.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Ban, Strike } from '../../../src/core/types';
import { createGuard } from '../../../src/daemon/guard';
import { deriveFleetKeys } from '../../../src/fleet/fleet-secret';
import { Signer } from '../../../src/fleet/fleet-event';
import type { FleetJail, FleetJails } from '../../../src/fleet/fleet-jails';
import { FleetNode } from '../../../src/fleet/fleet-node';
import { RedisServer, freePort } from '../../helpers/redis-server';
import { netnsSkipReason } from '../../helpers/netns';
import { useTempStores } from '../store/temp-store';
import { waitFor } from '../daemon/daemon-harness';

const describeRedis = netnsSkipReason(['redis-server']) === null ? describe : describe.skip;
const SECRET = 'fleet-node-test-secret-0123456789';
const log = { info: () => {}, warn: () => {}, error: () => {} };

const manual: FleetJail = { name: 'manual', sharesCounts: true, guard: createGuard([], []), ban: () => {}, unban: () => {} };
const jails: FleetJails = { ready: () => true, get: (n) => (n === 'manual' ? manual : undefined), all: () => [manual], fallback: () => manual };

const strike: Strike = { ip: '192.0.2.5', jail: 'postfix', time: 1, event: 'auth-failure', weight: 1, rule: 'postfix/sasl', userHash: 'abc', text: 'the log line' };
const ban: Ban = { ip: '192.0.2.5', jail: 'postfix', since: 1, until: Date.now() + 3_600_000, reason: 'threshold', count: 0 };

describeRedis('a fleet node publishing what it decides', () => {
  const stores = useTempStores();
  let redis: RedisServer;
  beforeAll(async () => {
    redis = new RedisServer(await freePort());
    await redis.start();
  });
  afterAll(() => redis.teardown());

  async function published(): Promise<Array<Record<string, unknown>>> {
    const client = redis.client();
    try {
      const signer = new Signer(deriveFleetKeys(SECRET).signKey);
      const entries = await client.xrange('mailjail:events', '-', '+');
      return entries.map(([, f]) => signer.openEvent({ payload: f[1], sig: f[3] }) as unknown as Record<string, unknown>);
    } finally {
      client.disconnect();
    }
  }

  it('keeps a fleet: false jail\'s strikes home but shares its bans, and never the log line', async () => {
    const store = stores.open();
    writeFileSync(join(stores.dir(), 'key'), SECRET);
    const node = new FleetNode({ redis: redis.url, node: 'mx9', secretFile: join(stores.dir(), 'key'), keyPrefix: 'mailjail:', streamLength: 1000 }, store, () => jails, log, Date.now);
    try {
      node.start();
      store.transaction(() => node.share([strike], [{ ...ban }], false));
      store.transaction(() => node.share([strike], [], true));
      await waitFor(() => node.status().pending === 0 && node.status().published === 2);
      const [first, second] = await published();
      expect(first).toMatchObject({ node: 'mx9', seq: 1, bans: [['postfix', '192.0.2.5', 1, ban.until, 'threshold', 0]] });
      expect(first.strikes).toBeUndefined();
      expect(second).toMatchObject({ seq: 2, strikes: [['postfix', '192.0.2.5', 1, 'auth-failure', 1, 'abc']] });
      expect(JSON.stringify(second)).not.toContain('the log line');

      // Redis away: the node keeps what it decided in its database and publishes it on return
      await redis.stop();
      await waitFor(() => !node.status().connected);
      store.transaction(() => node.share([], [{ ...ban, ip: '192.0.2.6' }], true));
      await new Promise((r) => setTimeout(r, 1500));
      expect(node.status().pending).toBe(1);
      await redis.start();
      await waitFor(() => node.status().pending === 0);
      const after = await published(); // Redis came back empty: only what was kept
      expect(after).toHaveLength(1);
      expect(after[0]).toMatchObject({ seq: 3, bans: [['postfix', '192.0.2.6', 1, ban.until, 'threshold', 0]] });
    } finally {
      await node.stop();
    }
  });

  it('starts without Redis, decides alone, and joins the fleet when Redis first appears', async () => {
    const store = stores.open();
    writeFileSync(join(stores.dir(), 'key'), SECRET);
    const late = new RedisServer(await freePort());
    const node = new FleetNode({ redis: late.url, node: 'mx8', secretFile: join(stores.dir(), 'key'), keyPrefix: 'mailjail:', streamLength: 1000 }, store, () => jails, log, Date.now);
    try {
      node.start();
      store.transaction(() => node.share([], [{ ...ban, ip: '192.0.2.8' }], true));
      await new Promise((r) => setTimeout(r, 1000));
      expect(node.status()).toMatchObject({ connected: false, pending: 1 });
      await late.start();
      await waitFor(() => node.status().connected && node.status().pending === 0);
      const client = late.client();
      try {
        expect(await client.hkeys('mailjail:bans')).toEqual(['postfix 192.0.2.8']);
      } finally {
        client.disconnect();
      }
    } finally {
      await node.stop();
      await late.teardown();
    }
  });
});
