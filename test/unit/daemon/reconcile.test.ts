/**
 * Reconcile reads the kernel while bans keep coming (it no longer waits for a quiet moment): a
 * ban the applier still holds, waiting or being applied, is on its way, not lost. The action here
 * holds each batch until the test lets it through - a real firewall cannot be paused on cue.
 */
import pino from 'pino';
import type { Ban } from '../../../src/core/types';
import type { FirewallAction } from '../../../src/enforce/action';
import { BanApplier } from '../../../src/daemon/ban-applier';
import type { JailRuntime } from '../../../src/daemon/jail-runtime';
import { reconcile } from '../../../src/daemon/restore';
import { useTempStores } from '../../integration/store/temp-store';

const NOW = Date.UTC(2025, 0, 1);

/** Holds what it was given; each ban batch waits for `release()`. */
class GatedAction implements FirewallAction {
  readonly name = 'gated';
  readonly held = new Set<string>();
  private gates: Array<() => void> = [];
  async setup(): Promise<void> {}
  async ban(bans: Ban[]): Promise<void> {
    await new Promise<void>((resolve) => this.gates.push(resolve));
    for (const b of bans) this.held.add(b.ip);
  }
  async unban(ips: string[]): Promise<void> {
    for (const ip of ips) this.held.delete(ip);
  }
  async listed(): Promise<Set<string>> {
    return new Set(this.held);
  }
  async teardown(): Promise<void> {}
  release(): void {
    for (const open of this.gates.splice(0)) open();
  }
}

function ban(ip: string): Ban {
  return { ip, jail: 'postfix', since: NOW, until: NOW + 3_600_000, reason: 'threshold', count: 0 };
}

describe('reconcile while bans are on their way to the kernel', () => {
  const stores = useTempStores();
  const log = pino({ level: 'silent' });

  test('takes neither a ban being applied nor one waiting behind it for a lost one, and re-adds one really lost', async () => {
    const store = stores.open();
    const action = new GatedAction();
    const applier = new BanApplier(action, 'postfix', log, () => NOW);
    const rt = { name: 'postfix', action, applier, sources: [], counters: { lines: 0, failures: 0, strikes: 0, bans: 0 } } as JailRuntime;

    store.recordBans([ban('192.0.2.1'), ban('192.0.2.2')]);
    applier.ban([ban('192.0.2.1')]); // in flight, held at the gate
    applier.ban([ban('192.0.2.2')]); // waiting behind it
    expect(await reconcile(rt, store, NOW, log)).toEqual({ added: 0, removed: 0 });

    action.release();
    await new Promise((r) => setImmediate(r));
    action.release();
    await applier.flushNow();
    expect(await action.listed()).toEqual(new Set(['192.0.2.1', '192.0.2.2']));

    // a ban the applier no longer holds and the kernel lost is put back
    action.held.delete('192.0.2.2');
    const again = reconcile(rt, store, NOW, log);
    await new Promise((r) => setImmediate(r));
    action.release();
    expect(await again).toEqual({ added: 1, removed: 0 });
    expect(await action.listed()).toEqual(new Set(['192.0.2.1', '192.0.2.2']));
  });
});
