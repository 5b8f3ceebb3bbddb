import { MailjailError } from '../../../src/core/errors';
import { createAction } from '../../../src/enforce/create-action';
import { parseSetElements, parseTableSummary, type NftTableSummary } from '../../../src/enforce/nft-json';
import { NftablesAction } from '../../../src/enforce/nftables-action';
import { createNetns, describeWithNetns, type Netns } from '../../helpers/netns';
import { ban, expectBulkBanListed, NOW, WEEK_MS } from './action-fixtures';

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

  /** Runs `fn` with a network namespace of its own, removed afterwards. */
  async function inOwnNetns(name: string, fn: (netns: Netns) => Promise<void>): Promise<void> {
    const own = await createNetns(name);
    try {
      await fn(own);
    } finally {
      await own.remove();
    }
  }

  async function summary(netns: Netns = ns): Promise<NftTableSummary> {
    return parseTableSummary((await netns.execOk(['nft', '-t', '-j', 'list', 'table', 'inet', 'mailjail'])).stdout);
  }

  async function rulesOf(jail: string): Promise<string[]> {
    const r = await summary();
    return r.rules.filter((x) => x.chain === `${jail}_input`).map((x) => x.comment ?? '');
  }

  async function setTexts(set: string, netns: Netns = ns): Promise<string[]> {
    const r = await netns.execOk(['nft', '-j', 'list', 'set', 'inet', 'mailjail', set]);
    return parseSetElements(r.stdout).map((e) => e.text).sort();
  }

  test('bans IPv4, IPv6 and CIDRs with the remaining ban time (one week) as kernel timeout', async () => {
    const action = await ready('week');
    const ips = ['192.0.2.1', '2001:db8::1', '198.51.100.0/24', '2001:db8:1::/64', '203.0.113.0/25', '2001:db8:2::/48'];
    await action.ban(ips.map((ip) => ban(ip)), NOW);
    const elements = await action.elements();
    expect(elements.map((e) => e.text).sort()).toEqual([...ips].sort());
    for (const e of elements) {
      expect(e.timeoutS).toBeGreaterThanOrEqual(604000);
      expect(e.timeoutS).toBeLessThanOrEqual(604800);
      expect(e.expiresS).toBeGreaterThan(604000);
    }
    expect(await action.listed()).toEqual(new Set(ips));
    // hosts in the hash sets, /24s and /64s as network addresses in the masked hash sets, other prefixes in the interval sets
    expect(await setTexts('week_v4')).toEqual(['192.0.2.1']);
    expect(await setTexts('week_v6')).toEqual(['2001:db8::1']);
    expect(await setTexts('week_v4_24')).toEqual(['198.51.100.0']);
    expect(await setTexts('week_v6_64')).toEqual(['2001:db8:1::']);
    expect(await setTexts('week_v4_net')).toEqual(['203.0.113.0/25']);
    expect(await setTexts('week_v6_net')).toEqual(['2001:db8:2::/48']);
    const flags = Object.fromEntries((await summary()).sets.filter((x) => x.name.startsWith('week_')).map((x) => [x.name, x.flags.sort()]));
    expect(flags).toEqual({
      week_v4: ['timeout'],
      week_v6: ['timeout'],
      week_v4_24: ['timeout'],
      week_v6_64: ['timeout'],
      week_v4_net: ['interval', 'timeout'],
      week_v6_net: ['interval', 'timeout'],
    });
  });

  test('unban removes elements and is no error for absent ones', async () => {
    const action = await ready('unban');
    await action.ban(['192.0.2.10', '192.0.2.11', '2001:db8::10', '203.0.113.0/24'].map((ip) => ban(ip)), NOW);
    await action.unban(['192.0.2.10', '2001:db8::10', '203.0.113.0/24', '198.51.100.99', '2001:db8::99']);
    expect(await action.listed()).toEqual(new Set(['192.0.2.11']));
    await action.unban(['192.0.2.10']);
    expect(await action.listed()).toEqual(new Set(['192.0.2.11']));
  });

  test('setup twice keeps exactly one rule per set in the jail\'s chain, matching the configured ports', async () => {
    const action = await ready('twice');
    await action.ban([ban('192.0.2.15'), ban('203.0.113.0/24')], NOW);
    await action.setup();
    expect(await rulesOf('twice')).toEqual([
      'mailjail twice_v4 25,465,587',
      'mailjail twice_v6 25,465,587',
      'mailjail twice_v4_24 25,465,587',
      'mailjail twice_v6_64 25,465,587',
      'mailjail twice_v4_net 25,465,587',
      'mailjail twice_v6_net 25,465,587',
    ]);
    const chain = (await ns.execOk(['nft', 'list', 'chain', 'inet', 'mailjail', 'twice_input'])).stdout;
    expect(chain).toContain('ip saddr @twice_v4 tcp dport { 25, 465, 587 } drop');
    expect(chain).toContain('ip6 saddr @twice_v6 tcp dport { 25, 465, 587 } drop');
    expect(chain).toContain('ip saddr @twice_v4_net tcp dport { 25, 465, 587 } drop');
    expect(chain).toContain('ip6 saddr @twice_v6_net tcp dport { 25, 465, 587 } drop');
    expect(chain).toContain('ip saddr & 255.255.255.0 == @twice_v4_24 tcp dport { 25, 465, 587 } drop');
    expect(chain).toContain('ip6 saddr & ffff:ffff:ffff:ffff:: == @twice_v6_64 tcp dport { 25, 465, 587 } drop');
    expect(chain).toContain('type filter hook input priority filter - 10; policy accept;');
    expect(await action.listed()).toEqual(new Set(['192.0.2.15', '203.0.113.0/24']));
  });

  test('setup keeps the bans and replaces the rules when the port list changes', async () => {
    const first = await ready('ports');
    await first.ban([ban('192.0.2.20')], NOW);
    const second = await ready('ports', [25]);
    expect(await rulesOf('ports')).toEqual(['mailjail ports_v4 25', 'mailjail ports_v6 25', 'mailjail ports_v4_24 25', 'mailjail ports_v6_64 25', 'mailjail ports_v4_net 25', 'mailjail ports_v6_net 25']);
    expect(await second.listed()).toEqual(new Set(['192.0.2.20']));
  });

  test('a jail with ports "all" drops without a port match', async () => {
    await ready('every', 'all');
    const chain = (await ns.execOk(['nft', 'list', 'chain', 'inet', 'mailjail', 'every_input'])).stdout;
    expect(chain).toMatch(/ip saddr @every_v4 drop comment "mailjail every_v4 all"/);
    expect(chain).toMatch(/ip6 saddr @every_v6_net drop comment "mailjail every_v6_net all"/);
  });

  test('re-adding an element updates its timeout, for hosts and prefixes', async () => {
    const action = await ready('readd');
    const ips = ['192.0.2.30', '198.51.100.0/24', '2001:db8:3:4::/64', '203.0.113.0/26'];
    await action.ban(ips.map((ip) => ban(ip, 3_600_000)), NOW);
    expect((await action.elements()).map((e) => e.timeoutS)).toEqual([3600, 3600, 3600, 3600]);
    await action.ban(ips.map((ip) => ban(ip, WEEK_MS)), NOW);
    for (const e of await action.elements()) expect(e.timeoutS).toBeGreaterThanOrEqual(604000);
  });

  test('a CIDR ban leaves the single-IP bans inside it in the host set', async () => {
    const action = await ready('widen');
    await action.ban(['203.0.113.5', '203.0.113.6', '198.51.100.7', '2001:db8:5::1'].map((ip) => ban(ip)), NOW);
    await action.ban([ban('203.0.113.0/24'), ban('2001:db8:5::/48')], NOW);
    expect(await action.listed()).toEqual(new Set(['203.0.113.5', '203.0.113.6', '198.51.100.7', '2001:db8:5::1', '203.0.113.0/24', '2001:db8:5::/48']));
  });

  test('a wider CIDR replaces the narrower CIDRs of the interval sets inside it in one batch; /24s and /64s stay beside it', async () => {
    const action = await ready('wider');
    await action.ban([ban('203.0.113.0/26'), ban('203.0.113.64/27'), ban('198.51.100.0/25'), ban('2001:db8:7::/64'), ban('2001:db8:7:1::/56')], NOW);
    await action.ban([ban('203.0.113.0/25'), ban('2001:db8:7::/48'), ban('192.0.2.77')], NOW);
    expect(await action.listed()).toEqual(new Set(['203.0.113.0/25', '198.51.100.0/25', '2001:db8:7::/64', '2001:db8:7::/48', '192.0.2.77']));
  });

  test('a host inside a banned CIDR is banned as a host; a CIDR inside one is skipped, with the rest of the batch applied', async () => {
    const logs: string[] = [];
    const action = new NftablesAction({ jail: 'inside', ports: [25], wrap: ns.wrap, log: (_l, msg) => logs.push(msg) });
    await action.setup();
    await action.ban([ban('198.51.100.0/25')], NOW);
    await action.ban([ban('198.51.100.9'), ban('198.51.100.64/26'), ban('192.0.2.9'), ban('203.0.113.0/24')], NOW);
    expect(await action.listed()).toEqual(new Set(['198.51.100.0/25', '198.51.100.9', '192.0.2.9', '203.0.113.0/24']));
    expect(logs).toEqual(['ban already covered by a wider element in the kernel']);
  });

  test('one batch holding a CIDR, a narrower CIDR and addresses inside it bans the CIDR and the addresses', async () => {
    const action = await ready('mixed');
    await action.ban([ban('192.0.2.40'), ban('192.0.2.0/25'), ban('192.0.2.64/26'), ban('192.0.2.41'), ban('2001:db8::40')], NOW);
    expect(await action.listed()).toEqual(new Set(['192.0.2.0/25', '192.0.2.40', '192.0.2.41', '2001:db8::40']));
  });

  test('unban of an address or a CIDR inside a banned CIDR leaves the CIDR and removes the exact ones', async () => {
    const action = await ready('partial');
    await action.ban([ban('203.0.113.0/24'), ban('192.0.2.50'), ban('198.51.100.0/25')], NOW);
    await action.unban(['203.0.113.8', '203.0.113.0/25', '192.0.2.50', '198.51.100.0/25']);
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
    await expectBulkBanListed(action, 'nftables');
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

  test('setup upgrades the older layout (interval sets, rules in a shared chain), keeping every ban with its remaining time', async () => {
    const old = await createNetns('nftold');
    try {
      const legacy = (jail: string) => [
        `add set inet mailjail ${jail}_v4 { type ipv4_addr; flags interval, timeout; }`,
        `add set inet mailjail ${jail}_v6 { type ipv6_addr; flags interval, timeout; }`,
        `add rule inet mailjail input ip saddr @${jail}_v4 tcp dport { 25, 465, 587 } drop comment "mailjail ${jail}_v4 25,465,587"`,
        `add rule inet mailjail input ip6 saddr @${jail}_v6 tcp dport { 25, 465, 587 } drop comment "mailjail ${jail}_v6 25,465,587"`,
      ];
      const script = [
        'add table inet mailjail',
        'add chain inet mailjail input { type filter hook input priority filter - 10; policy accept; }',
        ...legacy('postfix'),
        ...legacy('exim'),
        'add element inet mailjail postfix_v4 { 192.0.2.1 timeout 3600s, 198.51.100.0/24 timeout 600s, 203.0.113.0/25 }',
        'add element inet mailjail postfix_v6 { 2001:db8::1 timeout 7200s, 2001:db8:1::/64 timeout 60s }',
        'add element inet mailjail exim_v4 { 203.0.113.200 timeout 3600s }',
      ];
      await old.execOk(['nft', '-f', '-'], { input: script.join('\n') + '\n' });
      const logs: string[] = [];
      const postfix = new NftablesAction({ jail: 'postfix', ports: [25, 465, 587], wrap: old.wrap, log: (_l, msg) => logs.push(msg) });
      await postfix.setup();

      expect(await setTexts('postfix_v4', old)).toEqual(['192.0.2.1']);
      expect(await setTexts('postfix_v6', old)).toEqual(['2001:db8::1']);
      expect(await setTexts('postfix_v4_24', old)).toEqual(['198.51.100.0']);
      expect(await setTexts('postfix_v4_net', old)).toEqual(['203.0.113.0/25']);
      expect(await setTexts('postfix_v6_64', old)).toEqual(['2001:db8:1::']);
      expect(await setTexts('postfix_v6_net', old)).toEqual([]);
      const left = new Map((await postfix.elements()).map((e) => [e.text, e.timeoutS]));
      for (const [ip, was] of [['192.0.2.1', 3600], ['198.51.100.0/24', 600], ['2001:db8::1', 7200], ['2001:db8:1::/64', 60]] as const) {
        expect(left.get(ip)).toBeLessThanOrEqual(was);
        expect(left.get(ip)).toBeGreaterThan(was - 30);
      }
      expect(left.get('203.0.113.0/25')).toBeUndefined(); // had no timeout, and still has none

      const after = await summary(old);
      const flags = (name: string) => after.sets.find((x) => x.name === name)?.flags.sort();
      expect(flags('postfix_v4')).toEqual(['timeout']);
      expect(flags('postfix_v4_net')).toEqual(['interval', 'timeout']);
      expect(after.chains.sort()).toEqual(['input', 'postfix_input']);
      expect(after.rules.filter((r) => r.chain === 'input').map((r) => r.comment)).toEqual(['mailjail exim_v4 25,465,587', 'mailjail exim_v6 25,465,587']);
      expect(after.rules.filter((r) => r.chain === 'postfix_input')).toHaveLength(6);
      expect(logs).toEqual(['recreating sets whose flags differ from the current layout, keeping their elements']);

      await postfix.setup();
      expect(logs).toHaveLength(1); // upgraded once, then the usual path

      const exim = new NftablesAction({ jail: 'exim', ports: [25], wrap: old.wrap });
      await exim.setup();
      expect(await exim.listed()).toEqual(new Set(['203.0.113.200']));
      expect((await summary(old)).chains.sort()).toEqual(['exim_input', 'postfix_input']); // the shared chain went with its last rule
    } finally {
      await old.remove();
    }
  });

  test('setup moves the /24s and /64s the previous layout kept in interval sets into the masked sets, keeping every ban and its remaining time', async () => {
    const old = await createNetns('nftmask');
    try {
      // the previous layout: the same six rules' worth of sets minus the masked ones, /64s and /24s in the interval sets
      const script = [
        'add table inet mailjail',
        'add chain inet mailjail postfix_input { type filter hook input priority filter - 10; policy accept; }',
        'add set inet mailjail postfix_v4 { type ipv4_addr; flags timeout; }',
        'add set inet mailjail postfix_v6 { type ipv6_addr; flags timeout; }',
        'add set inet mailjail postfix_v4_net { type ipv4_addr; flags interval, timeout; }',
        'add set inet mailjail postfix_v6_net { type ipv6_addr; flags interval, timeout; }',
        'add rule inet mailjail postfix_input ip saddr @postfix_v4_net tcp dport 25 drop comment "mailjail postfix_v4_net 25"',
        'add rule inet mailjail postfix_input ip6 saddr @postfix_v6_net tcp dport 25 drop comment "mailjail postfix_v6_net 25"',
        'add element inet mailjail postfix_v4 { 192.0.2.1 timeout 3600s }',
        'add element inet mailjail postfix_v4_net { 198.51.100.0/24 timeout 600s, 203.0.113.0/25 timeout 900s }',
        'add element inet mailjail postfix_v6_net { 2001:db8:1:2::/64 timeout 7200s, 2001:db8:1:3::/64 timeout 60s, 2001:db8:2::/48 timeout 300s }',
      ];
      await old.execOk(['nft', '-f', '-'], { input: script.join('\n') + '\n' });
      const logs: string[] = [];
      const action = new NftablesAction({ jail: 'postfix', ports: [25], wrap: old.wrap, log: (_l, msg) => logs.push(msg) });
      await action.setup();
      expect(await setTexts('postfix_v4_24', old)).toEqual(['198.51.100.0']);
      expect(await setTexts('postfix_v6_64', old)).toEqual(['2001:db8:1:2::', '2001:db8:1:3::']);
      expect(await setTexts('postfix_v4_net', old)).toEqual(['203.0.113.0/25']);
      expect(await setTexts('postfix_v6_net', old)).toEqual(['2001:db8:2::/48']);
      const left = new Map((await action.elements()).map((e) => [e.text, e.timeoutS]));
      for (const [ip, was] of [['192.0.2.1', 3600], ['198.51.100.0/24', 600], ['203.0.113.0/25', 900], ['2001:db8:1:2::/64', 7200], ['2001:db8:1:3::/64', 60], ['2001:db8:2::/48', 300]] as const) {
        expect(left.get(ip)).toBeLessThanOrEqual(was);
        expect(left.get(ip)).toBeGreaterThan(was - 30);
      }
      expect(left.size).toBe(6);
      expect(logs).toEqual(['moved /24 and /64 bans from interval sets into masked hash sets (faster with many bans)']);
      await action.setup();
      await new NftablesAction({ jail: 'postfix', ports: [25], wrap: old.wrap, log: (_l, msg) => logs.push(msg) }).setup();
      expect(logs).toHaveLength(1); // moved once
    } finally {
      await old.remove();
    }
  });

  test('a table an older version set up again since (its chain without the masked sets\' rules) has its /24s and /64s moved once more', async () => {
    await inOwnNetns('nftback', async (back) => {
      await new NftablesAction({ jail: 'postfix', ports: [25], wrap: back.wrap }).setup();
      // the previous version ran on this table: it flushed the chain, added its four rules and a /24 to the interval set
      await back.execOk(['nft', '-f', '-'], {
        input: [
          'flush chain inet mailjail postfix_input',
          'add rule inet mailjail postfix_input ip saddr @postfix_v4 tcp dport 25 drop comment "mailjail postfix_v4 25"',
          'add rule inet mailjail postfix_input ip saddr @postfix_v4_net tcp dport 25 drop comment "mailjail postfix_v4_net 25"',
          'add element inet mailjail postfix_v4_net { 198.51.100.0/24 timeout 600s }',
          '',
        ].join('\n'),
      });
      const action = new NftablesAction({ jail: 'postfix', ports: [25], wrap: back.wrap });
      await action.setup();
      expect(await setTexts('postfix_v4_24', back)).toEqual(['198.51.100.0']);
      expect(await setTexts('postfix_v4_net', back)).toEqual([]);
      expect(action.heldBeforeSetup()).toBe(true);
    });
  });

  test('knows after its first setup whether the kernel held the jail\'s sets before it', async () => {
    await inOwnNetns('nftfresh', async (fresh) => {
      const first = new NftablesAction({ jail: 'postfix', ports: [25], wrap: fresh.wrap });
      expect(first.heldBeforeSetup()).toBeUndefined();
      await first.setup();
      expect(first.heldBeforeSetup()).toBe(false);
      const other = new NftablesAction({ jail: 'exim', ports: [25], wrap: fresh.wrap });
      await other.setup();
      expect(other.heldBeforeSetup()).toBe(false); // the table was there, none of exim's sets
      const again = new NftablesAction({ jail: 'postfix', ports: [25], wrap: fresh.wrap });
      await again.setup();
      expect(again.heldBeforeSetup()).toBe(true);
    });
  });

  test('jails set up together still get their own upgrade when one of them has an old layout', async () => {
    const old = await createNetns('nftjoint');
    try {
      // postfix_v4 from an older layout (interval flags): the joint setup script fails on it
      await old.execOk(['nft', '-f', '-'], {
        input: ['add table inet mailjail', 'add set inet mailjail postfix_v4 { type ipv4_addr; flags interval, timeout; }', 'add element inet mailjail postfix_v4 { 192.0.2.7 timeout 3600s }', ''].join('\n'),
      });
      const jails = ['postfix', 'exim', 'icewarp'].map((jail) => new NftablesAction({ jail, ports: [25], wrap: old.wrap }));
      await Promise.all(jails.map((j) => j.setup()));
      const after = await summary(old);
      expect(after.chains.sort()).toEqual(['exim_input', 'icewarp_input', 'postfix_input']);
      expect(after.sets.find((x) => x.name === 'postfix_v4')?.flags).toEqual(['timeout']);
      expect(await jails[0].listed()).toEqual(new Set(['192.0.2.7']));
      // and together again, now that every layout is current
      await Promise.all(jails.map((j) => j.setup()));
      expect((await summary(old)).rules).toHaveLength(18);
    } finally {
      await old.remove();
    }
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
      const left = await summary(other);
      expect(left.sets.map((x) => x.name).sort()).toEqual(['two_v4', 'two_v4_24', 'two_v4_net', 'two_v6', 'two_v6_64', 'two_v6_net']);
      expect(left.chains).toEqual(['two_input']);
      expect(left.rules.map((r) => r.comment).sort()).toEqual(['mailjail two_v4 25', 'mailjail two_v4_24 25', 'mailjail two_v4_net 25', 'mailjail two_v6 25', 'mailjail two_v6_64 25', 'mailjail two_v6_net 25']);
      await b.teardown();
      expect((await other.execOk(['nft', 'list', 'ruleset'])).stdout.trim()).toBe('');
      await b.teardown();
    } finally {
      await other.remove();
    }
  });
});
