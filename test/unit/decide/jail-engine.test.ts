import { createHash } from 'node:crypto';
import { CidrList, parseCidr } from '../../../src/core/ip';
import type { Ban, EventKind, Failure } from '../../../src/core/types';
import { MemoryBanHistory } from '../../../src/decide/ban-history';
import { JailEngine, type Guard } from '../../../src/decide/jail-engine';
import { WEEK, HOUR, MINUTE, DAY } from '../../../src/core/duration';
import type { JailPatch } from '../../../src/config/schema';
import { shippedRules } from '../../helpers/jail-rules';

const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);
const hash = (u: string) => createHash('sha256').update(u).digest('hex').slice(0, 16);

function guardOf(entries: string[] = []): Guard {
  const list = new CidrList(entries.map((e) => parseCidr(e)!));
  return { isProtected: (ip) => ip.startsWith('127.') || list.matches(ip) };
}

/** Is `ip` blocked by one of `bans` (its own ban or a prefix around it)? */
function isCovered(ip: string, bans: Ban[]): boolean {
  return bans.some((b) => b.ip === ip || (b.ip.includes('/') && new CidrList([parseCidr(b.ip)!]).matches(ip)));
}

function engine(patch: JailPatch = {}, ignore: string[] = []) {
  const e = new JailEngine(shippedRules(patch), guardOf(ignore), new MemoryBanHistory(), hash);
  const bans: Ban[] = [];
  const feed = (ip: string, event: EventKind, t: number, extra: Partial<Failure> = {}) => {
    const out = e.onFailure({ ip, time: t, filter: 'postfix', rule: 'test', event, ...extra }, t);
    bans.push(...out.bans);
    return out;
  };
  /** The spray bans held for their grace period, made once it is over. */
  const settle = (t: number) => bans.push(...e.dueBans(t));
  return { e, bans, feed, settle };
}

describe('fingerprints', () => {
  it('bans every one of 200 ylmf-pc bots that try AUTH twice, at the first sighting, for a week', () => {
    const { bans, feed } = engine();
    const bots: string[] = [];
    for (let i = 0; i < 200; i++) bots.push(i < 100 ? `203.0.113.${i + 1}` : `198.51.${i}.7`);
    for (const [i, bot] of bots.entries()) {
      feed(bot, 'auth-failure', T0 + i * 1000, { helo: 'ylmf-pc', fingerprint: 'ylmf-pc', user: 'info' });
      feed(bot, 'auth-failure', T0 + i * 1000 + 500, { helo: 'ylmf-pc', fingerprint: 'ylmf-pc', user: 'admin' });
    }
    expect(bots.filter((b) => !isCovered(b, bans))).toEqual([]);
    // the 100 bots of one /24 took the /24 with them after the fifth; the other 100 are single bans
    expect(bans.filter((b) => b.reason === 'fingerprint')).toHaveLength(105);
    expect(bans.find((b) => b.ip === '203.0.113.0/24')?.reason).toBe('subnet:203.0.113.0/24');
    expect(bans.every((b) => b.until - b.since >= WEEK)).toBe(true);
  });

  it('bans a pregreet client at the first line but not when fingerprints are disabled', () => {
    const on = engine();
    on.feed('192.0.2.10', 'pregreet', T0);
    expect(on.bans.map((b) => [b.ip, b.reason])).toEqual([['192.0.2.10', 'fingerprint']]);
    const off = engine({ fingerprint: { enabled: false } });
    off.feed('192.0.2.10', 'pregreet', T0);
    expect(off.bans).toEqual([]);
  });
});

