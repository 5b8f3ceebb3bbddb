/**
 * A small batch next to a big set: nft 1.0.6 reads every element of an interval set before each
 * change to it, so with hosts in interval sets 10 bans among 100,000 took ~3 s. Hosts now live in
 * hash sets. This asserts only that the batches are right; the times are printed for the record
 * (speed is measured by benchmarks, never asserted by a test).
 */
import type { Ban } from '../../../src/core/types';
import { NftablesAction } from '../../../src/enforce/nftables-action';
import { documentationHosts } from '../../helpers/fixture-hosts';
import { createNetns, describeWithNetns, type Netns } from '../../helpers/netns';

const NOW = Date.UTC(2025, 0, 1);
const FILL = 50_000;

function ban(ip: string): Ban {
  return { ip, jail: 'big', since: NOW, until: NOW + 86_400_000, reason: 'threshold', count: 0 };
}

async function timed(run: () => Promise<void>): Promise<number> {
  const started = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

describeWithNetns(['nft'])('nftables action next to 50,000 bans', () => {
  let ns: Netns;
  beforeAll(async () => {
    ns = await createNetns('nftbig');
  });
  afterAll(async () => {
    await ns?.remove();
  });

  test('a batch of 10 bans and a batch of 10 unbans change exactly those elements', async () => {
    const action = new NftablesAction({ jail: 'big', ports: [25, 465, 587], wrap: ns.wrap });
    await action.setup();
    // The documentation ranges hold 762 IPv4 hosts; the other 49,238 come from 2001:db8::/32.
    const filler = documentationHosts(FILL, { hostsPerV4Net: 254, v6Prefix: '2001:db8:ffff::', firstV6: 0 });
    // prefixes too, so the prefix sets are not empty while the hosts change
    const prefixes = ['2001:db8:1::/48', '2001:db8:2::/48', '2001:db8:3::/64'];
    await action.ban([...filler, ...prefixes].map(ban), NOW);

    const fresh = [...Array.from({ length: 5 }, (_, i) => `2001:db8:aaaa::${i + 1}`), '192.0.2.255', '198.51.100.255', '203.0.113.255', '192.0.2.0', '198.51.100.0'];
    const banMs = await timed(() => action.ban(fresh.map(ban), NOW));
    const afterBan = await action.listed();
    expect(afterBan.size).toBe(FILL + prefixes.length + fresh.length);
    for (const ip of fresh) expect(afterBan.has(ip)).toBe(true);

    const gone = [...fresh.slice(0, 5), ...filler.slice(0, 5)];
    const unbanMs = await timed(() => action.unban(gone));
    const afterUnban = await action.listed();
    expect(afterUnban.size).toBe(FILL + prefixes.length + fresh.length - gone.length);
    for (const ip of gone) expect(afterUnban.has(ip)).toBe(false);
    for (const ip of [...fresh.slice(5), ...filler.slice(5, 50), ...prefixes]) expect(afterUnban.has(ip)).toBe(true);

    const setupMs = await timed(() => action.setup());
    expect(await action.listed()).toEqual(afterUnban);
    console.log(
      `nftables with ${FILL.toLocaleString('en')} bans present: 10 bans ${banMs.toFixed(1)} ms, ` +
        `10 unbans ${unbanMs.toFixed(1)} ms, setup ${setupMs.toFixed(1)} ms`,
    );
  });
});
