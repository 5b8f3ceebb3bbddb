/** Issue 13: the Redis transport against a real redis-server (Debian's 7.0). */
import { RedisServer, freePort } from '../../helpers/redis-server';
import { RedisTransport } from '../../../src/fleet/redis-transport';
import { compareIds } from '../../../src/fleet/transport';
import { netnsSkipReason } from '../../helpers/netns';
import { waitFor } from '../daemon/daemon-harness';

const describeRedis = netnsSkipReason(['redis-server']) === null ? describe : describe.skip;

describeRedis('the Redis transport', () => {
  let redis: RedisServer;
  let transport: RedisTransport;
  beforeAll(async () => {
    redis = new RedisServer(await freePort());
    await redis.start();
    transport = new RedisTransport({ redis: redis.url, keyPrefix: 't:', streamLength: 1000 });
    await new Promise<void>((resolve) => transport.onConnection((up) => up && resolve()));
  });
  afterAll(async () => {
    await transport.close();
    await redis.teardown();
  });

  it('publishes a sender\'s sequence numbers once, however often they are sent', async () => {
    const events = [1, 2, 3].map((seq) => ({ seq, payload: `p${seq}`, sig: `s${seq}` }));
    await transport.publish('mx1/a', events.slice(0, 2));
    await transport.publish('mx1/a', events); // a node killed before forgetting rows 1-2 sends them again
    await transport.publish('mx2/b', events.slice(0, 1)); // another sender's numbers are its own
    const read = await transport.read('0-0', 10, 100);
    expect(read.map((e) => e.payload)).toEqual(['p1', 'p2', 'p3', 'p1']);
    const { first, last } = await transport.bounds();
    expect(first).toBe(read[0].id);
    expect(last).toBe(read[3].id);
    expect(compareIds(read[1].id, read[0].id)).toBeGreaterThan(0);
    expect(await transport.read(last!, 10, 100)).toEqual([]);
  });

  it('keeps active bans until they end or are removed, a permanent one included', async () => {
    const now = Date.now();
    const entry = (key: string, until: number) => ({ key, until, payload: `{"k":"${key}"}`, sig: 'f'.repeat(64) });
    await transport.putActive([entry('postfix 192.0.2.1', now + 60_000), entry('postfix 192.0.2.2', now + 10), entry('manual 192.0.2.3', Infinity)], now);
    await transport.removeActive(['postfix 192.0.2.1']);
    await transport.putActive([], now + 1000); // drops what ended by then
    const seen: string[] = [];
    await transport.eachActive((page) => seen.push(...page.map((r) => r.payload)));
    expect(seen).toEqual(['{"k":"manual 192.0.2.3"}']);
  });

  it('fails at once while Redis is away instead of queueing in memory', async () => {
    await redis.stop();
    await expect(transport.publish('mx1/a', [{ seq: 4, payload: 'p4', sig: 's4' }])).rejects.toThrow();
    await waitFor(() => !transport.status().connected);
    await redis.start();
    await waitFor(() => transport.status().connected);
  });
});
