/**
 * A fleet for the tests: one real redis-server on a free loopback port and N mailjail daemons, each
 * with its own config, database, Postfix log and nft table in its own network namespace. The
 * daemons (and Redis) run in the host namespace on loopback; only their firewall commands go into
 * their namespaces (test/helpers/wrapped-daemon.js), so Redis is reachable without touching the
 * host's network.
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RedisServer, freePort } from '../../helpers/redis-server';
import { DaemonHarness, waitFor } from '../daemon/daemon-harness';

const WRAPPED = resolve(__dirname, '../../helpers/wrapped-daemon.js');
export const SECRET = 'fleet-test-secret-0123456789abcdef';

interface FleetStatusReply { connected: boolean; pending: number; rejected: number; received: number; published: number; lagMs: number; bansRefused: number }

export class FleetNodeHarness extends DaemonHarness {
  constructor(readonly node: string, redisUrl: string) {
    super();
    writeFileSync(join(this.dir, 'fleet.key'), `${SECRET}\n`);
    writeFileSync(
      join(this.configDir, 'mailjail.yaml'),
      [
        `database: ${this.database}`,
        `socket: ${this.socket}`,
        'action: nftables',
        'reconcileInterval: 2s',
        'logLevel: debug',
        'fleet:',
        `  redis: ${redisUrl}`,
        `  node: ${node}`,
        `  secretFile: ${join(this.dir, 'fleet.key')}`,
      ].join('\n'),
    );
    writeFileSync(
      join(this.configDir, 'jails.d', '50-postfix.yaml'),
      ['jails:', '  postfix:', '    enabled: true', `    sources: [{ file: ${this.logFile} }]`, '    maxRetry: 5', '    spray: { distinctIps: 6, grace: 4s }'].join('\n'),
    );
  }

  protected daemonArgv(): string[] {
    return [process.execPath, WRAPPED, this.configDir, ...this.ns.wrap];
  }

  /** Is this IPv4 address banned in the node's kernel (one `nft get element`: cheap enough to poll)? */
  async kernelHas(ip: string, jail = 'postfix'): Promise<boolean> {
    return (await this.ns.exec(['nft', 'get', 'element', 'inet', 'mailjail', `${jail}_v4`, `{ ${ip} }`])).code === 0;
  }

  async list(): Promise<Array<{ ip: string; jail: string; reason: string; node: string }>> {
    const r = await this.cli(['list', '--json']);
    if (r.code !== 0) throw new Error(`list failed: ${r.stderr}`);
    return JSON.parse(r.stdout);
  }

  async fleetStatus(): Promise<FleetStatusReply> {
    return (await this.status()).fleet;
  }

  async status(): Promise<{ fleet: FleetStatusReply; jails: Array<{ sources: Array<{ files: Array<{ offset: number; size?: number }> }> }> }> {
    const r = await this.cli(['status', '--json']);
    return JSON.parse(r.stdout);
  }

  /** Every ban row of an address (active or not): a ban applied twice would show twice. */
  async banRows(ip: string): Promise<Array<{ reason: string; state: string }>> {
    return JSON.parse((await this.cli(['why', ip, '--json'])).stdout).bans;
  }
}

export interface Fleet {
  redis: RedisServer;
  nodes: FleetNodeHarness[];
}

/** Registers a Redis and `n` started nodes for the enclosing describe block. */
export function useFleet(n: number): Fleet {
  const fleet: Fleet = { redis: null as unknown as RedisServer, nodes: [] };
  beforeAll(async () => {
    fleet.redis = new RedisServer(await freePort());
    await fleet.redis.start();
    for (let i = 1; i <= n; i++) fleet.nodes.push(new FleetNodeHarness(`mx${i}`, fleet.redis.url));
    await Promise.all(fleet.nodes.map((h) => h.setup()));
    await Promise.all(fleet.nodes.map((h) => h.start()));
    await waitFor(async () => (await Promise.all(fleet.nodes.map((h) => h.fleetStatus()))).every((s) => s.connected));
  }, 60_000);
  afterAll(async () => {
    await Promise.all(fleet.nodes.map((h) => h.teardown()));
    await fleet.redis?.teardown();
  });
  return fleet;
}

/** Resolves once `check` holds on every node; returns how long that took (the deadline only bounds a hang). */
export async function onEveryNode(nodes: FleetNodeHarness[], check: (h: FleetNodeHarness) => Promise<boolean>, timeoutMs = 30_000): Promise<number> {
  const started = Date.now();
  await waitFor(async () => (await Promise.all(nodes.map(check))).every(Boolean), timeoutMs, 10);
  return Date.now() - started;
}

/**
 * Resolves once every node has read its whole log, published all it holds, and applied every event
 * the others published: what one node saw, every node now counts. A fixed pause instead turned
 * red on a loaded machine whenever Redis carried an event later than the next step of a test.
 * Counts since the nodes started: for a fleet none of whose nodes was restarted.
 */
export async function fleetSettled(nodes: FleetNodeHarness[]): Promise<void> {
  await waitFor(async () => {
    const all = await Promise.all(nodes.map((h) => h.status()));
    const published = all.reduce((n, s) => n + s.fleet.published, 0);
    return all.every((s) => {
      const read = s.jails.every((j) => j.sources.every((src) => src.files.every((f) => f.offset === f.size)));
      return read && s.fleet.pending === 0 && s.fleet.received === published - s.fleet.published;
    });
  });
}