describe('threshold', () => {
  it('bans a single-IP brute force at maxRetry AUTH failures inside findTime', () => {
    const { bans, feed } = engine({ maxRetry: 3 });
    feed('192.0.2.7', 'auth-failure', T0);
    feed('192.0.2.7', 'auth-failure', T0 + MINUTE);
    expect(bans).toEqual([]);
    feed('192.0.2.7', 'auth-failure', T0 + 2 * MINUTE);
    expect(bans.map((b) => [b.ip, b.reason])).toEqual([['192.0.2.7', 'threshold']]);
  });

  it('does not ban failures spread wider than findTime', () => {
    const { bans, feed } = engine({ maxRetry: 3, findTime: 600 });
    for (let i = 0; i < 10; i++) feed('192.0.2.7', 'auth-failure', T0 + i * 11 * MINUTE);
    expect(bans).toEqual([]);
  });

  it('lets EHLO-then-QUIT scanners that return every few minutes accumulate, at low weight', () => {
    const { bans, feed } = engine();
    for (let i = 0; i < 19; i++) feed('192.0.2.99', 'scanner', T0 + i * 3 * MINUTE);
    expect(bans).toEqual([]); // 19 x 0.25 < 5
    feed('192.0.2.99', 'scanner', T0 + 19 * 3 * MINUTE);
    expect(bans.map((b) => b.reason)).toEqual(['threshold']);
  });

  it('counts IPv6 offenders per /64 and bans the /64', () => {
    const { bans, feed } = engine({ maxRetry: 3 });
    feed('2001:db8:1:2::1', 'auth-failure', T0);
    feed('2001:db8:1:2::2', 'auth-failure', T0 + 1000);
    feed('2001:db8:1:2:abcd::3', 'auth-failure', T0 + 2000);
    expect(bans.map((b) => b.ip)).toEqual(['2001:db8:1:2::/64']);
  });

  it('forgets the whole /64 when an admin unbans one of its addresses (issue 15)', () => {
    const { e, bans, feed } = engine({ maxRetry: 3 });
    feed('2001:db8:1:2::1', 'auth-failure', T0);
    feed('2001:db8:1:2::2', 'auth-failure', T0 + 1000);
    e.forget('2001:db8:1:2::5');
    feed('2001:db8:1:2::3', 'auth-failure', T0 + 2000);
    expect(bans).toEqual([]);
  });

  it('keeps the user name in the stored log line only as its hash (issue 15)', () => {
    const text = 'warning: unknown[192.0.2.7]: SASL LOGIN authentication failed: authentication failure, sasl_username=alice@example.com';
    const e = engine().e;
    const out = e.onFailure({ ip: '192.0.2.7', time: T0, filter: 'postfix', rule: 'test', event: 'auth-failure', user: 'alice@example.com' }, T0, { text });
    expect(out.strike!.text).toBe(`warning: unknown[192.0.2.7]: SASL LOGIN authentication failed: authentication failure, sasl_username=<user:${hash('alice').slice(0, 8)}>`); // the hash of the normalised name
    expect(out.strike!.text).not.toContain('alice');
    const dovecot = e.onFailure({ ip: '192.0.2.8', time: T0, filter: 'dovecot', rule: 'test', event: 'auth-failure', user: 'bob' }, T0, { text: 'auth failed, 1 attempts: user=<bob>, rip=192.0.2.8, bobby' });
    expect(dovecot.strike!.text).toBe(`auth failed, 1 attempts: user=<<user:${hash('bob').slice(0, 8)}>>, rip=192.0.2.8, bobby`);
  });

  it('forgets every offender inside an unbanned prefix', () => {
    const { e, bans, feed } = engine({ maxRetry: 2 });
    feed('192.0.2.7', 'auth-failure', T0);
    feed('192.0.2.8', 'auth-failure', T0);
    feed('198.51.100.7', 'auth-failure', T0);
    e.forget('192.0.2.0/24');
    for (const ip of ['192.0.2.7', '192.0.2.8', '198.51.100.7']) feed(ip, 'auth-failure', T0 + 1000);
    expect(bans.map((b) => b.ip)).toEqual(['198.51.100.7']);
  });
});

