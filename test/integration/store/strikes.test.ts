import type { Strike } from '../../../src/core/types';
import { strikesSince, useTempStores } from './temp-store';

const t = useTempStores();
const T0 = Date.UTC(2025, 0, 15, 12, 0, 0);

function strike(ip: string, time: number, extra: Partial<Strike> = {}): Strike {
  return { ip, jail: 'postfix-auth', time, event: 'auth-failure', weight: 1, rule: 'postfix/sasl-login', ...extra };
}

describe('strikes', () => {
  it('round-trips every field, and leaves out the optional ones that were not given', () => {
    const store = t.open();
    const full = strike('192.0.2.10', T0, {
      weight: 0.5,
      userHash: '0123456789abcdef',
      source: 'postfix:/var/log/mail.log',
      line: 42,
      text: 'warning: unknown[192.0.2.10]: SASL LOGIN authentication failed',
    });
    const bare = strike('192.0.2.10', T0 + 1000, { event: 'pregreet', rule: 'postfix/pregreet' });
    store.addStrikes([full, bare]);
    expect(store.strikesOf('192.0.2.10')).toEqual([bare, full]);
  });

  it('lists the strikes of one address newest first, optionally for one jail and up to a limit', () => {
    const store = t.open();
    store.addStrikes([
      strike('192.0.2.1', T0),
      strike('192.0.2.1', T0 + 2000, { jail: 'exim-auth' }),
      strike('192.0.2.1', T0 + 1000),
      strike('192.0.2.2', T0 + 500),
    ]);
    expect(store.strikesOf('192.0.2.1').map((s) => s.time)).toEqual([T0 + 2000, T0 + 1000, T0]);
    expect(store.strikesOf('192.0.2.1', 'postfix-auth').map((s) => s.time)).toEqual([T0 + 1000, T0]);
    expect(store.strikesOf('192.0.2.1', undefined, 1).map((s) => s.time)).toEqual([T0 + 2000]);
  });

  it('finds every IPv4 address inside a CIDR and none outside it', () => {
    const store = t.open();
    store.addStrikes(['192.0.2.0', '192.0.2.255', '192.0.2.77', '192.0.3.0', '192.0.1.255', '2001:db8::1'].map((ip, i) => strike(ip, T0 + i)));
    expect(store.strikesOf('192.0.2.0/24').map((s) => s.ip)).toEqual(['192.0.2.77', '192.0.2.255', '192.0.2.0']);
    expect(store.strikesOf('192.0.2.64/26').map((s) => s.ip)).toEqual(['192.0.2.77']);
    expect(store.strikesOf('0.0.0.0/0')).toHaveLength(5);
  });

  it('finds every IPv6 address inside a prefix and never mixes the families', () => {
    const store = t.open();
    const ips = ['2001:db8::1', '2001:db8::ffff', '2001:db8:0:1::1', '2001:db8:1::1', '2001:db9::1', '192.0.2.1'];
    store.addStrikes(ips.map((ip, i) => strike(ip, T0 + i)));
    expect(store.strikesOf('2001:db8::/64').map((s) => s.ip)).toEqual(['2001:db8::ffff', '2001:db8::1']);
    expect(store.strikesOf('2001:db8::/48').map((s) => s.ip)).toEqual(['2001:db8:0:1::1', '2001:db8::ffff', '2001:db8::1']);
    expect(store.strikesOf('2001:db8::/32')).toHaveLength(4);
    expect(store.strikesOf('::/0')).toHaveLength(5);
    // A non-canonical query is canonicalised before it is looked up.
    expect(store.strikesOf('2001:DB8:0:0:0:0:0:1').map((s) => s.ip)).toEqual(['2001:db8::1']);
  });

  it('rejects a query that is neither an address nor a CIDR with a USAGE error', () => {
    const store = t.open();
    expect(() => store.strikesOf('192.0.2.300')).toThrow(expect.objectContaining({ code: 'USAGE' }));
    expect(() => store.clearStrikes('not-an-ip')).toThrow(expect.objectContaining({ code: 'USAGE' }));
  });

  it('returns the strikes since a time oldest first, for all jails or one', () => {
    const store = t.open();
    store.addStrikes([
      strike('192.0.2.1', T0 + 3000),
      strike('192.0.2.2', T0 - 1),
      strike('198.51.100.7', T0 + 1000, { jail: 'exim-auth' }),
      strike('2001:db8::5', T0),
    ]);
    expect(strikesSince(store, T0).map((s) => s.ip)).toEqual(['2001:db8::5', '198.51.100.7', '192.0.2.1']);
    expect(strikesSince(store, T0, 'exim-auth').map((s) => s.ip)).toEqual(['198.51.100.7']);
    expect(strikesSince(store, T0 + 3001)).toEqual([]);
  });

  it('clears the strikes of an address or a CIDR, optionally in one jail, and says how many', () => {
    const store = t.open();
    store.addStrikes([
      strike('192.0.2.1', T0),
      strike('192.0.2.1', T0 + 1, { jail: 'exim-auth' }),
      strike('192.0.2.9', T0),
      strike('198.51.100.1', T0),
    ]);
    expect(store.clearStrikes('192.0.2.1', 'exim-auth')).toBe(1);
    expect(store.clearStrikes('192.0.2.0/24')).toBe(2);
    expect(store.clearStrikes('192.0.2.0/24')).toBe(0);
    expect(strikesSince(store, 0).map((s) => s.ip)).toEqual(['198.51.100.1']);
  });

  it('stores a batch of 10,000 strikes in one transaction', () => {
    const store = t.open();
    const batch = Array.from({ length: 10_000 }, (_, i) => strike(`203.0.113.${i % 256}`, T0 + i));
    store.addStrikes(batch);
    expect(store.stats(T0).strikes).toBe(10_000);
    expect(store.strikesOf('203.0.113.5')).toHaveLength(Math.ceil((10_000 - 5) / 256));
    expect(strikesSince(store, T0 + 9_990)).toHaveLength(10);
  });

  it('keeps none of a batch of 10,000 when its last strike cannot be stored', () => {
    const store = t.open();
    const batch = Array.from({ length: 10_000 }, (_, i) => strike(`203.0.113.${i % 256}`, T0 + i));
    batch[9_999] = strike('not-an-address', T0);
    expect(() => store.addStrikes(batch)).toThrow();
    expect(store.stats(T0).strikes).toBe(0);
  });

  it('keeps nothing of a batch whose surrounding transaction throws', () => {
    const store = t.open();
    store.setCursor('file', { offset: 1 });
    expect(() =>
      store.transaction(() => {
        store.addStrikes([strike('192.0.2.1', T0), strike('192.0.2.2', T0)]);
        store.setCursor('file', { offset: 2 });
        throw new Error('firewall batch failed');
      }),
    ).toThrow('firewall batch failed');
    expect(store.stats(T0).strikes).toBe(0);
    expect(store.getCursor('file')).toEqual({ offset: 1 });
  });

  it('prunes strikes older than the cut-off and keeps the rest', () => {
    const store = t.open();
    store.addStrikes([strike('192.0.2.1', T0 - 2), strike('192.0.2.1', T0 - 1), strike('192.0.2.1', T0)]);
    expect(store.prune(T0 - 1, 0)).toEqual({ strikes: 1, bans: 0 });
    expect(store.strikesOf('192.0.2.1').map((s) => s.time)).toEqual([T0, T0 - 1]);
  });

  it('prunes at most maxRows strikes per call, oldest first, so a large backlog goes in steps', () => {
    const store = t.open();
    store.addStrikes(Array.from({ length: 25 }, (_, i) => strike('192.0.2.1', T0 + i)));
    expect(store.prune(T0 + 20, 0, 10)).toEqual({ strikes: 10, bans: 0 });
    expect(strikesSince(store, 0)[0].time).toBe(T0 + 10);
    expect(store.prune(T0 + 20, 0, 10).strikes).toBe(10);
    expect(store.prune(T0 + 20, 0, 10).strikes).toBe(0);
    expect(store.stats(T0).strikes).toBe(5);
  });
});
