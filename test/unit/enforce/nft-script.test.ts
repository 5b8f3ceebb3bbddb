import { parseCidr } from '../../../src/core/ip';
import type { BanElement } from '../../../src/enforce/ban-elements';
import {
  addElementLines,
  addRuleLine,
  deleteRuleLine,
  isRuleFor,
  normalisePorts,
  ruleBody,
  ruleComment,
  setupScript,
  unbanScript,
} from '../../../src/enforce/nft-script';

const names = { table: 'mailjail', jail: 'postfix' };
const el = (text: string, timeoutS = 60): BanElement => ({ cidr: parseCidr(text)!, timeoutS, reason: 'threshold' });

describe('nftables script text', () => {
  test('setup adds (never flushes) the table, the input chain and both interval+timeout sets', () => {
    expect(setupScript(names).split('\n')).toEqual([
      'add table inet mailjail',
      'add chain inet mailjail input { type filter hook input priority filter - 10; policy accept; }',
      'add set inet mailjail postfix_v4 { type ipv4_addr; flags interval, timeout; }',
      'add set inet mailjail postfix_v6 { type ipv6_addr; flags interval, timeout; }',
    ]);
  });

  test('the rule matches the family\'s source set and the port list, and drops', () => {
    expect(addRuleLine(names, 4, [25, 465, 587])).toBe(
      'add rule inet mailjail input ip saddr @postfix_v4 tcp dport { 25, 465, 587 } drop comment "mailjail postfix_v4 25,465,587"',
    );
    expect(ruleBody('postfix', 6, [25])).toBe('ip6 saddr @postfix_v6 tcp dport 25 drop comment "mailjail postfix_v6 25"');
    expect(ruleBody('postfix', 4, 'all')).toBe('ip saddr @postfix_v4 drop comment "mailjail postfix_v4 all"');
    expect(deleteRuleLine(names, 17)).toBe('delete rule inet mailjail input handle 17');
  });

  test('a long port list is named by a hash so the comment stays within nft\'s 128 bytes', () => {
    const ports = Array.from({ length: 40 }, (_, i) => 2000 + i);
    const comment = ruleComment('postfix', 4, ports);
    expect(comment).toMatch(/^mailjail postfix_v4 #[0-9a-f]{8}$/);
    expect(ruleComment('postfix', 4, ports)).toBe(comment);
    expect(ruleComment('postfix', 4, [...ports, 3000])).not.toBe(comment);
  });

  test('a rule is recognised as the jail\'s by its comment, whatever its ports', () => {
    expect(isRuleFor('mailjail postfix_v4 25', 'postfix', 4)).toBe(true);
    expect(isRuleFor('mailjail postfix_v4 all', 'postfix', 4)).toBe(true);
    expect(isRuleFor('mailjail postfix_v6 25', 'postfix', 4)).toBe(false);
    expect(isRuleFor('mailjail postfix_v44 25', 'postfix', 4)).toBe(false);
    expect(isRuleFor(undefined, 'postfix', 4)).toBe(false);
  });

  test('ports are deduplicated and sorted; out-of-range or empty lists are refused', () => {
    expect(normalisePorts([587, 25, 465, 25])).toEqual([25, 465, 587]);
    expect(normalisePorts('all')).toBe('all');
    expect(() => normalisePorts([0])).toThrow(RangeError);
    expect(() => normalisePorts([65536])).toThrow(RangeError);
    expect(() => normalisePorts([25.5])).toThrow(RangeError);
    expect(() => normalisePorts([])).toThrow(RangeError);
  });

  test('bans become add element lines per family, each element with its timeout in seconds', () => {
    expect(addElementLines(names, [el('192.0.2.1', 604800), el('2001:db8::/64', 5), el('198.51.100.0/24', 1)])).toEqual([
      'add element inet mailjail postfix_v4 { 192.0.2.1 timeout 604800s, 198.51.100.0/24 timeout 1s }',
      'add element inet mailjail postfix_v6 { 2001:db8::/64 timeout 5s }',
    ]);
  });

  test('large batches are cut into statements of 1,000 elements', () => {
    const many: BanElement[] = [];
    for (let i = 0; i < 2500; i++) many.push(el(`2001:db8::${i.toString(16)}`));
    const lines = addElementLines(names, many);
    expect(lines).toHaveLength(3);
    expect(lines.map((l) => l.split(', ').length)).toEqual([1000, 1000, 500]);
  });

  test('unban adds each element with a 1 s timeout, then deletes it, so absent ones are no error', () => {
    const cidrs = ['192.0.2.1', '2001:db8::1'].map((t) => parseCidr(t)!);
    expect(unbanScript(names, cidrs).split('\n')).toEqual([
      'add element inet mailjail postfix_v4 { 192.0.2.1 timeout 1s }',
      'add element inet mailjail postfix_v6 { 2001:db8::1 timeout 1s }',
      'delete element inet mailjail postfix_v4 { 192.0.2.1 }',
      'delete element inet mailjail postfix_v6 { 2001:db8::1 }',
    ]);
  });
});
