/**
 * Issue 13: three mailjail daemons and a real Redis. Each daemon has its own log, database and nft
 * table (in its own namespace); what one decides is in every kernel, counts are fleet-wide, and
 * Redis going away, coming back empty, or a node being killed loses nothing and applies nothing twice.
 */
import { describeWithNetns } from '../../helpers/netns';
import { saslFailure, waitFor } from '../daemon/daemon-harness';
import { onEveryNode, useFleet, type FleetNodeHarness } from './fleet-harness';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

function saslLogin(ip: string, user = 'alice@example.com', time = new Date()): string {
  return `${time.toISOString().replace('Z', '+00:00')} mx postfix/submission/smtpd[4243]: 7C1B3A2B4C: client=laptop.example.org[${ip}], sasl_method=PLAIN, sasl_username=${user}`;
}

async function inNoKernel(nodes: FleetNodeHarness[], ip: string): Promise<boolean> {
  return (await Promise.all(nodes.map((h) => h.kernelHas(ip)))).every((has) => !has);
}

describeWithNetns(['nft', 'redis-server'])('a fleet of three servers sharing bans and counts through Redis', () => {
  const fleet = useFleet(3);
  const node = (i: number) => fleet.nodes[i - 1];

  it('puts a ban made from one node\'s log into all three kernels, naming the node that made it', async () => {
    const ip = '192.0.2.10';
    node(1).append(Array.from({ length: 5 }, () => saslFailure(ip)));
    await waitFor(() => node(1).kernelHas(ip), 10_000, 5);
    const ms = await onEveryNode(fleet.nodes, (h) => h.kernelHas(ip));
    console.log(`fleet: ban propagated from mx1 to every kernel within ${ms} ms of mx1's own`);
    for (const h of fleet.nodes) {
      const row = (await h.list()).find((b) => b.ip === ip);
      expect(row).toMatchObject({ jail: 'postfix', reason: 'threshold', node: 'mx1' });
    }
  });

  it('lifts a ban everywhere when another node unbans it', async () => {
    const ip = '192.0.2.10';
    const r = await node(2).cli(['unban', ip]);
    expect(r.code).toBe(0);
    await onEveryNode(fleet.nodes, async (h) => !(await h.kernelHas(ip)) && !(await h.list()).some((b) => b.ip === ip));
  });

  it('bans a bot that tries twice on each server once the fleet-wide count reaches maxRetry', async () => {
    const ip = '192.0.2.20';
    for (const i of [1, 2]) {
      node(i).append([saslFailure(ip), saslFailure(ip)]);
      await pause(300);
    }
    // four tries, two per server: below maxRetry 5 everywhere
    expect(await inNoKernel(fleet.nodes, ip)).toBe(true);
    node(3).append([saslFailure(ip)]);
    await onEveryNode(fleet.nodes, (h) => h.kernelHas(ip));
    expect((await node(1).list()).find((b) => b.ip === ip)).toMatchObject({ reason: 'threshold', node: 'mx3' });
  });

  it('bans every address of a spray of one try per address spread over the three servers', async () => {
    const ips = Array.from({ length: 6 }, (_, i) => `198.51.100.${40 + i}`);
    for (const [i, ip] of ips.entries()) {
      node((i % 3) + 1).append([saslFailure(ip, 'victim@example.com')]);
      await pause(100);
    }
    await onEveryNode(fleet.nodes, async (h) => {
      const listed = await h.list();
      return ips.every((ip) => listed.some((b) => b.ip === ip && b.reason.startsWith('spray:')));
    });
    await onEveryNode(fleet.nodes, async (h) => (await Promise.all(ips.map((ip) => h.kernelHas(ip)))).every(Boolean));
  });

  it('does not ban on node 3 a customer who logged in on node 2', async () => {
    const ip = '203.0.113.30';
    node(2).append([saslLogin(ip)]);
    await pause(300);
    node(3).append(Array.from({ length: 6 }, () => saslFailure(ip)));
    // the same six failures from a stranger are banned (below): wait as long as that takes
    const stranger = '203.0.113.31';
    node(3).append(Array.from({ length: 6 }, () => saslFailure(stranger)));
    await onEveryNode(fleet.nodes, (h) => h.kernelHas(stranger));
    expect(await inNoKernel(fleet.nodes, ip)).toBe(true);
  });
});
