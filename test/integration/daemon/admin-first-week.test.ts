/**
 * An admin's first week (issue 15): an unban that sticks for a whole IPv6 offender, and manual
 * bans that refuse what they would silently widen. A real daemon in a namespace, driven by the CLI.
 */
import { EXIT_STATUS } from '../../../src/core/errors';
import { describeWithNetns } from '../../helpers/netns';
import { useDaemon, saslFailure, waitFor, type DaemonHarness } from './daemon-harness';

async function strikesOf(h: DaemonHarness, target: string): Promise<number> {
  return JSON.parse((await h.cli(['why', target, '--json'])).stdout).strikes.length;
}

describeWithNetns(['nft'])('unbanning an IPv6 offender', () => {
  const h = useDaemon({ mainYaml: 'ignoreIp: [198.51.100.0/24]' });
  const offender = '2001:db8:1:2::/64';

  it('clears every strike of the /64, so neither a reload nor a restart re-bans it as recidive', async () => {
    h.append(['1', '2', '3'].map((n) => saslFailure(`2001:db8:1:2::${n}`)));
    await waitFor(async () => (await h.nftElements()).has(offender));
    const r = await h.cli(['unban', '2001:db8:1:2::3']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`unbanned ${offender}`);
    expect(r.stdout).toContain('cleared 3 strikes');
    expect(await strikesOf(h, offender)).toBe(0);

    expect((await h.cli(['reload'])).code).toBe(0);
    h.append([saslFailure('2001:db8:1:2::9')]);
    await waitFor(async () => (await strikesOf(h, offender)) === 1);
    await h.stop();
    await h.start();
    h.append([saslFailure('2001:db8:1:2::a')]);
    await waitFor(async () => (await strikesOf(h, offender)) === 2);
    await new Promise((res) => setTimeout(res, 300));
    expect((await h.nftElements()).has(offender)).toBe(false);
    const list = JSON.parse((await h.cli(['list', '--json'])).stdout) as Array<{ ip: string }>;
    expect(list.map((b) => b.ip)).not.toContain(offender);
  });
});
