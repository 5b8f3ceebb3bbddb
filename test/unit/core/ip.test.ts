import ipaddr from 'ipaddr.js';
import { CidrList, isNeverBannable, networkAddress, parseCidr, parseIp, prefixOf, widenedNetwork } from '../../../src/core/ip';

describe('parseIp', () => {
  it('returns canonical text for IPv4, IPv6, brackets and IPv4-mapped IPv6', () => {
    expect(parseIp('192.0.2.1')).toBe('192.0.2.1');
    expect(parseIp('[2001:DB8:0:0::1]')).toBe('2001:db8::1');
    expect(parseIp('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(parseIp('IPv6:2001:db8::2')).toBe('2001:db8::2');
  });

  it('refuses what is not an address, including legacy IPv4 forms', () => {
    for (const bad of ['', '1', '0x7f.1', '256.1.1.1', '192.0.2.1; rm -rf /', '2001:db8::g']) expect(parseIp(bad)).toBeNull();
  });
});

describe('widenedNetwork', () => {
  it('names the network a prefix with host bits set would silently become (issue 15)', () => {
    expect(widenedNetwork('2001:db8::/16')).toBe('2001::/16');
    expect(widenedNetwork('192.0.2.77/24')).toBe('192.0.2.0/24');
  });

  it('has nothing to say about hosts and networks written as networks', () => {
    for (const ok of ['2001:db8::/32', '192.0.2.0/24', '192.0.2.77', '2001:db8::1', 'garbage/8']) expect(widenedNetwork(ok)).toBeNull();
  });
});

describe('prefixes', () => {
  it('computes network addresses for IPv4 (integer path) and IPv6', () => {
    expect(networkAddress('203.0.113.77', 24)).toBe('203.0.113.0');
    expect(networkAddress('203.0.113.77', 0)).toBe('0.0.0.0');
    expect(networkAddress('255.255.255.255', 1)).toBe('128.0.0.0');
    expect(networkAddress('203.0.113.77', 32)).toBe('203.0.113.77');
    expect(prefixOf('2001:db8:1:2:3:4:5:6', 64)).toBe('2001:db8:1:2::/64');
    expect(prefixOf('192.0.2.9', 24)).toBe('192.0.2.0/24');
  });

  it('masks IPv6 by hand exactly as ipaddr.js does, for every prefix length and zero pattern', () => {
    const byIpaddr = (ip: string, prefix: number) => {
      const bytes = ipaddr.parse(ip).toByteArray();
      for (let i = 0; i < 16; i++) bytes[i] &= (0xff << (8 - Math.max(0, Math.min(8, prefix - i * 8)))) & 0xff;
      return (ipaddr.fromByteArray(bytes) as ipaddr.IPv6).toRFC5952String();
    };
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    for (let n = 0; n < 500; n++) {
      // groups of 0 often, so `::` runs of every length and place occur
      const groups = Array.from({ length: 8 }, () => (next() % 3 === 0 ? 0 : next() & 0xffff));
      const ip = (ipaddr.fromByteArray(groups.flatMap((g) => [g >> 8, g & 255])) as ipaddr.IPv6).toRFC5952String();
      for (const prefix of [0, 1, 15, 16, 17, 32, 48, 56, 63, 64, 65, 96, 112, 127, 128]) {
        expect([ip, prefix, networkAddress(ip, prefix)]).toEqual([ip, prefix, byIpaddr(ip, prefix)]);
      }
    }
  });

  it('parses CIDRs, clearing host bits, and folds host routes to plain addresses', () => {
    expect(parseCidr('192.0.2.77/24')!.text).toBe('192.0.2.0/24');
    expect(parseCidr('192.0.2.77/32')!.text).toBe('192.0.2.77');
    expect(parseCidr('::ffff:192.0.2.0/120')!.text).toBe('192.0.2.0/24');
    expect(parseCidr('192.0.2.0/33')).toBeNull();
  });

  it('matches addresses and overlapping prefixes against a list', () => {
    const list = new CidrList([parseCidr('192.0.2.0/24')!, parseCidr('2001:db8::5')!]);
    expect(list.matches('192.0.2.200')).toBe(true);
    expect(list.matches('192.0.0.0/16')).toBe(true);
    expect(list.matches('2001:db8::/64')).toBe(true);
    expect(list.matches('198.51.100.1')).toBe(false);
  });
});

describe('isNeverBannable', () => {
  it('refuses loopback, unspecified and link-local addresses of both families', () => {
    for (const ip of ['127.0.0.1', '127.255.0.9', '0.0.0.0', '0.1.2.3', '169.254.10.1', '::1', '::', 'fe80::1']) {
      expect(isNeverBannable(ip)).toBe(true);
    }
    for (const ip of ['192.0.2.1', '128.0.0.1', '126.255.255.255', '169.253.0.1', '169.255.0.1', '10.0.0.1', '2001:db8::1']) {
      expect(isNeverBannable(ip)).toBe(false);
    }
  });

  it('takes the IPv4 fast path to the same answer as ipaddr.js over the whole first-octet space', () => {
    const bannable = (ip: string) => !['loopback', 'unspecified', 'linkLocal'].includes(ipaddr.parse(ip).range());
    for (let first = 0; first < 256; first++) {
      for (const rest of ['0.0.1', '254.3.4', '255.255.255']) {
        const ip = `${first}.${rest}`;
        expect([ip, isNeverBannable(ip)]).toEqual([ip, !bannable(ip)]);
      }
    }
  });
});
