/**
 * A spray ban made when its grace ends (issue 11 point 4) is logged once, like every other ban:
 * by the registry's ban log (daemon/ban-log.ts), with `by: rule`. Housekeeping logged it a second
 * time itself, without `by`, so `journalctl -g '"msg":"ban"'` showed each such ban twice.
 */
import type { Ban } from '../../../src/core/types';
import { logBansAndUnbans } from '../../../src/daemon/ban-log';
import { Housekeeping, type HousekeepingDeps } from '../../../src/daemon/housekeeping';
import { JailRegistry, type JailRuntime } from '../../../src/daemon/jail-registry';
import type { Logger } from '../../../src/daemon/logger';
import { useTempStores } from '../store/temp-store';

describe('a spray ban made after its grace', () => {
  const stores = useTempStores();

  it('is stored, sent to the firewall and logged exactly once', () => {
    const store = stores.open();
    const now = Date.now();
    const due: Ban = { jail: 'postfix', ip: '198.51.100.7', since: now, until: now + 3_600_000, reason: 'spray:abc', count: 1 };
    const lines: Array<{ msg: string; by?: string; ip?: string }> = [];
    const record = (fields: object, msg: string) => lines.push({ ...fields, msg });
    const log = { info: record, warn: record, error: record, debug: () => undefined } as unknown as Logger;
    const applied: Ban[] = [];
    let asked = 0;
    const rt = {
      name: 'postfix',
      counters: { bans: 0 },
      parts: { engine: { dueBans: () => (asked++ === 0 ? [due] : []), noteBan: () => undefined } },
      applier: { ban: (bans: Ban[]) => applied.push(...bans) },
    } as unknown as JailRuntime;
    const jails = new JailRegistry(log);
    jails.swap([rt]);
    logBansAndUnbans(jails, log);
    const hk = new Housekeeping({ jails, store, log, clock: { now: () => now }, logLineRetentionMs: () => undefined } as unknown as HousekeepingDeps);

    hk.banAfterGrace();
    hk.banAfterGrace();

    expect(applied.map((b) => b.ip)).toEqual(['198.51.100.7']);
    expect(store.activeBans(now, { jail: 'postfix' }).map((b) => b.ip)).toEqual(['198.51.100.7']);
    expect(lines.filter((l) => l.msg === 'ban')).toEqual([expect.objectContaining({ ip: '198.51.100.7', by: 'rule' })]);
  });
});