describe('password spray across IPs', () => {
  it('bans all 300 IPs of a spray at one mailbox, including the ones before the threshold', () => {
    const { bans, feed, settle } = engine();
    const ips: string[] = [];
    for (let i = 0; i < 300; i++) ips.push(`198.${51 + (i % 3)}.${Math.floor(i / 3)}.${(i % 250) + 1}`); // no /24 holds five
    for (const [i, ip] of ips.entries()) feed(ip, 'auth-failure', T0 + i * 2000, { user: i % 2 ? 'Info@Example.com' : 'info' });
    settle(T0 + 300 * 2000 + 60_000);
    expect(ips.filter((ip) => !isCovered(ip, bans))).toEqual([]);
    expect(new Set(bans.map((b) => b.reason))).toEqual(new Set([`spray:${hash('info')}`]));
    expect(bans).toHaveLength(300);
  });

  it('still counts a sprayer whose address is already banned, so the spray is found', () => {
    const { bans, feed, settle } = engine();
    feed('2001:db8:9:1::1', 'pregreet', T0); // banned: its /64 is covered from now on
    feed('2001:db8:9:1::2', 'auth-failure', T0 + 1000, { user: 'info' });
    for (let i = 1; i <= 9; i++) feed(`192.0.2.${i}`, 'auth-failure', T0 + 1000 + i, { user: 'info' });
    settle(T0 + 60_000);
    const spray = bans.filter((b) => b.reason.startsWith('spray:')).map((b) => b.ip);
    expect(spray.sort()).toEqual(Array.from({ length: 9 }, (_, i) => `192.0.2.${i + 1}`).sort());
  });

  it('does not call nine users failing once each from nine IPs a spray', () => {
    const { bans, feed } = engine();
    for (let i = 0; i < 9; i++) feed(`192.0.2.${i + 1}`, 'auth-failure', T0 + i, { user: 'info' });
    expect(bans).toEqual([]);
  });
});

describe('subnet escalation', () => {
  it('bans a /24 once five of its IPs are banned within the window', () => {
    const { bans, feed } = engine();
    for (let i = 1; i <= 5; i++) feed(`203.0.113.${i * 10}`, 'pregreet', T0 + i * MINUTE);
    expect(bans.map((b) => b.ip)).toContain('203.0.113.0/24');
    expect(bans.find((b) => b.ip === '203.0.113.0/24')!.reason).toBe('subnet:203.0.113.0/24');
  });

  it('never escalates over an ignored address', () => {
    const { bans, feed } = engine({}, ['203.0.113.200']);
    for (let i = 1; i <= 8; i++) feed(`203.0.113.${i * 10}`, 'pregreet', T0 + i * MINUTE);
    expect(bans.some((b) => b.ip.includes('/'))).toBe(false);
    expect(bans).toHaveLength(8);
  });

  it('never escalates over a customer inside the prefix', () => {
    const { bans, feed } = engine();
    feed('203.0.113.250', 'auth-success', T0, { user: 'alice' });
    for (let i = 1; i <= 8; i++) feed(`203.0.113.${i * 10}`, 'pregreet', T0 + i * MINUTE);
    expect(bans.some((b) => b.ip.includes('/'))).toBe(false);
  });
});

