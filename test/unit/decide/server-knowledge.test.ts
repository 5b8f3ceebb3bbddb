/**
 * Issue 12: the jails of one server share what they know about customers and sprays. A login seen
 * by the Dovecot jail makes a customer for the Postfix jail; one user name guessed at from
 * addresses split across both logs is one spray.
 */
import { createHash } from 'node:crypto';
import type { Ban, EventKind, Failure } from '../../../src/core/types';
import { MemoryBanHistory } from '../../../src/decide/ban-history';
import { CustomerRegister } from '../../../src/decide/customer-register';
import { JailEngine } from '../../../src/decide/jail-engine';
import { DAY, HOUR } from '../../../src/core/duration';
import { LoginBook, ServerKnowledge } from '../../../src/decide/server-knowledge';
import type { JailPatch } from '../../../src/config/schema';
import { shippedRules } from '../../helpers/jail-rules';

const T0 = Date.UTC(2026, 11, 3, 12, 0, 0);
const hash = (u: string) => createHash('sha256').update(u).digest('hex').slice(0, 16);

/** Subnet escalation off: these tests count single bans; spray bans at once (grace: spray-grace.test.ts). */
function jail(name: string, shared?: ServerKnowledge, patch: JailPatch = {}) {
  const e = new JailEngine({ ...shippedRules({ subnet: { enabled: false }, ...patch, spray: { grace: '0s', ...patch.spray } }), name }, { isProtected: () => false }, new MemoryBanHistory(), hash, shared);
  const bans: Ban[] = [];
  const feed = (ip: string, event: EventKind, t: number, extra: Partial<Failure> = {}) => {
    const out = e.onFailure({ ip, time: t, filter: name, rule: 'test', event, ...extra }, t);
    bans.push(...out.bans);
    return out;
  };
  return { e, bans, feed };
}

describe('jails of one server', () => {
  it('treat an address that logged in over IMAP as a customer of the SMTP jail', () => {
    const shared = new ServerKnowledge();
    const dovecot = jail('dovecot', shared);
    const postfix = jail('postfix', shared);
    dovecot.feed('198.51.100.7', 'auth-success', T0, { user: 'alice' });
    for (let i = 0; i < 10; i++) postfix.feed('198.51.100.7', 'auth-failure', T0 + HOUR + i * 1000, { user: 'alice' });
    // ten failures at the customer weight 0.2 stay under maxRetry 5
    expect(postfix.bans).toEqual([]);
    const strike = postfix.feed('198.51.100.7', 'auth-failure', T0 + HOUR + 20_000).strike;
    expect(strike?.weight).toBeCloseTo(0.2);
  });

  it('do not share customers when each jail keeps its own knowledge', () => {
    const dovecot = jail('dovecot');
    const postfix = jail('postfix');
    dovecot.feed('198.51.100.7', 'auth-success', T0, { user: 'alice' });
    for (let i = 0; i < 5; i++) postfix.feed('198.51.100.7', 'auth-failure', T0 + HOUR + i * 1000, { user: 'alice' });
    expect(postfix.bans.map((b) => b.reason)).toEqual(['threshold']);
  });

  it('count one spray when a user name fails from five addresses over SMTP and five over IMAP', () => {
    const shared = new ServerKnowledge();
    const postfix = jail('postfix', shared);
    const dovecot = jail('dovecot', shared);
    for (let i = 0; i < 5; i++) postfix.feed(`192.0.2.${10 + i}`, 'auth-failure', T0 + i * 1000, { user: 'alice@example.com' });
    for (let i = 0; i < 4; i++) dovecot.feed(`192.0.2.${20 + i}`, 'auth-failure', T0 + 10_000 + i * 1000, { user: 'Alice' });
    expect([...postfix.bans, ...dovecot.bans]).toEqual([]);
    dovecot.feed('192.0.2.24', 'auth-failure', T0 + 20_000, { user: 'alice', attempts: 1 });
    const banned = dovecot.bans.map((b) => b.ip).sort();
    expect(banned).toHaveLength(10);
    expect(dovecot.bans.every((b) => b.reason.startsWith('spray:'))).toBe(true);
    // the spray goes on in the SMTP log: each new address is banned at once, by the jail that saw it
    postfix.feed('192.0.2.30', 'auth-failure', T0 + 30_000, { user: 'alice' });
    expect(postfix.bans.map((b) => [b.ip, b.reason.split(':')[0]])).toEqual([['192.0.2.30', 'spray']]);
  });

  it('never ban by spray an address that logged in over IMAP, though it mistyped the sprayed name over SMTP', () => {
    const shared = new ServerKnowledge();
    const postfix = jail('postfix', shared);
    const dovecot = jail('dovecot', shared);
    postfix.feed('198.51.100.50', 'auth-failure', T0, { user: 'alice' });
    dovecot.feed('198.51.100.50', 'auth-success', T0 + 5000, { user: 'alice' });
    for (let i = 0; i < 10; i++) dovecot.feed(`192.0.2.${40 + i}`, 'auth-failure', T0 + 10_000 + i * 1000, { user: 'alice' });
    const all = [...postfix.bans, ...dovecot.bans].map((b) => b.ip);
    expect(all).toHaveLength(10);
    expect(all).not.toContain('198.51.100.50');
  });

  it('keep separate spray counts for jails whose spray settings differ', () => {
    const shared = new ServerKnowledge();
    const a = jail('postfix', shared, { spray: { distinctIps: 4 } });
    const b = jail('dovecot', shared);
    for (let i = 0; i < 3; i++) a.feed(`192.0.2.${60 + i}`, 'auth-failure', T0 + i, { user: 'bob' });
    b.feed('192.0.2.70', 'auth-failure', T0 + 10, { user: 'bob' });
    expect([...a.bans, ...b.bans]).toEqual([]);
  });
});

