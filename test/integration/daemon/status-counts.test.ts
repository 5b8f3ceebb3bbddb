/**
 * `status` (and `top`, which asks for it every refresh) counts each jail's active bans in one
 * grouped query over the database, not one COUNT per jail: on a server with 100,000 bans and a
 * handful of jails, each refresh scanned the bans once per jail (and once more for the total).
 * Real SQLite with 30,000 bans over three jails, some ended or lifted; the store's statements
 * are counted by wrapping its own statement cache.
 */
import type { Ban } from '../../../src/core/types';
import type { StatusReply } from '../../../src/control/replies';
import { JailRegistry } from '../../../src/daemon/jail-registry';
import type { Store } from '../../../src/store/store';
import { useTempStores } from '../store/temp-store';
import { adminOn, dryRunDeps, dryRunJail, quiet } from './dry-run-jails';

const NOW = Date.now();

/** `n` bans of a jail on distinct addresses of 198.18.0.0/15 starting at `from`. */
function bans(jail: string, n: number, from: number, until = NOW + 3_600_000): Ban[] {
  return Array.from({ length: n }, (_, i) => ({ ip: `198.${18 + ((from + i) >> 16)}.${((from + i) >> 8) & 255}.${(from + i) & 255}`, jail, since: NOW - 1000, until, reason: 'threshold', count: 0 }));
}

/** The SQL texts the store runs from now on. */
function watchStatements(store: Store): string[] {
  const texts: string[] = [];
  const inner = store as unknown as { sql: (text: string) => unknown };
  const sql = inner.sql;
  inner.sql = (text: string) => (texts.push(text), sql(text));
  return texts;
}

describe('status with many bans', () => {
  const stores = useTempStores();

  it('reports every jail\'s active bans and the total right, from one count of the bans per refresh', async () => {
    const store = stores.open();
    store.recordBans([...bans('postfix', 20_000, 0), ...bans('exim', 9_000, 20_000), ...bans('manual', 1_000, 29_000)]);
    store.recordBans(bans('postfix', 500, 30_000, NOW - 1)); // ended, not yet marked expired
    store.recordBans(bans('exim', 200, 0x7a00)); // 198.18.122.0 to .199
    store.liftBans('198.18.122.0/24', NOW);
    const deps = dryRunDeps(NOW);
    const registry = new JailRegistry(quiet);
    registry.swap([dryRunJail(deps, null), dryRunJail(deps, 'postfix'), dryRunJail(deps, 'exim'), dryRunJail(deps, 'dovecot')]);
    const admin = adminOn(registry, store, deps.config.main, NOW);
    const texts = watchStatements(store);

    for (let refresh = 0; refresh < 3; refresh++) {
      texts.length = 0;
      const s = (await admin({ cmd: 'status' })) as StatusReply;
      expect(Object.fromEntries(s.jails.map((j) => [j.name, j.activeBans]))).toEqual({ manual: 1_000, postfix: 20_000, exim: 9_000, dovecot: 0 });
      expect(s.database.activeBans).toBe(30_000);
      expect(texts.filter((t) => /COUNT\(\*\) FROM bans/.test(t))).toHaveLength(1);
    }
  });
});
