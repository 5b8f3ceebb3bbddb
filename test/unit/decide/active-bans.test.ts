import { ipv4Number } from '../../../src/core/ip';
import { ActiveBans } from '../../../src/decide/active-bans';

/** A small deterministic generator (xorshift32), so a failure reproduces. */
function randomOf(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

describe('ActiveBans', () => {
  it('answers like a Map through 20,000 random sets, deletes and prunes of addresses and prefixes', () => {
    const bans = new ActiveBans();
    const model = new Map<string, number>();
    const random = randomOf(7);
    // a few hundred targets, so sets, overwrites and deletes of the same target all happen often
    const targets = Array.from({ length: 3000 }, (_, i) =>
      i % 10 === 9 ? `2001:db8::${i.toString(16)}` : i % 10 === 8 ? `198.51.100.${i % 256}/32` : `${192 + (i % 3)}.0.${(i >> 8) & 255}.${i & 255}`,
    );
    for (let step = 0; step < 20_000; step++) {
      const target = targets[Math.floor(random() * targets.length)];
      const r = random();
      if (r < 0.6) {
        const until = 1000 + Math.floor(random() * 1000);
        bans.set(target, until);
        model.set(target, until);
      } else if (r < 0.95) {
        bans.delete(target);
        model.delete(target);
      } else if (r < 0.951) {
        const now = 1000 + Math.floor(random() * 1000);
        bans.prune(now);
        for (const [k, until] of model) if (until <= now) model.delete(k);
      }
      if (step % 500 === 0) expect(targets.filter((t) => bans.get(t) !== (model.get(t) ?? 0))).toEqual([]);
    }
    expect(targets.filter((t) => bans.get(t) !== (model.get(t) ?? 0))).toEqual([]);
    expect(bans.size).toBe(model.size);
  });

  it('holds 100,000 addresses and finds each after growing', () => {
    const bans = new ActiveBans();
    for (let i = 0; i < 100_000; i++) bans.set(`198.18.${i >> 8}.${i & 255}`, 5000 + i);
    expect(bans.size).toBe(100_000);
    for (let i = 0; i < 100_000; i += 997) expect(bans.get(`198.18.${i >> 8}.${i & 255}`)).toBe(5000 + i);
    expect(bans.get('198.19.0.1')).toBe(0);
  });

  it('keeps differently spelled targets apart, as the string keys did', () => {
    const bans = new ActiveBans();
    bans.set('192.0.2.1', 10);
    bans.set('192.0.2.01', 20);
    bans.set('192.0.2.1/32', 30);
    expect([bans.get('192.0.2.1'), bans.get('192.0.2.01'), bans.get('192.0.2.1/32')]).toEqual([10, 20, 30]);
    expect(bans.size).toBe(3);
  });

  it('forgets ended bans when pruned and keeps running ones', () => {
    const bans = new ActiveBans();
    for (let i = 0; i < 2000; i++) bans.set(`203.0.113.${i % 256}`, i % 256 < 100 ? 50 : 500);
    bans.set('2001:db8::1', 50);
    bans.set('2001:db8::/64', 500);
    bans.prune(100);
    expect(bans.size).toBe(157);
    expect(bans.get('203.0.113.5')).toBe(0);
    expect(bans.get('203.0.113.200')).toBe(500);
    expect(bans.get('2001:db8::1')).toBe(0);
    expect(bans.get('2001:db8::/64')).toBe(500);
  });
});

describe('ipv4Number', () => {
  it('reads canonical dotted quads, the ends of the range included', () => {
    expect(ipv4Number('0.0.0.0')).toBe(0);
    expect(ipv4Number('192.0.2.1')).toBe(0xc0000201);
    expect(ipv4Number('255.255.255.255')).toBe(2 ** 32 - 1);
  });

  it('refuses prefixes, IPv6, leading zeros, out-of-range parts and stray characters', () => {
    for (const s of ['192.0.2.0/24', '2001:db8::1', '192.0.2.01', '192.0.2.256', '192.0.2', '192.0.2.1.5', '192.0..1', ' 192.0.2.1', '::ffff:192.0.2.1']) {
      expect(ipv4Number(s)).toBe(-1);
    }
  });
});
