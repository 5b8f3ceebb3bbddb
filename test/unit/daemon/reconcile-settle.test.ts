/**
 * Issue 14 (status reports a drifting kernel): the reconcile lists the kernel first and reads the
 * database after, so a ban the pipeline recorded meanwhile looked lost: counted as drift, re-added,
 * and `mailjail status` said the kernel drifts.
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

  it('does not take a ban recorded while the kernel was being listed for a lost one', async () => {
    const lost = ban('192.0.2.1', 60_000);
    const madeDuringListing = ban('192.0.2.2', -50);
    const applied: string[] = [];
    const action: FirewallAction = {
      name: 'stub',
      setup: async () => undefined,
      ban: async (bans) => void applied.push(...bans.map((b) => b.ip)),
      unban: async () => undefined,
      // the listing is a snapshot; the pipeline records (and applies) a ban meanwhile
      listed: async () => {
        store.recordBans([madeDuringListing]);
        return new Set<string>();
      },
      teardown: async () => undefined,
    };
    const log = createLogger('silent', new Writable({ write: (_c, _e, cb) => cb() }));
    const rt = { name: 'postfix', action, applier: new BanApplier(action, 'postfix', log, () => NOW), sources: [] } as unknown as JailRuntime;
    store.recordBans([lost]);
    expect(await reconcile(rt, store, NOW, log)).toEqual({ added: 1, removed: 0 });
    expect(applied).toEqual(['192.0.2.1']);
  });
});
