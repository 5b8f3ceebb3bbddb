/**
 * Packet-level proof: a client namespace linked to a server namespace by a veth pair. After a
 * ban with ports [25] (of the client's address, or of a prefix holding it: a /24, a /64), a TCP
 * connect from the client to port 25 gets no answer while port 26 still connects.
 */
import type { Ban } from '../../../src/core/types';
import type { FirewallAction } from '../../../src/enforce/action';
import { createAction } from '../../../src/enforce/create-action';
import { spawnLines, type LineStream } from '../../../src/process/run-command';
import { createNetns, describeWithNetns, linkNamespaces, type Netns } from '../../helpers/netns';

const NOW = Date.now();
const ADDRS = { a4: '192.0.2.1', b4: '192.0.2.2', a6: '2001:db8::1', b6: '2001:db8::2' };

const SERVER = `
const net = require('net');
let up = 0;
for (const port of [25, 26]) {
  net.createServer((s) => { s.on('error', () => {}); s.end('hi\\n'); }).listen({ port, host: '::' }, () => { if (++up === 2) console.log('listening'); });
}`;

const CLIENT = `
const net = require('net');
const [host, port, ms] = process.argv.slice(1);
const s = net.connect({ host, port: Number(port) });
// setImmediate: a process stalled past the deadline (a loaded machine) sees the answer that came meanwhile first
const t = setTimeout(() => setImmediate(() => { console.log('timeout'); process.exit(0); }), Number(ms));
s.on('connect', () => { console.log('connected'); s.destroy(); process.exit(0); });
s.on('error', (e) => { console.log('error ' + e.code); process.exit(0); });`;

function ban(ip: string): Ban {
  return { ip, jail: 'smtp', since: NOW, until: NOW + 3_600_000, reason: 'manual', count: 0 };
}

describeWithNetns(['nft', 'ipset', 'iptables', 'ip6tables'])('a ban drops the client\'s packets to the banned ports only', () => {
  let server: Netns;
  let client: Netns;
  let listener: LineStream | undefined;

  beforeAll(async () => {
    server = await createNetns('srv');
    client = await createNetns('cli');
    await linkNamespaces(server, client, ADDRS);
    await new Promise<void>((resolve, reject) => {
      listener = spawnLines(
        [...server.wrap, process.execPath, '-e', SERVER],
        (line) => line === 'listening' && resolve(),
        (exit) => reject(new Error(`test server exited early: ${exit.stderr}`)),
      );
    });
  });

  afterAll(async () => {
    listener?.kill('SIGKILL');
    await server?.remove();
    await client?.remove();
  });

  async function connect(host: string, port: number): Promise<string> {
    const r = await client.execOk([process.execPath, '-e', CLIENT, host, String(port), '1500']);
    return r.stdout.trim();
  }

  for (const kind of ['nftables', 'iptables'] as const) {
    test(`${kind}: port 25 times out for the banned client over IPv4 and IPv6, port 26 still connects`, async () => {
      const action: FirewallAction = createAction(kind, { jail: 'smtp', ports: [25], wrap: server.wrap });
      await action.setup();
      try {
        expect(await connect(ADDRS.a4, 25)).toBe('connected');
        await action.ban([ban(ADDRS.b4), ban(ADDRS.b6)], NOW);
        expect(await connect(ADDRS.a4, 25)).toBe('timeout');
        expect(await connect(ADDRS.a6, 25)).toBe('timeout');
        expect(await connect(ADDRS.a4, 26)).toBe('connected');
        expect(await connect(ADDRS.a6, 26)).toBe('connected');
        await action.unban([ADDRS.b4]);
        expect(await connect(ADDRS.a4, 25)).toBe('connected');
        // a prefix covering the client drops it just the same
        await action.ban([ban('192.0.2.0/24')], NOW);
        expect(await connect(ADDRS.a4, 25)).toBe('timeout');
        expect(await connect(ADDRS.a4, 26)).toBe('connected');
        // a /64 ban (its network address, not the client's) drops every address of that /64, no other
        await action.unban([ADDRS.b6]);
        await action.ban([ban('2001:db8:0:1::/64')], NOW);
        expect(await connect(ADDRS.a6, 25)).toBe('connected');
        await action.ban([ban('2001:db8::/64')], NOW);
        expect(await connect(ADDRS.a6, 25)).toBe('timeout');
        expect(await connect(ADDRS.a6, 26)).toBe('connected');
      } finally {
        await action.teardown();
      }
    });
  }
});
