import { createAction } from '../../../src/enforce/create-action';
import { IptablesAction } from '../../../src/enforce/iptables-action';
import { ipsetName } from '../../../src/enforce/ipset-script';
import { createNetns, describeWithNetns, type Netns } from '../../helpers/netns';
import { ban, expectBulkBanListed, NOW, WEEK_MS } from './action-fixtures';

describeWithNetns(['ipset', 'iptables', 'ip6tables'])('iptables/ipset action (real ipset and iptables in a network namespace)', () => {
  let ns: Netns;
  beforeAll(async () => {
    ns = await createNetns('ipt');
  });
  afterAll(async () => {
    await ns?.remove();
  });

  async function ready(jail: string, ports: number[] | 'all' = [25, 465, 587]): Promise<IptablesAction> {
    const action = new IptablesAction({ jail, ports, wrap: ns.wrap, maxElem: 65536 });
    await action.setup();
    return action;
  }

  async function rulesFor(tool: 'iptables' | 'ip6tables', set: string): Promise<string[]> {
    const out = (await ns.execOk([tool, '-S', 'INPUT'])).stdout;
    return out.split('\n').filter((l) => l.includes(`--match-set ${set} `));
  }

  test('bans IPv4, IPv6 and CIDRs with the remaining ban time (one week) as set timeout', async () => {
    const action = await ready('week');
    const ips = ['192.0.2.1', '2001:db8::1', '198.51.100.0/24', '2001:db8:1::/64'];
    await action.ban(ips.map((ip) => ban(ip)), NOW);
    const members = await action.elements();
    expect(members.map((m) => m.text).sort()).toEqual([...ips].sort());
    for (const m of members) {
      expect(m.timeoutS).toBeGreaterThanOrEqual(604000);
      expect(m.timeoutS).toBeLessThanOrEqual(604800);
    }
    expect(await action.listed()).toEqual(new Set(ips));
  });

  test('a CIDR and addresses inside it can be banned together and one by one', async () => {
    const action = await ready('nested');
    await action.ban([ban('203.0.113.5'), ban('203.0.113.0/24')], NOW);
    await action.ban([ban('203.0.113.6')], NOW);
    expect(await action.listed()).toEqual(new Set(['203.0.113.5', '203.0.113.0/24', '203.0.113.6']));
  });

  test('unban removes elements and is no error for absent ones', async () => {
    const action = await ready('unban');
    await action.ban(['192.0.2.10', '192.0.2.11', '2001:db8::10', '203.0.113.0/24'].map((ip) => ban(ip)), NOW);
    await action.unban(['192.0.2.10', '2001:db8::10', '203.0.113.0/24', '198.51.100.99', '2001:db8::99']);
    expect(await action.listed()).toEqual(new Set(['192.0.2.11']));
  });

  test('re-adding an element updates its timeout', async () => {
    const action = await ready('readd');
    await action.ban([ban('192.0.2.30', WEEK_MS)], NOW);
    await action.ban([ban('192.0.2.30', 3_600_000)], NOW);
    const [m] = await action.elements();
    expect(m.timeoutS).toBeGreaterThan(3590);
    expect(m.timeoutS).toBeLessThanOrEqual(3600);
  });

  test('a ban longer than ipset allows is capped at its maximum timeout', async () => {
    const action = await ready('long');
    await action.ban([ban('192.0.2.31', 365 * 86_400_000)], NOW);
    const [m] = await action.elements();
    expect(m.timeoutS).toBeGreaterThan(2_147_000);
    expect(m.timeoutS).toBeLessThanOrEqual(2_147_483);
  });

  test('setup twice adds one iptables and one ip6tables rule per set', async () => {
    const action = await ready('twice');
    await action.setup();
    const v4 = await rulesFor('iptables', 'mailjail-twice-4');
    const v6 = await rulesFor('ip6tables', 'mailjail-twice-6');
    expect(v4).toEqual(['-A INPUT -p tcp -m multiport --dports 25,465,587 -m set --match-set mailjail-twice-4 src -j DROP']);
    expect(v6).toEqual(['-A INPUT -p tcp -m multiport --dports 25,465,587 -m set --match-set mailjail-twice-6 src -j DROP']);
    expect(await action.listed()).toEqual(new Set());
  });

  test('setup replaces the rule when the port list changes and keeps the bans', async () => {
    const first = await ready('ports');
    await first.ban([ban('192.0.2.20')], NOW);
    const second = await ready('ports', 'all');
    expect(await rulesFor('iptables', 'mailjail-ports-4')).toEqual(['-A INPUT -m set --match-set mailjail-ports-4 src -j DROP']);
    expect(await second.listed()).toEqual(new Set(['192.0.2.20']));
  });

  test('a long jail name still yields a valid set name of at most 31 characters', async () => {
    // the longest name the jail-name rule (core/names.ts) allows
    const jail = 'submission_relay_jail_24';
    const action = await ready(jail);
    await action.ban([ban('192.0.2.33', WEEK_MS, jail)], NOW);
    const name = ipsetName('mailjail', jail, 4);
    expect(name.length).toBeLessThanOrEqual(31);
    expect((await ns.execOk(['ipset', 'list', '-n'])).stdout.split('\n')).toContain(name);
    expect(await action.listed()).toEqual(new Set(['192.0.2.33']));
  });

  test('20,000 bans go in as one ipset restore and all are listed', async () => {
    const action = await ready('bulk', [25]);
    await expectBulkBanListed(action, 'ipset');
  });

  test('a failed ipset command throws a FIREWALL error carrying ipset\'s message', async () => {
    const action = new IptablesAction({ jail: 'nosetup', ports: [25], wrap: ns.wrap });
    await expect(action.ban([ban('192.0.2.70')], NOW)).rejects.toMatchObject({
      code: 'FIREWALL',
      message: expect.stringMatching(/ipset ban .* failed \(exit 1\): .*does not exist/),
    });
  });

  test('teardown removes the rules and the sets, and a second teardown is no error', async () => {
    const action = createAction('iptables', { jail: 'gone', ports: [25], wrap: ns.wrap });
    await action.setup();
    await action.ban([ban('192.0.2.90')], NOW);
    await action.teardown();
    expect(await rulesFor('iptables', 'mailjail-gone-4')).toEqual([]);
    expect(await rulesFor('ip6tables', 'mailjail-gone-6')).toEqual([]);
    const sets = (await ns.execOk(['ipset', 'list', '-n'])).stdout.split('\n');
    expect(sets).not.toContain('mailjail-gone-4');
    expect(sets).not.toContain('mailjail-gone-6');
    await action.teardown();
  });
});
