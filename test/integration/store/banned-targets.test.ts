import type { Ban } from '../../../src/core/types';
import { useTempStores } from './temp-store';

const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);
const HOUR = 3_600_000;

function banOf(ip: string, jail: string, since: number): Ban {
  return { ip, jail, since, until: since + HOUR, reason: 'threshold', count: 0 };
}

describe('eachBannedTarget', () => {
  const stores = useTempStores();

  it('visits the jail and target of every ban row: active, expired and lifted alike', () => {
    const store = stores.open();
    store.recordBans([banOf('192.0.2.1', 'postfix', T0), banOf('2001:db8::/64', 'exim', T0), banOf('198.51.100.7', 'postfix', T0)]);
    store.recordBans([banOf('192.0.2.1', 'postfix', T0 + 2 * HOUR)]);
    store.expireBans(T0 + 90 * 60_000);
    store.liftBans('198.51.100.7', T0 + 3 * HOUR);
    const seen: string[] = [];
    const n = store.eachBannedTarget((jail, ip) => seen.push(`${jail} ${ip}`));
    expect(n).toBe(4);
    expect(seen.sort()).toEqual(['exim 2001:db8::/64', 'postfix 192.0.2.1', 'postfix 192.0.2.1', 'postfix 198.51.100.7']);
  });

  it('visits nothing in an empty database', () => {
    const store = stores.open();
    expect(store.eachBannedTarget(() => undefined)).toBe(0);
  });
});