describe('LoginBook', () => {
  it('keeps a login as long as the longest customer window among the jails that share it', () => {
    const book = new LoginBook();
    const short = new CustomerRegister({ enabled: true, windowMs: DAY, weight: 0.2, forgive: true, maxFailures: 30, findTimeMs: HOUR }, book);
    const long = new CustomerRegister({ enabled: true, windowMs: 7 * DAY, weight: 0.2, forgive: true, maxFailures: 30, findTimeMs: HOUR }, book);
    short.login('198.51.100.7', T0);
    short.prune(T0 + 2 * DAY);
    expect(short.isCustomer('198.51.100.7', T0 + 2 * DAY)).toBe(false);
    expect(long.isCustomer('198.51.100.7', T0 + 2 * DAY)).toBe(true);
    long.prune(T0 + 8 * DAY);
    expect(book.size).toBe(0);
  });
});

describe('subnet escalation across jails', () => {
  it('bans the /24 once five of its addresses are banned, three by one jail and two by another', () => {
    const shared = new ServerKnowledge();
    const postfix = new JailEngine({ ...shippedRules(), name: 'postfix' }, { isProtected: () => false }, new MemoryBanHistory(), hash, shared);
    const dovecot = new JailEngine({ ...shippedRules(), name: 'dovecot' }, { isProtected: () => false }, new MemoryBanHistory(), hash, shared);
    const bans: Ban[] = [];
    const brute = (engine: JailEngine, ip: string, t: number) => {
      for (let i = 0; i < 5; i++) bans.push(...engine.onFailure({ ip, time: t + i, filter: 'x', rule: 'y', event: 'auth-failure' }, t + i).bans);
    };
    for (let n = 0; n < 3; n++) brute(postfix, `203.0.113.${n + 1}`, T0 + n * 100);
    for (let n = 3; n < 5; n++) brute(dovecot, `203.0.113.${n + 1}`, T0 + n * 100);
    expect(bans.filter((b) => b.reason.startsWith('subnet:')).map((b) => [b.jail, b.ip])).toEqual([['dovecot', '203.0.113.0/24']]);
  });
});
