/**
 * Issue 13, "Redis AUTH/ACL and TLS work": the transport as a Redis ACL user limited to the fleet's
 * keys and the commands README's ACL line grants, and over TLS with a CA of its own (`caFile`).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedisServer, freePort } from '../../helpers/redis-server';
import { netnsSkipReason } from '../../helpers/netns';
import { RedisTransport } from '../../../src/fleet/redis-transport';
import { waitFor } from '../daemon/daemon-harness';

const describeRedis = netnsSkipReason(['redis-server', 'openssl']) === null ? describe : describe.skip;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Publishes, reads back and keeps an active ban: every kind of command the fleet sends. */
async function roundTrip(t: RedisTransport): Promise<string[]> {
  await t.publish('mx1/a', [{ seq: 1, payload: 'p1', sig: 's1' }]);
  await t.putActive([{ key: 'postfix 192.0.2.1', until: Date.now() + 60_000, payload: 'a', sig: 'b' }], Date.now());
  await t.removeActive(['postfix 192.0.2.9']);
  const { first } = await t.bounds();
  const seen: string[] = [];
  await t.eachActive((page) => seen.push(...page.map((r) => r.payload)));
  return [...(await t.read('0-0', 10, 10)).map((e) => e.payload), first === null ? 'no first' : 'first', ...seen];
}

describeRedis('Redis security and Sentinel for the fleet', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mj-redis-tls-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('works as an ACL user limited to its keys and commands, and not with a wrong password', async () => {
    const redis = new RedisServer(await freePort());
    await redis.start();
    const admin = redis.client();
    const transports: RedisTransport[] = [];
    try {
      await admin.call('ACL', 'SETUSER', 'mailjail', 'on', '>s3cret', '~mailjail:*', '+@read', '+@write', '+@stream', '+@scripting', '-@dangerous', '+ping', '+hello', '+info');
      await admin.call('ACL', 'SETUSER', 'default', 'off');
      const url = (pw: string) => `redis://mailjail:${pw}@127.0.0.1:${redis.port}/0`;
      const good = new RedisTransport({ redis: url('s3cret'), keyPrefix: 'mailjail:', streamLength: 1000 });
      const bad = new RedisTransport({ redis: url('wrong'), keyPrefix: 'mailjail:', streamLength: 1000 });
      transports.push(good, bad);
      await waitFor(() => good.status().connected);
      expect(await roundTrip(good)).toEqual(['p1', 'first', 'a']);
      // the ACL keeps it to its own keys
      const other = new RedisTransport({ redis: url('s3cret'), keyPrefix: 'rspamd:', streamLength: 1000 });
      transports.push(other);
      await waitFor(() => other.status().connected);
      await expect(other.publish('mx1/a', [{ seq: 1, payload: 'p', sig: 's' }])).rejects.toThrow(/NOPERM|permission/i);
      await pause(500);
      expect(bad.status().connected).toBe(false);
      expect(bad.status().lastError).toMatch(/WRONGPASS/);
    } finally {
      for (const t of transports) await t.close();
      admin.disconnect();
      await redis.teardown();
    }
  });

  it('finds the master through Sentinel, authenticating to both', async () => {
    const master = new RedisServer(await freePort(), [], 'm4ster');
    await master.start();
    const sentinelPort = await freePort();
    const conf = join(dir, 'sentinel.conf');
    writeFileSync(conf, [`port ${sentinelPort}`, 'bind 127.0.0.1', `dir ${dir}`, `sentinel monitor mymaster 127.0.0.1 ${master.port} 1`, 'sentinel auth-pass mymaster m4ster', 'requirepass s3ntinel'].join('\n') + '\n');
    const sentinel = spawn('redis-server', [conf, '--sentinel'], { stdio: 'ignore' });
    const t = new RedisTransport({ redis: { sentinels: [`127.0.0.1:${sentinelPort}`], name: 'mymaster', password: 'm4ster', sentinelPassword: 's3ntinel' }, keyPrefix: 'mailjail:', streamLength: 1000 });
    try {
      await waitFor(() => t.status().connected);
      expect(await roundTrip(t)).toEqual(['p1', 'first', 'a']);
    } finally {
      await t.close();
      sentinel.kill('SIGKILL');
      await master.teardown();
    }
  });

  it('works over TLS with its own CA (caFile), authenticating by password or as an ACL user, and refuses a server it cannot verify', async () => {
    const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=mailjail test CA');
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'srv.key', '-out', 'srv.csr', '-subj', '/CN=127.0.0.1');
    writeFileSync(join(dir, 'ext'), 'subjectAltName=IP:127.0.0.1\n');
    ssl('x509', '-req', '-in', 'srv.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'srv.crt', '-days', '1', '-extfile', 'ext');
    const port = await freePort();
    const tlsArgs = ['--tls-port', String(port), '--tls-cert-file', join(dir, 'srv.crt'), '--tls-key-file', join(dir, 'srv.key'), '--tls-ca-cert-file', join(dir, 'ca.crt'), '--tls-auth-clients', 'no'];
    // the plain port is only for the helper's own readiness check (and the ACL set-up)
    const redis = new RedisServer(await freePort(), tlsArgs, 'p4ss');
    await redis.start();
    const admin = redis.client();
    await admin.call('ACL', 'SETUSER', 'mailjail', 'on', '>s3cret', '~mailjail:*', '+@read', '+@write', '+@stream', '+@scripting', '-@dangerous', '+ping', '+hello', '+info');
    admin.disconnect();
    const url = (auth: string) => `rediss://${auth}@127.0.0.1:${port}/0`;
    // AUTH with requirepass's password, and an ACL user: both over TLS
    const trusted = [':p4ss', 'mailjail:s3cret'].map((auth) => new RedisTransport({ redis: url(auth), caFile: join(dir, 'ca.crt'), keyPrefix: 'mailjail:', streamLength: 1000 }));
    const untrusted = new RedisTransport({ redis: url('mailjail:s3cret'), keyPrefix: 'mailjail:', streamLength: 1000 });
    try {
      for (const t of trusted) {
        await waitFor(() => t.status().connected);
        expect(await roundTrip(t)).toEqual(['p1', 'first', 'a']);
      }
      await pause(500);
      expect(untrusted.status().connected).toBe(false);
      expect(untrusted.status().lastError).toMatch(/certificate/i);
    } finally {
      for (const t of [...trusted, untrusted]) await t.close();
      await redis.teardown();
    }
  });
});
