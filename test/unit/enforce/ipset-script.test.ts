import { parseCidr } from '../../../src/core/ip';
import {
  addLines,
  createSetLine,
  delLines,
  ipsetName,
  parseIpsetSave,
  parseSavedRules,
  portGroups,
  ruleArgs,
} from '../../../src/enforce/ipset-script';

const sets = { 4: 'mailjail-postfix-4', 6: 'mailjail-postfix-6' } as const;

describe('ipset and iptables text', () => {
  test('set names are mailjail-<jail>-<family>', () => {
    expect(ipsetName('mailjail', 'postfix', 4)).toBe('mailjail-postfix-4');
    expect(ipsetName('mailjail', 'postfix', 6)).toBe('mailjail-postfix-6');
  });

  test('a name over 31 characters is cut and tagged with a hash of the whole, staying unique', () => {
    const a = ipsetName('mailjail', 'submission-authentication-a', 4);
    const b = ipsetName('mailjail', 'submission-authentication-b', 4);
    expect(a.length).toBeLessThanOrEqual(31);
    expect(a).toMatch(/^mailjail-submission-[0-9a-f]{8}-4$/);
    expect(a).not.toBe(b);
    expect(ipsetName('mailjail', 'submission-authentication-a', 6)).toMatch(/-6$/);
  });

  test('sets are hash:net with per-element timeouts and the configured maxelem', () => {
    expect(createSetLine('mailjail-postfix-4', 4, 262144)).toBe('create mailjail-postfix-4 hash:net family inet timeout 0 maxelem 262144');
    expect(createSetLine('mailjail-postfix-6', 6, 1000)).toBe('create mailjail-postfix-6 hash:net family inet6 timeout 0 maxelem 1000');
  });

  test('restore lines route each element to its family\'s set', () => {
    const els = [
      { cidr: parseCidr('192.0.2.1')!, timeoutS: 604800, reason: 'x' },
      { cidr: parseCidr('2001:db8::/64')!, timeoutS: 9, reason: 'x' },
    ];
    expect(addLines(sets, els)).toEqual(['add mailjail-postfix-4 192.0.2.1 timeout 604800', 'add mailjail-postfix-6 2001:db8::/64 timeout 9']);
    expect(delLines(sets, els.map((e) => e.cidr))).toEqual(['del mailjail-postfix-4 192.0.2.1', 'del mailjail-postfix-6 2001:db8::/64']);
  });

  test('rules match the set as source, with a multiport match of at most 15 ports per rule', () => {
    expect(ruleArgs('mailjail-postfix-4', '25,465,587')).toEqual([
      '-p', 'tcp', '-m', 'multiport', '--dports', '25,465,587', '-m', 'set', '--match-set', 'mailjail-postfix-4', 'src', '-j', 'DROP',
    ]);
    expect(ruleArgs('mailjail-postfix-4', '')).toEqual(['-m', 'set', '--match-set', 'mailjail-postfix-4', 'src', '-j', 'DROP']);
    expect(portGroups('all')).toEqual(['']);
    const twenty = Array.from({ length: 20 }, (_, i) => 1000 + i);
    expect(portGroups(twenty)).toEqual([twenty.slice(0, 15).join(','), twenty.slice(15).join(',')]);
  });
});

describe('reading iptables -S and ipset save', () => {
  test('finds the rules that use a set, with their port lists, ignoring other rules', () => {
    const out = [
      '-P INPUT ACCEPT',
      '-A INPUT -p tcp -m multiport --dports 25,465 -m set --match-set mailjail-postfix-4 src -j DROP',
      '-A INPUT -m set --match-set mailjail-postfix-4 src -j DROP',
      '-A INPUT -m set --match-set mailjail-postfix-44 src -j DROP',
      '-A INPUT -p tcp --dport 22 -j ACCEPT',
    ].join('\n');
    expect(parseSavedRules(out, 'mailjail-postfix-4')).toEqual([
      { args: ['-p', 'tcp', '-m', 'multiport', '--dports', '25,465', '-m', 'set', '--match-set', 'mailjail-postfix-4', 'src', '-j', 'DROP'], portGroup: '25,465' },
      { args: ['-m', 'set', '--match-set', 'mailjail-postfix-4', 'src', '-j', 'DROP'], portGroup: '' },
    ]);
  });

  test('reads members with the seconds they have left, in canonical form', () => {
    const out = [
      'create mailjail-postfix-6 hash:net family inet6 hashsize 1024 maxelem 262144 timeout 0 bucketsize 12 initval 0xad2f2784',
      'add mailjail-postfix-6 2001:db8:0::1 timeout 49',
      'add mailjail-postfix-6 2001:db8::/64 timeout 7',
      'add other-set 2001:db8::5 timeout 7',
    ].join('\n');
    expect(parseIpsetSave(out, 'mailjail-postfix-6')).toEqual([
      { text: '2001:db8::1', timeoutS: 49 },
      { text: '2001:db8::/64', timeoutS: 7 },
    ]);
  });
});
