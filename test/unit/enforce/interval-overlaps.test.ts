import { parseCidr } from '../../../src/core/ip';
import type { BanElement } from '../../../src/enforce/ban-elements';
import { planAgainstPresent } from '../../../src/enforce/interval-overlaps';

const el = (text: string): BanElement => ({ cidr: parseCidr(text)!, timeoutS: 60, reason: 'threshold' });
const texts = (xs: { cidr?: { text: string }; text?: string }[]) => xs.map((x) => x.cidr?.text ?? x.text).sort();

describe('planning a ban batch against what an interval set holds', () => {
  test('an element already present is added again (to refresh its timeout)', () => {
    const plan = planAgainstPresent([el('192.0.2.1')], ['192.0.2.1']);
    expect(texts(plan.add)).toEqual(['192.0.2.1']);
    expect(plan.remove).toEqual([]);
  });

  test('a CIDR removes the present addresses and prefixes inside it', () => {
    const plan = planAgainstPresent([el('192.0.2.0/24'), el('2001:db8::/48')], ['192.0.2.5', '192.0.2.128/26', '198.51.100.5', '2001:db8::9', '2001:db8:1::9']);
    expect(texts(plan.add)).toEqual(['192.0.2.0/24', '2001:db8::/48']);
    expect(plan.remove.map((c) => c.text).sort()).toEqual(['192.0.2.128/26', '192.0.2.5', '2001:db8::9']);
  });

  test('an address inside a present CIDR is skipped and says what covers it', () => {
    const plan = planAgainstPresent([el('198.51.100.9'), el('192.0.2.9')], ['198.51.100.0/24']);
    expect(texts(plan.add)).toEqual(['192.0.2.9']);
    expect(plan.skipped).toEqual([{ element: el('198.51.100.9'), coveredBy: '198.51.100.0/24' }]);
  });

  test('the same text in the other family does not count as present', () => {
    const plan = planAgainstPresent([el('2001:db8::/32')], ['192.0.2.0/24']);
    expect(texts(plan.add)).toEqual(['2001:db8::/32']);
    expect(plan.remove).toEqual([]);
  });
});
