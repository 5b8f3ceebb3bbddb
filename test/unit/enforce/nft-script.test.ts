import { parseCidr } from '../../../src/core/ip';
import type { BanElement } from '../../../src/enforce/ban-elements';
import {
  addElementLines,
  deleteElementLines,
  deleteRuleLine,
  isRuleFor,
  jailSets,
  normalisePorts,
  ruleBody,
  ruleComment,
  setFor,
  setupScript,
  unbanLines,
} from '../../../src/enforce/nft-script';

const names = { table: 'mailjail', jail: 'postfix' };
const el = (text: string, timeoutS = 60): BanElement => ({ cidr: parseCidr(text)!, timeoutS, reason: 'threshold' });
const [v4, v6, v4masked, v6masked, v4net] = jailSets('postfix');

describe('nftables script text', () => {
  test('setup adds (never flushes) table, chain and six sets, then refills the jail\'s chain with one rule per set', () => {
    expect(setupScript(names, [25, 465, 587])).toEqual([
      'add table inet mailjail',
      'add chain inet mailjail postfix_input { type filter hook input priority filter - 10; policy accept; }',
      'add set inet mailjail postfix_v4 { type ipv4_addr; flags timeout; }',
      'add set inet mailjail postfix_v6 { type ipv6_addr; flags timeout; }',
      'add set inet mailjail postfix_v4_24 { type ipv4_addr; flags timeout; }',
      'add set inet mailjail postfix_v6_64 { type ipv6_addr; flags timeout; }',
      'add set inet mailjail postfix_v4_net { type ipv4_addr; flags interval, timeout; }',
      'add set inet mailjail postfix_v6_net { type ipv6_addr; flags interval, timeout; }',
      'flush chain inet mailjail postfix_input',
      'add rule inet mailjail postfix_input ip saddr @postfix_v4 tcp dport { 25, 465, 587 } drop comment "mailjail postfix_v4 25,465,587"',
      'add rule inet mailjail postfix_input ip6 saddr @postfix_v6 tcp dport { 25, 465, 587 } drop comment "mailjail postfix_v6 25,465,587"',
      'add rule inet mailjail postfix_input ip saddr & 255.255.255.0 @postfix_v4_24 tcp dport { 25, 465, 587 } drop comment "mailjail postfix_v4_24 25,465,587"',
      'add rule inet mailjail postfix_input ip6 saddr & ffff:ffff:ffff:ffff:: @postfix_v6_64 tcp dport { 25, 465, 587 } drop comment "mailjail postfix_v6_64 25,465,587"',
      'add rule inet mailjail postfix_input ip saddr @postfix_v4_net tcp dport { 25, 465, 587 } drop comment "mailjail postfix_v4_net 25,465,587"',
      'add rule inet mailjail postfix_input ip6 saddr @postfix_v6_net tcp dport { 25, 465, 587 } drop comment "mailjail postfix_v6_net 25,465,587"',
    ]);
  });

  test('a rule matches its set\'s family and the port list, or every port', () => {
    expect(ruleBody(v6, [25])).toBe('ip6 saddr @postfix_v6 tcp dport 25 drop comment "mailjail postfix_v6 25"');
    expect(ruleBody(v4net, 'all')).toBe('ip saddr @postfix_v4_net drop comment "mailjail postfix_v4_net all"');
    expect(ruleBody(v4, [25, 587])).toBe('ip saddr @postfix_v4 tcp dport { 25, 587 } drop comment "mailjail postfix_v4 25,587"');
    expect(ruleBody(v4masked, [25])).toBe('ip saddr & 255.255.255.0 @postfix_v4_24 tcp dport 25 drop comment "mailjail postfix_v4_24 25"');
    expect(ruleBody(v6masked, 'all')).toBe('ip6 saddr & ffff:ffff:ffff:ffff:: @postfix_v6_64 drop comment "mailjail postfix_v6_64 all"');
    expect(deleteRuleLine(names, 'input', 17)).toBe('delete rule inet mailjail input handle 17');
  });

  test('a long port list, or a long jail name, is named by a hash so the comment stays within nft\'s 128 bytes', () => {
    const ports = Array.from({ length: 40 }, (_, i) => 2000 + i);
    const comment = ruleComment('postfix_v4', ports);
    expect(comment).toMatch(/^mailjail postfix_v4 #[0-9a-f]{8}$/);
    expect(ruleComment('postfix_v4', ports)).toBe(comment);
    expect(ruleComment('postfix_v4', [...ports, 3000])).not.toBe(comment);
    const longSet = `${'j'.repeat(64)}_v6_net`;
    const list = Array.from({ length: 10 }, (_, i) => 10000 + i); // 59 characters
    expect(ruleComment(longSet, list)).toMatch(/ #[0-9a-f]{8}$/);
    expect(Buffer.byteLength(ruleComment(longSet, list))).toBeLessThanOrEqual(128);
  });

  test('a rule is recognised as a set\'s by its comment, whatever its ports', () => {
    expect(isRuleFor('mailjail postfix_v4 25', 'postfix_v4')).toBe(true);
    expect(isRuleFor('mailjail postfix_v4 all', 'postfix_v4')).toBe(true);
    expect(isRuleFor('mailjail postfix_v4_net 25', 'postfix_v4')).toBe(false);
    expect(isRuleFor('mailjail postfix_v6 25', 'postfix_v4')).toBe(false);
    expect(isRuleFor(undefined, 'postfix_v4')).toBe(false);
  });

  test('ports are deduplicated and sorted; out-of-range or empty lists are refused', () => {
    expect(normalisePorts([587, 25, 465, 25])).toEqual([25, 465, 587]);
    expect(normalisePorts('all')).toBe('all');
    expect(() => normalisePorts([0])).toThrow(RangeError);
    expect(() => normalisePorts([65536])).toThrow(RangeError);
    expect(() => normalisePorts([25.5])).toThrow(RangeError);
    expect(() => normalisePorts([])).toThrow(RangeError);
  });

  test('hosts go to the host sets, /24s and /64s to the masked sets, other prefixes to the interval sets of their family', () => {
    expect(['192.0.2.1', '198.51.100.0/24', '2001:db8::1', '2001:db8::/64', '192.0.2.1/32', '198.51.100.0/25', '2001:db8::/48'].map((t) => setFor('postfix', parseCidr(t)!))).toEqual([
      'postfix_v4',
      'postfix_v4_24',
      'postfix_v6',
      'postfix_v6_64',
      'postfix_v4',
      'postfix_v4_net',
      'postfix_v6_net',
    ]);
  });

  test('bans become add element lines per set, each element with its timeout in seconds', () => {
    expect(addElementLines(names, [el('192.0.2.1', 604800), el('2001:db8::/64', 5), el('198.51.100.0/24', 1), el('192.0.2.2', 9), el('203.0.113.0/25', 2)])).toEqual([
      'add element inet mailjail postfix_v4 { 192.0.2.1 timeout 604800s, 192.0.2.2 timeout 9s }',
      'add element inet mailjail postfix_v4_24 { 198.51.100.0 timeout 1s }',
      'add element inet mailjail postfix_v6_64 { 2001:db8:: timeout 5s }',
      'add element inet mailjail postfix_v4_net { 203.0.113.0/25 timeout 2s }',
    ]);
  });

  test('an element moved without a timeout is added without one', () => {
    expect(addElementLines(names, [{ cidr: parseCidr('192.0.2.3')! }])).toEqual(['add element inet mailjail postfix_v4 { 192.0.2.3 }']);
  });

  test('large batches are cut into statements of 1,000 elements', () => {
    const many: BanElement[] = [];
    for (let i = 0; i < 2500; i++) many.push(el(`2001:db8::${i.toString(16)}`));
    const lines = addElementLines(names, many);
    expect(lines).toHaveLength(3);
    expect(lines.map((l) => l.split(', ').length)).toEqual([1000, 1000, 500]);
  });

  test('deletes go to the set each element lives in', () => {
    expect(deleteElementLines(names, ['203.0.113.0/25', '2001:db8::9'].map((t) => parseCidr(t)!))).toEqual([
      'delete element inet mailjail postfix_v6 { 2001:db8::9 }',
      'delete element inet mailjail postfix_v4_net { 203.0.113.0/25 }',
    ]);
  });

  test('unban adds each element with a 1 s timeout, then deletes it, so absent ones are no error', () => {
    const cidrs = ['192.0.2.1', '2001:db8::1', '198.51.100.0/24', '2001:db8:1:2::/64'].map((t) => parseCidr(t)!);
    expect(unbanLines(names, cidrs)).toEqual([
      'add element inet mailjail postfix_v4 { 192.0.2.1 timeout 1s }',
      'add element inet mailjail postfix_v6 { 2001:db8::1 timeout 1s }',
      'add element inet mailjail postfix_v4_24 { 198.51.100.0 timeout 1s }',
      'add element inet mailjail postfix_v6_64 { 2001:db8:1:2:: timeout 1s }',
      'delete element inet mailjail postfix_v4 { 192.0.2.1 }',
      'delete element inet mailjail postfix_v6 { 2001:db8::1 }',
      'delete element inet mailjail postfix_v4_24 { 198.51.100.0 }',
      'delete element inet mailjail postfix_v6_64 { 2001:db8:1:2:: }',
    ]);
  });
});
