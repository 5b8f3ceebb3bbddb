/**
 * The daemon end to end with the real nft in a namespace made by the test: lines appended to a
 * Postfix log become kernel bans; restarts, kill -9 and a flushed set lose nothing (issue 3).
 */
import { describeWithNetns } from '../../helpers/netns';
import { useDaemon, saslFailure, waitFor } from './daemon-harness';

const WEEK_S = 7 * 86400;

describeWithNetns(['nft'])('daemon with nftables', () => {
  const h = useDaemon();

  it('bans an IP after three AUTH failures in a Postfix log, in the kernel with a week-long timeout', async () => {
    h.append([saslFailure('192.0.2.10'), saslFailure('192.0.2.10')]);
    await new Promise((r) => setTimeout(r, 300));
    expect((await h.nftElements()).has('192.0.2.10')).toBe(false);
    h.append([saslFailure('192.0.2.10')]);
    await waitFor(async () => (await h.nftElements()).has('192.0.2.10'));
    const timeout = (await h.nftElements()).get('192.0.2.10')!;
    expect(timeout).toBeGreaterThan(WEEK_S - 60);
    expect(timeout).toBeLessThanOrEqual(WEEK_S + 3600); // the spread adds at most an hour
  });

  it('restores bans at start even if the kernel lost them, resumes its cursor and counts no strike twice', async () => {
    expect(await h.stop()).toBe(0);
    expect((await h.nftElements()).has('192.0.2.10')).toBe(true); // SIGTERM leaves bans in place
    await h.ns.execOk(['nft', 'flush', 'set', 'inet', 'mailjail', 'postfix_v4']);
    h.append([saslFailure('192.0.2.20')]); // written while the daemon was down
    await h.start();
    expect((await h.nftElements()).has('192.0.2.10')).toBe(true); // restored before "ready"
    await waitFor(async () => {
      const r = await h.cli(['why', '192.0.2.20', '--json']);
      return r.code === 0 && JSON.parse(r.stdout).strikes.length === 1;
    });
    const why10 = JSON.parse((await h.cli(['why', '192.0.2.10', '--json'])).stdout);
    expect(why10.strikes).toHaveLength(3);
    expect(why10.bans.map((b: { reason: string; state: string }) => [b.reason, b.state])).toEqual([['threshold', 'active']]);
  });

  it('re-asserts bans after someone flushes the kernel set by hand', async () => {
    await h.ns.execOk(['nft', 'flush', 'ruleset']);
    await waitFor(async () => (await h.nftElements()).has('192.0.2.10'));
    const rules = await h.ns.execOk(['nft', 'list', 'chain', 'inet', 'mailjail', 'postfix_input']);
    expect(rules.stdout).toContain('@postfix_v4');
    expect(rules.stdout).toContain('@postfix_v4_net');
  });

  it('after kill -9 in the middle of a flood the kernel and the database agree and no ban is lost', async () => {
    const ips = Array.from({ length: 400 }, (_, i) => `198.51.${100 + Math.floor(i / 200)}.${(i % 200) + 1}`);
    // rate-limit nothing: subnet escalation may turn many of these into /24 bans; both count as banned
    const lines = ips.flatMap((ip) => [saslFailure(ip, `u${ip}`), saslFailure(ip, `v${ip}`), saslFailure(ip, `w${ip}`)]);
    h.append(lines.slice(0, 600));
    await new Promise((r) => setTimeout(r, 50));
    await h.kill9();
    h.append(lines.slice(600));
    await h.start();
    const listed = async () => {
      const r = await h.cli(['list', '--json']);
      return JSON.parse(r.stdout) as Array<{ ip: string; jail: string; reason: string }>;
    };
    const covered = (ip: string, bans: Array<{ ip: string }>) =>
      bans.some((b) => b.ip === ip || (b.ip.endsWith('/24') && ip.startsWith(b.ip.replace(/0\/24$/, ''))));
    await waitFor(async () => {
      const bans = await listed();
      return ips.every((ip) => covered(ip, bans));
    }, 20_000);
    const bans = (await listed()).filter((b) => b.jail === 'postfix');
    await waitFor(async () => {
      const kernel = await h.nftElements();
      return bans.every((b) => kernel.has(b.ip) || [...kernel.keys()].some((k) => k.includes('/') && covered(b.ip, [{ ip: k }])));
    });
    // every ban in the database was made once: no duplicate rows for one address
    expect(new Set(bans.map((b) => b.ip)).size).toBe(bans.length);
    // and no line was counted twice, before or after the kill
    for (const ip of [ips[0], ips[199], ips[250], ips[399]]) {
      const why = JSON.parse((await h.cli(['why', ip, '--json'])).stdout);
      expect(why.strikes.filter((s: { ip: string }) => s.ip === ip)).toHaveLength(3);
    }
  });
});
