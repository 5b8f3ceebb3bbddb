import { cidrContains, parseCidr } from '../../../src/core/ip';
import { containerKeys, keyOfIp, keyRangeOf, parseCanonicalV6 } from '../../../src/store/ip-key';

const inRange = (key: string, cidr: string) => {
  const r = keyRangeOf(cidr);
  return r.lo <= key && key <= r.hi;
};

describe('address keys', () => {
  it('sort IPv4 addresses in numeric order, not text order', () => {
    const ips = ['192.0.2.10', '192.0.2.9', '198.51.100.1', '203.0.113.255', '192.0.2.100'];
    const sorted = [...ips].sort((a, b) => (keyOfIp(a) < keyOfIp(b) ? -1 : 1));
    expect(sorted).toEqual(['192.0.2.9', '192.0.2.10', '192.0.2.100', '198.51.100.1', '203.0.113.255']);
  });

  it('keep the families apart: no IPv4 key falls in an IPv6 range and no IPv6 key in an IPv4 one', () => {
    expect(inRange(keyOfIp('192.0.2.1'), '::/0')).toBe(false);
    expect(inRange(keyOfIp('::'), '0.0.0.0/0')).toBe(false);
    expect(inRange(keyOfIp('2001:db8::1'), '0.0.0.0/0')).toBe(false);
    expect(inRange(keyOfIp('255.255.255.255'), '0.0.0.0/0')).toBe(true);
  });

  it('give a CIDR the keys of its first and last address, and a host one key', () => {
    const r = keyRangeOf('192.0.2.77/26');
    expect(r).toMatchObject({ text: '192.0.2.64/26', family: 4, prefix: 26 });
    expect([r.lo, r.hi]).toEqual([keyOfIp('192.0.2.64'), keyOfIp('192.0.2.127')]);
    const v6 = keyRangeOf('2001:db8::/127');
    expect([v6.lo, v6.hi]).toEqual([keyOfIp('2001:db8::'), keyOfIp('2001:db8::1')]);
    const host = keyRangeOf('2001:DB8::1');
    expect(host).toMatchObject({ text: '2001:db8::1', prefix: 128, lo: host.hi });
  });

  it('agree with cidrContains on which addresses are inside which networks', () => {
    const ips = ['192.0.2.0', '192.0.2.1', '192.0.2.127', '192.0.2.128', '192.0.2.255', '198.51.100.7', '2001:db8::', '2001:db8::1', '2001:db8:0:1::', '2001:db8:ffff::1', '2001:db9::'];
    const nets = ['192.0.2.0/24', '192.0.2.0/25', '192.0.2.128/25', '192.0.2.1', '192.0.0.0/8', '0.0.0.0/0', '2001:db8::/32', '2001:db8::/64', '2001:db8::/127', '::/0', '2001:db8::1'];
    for (const net of nets) {
      for (const ip of ips) {
        expect([net, ip, inRange(keyOfIp(ip), net)]).toEqual([net, ip, cidrContains(parseCidr(net)!, ip)]);
      }
    }
  });

  it('compute the same key on the fast path for canonical text as through the general parser', () => {
    const ips = ['::', '::1', '1::', '2001:db8::', '2001:db8::1', '2001:db8:0:1:1:1:1:1', 'fe80::1:0:0:1', '1:0:0:2::3', '192.0.2.1', '0.0.0.0'];
    for (const ip of ips) expect([ip, keyOfIp(ip)]).toEqual([ip, keyRangeOf(`${ip}/${ip.includes(':') ? 128 : 32}`).lo]);
  });

  it('take only RFC 5952 text on the IPv6 fast path', () => {
    expect(parseCanonicalV6('::')).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(parseCanonicalV6('2001:db8::1:0:0:1')).toEqual([0x2001, 0xdb8, 0, 0, 1, 0, 0, 1]);
    const notCanonical = ['2001:0db8::1', '2001:DB8::1', '2001:db8:0:0:1:0:0:1', '1::2:0:0:0:3', '1:2:3:4:5:6:7::', '2001:db8::0:1', '::ffff:c000:201', '1:2:3:4:5:6:7:8:9', '1::2::3', '1:2:3:4:5:6:7', '192.0.2.1', ''];
    for (const text of notCanonical) expect([text, parseCanonicalV6(text)]).toEqual([text, null]);
  });

  it('canonicalise non-canonical input through the general parser instead of rejecting it', () => {
    expect(keyOfIp('2001:DB8:0::1')).toBe(keyOfIp('2001:db8::1'));
    expect(keyOfIp('::ffff:192.0.2.1')).toBe(keyOfIp('192.0.2.1'));
    expect(keyRangeOf('2001:0db8::0001').text).toBe('2001:db8::1');
    expect(keyRangeOf('192.0.2.77/24')).toMatchObject({ text: '192.0.2.0/24', prefix: 24 });
    expect(keyRangeOf('198.51.100.3')).toEqual({ text: '198.51.100.3', lo: keyOfIp('198.51.100.3'), hi: keyOfIp('198.51.100.3'), family: 4, prefix: 32 });
  });

  it('reject text that is not an address, or a network where one host is needed, with a USAGE error', () => {
    for (const bad of ['192.0.2.256', '010.0.0.1', 'example.org', '2001:db8::g', '192.0.2.0/33']) {
      expect(() => keyRangeOf(bad)).toThrow(expect.objectContaining({ code: 'USAGE' }));
    }
    expect(() => keyOfIp('192.0.2.0/24')).toThrow(expect.objectContaining({ code: 'USAGE' }));
  });

  it('list the first address of every wider network containing a CIDR, without its own', () => {
    const r = keyRangeOf('192.0.2.5');
    const keys = containerKeys(r);
    expect(keys).toContain(keyOfIp('192.0.2.4')); // the /30 and /31
    expect(keys).toContain(keyOfIp('192.0.2.0')); // /24 up to /29
    expect(keys).toContain(keyOfIp('192.0.0.0')); // /16 and wider down to /22
    expect(keys).toContain(keyOfIp('0.0.0.0'));
    expect(keys).not.toContain(r.lo);
    expect(new Set(keys).size).toBe(keys.length);
    expect(containerKeys(keyRangeOf('0.0.0.0/0'))).toEqual([]);
    expect(containerKeys(keyRangeOf('2001:db8::/32'))).toContain(keyOfIp('2000::'));
  });
});