describe('customers', () => {
  it('never bans a NAT office where 30 users log in fine and two mistype', () => {
    const { bans, feed } = engine({ maxRetry: 3 });
    const office = '198.51.100.20';
    for (let day = 0; day < 3; day++) {
      const t = T0 + day * DAY;
      for (let u = 0; u < 30; u++) feed(office, 'auth-success', t + u * MINUTE, { user: `user${u}` });
      for (let k = 0; k < 3; k++) feed(office, 'auth-failure', t + 40 * MINUTE + k * 1000, { user: 'user3' });
      for (let k = 0; k < 3; k++) feed(office, 'auth-failure', t + 41 * MINUTE + k * 1000, { user: 'user7' });
    }
    expect(bans).toEqual([]);
  });

  it('forgives a customer who fails three times and then succeeds', () => {
    const { bans, feed, e } = engine({ maxRetry: 4 });
    const ip = '192.0.2.50';
    feed(ip, 'auth-failure', T0, { user: 'bob' });
    feed(ip, 'auth-failure', T0 + 1000, { user: 'bob' });
    feed(ip, 'auth-failure', T0 + 2000, { user: 'bob' });
    const out = feed(ip, 'auth-success', T0 + 3000, { user: 'bob' });
    expect(out.forgiven).toBe(ip);
    feed(ip, 'auth-failure', T0 + 4000, { user: 'bob' });
    feed(ip, 'auth-failure', T0 + 5000, { user: 'bob' });
    expect(bans).toEqual([]);
    expect(e.stats().customers).toBe(1);
  });

  it('still bans a customer IP whose client keeps failing far beyond normal', () => {
    const { bans, feed } = engine();
    const ip = '192.0.2.51';
    feed(ip, 'auth-success', T0, { user: 'carol' });
    // one failure a minute: never five weighted strikes in ten minutes, but 30 in an hour
    for (let i = 0; i < 29; i++) feed(ip, 'auth-failure', T0 + MINUTE + i * MINUTE, { user: 'carol' });
    expect(bans).toEqual([]);
    feed(ip, 'auth-failure', T0 + 30 * MINUTE + 30_000, { user: 'carol' });
    expect(bans.map((b) => b.reason)).toEqual(['threshold']);
  });

  it('keeps customers out of a spray ban', () => {
    const { bans, feed } = engine();
    feed('192.0.2.60', 'auth-success', T0, { user: 'dave' });
    const sprayers = Array.from({ length: 20 }, (_, i) => `198.51.${i}.1`);
    for (const [i, ip] of sprayers.entries()) feed(ip, 'auth-failure', T0 + MINUTE + i, { user: 'dave' });
    feed('192.0.2.60', 'auth-failure', T0 + 2 * MINUTE, { user: 'dave' });
    expect(isCovered('192.0.2.60', bans)).toBe(false);
    expect(sprayers.filter((ip) => !isCovered(ip, bans))).toEqual([]);
  });
});

describe('repeat offenders', () => {
  it('doubles the ban time for each earlier ban, up to the maximum, and says recidive', () => {
    const { e, bans, feed } = engine({ maxRetry: 1, escalation: { factor: 2, maxBanTime: 4 * WEEK } });
    let t = T0;
    for (let round = 0; round < 4; round++) {
      feed('192.0.2.77', 'auth-failure', t);
      const last = bans[bans.length - 1];
      e.noteExpired(last.ip);
      t = last.until + 1000;
    }
    const lengths = bans.map((b) => Math.round((b.until - b.since) / WEEK));
    expect(lengths).toEqual([1, 2, 4, 4]);
    expect(bans.map((b) => b.reason)).toEqual(['threshold', 'recidive', 'recidive', 'recidive']);
    expect(bans.map((b) => b.count)).toEqual([0, 1, 2, 3]);
  });
});

describe('protection', () => {
  it('never bans loopback or ignored addresses', () => {
    const { bans, feed } = engine({ maxRetry: 1 }, ['192.0.2.0/28']);
    feed('127.0.0.1', 'pregreet', T0);
    feed('192.0.2.3', 'pregreet', T0);
    expect(bans).toEqual([]);
  });

  it('spreads the expiry of bans made in the same second', () => {
    const { bans, feed } = engine();
    for (let i = 1; i <= 50; i++) feed(`198.51.${i}.1`, 'pregreet', T0);
    const untils = new Set(bans.filter((b) => !b.ip.includes('/')).map((b) => Math.floor(b.until / 1000)));
    expect(untils.size).toBeGreaterThan(40);
  });
});
