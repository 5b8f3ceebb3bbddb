import { createGuard } from '../../../src/daemon/guard';

describe('createGuard', () => {
  const guard = createGuard(['198.51.100.0/24', '2001:db8:5::1'], ['192.0.2.10']);

  it('protects the ignore lists and the host own addresses, and prefixes around them', () => {
    for (const t of ['198.51.100.7', '192.0.2.10', '192.0.2.0/24', '2001:db8:5::1', '2001:db8:5::/48']) expect(guard.isProtected(t)).toBe(true);
    for (const t of ['192.0.2.11', '203.0.113.0/24', '2001:db8:6::/48']) expect(guard.isProtected(t)).toBe(false);
  });

  it('protects loopback, unspecified and link-local, and any prefix holding some of them', () => {
    for (const t of ['127.0.0.1', '0.0.0.0', '169.254.1.1', '::1', 'fe80::1', '64.0.0.0/2', '0.0.0.0/0', '169.0.0.0/8', '::/0', 'fe80::/9']) {
      expect([t, guard.isProtected(t)]).toEqual([t, true]);
    }
    for (const t of ['128.0.0.0/3', '126.0.0.0/8', '2001:db8:7::/48']) expect([t, guard.isProtected(t)]).toEqual([t, false]);
  });

  it('refuses what is not an address at all', () => {
    expect(guard.isProtected('not-an-ip')).toBe(true);
  });
});
