import { SubnetTracker } from '../../../src/decide/subnet-tracker';

const T0 = Date.UTC(2025, 0, 1);
const HOUR = 3_600_000;
const RULES = { enabled: true, threshold: 3, windowMs: HOUR, ipv4Prefix: 24, ipv6Prefix: 48 };

describe('SubnetTracker', () => {
  it('names the prefix once three distinct offenders inside it are banned within the window', () => {
    const t = new SubnetTracker(RULES);
    expect(t.onBan('203.0.113.1', T0)).toBeNull();
    expect(t.onBan('203.0.113.1', T0 + 1000)).toBeNull(); // the same offender again counts once
    expect(t.onBan('203.0.113.2', T0 + 2000)).toBeNull();
    expect(t.onBan('203.0.113.3', T0 + 3000)).toBe('203.0.113.0/24');
  });

  it('forgets bans that left the window, and starts afresh after clear', () => {
    const t = new SubnetTracker(RULES);
    t.onBan('198.51.100.1', T0);
    t.onBan('198.51.100.2', T0);
    expect(t.onBan('198.51.100.3', T0 + HOUR)).toBeNull();
    t.onBan('2001:db8:1:2::/64', T0);
    t.onBan('2001:db8:1:3::/64', T0);
    t.clear('2001:db8:1::/48');
    expect(t.onBan('2001:db8:1:4::/64', T0)).toBeNull();
  });

  it('ignores prefixes as wide as the escalation prefix, and everything when escalation is off', () => {
    const t = new SubnetTracker(RULES);
    for (const ip of ['192.0.2.0/24', '192.0.2.0/24', '192.0.0.0/16']) expect(t.onBan(ip, T0)).toBeNull();
    const off = new SubnetTracker({ ...RULES, enabled: false, threshold: 1 });
    expect(off.onBan('192.0.2.1', T0)).toBeNull();
  });

  it('gives the prefix around an address or prefix even when escalation is off', () => {
    const off = new SubnetTracker({ ...RULES, enabled: false });
    expect(off.prefixAround('192.0.2.77')).toBe('192.0.2.0/24');
    expect(off.prefixAround('2001:db8:1:2::/64')).toBe('2001:db8:1::/48');
    expect(off.prefixAround('192.0.2.0/24')).toBe('192.0.2.0/24');
  });
});
