import type { Ban } from '../../../src/core/types';
import { useTempStores } from './temp-store';

const t = useTempStores();
const MIN = 60_000;
const T0 = Date.UTC(2025, 0, 15, 12, 0, 0);

function ban(ip: string, extra: Partial<Ban> = {}): Ban {
  return { ip, jail: 'postfix-auth', since: T0, until: T0 + 10 * MIN, reason: 'threshold', count: 0, ...extra };
}

const ips = (rows: { ip: string }[]) => rows.map((r) => r.ip);

describe('bans', () => {
  it('reads recorded bans back as active until their time is up', () => {
    const store = t.open();
    store.recordBans([ban('192.0.2.1'), ban('2001:db8::/64', { until: T0 + 20 * MIN, reason: 'subnet:v6', count: 2 })]);
    const active = store.activeBans(T0 + MIN);
    expect(active).toEqual([
      { id: expect.any(Number), ip: '192.0.2.1', jail: 'postfix-auth', since: T0, until: T0 + 10 * MIN, reason: 'threshold', count: 0, expired: false },
      { id: expect.any(Number), ip: '2001:db8::/64', jail: 'postfix-auth', since: T0, until: T0 + 20 * MIN, reason: 'subnet:v6', count: 2, expired: false },
    ]);
    expect(ips(store.activeBans(T0 + 10 * MIN))).toEqual(['2001:db8::/64']);
    expect(store.activeBans(T0 + 20 * MIN)).toEqual([]);
  });

  it('stores a CIDR ban under its canonical network text', () => {
    const store = t.open();
    store.recordBans([ban('192.0.2.77/24'), ban('2001:DB8:0:0::/48')]);
    expect(ips(store.activeBans(T0))).toEqual(['192.0.2.0/24', '2001:db8::/48']);
  });

  it('replaces an active ban of the same address and jail instead of adding a second one', () => {
    const store = t.open();
    store.recordBans([ban('192.0.2.1'), ban('192.0.2.1', { jail: 'exim-auth' })]);
    const [before] = store.activeBans(T0, { jail: 'postfix-auth' });
    store.recordBans([ban('192.0.2.1', { since: T0 + MIN, until: T0 + 60 * MIN, reason: 'recidive' })]);
    const after = store.activeBans(T0 + MIN, { jail: 'postfix-auth' });
    expect(after).toEqual([{ ...before, until: T0 + 60 * MIN, reason: 'recidive' }]);
    expect(store.activeBans(T0 + MIN, { jail: 'exim-auth' })[0].until).toBe(T0 + 10 * MIN);
    expect(store.banHistory('192.0.2.1')).toHaveLength(2);
  });

  it('adds a new row when the earlier ban of the address had already run out', () => {
    const store = t.open();
    store.recordBans([ban('192.0.2.1')]);
    store.recordBans([ban('192.0.2.1', { since: T0 + 10 * MIN, until: T0 + 30 * MIN, count: 1 })]);
    const history = store.banHistory('192.0.2.1');
    expect(history.map((b) => [b.since, b.count])).toEqual([[T0 + 10 * MIN, 1], [T0, 0]]);
  });

  it('selects active bans by jail and by address: equal to it, inside it, or containing it', () => {
    const store = t.open();
    store.recordBans([
      ban('192.0.2.5'),
      ban('192.0.2.0/24', { jail: 'postfix-subnet' }),
      ban('192.0.2.128/25'),
      ban('198.51.100.1'),
      ban('2001:db8::1'),
      ban('2001:db8::/32', { jail: 'postfix-subnet' }),
    ]);
    const at = T0 + MIN;
    expect(ips(store.activeBans(at, { ip: '192.0.2.5' })).sort()).toEqual(['192.0.2.0/24', '192.0.2.5']);
    expect(ips(store.activeBans(at, { ip: '192.0.2.0/24' })).sort()).toEqual(['192.0.2.0/24', '192.0.2.128/25', '192.0.2.5']);
    expect(ips(store.activeBans(at, { ip: '192.0.2.200' })).sort()).toEqual(['192.0.2.0/24', '192.0.2.128/25']);
    expect(ips(store.activeBans(at, { ip: '192.0.0.0/16', jail: 'postfix-auth' })).sort()).toEqual(['192.0.2.128/25', '192.0.2.5']);
    expect(ips(store.activeBans(at, { ip: '2001:db8::1' })).sort()).toEqual(['2001:db8::/32', '2001:db8::1']);
    expect(ips(store.activeBans(at, { ip: '2001:db8:1::/48' }))).toEqual(['2001:db8::/32']);
    expect(ips(store.activeBans(at, { ip: '203.0.113.1' }))).toEqual([]);
    expect(store.activeBans(at, { jail: 'postfix-subnet' })).toHaveLength(2);
  });

  it('lifts the bans that keep an address blocked and no longer lists them as active', () => {
    const store = t.open();
    store.recordBans([ban('192.0.2.5'), ban('192.0.2.0/24', { jail: 'postfix-subnet' }), ban('192.0.2.6'), ban('198.51.100.1')]);
    const lifted = store.liftBans('192.0.2.5', T0 + MIN);
    expect(ips(lifted)).toEqual(['192.0.2.5', '192.0.2.0/24']);
    expect(lifted.every((b) => b.liftedAt === T0 + MIN)).toBe(true);
    expect(ips(store.activeBans(T0 + MIN))).toEqual(['192.0.2.6', '198.51.100.1']);
    expect(store.liftBans('192.0.2.5', T0 + 2 * MIN)).toEqual([]);
  });

  it('lifts the bans inside a CIDR, in one jail, or all of them with *', () => {
    const store = t.open();
    store.recordBans([
      ban('192.0.2.1'),
      ban('192.0.2.2', { jail: 'exim-auth' }),
      ban('198.51.100.1'),
      ban('2001:db8::1'),
    ]);
    expect(ips(store.liftBans('192.0.2.0/24', T0, 'exim-auth'))).toEqual(['192.0.2.2']);
    expect(ips(store.liftBans('*', T0, 'postfix-auth'))).toEqual(['192.0.2.1', '198.51.100.1', '2001:db8::1']);
    expect(store.activeBans(T0)).toEqual([]);
  });

  it('expires each ban once, when its time is up, and never a lifted one', () => {
    const store = t.open();
    store.recordBans([
      ban('192.0.2.1', { until: T0 + MIN }),
      ban('192.0.2.2', { until: T0 + 2 * MIN }),
      ban('192.0.2.3', { until: T0 + MIN }),
    ]);
    store.liftBans('192.0.2.3', T0 + 30_000);
    expect(store.expireBans(T0 + MIN - 1)).toEqual([]);
    const expired = store.expireBans(T0 + MIN);
    expect(ips(expired)).toEqual(['192.0.2.1']);
    expect(expired[0].expired).toBe(true);
    expect(store.expireBans(T0 + MIN)).toEqual([]);
    expect(ips(store.expireBans(T0 + 5 * MIN))).toEqual(['192.0.2.2']);
  });

  it('keeps a ban until Infinity active and never expires it', () => {
    const store = t.open();
    store.recordBans([ban('192.0.2.1', { until: Infinity, reason: 'manual' })]);
    const far = Date.UTC(2100, 0, 1);
    expect(store.expireBans(far)).toEqual([]);
    expect(store.activeBans(far).map((b) => b.until)).toEqual([Infinity]);
  });

  it('keeps expired and lifted bans as history, newest first, for the address and its networks', () => {
    const store = t.open();
    store.recordBans([ban('192.0.2.1', { until: T0 + MIN })]);
    store.expireBans(T0 + MIN);
    store.recordBans([ban('192.0.2.1', { since: T0 + 2 * MIN, until: T0 + 60 * MIN, count: 1 })]);
    store.liftBans('192.0.2.1', T0 + 3 * MIN);
    store.recordBans([ban('192.0.2.0/24', { since: T0 + 4 * MIN, jail: 'postfix-subnet' }), ban('192.0.2.9')]);
    const history = store.banHistory('192.0.2.1');
    expect(history.map((b) => [b.ip, b.since, b.expired, b.liftedAt])).toEqual([
      ['192.0.2.0/24', T0 + 4 * MIN, false, undefined],
      ['192.0.2.1', T0 + 2 * MIN, false, T0 + 3 * MIN],
      ['192.0.2.1', T0, true, undefined],
    ]);
    expect(store.banHistory('192.0.2.0/24')).toHaveLength(4);
    expect(store.banHistory('192.0.2.0/24', 2)).toHaveLength(2);
  });

  it('counts the earlier bans of exactly this address or prefix in one jail since a time', () => {
    const store = t.open();
    store.recordBans([ban('192.0.2.1', { since: T0 - 60 * MIN, until: T0 - 50 * MIN })]);
    store.expireBans(T0);
    store.recordBans([
      ban('192.0.2.1'),
      ban('192.0.2.1', { jail: 'exim-auth' }),
      ban('192.0.2.0/24'),
      ban('2001:db8::/64'),
    ]);
    store.liftBans('192.0.2.1', T0 + MIN, 'postfix-auth');
    expect(store.banCount('192.0.2.1', 'postfix-auth', 0)).toBe(2);
    expect(store.banCount('192.0.2.1', 'postfix-auth', T0 - 30 * MIN)).toBe(1);
    expect(store.banCount('192.0.2.1', 'exim-auth', 0)).toBe(1);
    expect(store.banCount('192.0.2.0/24', 'postfix-auth', 0)).toBe(1);
    expect(store.banCount('2001:db8::/64', 'postfix-auth', 0)).toBe(1);
    expect(store.banCount('2001:db8::1', 'postfix-auth', 0)).toBe(0);
  });

  it('prunes only history that ended before the cut-off, never a ban still in force', () => {
    const store = t.open();
    const day = 24 * 60 * MIN;
    const since = T0 - 10 * day;
    store.recordBans([
      ban('192.0.2.1', { since, until: T0 - 9 * day }), // expired long ago: pruned
      ban('192.0.2.2', { since, until: T0 - day }), // expired recently: kept
      ban('192.0.2.3', { since, until: T0 + day }), // lifted long ago: pruned
      ban('192.0.2.4', { since, until: T0 + day }), // lifted recently: kept
      ban('192.0.2.5', { since, until: T0 + day }), // active: kept
      ban('192.0.2.6', { since, until: T0 - 9 * day }), // ran out, but expiry has not removed it yet: kept
    ]);
    store.expireBans(T0 - day);
    store.liftBans('192.0.2.3', T0 - 8 * day);
    store.liftBans('192.0.2.4', T0 - day);
    store.recordBans([ban('192.0.2.6', { since: T0 - 9 * day + 1, until: T0 - 8 * day })]);
    expect(store.prune(0, T0 - 5 * day)).toEqual({ strikes: 0, bans: 3 });
    expect(ips(store.banHistory('192.0.2.0/24')).sort()).toEqual(['192.0.2.2', '192.0.2.4', '192.0.2.5', '192.0.2.6']);
    expect(ips(store.expireBans(T0))).toEqual(['192.0.2.6']);
  });

  it('prunes at most maxRows bans per call, expired and lifted together', () => {
    const store = t.open();
    store.recordBans([ban('192.0.2.1', { until: T0 + 1 }), ban('192.0.2.2', { until: T0 + 1 }), ban('192.0.2.3'), ban('192.0.2.4')]);
    store.expireBans(T0 + 1);
    store.liftBans('192.0.2.3', T0 + 1);
    store.liftBans('192.0.2.4', T0 + 1);
    expect(store.prune(0, T0 + 2, 3)).toEqual({ strikes: 0, bans: 3 });
    expect(store.prune(0, T0 + 2, 3)).toEqual({ strikes: 0, bans: 1 });
    expect(store.banHistory('192.0.2.0/24')).toEqual([]);
  });

  it('records 100,000 bans in one call and reads them all back as active', () => {
    const store = t.open();
    const bans: Ban[] = [];
    for (let i = 0; i < 100_000; i++) {
      const v4 = ['192.0.2', '198.51.100', '203.0.113'];
      const ip = i < 768 ? `${v4[i >> 8]}.${i & 255}` : `2001:db8:${(i >> 16) + 1}::${(i & 0xffff).toString(16)}`;
      bans.push(ban(ip, { until: T0 + (i + 1) * 1000 }));
    }
    store.recordBans(bans);
    const active = store.activeBans(T0);
    expect(active).toHaveLength(100_000);
    expect(new Set(ips(active)).size).toBe(100_000);
    expect(store.activeBans(T0 + 50_000 * 1000)).toHaveLength(50_000);
    expect(store.stats(T0).activeBans).toBe(100_000);
  });
});
