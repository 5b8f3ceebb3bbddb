import { parseSetElements, parseTableSummary, rangeToCidrs } from '../../../src/enforce/nft-json';

const META = { metainfo: { version: '1.0.6', release_name: 'Lester Gooch #5', json_schema_version: 1 } };
const doc = (...items: object[]) => JSON.stringify({ nftables: [META, ...items] });
const set = (elem?: unknown[]) => ({
  set: { family: 'inet', name: 'postfix_v4', table: 'mailjail', type: 'ipv4_addr', handle: 1, flags: ['interval', 'timeout'], ...(elem ? { elem } : {}) },
});

describe('parsing nft -j list set', () => {
  test('reads elements with timeout and expiry, plain and prefix forms', () => {
    const out = doc(
      set([
        { elem: { val: '192.0.2.1', timeout: 604800, expires: 604799 } },
        { elem: { val: { prefix: { addr: '198.51.100.0', len: 24 } }, timeout: 3600, expires: 12 } },
        { prefix: { addr: '203.0.113.0', len: 25 } },
        '192.0.2.7',
      ]),
    );
    expect(parseSetElements(out)).toEqual([
      { text: '192.0.2.1', timeoutS: 604800, expiresS: 604799 },
      { text: '198.51.100.0/24', timeoutS: 3600, expiresS: 12 },
      { text: '203.0.113.0/25' },
      { text: '192.0.2.7' },
    ]);
  });

  test('gives IPv6 elements in canonical form', () => {
    const out = doc(set([{ elem: { val: '2001:DB8:0:0::1', timeout: 5, expires: 4 } }, { prefix: { addr: '2001:db8:1::', len: 64 } }]));
    expect(parseSetElements(out).map((e) => e.text)).toEqual(['2001:db8::1', '2001:db8:1::/64']);
  });

  test('folds the embedded-IPv4 forms inet_ntop prints into mailjail\'s canonical text', () => {
    const out = doc(set(['::ffff:192.0.2.1', '2001:db8::c000:201']));
    expect(parseSetElements(out).map((e) => e.text)).toEqual(['192.0.2.1', '2001:db8::c000:201']);
  });

  test('turns a range (added by hand or by auto-merge) into the CIDRs covering it', () => {
    const out = doc(set([{ range: ['192.0.2.10', '192.0.2.20'] }, { elem: { val: { range: ['198.51.100.0', '198.51.100.255'] }, timeout: 9 } }]));
    expect(parseSetElements(out)).toEqual([
      { text: '192.0.2.10/31' },
      { text: '192.0.2.12/30' },
      { text: '192.0.2.16/30' },
      { text: '192.0.2.20' },
      { text: '198.51.100.0/24', timeoutS: 9 },
    ]);
  });

  test('an empty set has no elements', () => {
    expect(parseSetElements(doc(set()))).toEqual([]);
  });

  test('output that is not nft JSON is a FIREWALL error', () => {
    expect(() => parseSetElements('Error: foo')).toThrow(expect.objectContaining({ code: 'FIREWALL' }));
    expect(() => parseSetElements('{"other": []}')).toThrow(/no "nftables" array/);
  });
});

describe('rangeToCidrs', () => {
  test('covers a range with the fewest prefixes', () => {
    expect(rangeToCidrs('192.0.2.0', '192.0.2.255')).toEqual(['192.0.2.0/24']);
    expect(rangeToCidrs('192.0.2.1', '192.0.2.1')).toEqual(['192.0.2.1']);
    expect(rangeToCidrs('192.0.2.255', '192.0.3.0')).toEqual(['192.0.2.255', '192.0.3.0']);
    expect(rangeToCidrs('2001:db8::', '2001:db8::ffff:ffff:ffff:ffff')).toEqual(['2001:db8::/64']);
    expect(rangeToCidrs('0.0.0.0', '255.255.255.255')).toEqual(['0.0.0.0/0']);
  });
});

describe('parsing rules and table summaries', () => {
  const rule = (handle: number, comment?: string) => ({
    rule: { family: 'inet', table: 'mailjail', chain: 'input', handle, ...(comment ? { comment } : {}), expr: [{ drop: null }] },
  });

  test('a terse table listing gives sets with their flags, chain names and the rules', () => {
    const out = doc(
      { table: { family: 'inet', name: 'mailjail', handle: 1 } },
      set(),
      { chain: { family: 'inet', table: 'mailjail', name: 'input', handle: 1, type: 'filter', hook: 'input', prio: -10, policy: 'accept' } },
      rule(5, 'mailjail postfix_v4 25'),
    );
    expect(parseTableSummary(out)).toEqual({
      sets: [{ name: 'postfix_v4', type: 'ipv4_addr', flags: ['interval', 'timeout'] }],
      chains: ['input'],
      rules: [{ handle: 5, chain: 'input', comment: 'mailjail postfix_v4 25' }],
    });
  });

  test('a set without flags has an empty flag list', () => {
    const out = doc({ set: { family: 'inet', name: 'plain', table: 'mailjail', type: 'ipv6_addr', handle: 2 } });
    expect(parseTableSummary(out).sets).toEqual([{ name: 'plain', type: 'ipv6_addr', flags: [] }]);
  });
});
