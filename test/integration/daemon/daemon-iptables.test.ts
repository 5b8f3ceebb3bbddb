/** The daemon with the ipset/iptables action, real programs in a namespace made by the test (issue 3). */
import { describeWithNetns } from '../../helpers/netns';
import { useDaemon, saslFailure, waitFor } from './daemon-harness';

describeWithNetns(['ipset', 'iptables', 'ip6tables'])('daemon with ipset and iptables', () => {
  const h = useDaemon({ action: 'iptables' });
  const set = 'mailjail-postfix-4';

  it('puts an IP with three AUTH failures into the ipset with a week-long timeout, behind one iptables rule', async () => {
    h.append([saslFailure('192.0.2.10'), saslFailure('192.0.2.10'), saslFailure('192.0.2.10')]);
    await waitFor(async () => (await h.ipsetElements(set)).has('192.0.2.10'));
    const list = await h.ns.execOk(['ipset', 'list', set]);
    const timeout = Number(/192\.0\.2\.10 timeout (\d+)/.exec(list.stdout)![1]);
    expect(timeout).toBeGreaterThan(7 * 86400 - 60);
    const rules = await h.ns.execOk(['iptables', '-S', 'INPUT']);
    expect(rules.stdout.split('\n').filter((l) => l.includes(`--match-set ${set} src`))).toHaveLength(1);
  });

  it('restores the ipset after a restart in which it was flushed', async () => {
    await h.stop();
    await h.ns.execOk(['ipset', 'flush', set]);
    await h.start();
    expect((await h.ipsetElements(set)).has('192.0.2.10')).toBe(true);
  });

  it('takes an unbanned IP out of the ipset before the command returns', async () => {
    expect((await h.cli(['unban', '192.0.2.10'])).code).toBe(0);
    expect((await h.ipsetElements(set)).has('192.0.2.10')).toBe(false);
  });
});
