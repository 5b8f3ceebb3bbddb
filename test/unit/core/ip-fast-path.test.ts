import { canonicalIpv4, canonicalIpv6, parseIp, parseIpGeneral } from '../../../src/core/ip';

function rng(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
}

describe('canonicalIpv4', () => {
  test('returns a dotted quad as it is, null for a digits-and-dots text that is not one', () => {
    expect(canonicalIpv4('192.0.2.1')).toBe('192.0.2.1');
    expect(canonicalIpv4('0.0.0.0')).toBe('0.0.0.0');
    expect(canonicalIpv4('255.255.255.255')).toBe('255.255.255.255');
    for (const text of ['999.1.1.1', '192.0.2.01', '192.0.2', '192.0.2.1.5', '192..2.1', '.192.0.2.1', '1234.0.2.1', '']) {
      expect([text, canonicalIpv4(text)]).toEqual([text, null]);
    }
  });

  test('leaves any other text to parseIpGeneral', () => {
    expect(canonicalIpv4('2001:db8::1')).toBeUndefined();
    expect(canonicalIpv4('192.0.2.1 ')).toBeUndefined();
    expect(canonicalIpv4('0x7f.0.0.1')).toBeUndefined();
  });

  test('agrees with parseIpGeneral on random digits-and-dots texts', () => {
    const r = rng(3);
    const numbers = ['0', '1', '9', '25', '255', '256', '01', '00', '192', '999', '1000', ''];
    let valid = 0;
    for (let round = 0; round < 20000; round++) {
      // mostly four parts, sometimes three or five; some parts out of range, empty or zero-padded
      const n = r() < 0.8 ? 4 : r() < 0.5 ? 3 : 5;
      const text = Array.from({ length: n }, () => numbers[Math.floor(r() * numbers.length)]).join('.');
      const fast = canonicalIpv4(text);
      expect([text, fast]).toEqual([text, parseIpGeneral(text)]);
      if (fast) valid++;
    }
    expect(valid).toBeGreaterThan(100);
  });
});

describe('canonicalIpv6', () => {
  test('writes the RFC 5952 form: lower case, no leading zeros, the longest zero run as ::', () => {
    expect(canonicalIpv6('2001:DB8:0:0:0:0:2:1')).toBe('2001:db8::2:1');
    expect(canonicalIpv6('2001:0db8:0000:0001:0000:0000:0000:0001')).toBe('2001:db8:0:1::1');
    expect(canonicalIpv6('2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1');
    expect(canonicalIpv6('2001:db8:0:1:1:1:1:1')).toBe('2001:db8:0:1:1:1:1:1');
    expect(canonicalIpv6('2001:db8::')).toBe('2001:db8::');
  });

  test('leaves every other form to parseIpGeneral', () => {
    for (const text of ['::ffff:c000:201', '::ffff:192.0.2.1', '::1', '2001:db8::1%eth0', '[2001:db8::1]', '2001:db8:::1', '2001:db8::1::2', '2001:db8:1', '2001:db8:12345::1', '1:2:3:4:5:6:7:8:9', ':1:2::', '2001:db8::1:']) {
      expect(canonicalIpv6(text)).toBeUndefined();
    }
  });

  test('agrees with parseIpGeneral on random addresses and near-misses', () => {
    const r = rng(11);
    const hex = () => Math.floor(r() * 0x100000).toString(16).slice(0, 1 + Math.floor(r() * 5));
    let compared = 0;
    for (let round = 0; round < 20000; round++) {
      // 1-9 groups of 1-5 hex digits, maybe one `::`, maybe upper case, maybe a stray character
      const groups = Array.from({ length: 1 + Math.floor(r() * 9) }, () => (r() < 0.3 ? '0' : hex()));
      let text = groups.join(':');
      if (r() < 0.6) {
        const at = Math.floor(r() * (groups.length + 1));
        text = [groups.slice(0, at).join(':'), groups.slice(at).join(':')].join('::');
      }
      if (r() < 0.3) text = text.toUpperCase();
      if (r() < 0.1) text = text.replace(/:(?=[^:]*$)/, ['.', ':::', '%', ' '][Math.floor(r() * 4)]);
      const fast = canonicalIpv6(text);
      if (fast === undefined) continue;
      compared++;
      expect([text, fast]).toEqual([text, parseIpGeneral(text)]);
    }
    expect(compared).toBeGreaterThan(2000);
    for (let round = 0; round < 5000; round++) {
      // full eight-group addresses with random zero runs, then the compressed forms parseIp prints
      const groups = Array.from({ length: 8 }, () => (r() < 0.4 ? '0' : Math.floor(r() * 65536).toString(16)));
      const text = groups.join(':');
      const mappedOrCompatible = groups.slice(0, 5).every((g) => g === '0') && (groups[5] === '0' || groups[5] === 'ffff');
      const canonical = parseIpGeneral(text);
      expect([text, canonicalIpv6(text)]).toEqual([text, mappedOrCompatible ? undefined : canonical]);
      if (canonical && !mappedOrCompatible) expect(canonicalIpv6(canonical.toUpperCase())).toBe(canonical);
    }
  });
});

describe('parseIp', () => {
  test('answers as parseIpGeneral whether its fast path takes the text or not', () => {
    const texts = ['192.0.2.1', '192.0.2.01', '999.1.1.1', '2001:DB8::1', '2001:db8:0:0:0:0:2:1', '::ffff:c000:201', '::ffff:192.0.2.1', '[2001:db8::1]', 'IPv6:2001:db8::2', '2001:db8::1%eth0', '0x7f.0.0.1', '', 'host'];
    for (const text of texts) expect([text, parseIp(text)]).toEqual([text, parseIpGeneral(text)]);
  });
});
