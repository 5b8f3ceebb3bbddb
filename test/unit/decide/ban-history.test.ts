import type { Ban } from '../../../src/core/types';
import { StoredBanHistory } from '../../../src/decide/ban-history';

function banOf(ip: string, jail = 'postfix'): Ban {
  return { ip, jail, since: 1000, until: 2000, reason: 'threshold', count: 0 };
}

describe('StoredBanHistory', () => {
  it('answers first offences without asking the store', () => {
    const asked: string[] = [];
    const history = new StoredBanHistory((ip) => (asked.push(ip), 1));
    expect(history.count('192.0.2.1', 'postfix', 0)).toBe(0);
    expect(asked).toEqual([]);
  });

  it('asks the store for targets loaded at start and for bans recorded since, per jail', () => {
    const asked: string[] = [];
    const history = new StoredBanHistory((ip, jail) => (asked.push(`${jail} ${ip}`), 2));
    history.add('postfix', '192.0.2.1');
    history.record(banOf('2001:db8::/64'));
    expect(history.count('192.0.2.1', 'postfix', 0)).toBe(2);
    expect(history.count('2001:db8::/64', 'postfix', 0)).toBe(2);
    expect(history.count('192.0.2.1', 'exim', 0)).toBe(0);
    expect(asked).toEqual(['postfix 192.0.2.1', 'postfix 2001:db8::/64']);
  });

  it('still knows every one of 50,000 targets after growing its table', () => {
    const history = new StoredBanHistory(() => 1);
    for (let i = 0; i < 50_000; i++) history.add('postfix', `198.18.${i >> 8}.${i & 255}`);
    let known = 0;
    for (let i = 0; i < 50_000; i++) known += history.count(`198.18.${i >> 8}.${i & 255}`, 'postfix', 0);
    expect(known).toBe(50_000);
    let strangers = 0;
    for (let i = 0; i < 50_000; i++) strangers += history.count(`198.19.${i >> 8}.${i & 255}`, 'postfix', 0);
    // a stranger is asked about only on a 32-bit hash collision
    expect(strangers).toBeLessThan(5);
  });
});
