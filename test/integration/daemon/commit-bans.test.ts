/**
 * The daemon's one road for a ban it makes (daemon/commit-bans.ts), seen from each of its three
 * callers: the pipeline (a log line's ban), housekeeping (a spray ban whose grace ended) and an
 * admin's `mailjail ban`. The promise: the ban's row and its fleet outbox row are written in one
 * transaction, so a store that refuses the ban leaves neither, and nothing reaches the kernel;
 * once the store takes it, both are there once and the kernel has it. The fault is real: a SQLite
 * trigger refusing every new ban row, as a full disk would, on a real database; the fleet is the
 * daemon's real wiring (its Redis is out of reach: the outbox keeps what it must publish).
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { FleetConfig, MainConfig } from '../../../src/config/load-config';
import { MemoryBanHistory } from '../../../src/decide/ban-history';
import { JailEngine } from '../../../src/decide/jail-engine';
import { commitBatch, stepsOf } from '../../../src/daemon/pipeline';
import { createFleet } from '../../../src/daemon/fleet-wiring';
import { Housekeeping } from '../../../src/daemon/housekeeping';
import { JailRegistry } from '../../../src/daemon/jail-registry';
import { MANUAL_JAIL, type JailRuntime, type RuntimeDeps } from '../../../src/daemon/jail-runtime';
import type { Store } from '../../../src/store/store';
import { freePort } from '../../helpers/redis-server';
import { shippedRules } from '../../helpers/jail-rules';
import { useTempStores } from '../store/temp-store';
import { adminOn, dryRunDeps, dryRunJail, quiet } from './dry-run-jails';

const NOW = Date.now();

/** Every new ban row refused inside the transaction that writes it, until lifted. */
function refuseBans(store: Store): () => void {
  const db = new Database(store.path);
  db.exec(`CREATE TRIGGER refuse_bans BEFORE INSERT ON bans BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`);
  return () => {
    db.exec('DROP TRIGGER refuse_bans');
    db.close();
  };
}

