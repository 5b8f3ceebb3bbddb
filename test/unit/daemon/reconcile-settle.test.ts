/**
 * Issue 14 (status reports a drifting kernel): a ban recorded moments ago, or still queued in the
 * applier, is on its way into the kernel, not lost. The reconcile lists the kernel first and reads
 * the database after, so it used to count every ban made meanwhile as "missing": false drift.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Ban } from '../../../src/core/types';
import type { FirewallAction } from '../../../src/enforce/action';
import { BanApplier } from '../../../src/daemon/ban-applier';
import type { JailRuntime } from '../../../src/daemon/jail-runtime';
import { createLogger } from '../../../src/daemon/logger';
import { reconcile } from '../../../src/daemon/restore';
import { Store } from '../../../src/store/store';

const NOW = Date.UTC(2026, 11, 3, 12);
const ban = (ip: string, ageMs: number): Ban => ({ ip, jail: 'postfix', since: NOW - ageMs, until: NOW + 3_600_000, reason: 'threshold', count: 0 });

describe('reconcile', () => {
  let dir: string;
  let store: Store;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mj-reconcile-'));
    store = Store.open(join(dir, 'db.sqlite3'));
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts as missing only bans that had time to reach the kernel and are not queued', async () => {
    const applied: string[] = [];
    let release: () => void = () => undefined;
    const action: FirewallAction = {
      name: 'stub',
      setup: async () => undefined,
      // the first batch hangs (in flight), later ones are applied
      ban: (bans) => (applied.push(...bans.map((b) => b.ip)), applied.length === 1 ? new Promise<void>((r) => (release = r)) : Promise.resolve()),
      unban: async () => undefined,
      listed: async () => new Set<string>(),
      teardown: async () => undefined,
    };
    const log = createLogger('silent', new Writable({ write: (_c, _e, cb) => cb() }));
    const applier = new BanApplier(action, 'postfix', log, () => NOW);
    const rt = { name: 'postfix', action, applier, sources: [], counters: { lines: 0, failures: 0, strikes: 0, bans: 0 } } as unknown as JailRuntime;
    const lost = ban('192.0.2.1', 60_000);
    const justMade = ban('192.0.2.2', 200);
    const inFlight = ban('192.0.2.3', 60_000);
    store.recordBans([lost, justMade, inFlight]);
    applier.ban([inFlight]);
    const found = reconcile(rt, store, NOW, log);
    await new Promise((r) => setImmediate(r));
    release();
    expect(await found).toEqual({ added: 1, removed: 0 });
    expect(applied).toEqual(['192.0.2.3', '192.0.2.1']);
  });
});
