/** Issue 13: what other servers of a fleet counted joins a jail's decisions, without banning by itself. */
import { createHash } from 'node:crypto';
import { CidrList, parseCidr } from '../../../src/core/ip';
import type { Failure } from '../../../src/core/types';
import { MemoryBanHistory } from '../../../src/decide/ban-history';
import { JailEngine, type Guard } from '../../../src/decide/jail-engine';
import { shippedRules } from '../../helpers/jail-rules';

const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);
const hash = (u: string) => createHash('sha256').update(u).digest('hex').slice(0, 16);
const guard: Guard = { isProtected: (ip) => new CidrList([parseCidr('192.0.2.250/32')!]).matches(ip.split('/')[0]) };

function engine() {
  return new JailEngine(shippedRules({ spray: { distinctIps: 6 } }), guard, new MemoryBanHistory(), hash);
}

const failure = (ip: string, time: number, user?: string): Failure => ({ ip, time, filter: 'postfix', rule: 'sasl', event: 'auth-failure', user });

describe('remote strikes and bans in a jail engine', () => {
  it('bans on the fifth try when four came from other servers, and the remote strikes alone ban nothing', () => {
    const e = engine();
    for (let i = 0; i < 4; i++) e.addRemoteStrike('192.0.2.20', T0 + i, 'auth-failure', 1, null);
    expect(e.isBanned('192.0.2.20', T0 + 10)).toBe(false);
    const out = e.onFailure(failure('192.0.2.20', T0 + 10), T0 + 10);
    expect(out.bans.map((b) => [b.ip, b.reason])).toEqual([['192.0.2.20', 'threshold']]);
  });

  it('sees a spray whose other addresses tried on other servers, and bans all of them', () => {
    const e = engine();
    const ips = Array.from({ length: 6 }, (_, i) => `198.51.${100 + i}.7`);
    for (const ip of ips.slice(0, 5)) e.addRemoteStrike(ip, T0, 'auth-failure', 1, hash('victim'));
    const out = e.onFailure(failure(ips[5], T0 + 1, 'Victim@example.com'), T0 + 1);
    expect(out.bans).toEqual([]); // held for a customer's login (issue 11 point 4)...
    expect(e.dueBans(T0 + 46_000).map((b) => b.ip).sort()).toEqual([...ips].sort()); // ...then made
  });

  it('makes an address a customer when it logged in on another server, and then refuses a remote ban of it', () => {
    const e = engine();
    e.addRemoteStrike('203.0.113.30', T0, 'auth-success', 0, null);
    expect(e.hasCustomer('203.0.113.30', T0 + 1)).toBe(true);
    expect(e.hasCustomer('203.0.113.0/24', T0 + 1)).toBe(true);
    const ban = { ip: '203.0.113.30', jail: 'postfix', since: T0, until: T0 + 3_600_000, reason: 'threshold', count: 0 };
    expect(e.acceptRemoteBan(ban, T0 + 1)).toBe(false);
    // a customer's five failures at customer weight do not reach maxRetry
    for (let i = 0; i < 5; i++) expect(e.onFailure(failure('203.0.113.30', T0 + 10 + i), T0 + 10 + i).bans).toEqual([]);
  });

  it('refuses remote bans of protected addresses and of prefixes wider than its subnet escalation', () => {
    const e = engine();
    const ban = (ip: string) => ({ ip, jail: 'postfix', since: T0, until: T0 + 3_600_000, reason: 'threshold', count: 0 });
    expect(e.acceptRemoteBan(ban('192.0.2.250'), T0)).toBe(false);
    expect(e.acceptRemoteBan(ban('198.51.0.0/16'), T0)).toBe(false);
    expect(e.acceptRemoteBan(ban('198.51.100.0/24'), T0)).toBe(true);
    expect(e.isBanned('198.51.100.9', T0 + 1)).toBe(true);
  });

  it('counts accepted remote bans towards subnet escalation, which its own next ban in the prefix makes', () => {
    const e = engine();
    for (let i = 1; i <= 4; i++) e.acceptRemoteBan({ ip: `198.51.100.${i}`, jail: 'postfix', since: T0, until: T0 + 3_600_000, reason: 'threshold', count: 0 }, T0);
    let bans: string[] = [];
    for (let i = 0; i < 5; i++) bans = e.onFailure(failure('198.51.100.5', T0 + i), T0 + i).bans.map((b) => b.ip);
    expect(bans).toEqual(['198.51.100.5', '198.51.100.0/24']);
  });
});
