/**
 * logLineRetention (issue 15): strikes keep their log line as evidence only as long as the admin
 * says; the strike itself stays for the jails' windows. Real SQLite, the daemon's own prune.
 */
import { Housekeeping, type HousekeepingDeps } from '../../../src/daemon/housekeeping';
import type { Strike } from '../../../src/core/types';
import { useTempStores } from './temp-store';

const NOW = Date.UTC(2026, 11, 3, 12, 0, 0);
const HOUR = 3_600_000;

function strike(ip: string, time: number): Strike {
  return { ip, jail: 'postfix', time, event: 'auth-failure', weight: 1, rule: 'postfix/sasl', source: '/var/log/mail.log', line: 1, text: `line of ${ip}` };
}

describe('log line retention', () => {
  const stores = useTempStores();

  function housekeeping(retentionMs: number | undefined) {
    const store = stores.open();
    store.addStrikes([strike('192.0.2.1', NOW - 3 * HOUR), strike('192.0.2.2', NOW - HOUR / 2)]);
    const log = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };
    const deps = {
      jails: { list: () => [] },
      store,
      log,
      clock: { now: () => NOW },
      logLineRetentionMs: () => retentionMs,
    } as unknown as HousekeepingDeps;
    return { store, hk: new Housekeeping(deps) };
  }

  it('forgets the log lines of strikes older than logLineRetention and keeps the strikes', async () => {
    const { store, hk } = housekeeping(HOUR);
    await hk.prune();
    const byIp = new Map(store.strikesOf('192.0.2.0/24').map((s) => [s.ip, s]));
    expect(byIp.get('192.0.2.1')).toBeDefined();
    expect(byIp.get('192.0.2.1')!.text).toBeUndefined();
    expect(byIp.get('192.0.2.2')!.text).toBe('line of 192.0.2.2');
  });

  it('keeps every log line as long as its strike when no retention is set', async () => {
    const { store, hk } = housekeeping(undefined);
    await hk.prune();
    expect(store.strikesOf('192.0.2.0/24').map((s) => s.text).sort()).toEqual(['line of 192.0.2.1', 'line of 192.0.2.2']);
  });
});
