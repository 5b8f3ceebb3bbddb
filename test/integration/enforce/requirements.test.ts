import { checkFirewallRequirements } from '../../../src/enforce/requirements';
import { createNetns, describeWithNetns, type Netns } from '../../helpers/netns';

describeWithNetns(['nft', 'ipset', 'iptables', 'ip6tables', 'setpriv'])('checkFirewallRequirements', () => {
  let ns: Netns;
  beforeAll(async () => {
    ns = await createNetns('req');
  });
  afterAll(async () => {
    await ns?.remove();
  });

  test('finds nothing missing for root with the programs installed', async () => {
    expect(await checkFirewallRequirements('nftables', { wrap: ns.wrap })).toEqual([]);
    expect(await checkFirewallRequirements('iptables', { wrap: ns.wrap })).toEqual([]);
  });

  test('names each missing program with the package to install', async () => {
    const wrap = [...ns.wrap, 'env', 'PATH=/var/empty'];
    expect(await checkFirewallRequirements('nftables', { wrap })).toEqual(['nft not found: apt-get install nftables']);
    expect(await checkFirewallRequirements('iptables', { wrap })).toEqual([
      'ipset not found: apt-get install ipset',
      'iptables not found: apt-get install iptables',
      'ip6tables not found: apt-get install iptables',
    ]);
  });

  test('says root is needed when run as an unprivileged user', async () => {
    const wrap = [...ns.wrap, 'setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];
    const expected = ['mailjail needs root (CAP_NET_ADMIN) to change the firewall'];
    expect(await checkFirewallRequirements('nftables', { wrap })).toEqual(expected);
    expect(await checkFirewallRequirements('iptables', { wrap })).toEqual(expected);
  });
});
