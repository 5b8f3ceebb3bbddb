import { parseCidr } from '../../../src/core/ip';
import type { Ban } from '../../../src/core/types';
import { dropCovered, timeoutSeconds, toBanElements, toUnbanElements } from '../../../src/enforce/ban-elements';

const NOW = 1_700_000_000_000;
const ban = (ip: string, untilMs: number, reason = 'threshold'): Ban => ({ ip, jail: 'postfix', since: NOW, until: NOW + untilMs, reason, count: 0 });
const cidrs = (...t: string[]) => t.map((x) => ({ cidr: parseCidr(x)! }));

describe('timeoutSeconds', () => {
  test('rounds the remaining time up to whole seconds', () => {
    expect(timeoutSeconds(NOW + 1500, NOW, 1e9)).toBe(2);
    expect(timeoutSeconds(NOW + 604_800_000, NOW, 1e9)).toBe(604800);
  });

  test('gives at least one second, also for a ban that already ended', () => {
    expect(timeoutSeconds(NOW + 1, NOW, 1e9)).toBe(1);
    expect(timeoutSeconds(NOW - 60_000, NOW, 1e9)).toBe(1);
  });

  test('stops at the firewall\'s maximum', () => {
    expect(timeoutSeconds(NOW + 365 * 86_400_000, NOW, 2_147_483)).toBe(2_147_483);
  });
});

describe('toBanElements', () => {
  test('canonicalises addresses and clears host bits of prefixes', () => {
    const out = toBanElements([ban('::ffff:192.0.2.1', 1000), ban('2001:DB8:0::1', 1000), ban('198.51.100.77/24', 1000)], NOW, 1e9);
    expect(out.map((e) => e.cidr.text)).toEqual(['192.0.2.1', '2001:db8::1', '198.51.100.0/24']);
  });

  test('the same address twice keeps the longer timeout', () => {
    const out = toBanElements([ban('192.0.2.1', 60_000), ban('192.0.2.1', 3_600_000), ban('192.0.2.1', 1000)], NOW, 1e9);
    expect(out).toEqual([{ cidr: parseCidr('192.0.2.1'), timeoutS: 3600, reason: 'threshold' }]);
  });

  test('refuses the whole batch when one element is not an IP or CIDR', () => {
    for (const bad of ['192.0.2.1; reboot', '-j ACCEPT', '192.0.2.0/33', 'example.com', '']) {
      expect(() => toBanElements([ban('192.0.2.1', 1000), ban(bad, 1000)], NOW, 1e9)).toThrow(
        expect.objectContaining({ code: 'FIREWALL' }),
      );
    }
  });
});

describe('toUnbanElements', () => {
  test('canonicalises and deduplicates, refusing anything unparseable', () => {
    expect(toUnbanElements(['192.0.2.1', '::ffff:192.0.2.1', '2001:db8::/32']).map((c) => c.text)).toEqual(['192.0.2.1', '2001:db8::/32']);
    expect(() => toUnbanElements(['192.0.2.1', 'nope'])).toThrow(/not an IP or CIDR/);
  });
});

describe('dropCovered', () => {
  test('keeps a CIDR and drops the addresses and narrower prefixes inside it, per family', () => {
    const { kept, covered } = dropCovered(cidrs('192.0.2.7', '192.0.2.0/24', '192.0.2.128/25', '198.51.100.1', '2001:db8::1', '2001:db8::/64'));
    expect(kept.map((e) => e.cidr.text).sort()).toEqual(['192.0.2.0/24', '198.51.100.1', '2001:db8::/64']);
    expect(covered.map((e) => e.cidr.text).sort()).toEqual(['192.0.2.128/25', '192.0.2.7', '2001:db8::1']);
  });

  test('a batch of single addresses passes unchanged', () => {
    const batch = cidrs('192.0.2.1', '192.0.2.2');
    expect(dropCovered(batch)).toEqual({ kept: batch, covered: [] });
  });
});