describe('a ban the daemon makes, when the store refuses it and then takes it', () => {
  const stores = useTempStores();
  let cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.reverse()) await c();
    cleanups = [];
  });

  /** The daemon's jail runtimes (dry-run firewall) in a registry wired to a real fleet node whose Redis is away. */
  async function daemonOn(store: Store, mkJails: (deps: RuntimeDeps) => JailRuntime[]) {
    const deps = dryRunDeps(NOW);
    const secretFile = join(stores.dir(), 'fleet.key');
    writeFileSync(secretFile, 'commit-bans-test-secret-0123456789');
    const fleetConfig: FleetConfig = { redis: `redis://127.0.0.1:${await freePort()}/0`, node: 'mx1', secretFile, keyPrefix: 'mj:', streamLength: 100 };
    const registry = new JailRegistry(quiet);
    const fleet = createFleet(fleetConfig, store, registry, () => deps.config.main, quiet, () => NOW);
    cleanups.push(() => fleet.stop());
    const runtimes = mkJails(deps);
    registry.swap(runtimes);
    return { registry, config: deps.config, runtimes };
  }

  const kernel = async (rt: JailRuntime) => (await rt.applier.flushNow(), [...((await rt.action.listed()) ?? [])]);
  const rows = (store: Store) => ({ bans: store.activeBans(NOW).map((b) => `${b.jail} ${b.ip} ${b.node}`), outbox: store.outbox.count() });

  it('the pipeline: a refused step writes no ban, strike, cursor or outbox row; offered again it is written once', async () => {
    const store = stores.open();
    const { registry, runtimes } = await daemonOn(store, (deps) => [dryRunJail(deps, 'postfix')]);
    const [rt] = runtimes;
    const t = new Date(NOW).toISOString().replace('Z', '+00:00');
    const text = `${t} mx postfix/postscreen[99]: PREGREET 11 after 0.1 from [198.18.0.7]:4711: EHLO ylmf-pc\\r\\n`;
    const batch = { source: 'postfix:/var/log/mail.log', events: [{ source: 'postfix:/var/log/mail.log', file: '/var/log/mail.log', line: 1, text }], cursor: { key: 'postfix:/var/log/mail.log:/var/log/mail.log', value: { offset: 1 } } };
    const step = stepsOf(rt, batch, quiet, NOW).next()!;
    expect(step.bans.map((b) => b.ip)).toEqual(['198.18.0.7']);
    const road = { store, jails: registry };
    let stored = 0;

    const allow = refuseBans(store);
    expect(() => commitBatch(rt, step, road, quiet, () => stored++)).toThrow('database or disk is full');
    expect(rows(store)).toEqual({ bans: [], outbox: 0 });
    expect(store.getCursor(batch.cursor.key)).toBeUndefined();
    expect(store.strikesOf('198.18.0.7')).toEqual([]);
    expect([stored, rt.counters.bans, await kernel(rt)]).toEqual([0, 0, []]);

    allow();
    commitBatch(rt, step, road, quiet, () => stored++);
    expect(rows(store)).toEqual({ bans: ['postfix 198.18.0.7 mx1'], outbox: 1 });
    expect(store.getCursor(batch.cursor.key)).toEqual({ offset: 1 });
    expect(store.strikesOf('198.18.0.7')).toHaveLength(step.strikes.length);
    expect([stored, rt.counters.bans, await kernel(rt)]).toEqual([1, 1, ['198.18.0.7']]);
  });

  it('housekeeping: a spray ban the store refused after its grace is held, then written once with its outbox row (it was lost)', async () => {
    const store = stores.open();
    const hash = (u: string) => createHash('sha256').update(u).digest('hex').slice(0, 16);
    const engine = new JailEngine(shippedRules({ spray: { distinctIps: 6 } }), { isProtected: () => false }, new MemoryBanHistory(), hash);
    const { registry, runtimes } = await daemonOn(store, (deps) => {
      const rt = dryRunJail(deps, null);
      return [{ ...rt, name: 'postfix', parts: { engine } as JailRuntime['parts'] }];
    });
    const [rt] = runtimes;
    // a spray: six addresses, one try each at one user name; its bans wait for a customer's login
    const ips = Array.from({ length: 6 }, (_, i) => `198.51.${100 + i}.7`);
    for (const ip of ips.slice(0, 5)) engine.addRemoteStrike(ip, NOW - 60_000, 'auth-failure', 1, hash('victim'));
    expect(engine.onFailure({ ip: ips[5], time: NOW - 59_000, filter: 'postfix', rule: 'sasl', event: 'auth-failure', user: 'Victim@example.com' }, NOW - 59_000).bans).toEqual([]);
    const hk = new Housekeeping({ jails: registry, store, log: quiet, clock: { now: () => NOW }, logLineRetentionMs: () => undefined });

    // each tick as housekeeping's timer runs it: an error is logged, and the next tick comes
    const tick = () => {
      try {
        hk.banAfterGrace();
      } catch {
        /* logged by the timer */
      }
    };

    const allow = refuseBans(store);
    tick();
    expect(rows(store)).toEqual({ bans: [], outbox: 0 });
    expect([rt.counters.bans, await kernel(rt)]).toEqual([0, []]);

    allow();
    tick();
    tick();
    expect(rows(store).bans.sort()).toEqual(ips.map((ip) => `postfix ${ip} mx1`).sort());
    expect(rows(store).outbox).toBe(1);
    expect(rt.counters.bans).toBe(6);
    expect((await kernel(rt)).sort()).toEqual([...ips].sort());
  });

  it('an admin ban: refused, the request fails with nothing written; taken, its row and outbox row are there once', async () => {
    const store = stores.open();
    const { registry, config, runtimes } = await daemonOn(store, (deps) => [dryRunJail(deps, null)]);
    const [manual] = runtimes;
    expect(manual.name).toBe(MANUAL_JAIL);
    const main: MainConfig = { ...config.main, ignoreIp: [] };
    const admin = adminOn(registry, store, main, NOW);

    const allow = refuseBans(store);
    // (matched by message: better-sqlite3's error class comes from the first test file a jest worker loaded)
    await expect(admin({ cmd: 'ban', ip: '203.0.113.9', for: 3_600_000 })).rejects.toMatchObject({ message: 'database or disk is full' });
    expect(rows(store)).toEqual({ bans: [], outbox: 0 });
    expect(await kernel(manual)).toEqual([]);

    allow();
    await admin({ cmd: 'ban', ip: '203.0.113.9', for: 3_600_000 });
    expect(rows(store)).toEqual({ bans: ['manual 203.0.113.9 mx1'], outbox: 1 });
    expect(await kernel(manual)).toEqual(['203.0.113.9']);
    // an admin's ban is in the metrics (by cli), not in the jail's own count of what its rules decided
    expect(manual.counters.bans).toBe(0);
  });
});
