import { MailjailError } from '../../../src/core/errors';
import { parseCidr } from '../../../src/core/ip';
import type { Ban } from '../../../src/core/types';
import { createAction } from '../../../src/enforce/create-action';
import { parseTableSummary } from '../../../src/enforce/nft-json';
import { NftablesAction } from '../../../src/enforce/nftables-action';
import { createNetns, describeWithNetns, type Netns } from '../../helpers/netns';

const WEEK_MS = 604_800_000;
const NOW = Date.UTC(2025, 0, 1);

function ban(ip: string, durationMs = WEEK_MS, jail = 'postfix'): Ban {
  return { ip, jail, since: NOW, until: NOW + durationMs, reason: 'threshold', count: 0 };
}

describeWithNetns(['nft'])('nftables action (real nft in a network namespace)', () => {
  let ns: Netns;
  beforeAll(async () => {
    ns = await createNetns('nft');
  });
  afterAll(async () => {
    await ns?.remove();
  });

  async function ready(jail: string, ports: number[] | 'all' = [25, 465, 587]): Promise<NftablesAction> {
    const action = new NftablesAction({ jail, ports, wrap: ns.wrap });
    await action.setup();
    return action;
  }

  async function ourRules(): Promise<{ handle: number; comment?: string }[]> {
    const r = await ns.execOk(['nft', '-t', '-j', 'list', 'table', 'inet', 'mailjail']);
    return parseTableSummary(r.stdout).rules;
  }

  test('bans IPv4, IPv6 and CIDRs with the remaining ban time (one week) as kernel timeout', async () => {
    const action = await ready('week');
    const ips = ['192.0.2.1', '2001:db8::1', '198.51.100.0/24', '2001:db8:1::/64'];
    await action.ban(ips.map((ip) => ban(ip)), NOW);
    const elements = await action.elements();
    expect(elements.map((e) => e.text).sort()).toEqual([...ips].sort());
    for (const e of elements) {
      expect(e.timeoutS).toBeGreaterThanOrEqual(604000);
      expect(e.timeoutS).toBeLessThanOrEqual(604800);
      expect(e.expiresS).toBeGreaterThan(604000);
    }
    expect(await action.listed()).toEqual(new Set(ips));
  });

  test('unban removes elements and is no error for absent ones', async () => {
    const action = await ready('unban');
    await action.ban(['192.0.2.10', '192.0.2.11', '2001:db8::10', '203.0.113.0/24'].map((ip) => ban(ip)), NOW);
    await action.unban(['192.0.2.10', '2001:db8::10', '203.0.113.0/24', '198.51.100.99', '2001:db8::99']);
    expect(await action.listed()).toEqual(new Set(['192.0.2.11']));
    await action.unban(['192.0.2.10']);
    expect(await action.listed()).toEqual(new Set(['192.0.2.11']));
  });

  test('setup twice keeps exactly one rule per set, matching the configured ports', async () => {
    const action = await ready('twice');
    await action.setup();
    const mine = (await ourRules()).filter((r) => r.comment?.startsWith('mailjail twice_'));
    expect(mine.map((r) => r.comment).sort()).toEqual(['mailjail twice_v4 25,465,587', 'mailjail twice_v6 25,465,587']);
    const chain = (await ns.execOk(['nft', 'list', 'chain', 'inet', 'mailjail', 'input'])).stdout;
    expect(chain).toContain('ip saddr @twice_v4 tcp dport { 25, 465, 587 } drop');
    expect(chain).toContain('ip6 saddr @twice_v6 tcp dport { 25, 465, 587 } drop');
    expect(chain).toContain('type filter hook input priority filter - 10; policy accept;');
  });

  test('setup keeps the bans and replaces the rule when the port list changes', async () => {
    const first = await ready('ports');
    await first.ban([ban('192.0.2.20')], NOW);
    const second = await ready('ports', [25]);
    const mine = (await ourRules()).filter((r) => r.comment?.startsWith('mailjail ports_'));
    expect(mine.map((r) => r.comment).sort()).toEqual(['mailjail ports_v4 25', 'mailjail ports_v6 25']);
    expect(await second.listed()).toEqual(new Set(['192.0.2.20']));
  });

  test('a jail with ports "all" drops without a port match', async () => {
    await ready('every', 'all');
    const chain = (await ns.execOk(['nft', 'list', 'chain', 'inet', 'mailjail', 'input'])).stdout;
    expect(chain).toMatch(/ip saddr @every_v4 drop comment "mailjail every_v4 all"/);
  });

  test('re-adding an element updates its timeout', async () => {
    const action = await ready('readd');
    await action.ban([ban('192.0.2.30', 3_600_000)], NOW);
    expect((await action.elements())[0].timeoutS).toBe(3600);
    await action.ban([ban('192.0.2.30', WEEK_MS)], NOW);
    const [e] = await action.elements();
    expect(e.timeoutS).toBeGreaterThanOrEqual(604000);
  });

  test('a CIDR ban replaces the single-IP bans inside it', async () => {
    const action = await ready('widen');
    await action.ban(['203.0.113.5', '203.0.113.6', '198.51.100.7', '2001:db8:5::1'].map((ip) => ban(ip)), NOW);
    await action.ban([ban('203.0.113.0/24'), ban('2001:db8:5::/48')], NOW);
    expect(await action.listed()).toEqual(new Set(['203.0.113.0/24', '198.51.100.7', '2001:db8:5::/48']));
  });

  test('a ban inside an already banned CIDR is skipped, with the rest of the batch applied', async () => {
    const logs: string[] = [];
    const action = new NftablesAction({ jail: 'inside', ports: [25], wrap: ns.wrap, log: (_l, msg) => logs.push(msg) });
    await action.setup();
    await action.ban([ban('198.51.100.0/24')], NOW);
    await action.ban([ban('198.51.100.9'), ban('192.0.2.9')], NOW);
    expect(await action.listed()).toEqual(new Set(['198.51.100.0/24', '192.0.2.9']));
    expect(logs).toContain('ban already covered by a wider element in the kernel');
  });

  test('one batch holding a CIDR and addresses inside it bans the CIDR only', async () => {
    const action = await ready('mixed');
    await action.ban([ban('192.0.2.40'), ban('192.0.2.0/24'), ban('192.0.2.41'), ban('2001:db8::40')], NOW);
    expect(await action.listed()).toEqual(new Set(['192.0.2.0/24', '2001:db8::40']));
  });

  test('unban of an address inside a banned CIDR leaves the CIDR and removes the exact ones', async () => {
    const action = await ready('partial');
    await action.ban([ban('203.0.113.0/24'), ban('192.0.2.50')], NOW);
    await action.unban(['203.0.113.8', '192.0.2.50']);
    expect(await action.listed()).toEqual(new Set(['203.0.113.0/24']));
  });

  test('one jail\'s setup and bans leave another jail\'s set alone', async () => {
    const a = await ready('alpha');
    await a.ban([ban('192.0.2.60')], NOW);
    const b = await ready('beta');
    await b.ban([ban('192.0.2.61')], NOW);
    await a.setup();
    expect(await a.listed()).toEqual(new Set(['192.0.2.60']));
    expect(await b.listed()).toEqual(new Set(['192.0.2.61']));
  });

  test('20,000 bans go in as one batch and all are listed', async () => {
    const action = await ready('bulk', [25]);
    const ips: string[] = [];
    for (const net of ['192.0.2', '198.51.100', '203.0.113']) for (let h = 1; h <= 250; h++) ips.push(`${net}.${h}`);
    for (let i = 1; ips.length < 20_000; i++) ips.push(`2001:db8:100::${i.toString(16)}`);
    const started = Date.now();
    await action.ban(ips.map((ip) => ban(ip)), NOW);
    const banMs = Date.now() - started;
    const listStarted = Date.now();
    const listed = await action.listed();
    const listMs = Date.now() - listStarted;
    console.log(`nftables: 20,000 bans in one nft -f took ${banMs} ms; listing them took ${listMs} ms`);
    expect(listed.size).toBe(20_000);
    expect(listed).toEqual(new Set(ips.map((ip) => parseCidr(ip)!.text)));
  });

  test('a failed nft command throws a FIREWALL error carrying nft\'s message', async () => {
    const action = new NftablesAction({ jail: 'nosetup', ports: [25], wrap: ns.wrap });
    const failure = action.ban([ban('192.0.2.70')], NOW);
    await expect(failure).rejects.toBeInstanceOf(MailjailError);
    await expect(failure).rejects.toMatchObject({ code: 'FIREWALL', message: expect.stringMatching(/failed \(exit 1\): .*No such file or directory/) });
  });

  test('refuses a batch holding something that is not an IP before running nft', async () => {
    const action = await ready('refuse');
    await expect(action.ban([ban('192.0.2.80'), ban('192.0.2.80; rm -rf /')], NOW)).rejects.toMatchObject({ code: 'FIREWALL' });
    expect(await action.listed()).toEqual(new Set());
  });

  test('teardown removes the jail\'s rules and sets, and the table with the last jail', async () => {
    const other = await createNetns('nftdown');
    try {
      const a = createAction('nftables', { jail: 'one', ports: [25], wrap: other.wrap });
      const b = createAction('nftables', { jail: 'two', ports: [25], wrap: other.wrap });
      await a.setup();
      await b.setup();
      await a.ban([ban('192.0.2.90')], NOW);
      await a.teardown();
      const left = parseTableSummary((await other.execOk(['nft', '-t', '-j', 'list', 'table', 'inet', 'mailjail'])).stdout);
      expect(left.sets.sort()).toEqual(['two_v4', 'two_v6']);
      expect(left.rules.map((r) => r.comment).sort()).toEqual(['mailjail two_v4 25', 'mailjail two_v6 25']);
      await b.teardown();
      expect((await other.execOk(['nft', 'list', 'ruleset'])).stdout.trim()).toBe('');
      await b.teardown();
    } finally {
      await other.remove();
    }
  });
});
