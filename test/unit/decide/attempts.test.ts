/**
 * Issue 12: a Dovecot connection summary (`auth failed, 3 attempts`) is one line standing for
 * several failed logins. The jail counts it as that many strikes, for strangers and (at the
 * customers' reduced weight) for customers, whose ceiling counts every attempt too.
 */
import { createHash } from 'node:crypto';
import type { Ban, EventKind, Failure } from '../../../src/core/types';
import { MemoryBanHistory } from '../../../src/decide/ban-history';
import { JailEngine } from '../../../src/decide/jail-engine';
import type { JailPatch } from '../../../src/config/schema';
import { shippedRules } from '../../helpers/jail-rules';

const T0 = Date.UTC(2026, 11, 3, 12, 0, 0);
const hash = (u: string) => createHash('sha256').update(u).digest('hex').slice(0, 16);

function engine(patch: JailPatch = {}) {
  const e = new JailEngine(shippedRules(patch), { isProtected: () => false }, new MemoryBanHistory(), hash);
  const bans: Ban[] = [];
  const feed = (ip: string, event: EventKind, t: number, extra: Partial<Failure> = {}) => {
    const out = e.onFailure({ ip, time: t, filter: 'dovecot', rule: 'auth-failed', event, ...extra }, t);
    bans.push(...out.bans);
    return out;
  };
  return { bans, feed };
}

describe('a line that stands for several attempts', () => {
  it('bans after a 3-attempt and a 2-attempt connection, as five single failures would', () => {
    const { bans, feed } = engine();
    const first = feed('192.0.2.7', 'auth-failure', T0, { attempts: 3, user: 'alice' });
    expect(first.strike?.weight).toBe(3);
    expect(bans).toEqual([]);
    feed('192.0.2.7', 'auth-failure', T0 + 20_000, { attempts: 2, user: 'alice' });
    expect(bans.map((b) => [b.ip, b.reason])).toEqual([['192.0.2.7', 'threshold']]);
  });

  it('does not ban two 2-attempt connections (four failures stay under maxRetry 5)', () => {
    const { bans, feed } = engine();
    feed('192.0.2.8', 'auth-failure', T0, { attempts: 2 });
    feed('192.0.2.8', 'auth-failure', T0 + 1000, { attempts: 2 });
    expect(bans).toEqual([]);
  });

  it('weighs a customer\'s summary by its attempts at the customer weight, and counts each toward the ceiling', () => {
    const { bans, feed } = engine({ customers: { maxFailures: 6 } });
    feed('198.51.100.9', 'auth-success', T0, { user: 'bob' });
    const out = feed('198.51.100.9', 'auth-failure', T0 + 1000, { attempts: 3, user: 'bob' });
    expect(out.strike?.weight).toBeCloseTo(0.6);
    expect(bans).toEqual([]);
    feed('198.51.100.9', 'auth-failure', T0 + 2000, { attempts: 3, user: 'bob' });
    expect(bans.map((b) => [b.ip, b.reason])).toEqual([['198.51.100.9', 'threshold']]);
  });

  it('counts a sprayer once however many attempts its connection made', () => {
    const { bans, feed } = engine({ spray: { distinctIps: 3, grace: '0s' } });
    feed('192.0.2.20', 'auth-failure', T0, { attempts: 3, user: 'carol' });
    feed('192.0.2.21', 'auth-failure', T0 + 1000, { attempts: 1, user: 'carol' });
    expect(bans).toEqual([]);
    feed('192.0.2.22', 'auth-failure', T0 + 2000, { attempts: 1, user: 'carol' });
    expect(bans.map((b) => b.ip).sort()).toEqual(['192.0.2.20', '192.0.2.21', '192.0.2.22']);
  });
});
