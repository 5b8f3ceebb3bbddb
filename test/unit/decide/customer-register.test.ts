import { CustomerRegister } from '../../../src/decide/customer-register';

const HOUR = 3600_000;
const rules = { enabled: true, windowMs: 24 * HOUR, weight: 0.25, forgive: true, maxFailures: 3, findTimeMs: HOUR };

describe('CustomerRegister', () => {
  it('counts an address as a customer for the window after its latest login, and no longer', () => {
    const c = new CustomerRegister(rules);
    c.login('192.0.2.7', 0);
    c.login('192.0.2.7', 2 * HOUR);
    c.login('192.0.2.7', HOUR); // an older login read late does not shorten the window
    expect(c.isCustomer('192.0.2.7', 25 * HOUR)).toBe(true);
    expect(c.isCustomer('192.0.2.7', 26 * HOUR)).toBe(false);
    expect(c.isCustomer('192.0.2.8', HOUR)).toBe(false);
  });

  it('knows nobody when customers are disabled', () => {
    const c = new CustomerRegister({ ...rules, enabled: false });
    c.login('192.0.2.7', 0);
    expect(c.isCustomer('192.0.2.7', 1)).toBe(false);
  });

  it('reaches the failure ceiling at maxFailures within findTime, and forgets failures on request', () => {
    const c = new CustomerRegister(rules);
    c.addFailure('192.0.2.7', 0);
    c.addFailure('192.0.2.7', 1000);
    expect(c.overCeiling('192.0.2.7', 1000)).toBe(false);
    c.addFailure('192.0.2.7', 2000);
    expect(c.overCeiling('192.0.2.7', 2000)).toBe(true);
    expect(c.overCeiling('192.0.2.7', 2 * HOUR)).toBe(false);
    c.forgetFailures('192.0.2.7');
    expect(c.overCeiling('192.0.2.7', 2000)).toBe(false);
  });

  it('skips a replayed failure already outside its window', () => {
    const c = new CustomerRegister(rules);
    for (const t of [0, 1, 2]) c.addFailure('192.0.2.7', t, 2 * HOUR);
    expect(c.overCeiling('192.0.2.7', 2)).toBe(false);
  });

  it('finds a recent customer inside a prefix of its family only', () => {
    const c = new CustomerRegister(rules);
    c.login('198.51.100.20', 0);
    c.login('2001:db8:1:2::/64', 0);
    expect(c.hasCustomerIn('198.51.100.0/24', HOUR)).toBe(true);
    expect(c.hasCustomerIn('198.51.101.0/24', HOUR)).toBe(false);
    expect(c.hasCustomerIn('2001:db8:1::/48', HOUR)).toBe(true);
    expect(c.hasCustomerIn('198.51.100.0/24', 25 * HOUR)).toBe(false);
  });

  it('prunes logins that left the window', () => {
    const c = new CustomerRegister(rules);
    c.login('192.0.2.7', 0);
    c.login('192.0.2.8', 10 * HOUR);
    c.prune(30 * HOUR);
    expect(c.size).toBe(1);
  });
});
