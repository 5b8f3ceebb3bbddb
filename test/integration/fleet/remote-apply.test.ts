/**
 * Issue 13: events from other nodes applied to a real SQLite store, once each, through the local
 * guard. The jails are real engines; their firewall side is a list of what was queued.
 */
import { createHash } from 'node:crypto';
import type { Ban } from '../../../src/core/types';
import { banView } from '../../../src/control/replies';
import { MemoryBanHistory } from '../../../src/decide/ban-history';
import { JailEngine } from '../../../src/decide/jail-engine';
import { createGuard } from '../../../src/daemon/guard';
import type { FleetEvent } from '../../../src/fleet/fleet-event';
import type { FleetJail, FleetJails } from '../../../src/fleet/fleet-jails';
import { RemoteApplier } from '../../../src/fleet/remote-apply';
import { shippedRules } from '../../helpers/jail-rules';
import { useTempStores } from '../store/temp-store';

const NOW = Date.UTC(2026, 11, 3, 12, 0, 0);
const OWN = '198.51.100.250';

function jailsFor(): { jails: FleetJails; kernel: Map<string, Set<string>> } {
  const kernel = new Map<string, Set<string>>();
  const make = (name: string, withEngine: boolean): FleetJail => {
    const guard = createGuard([], [OWN]);
    const set = new Set<string>();
    kernel.set(name, set);
    return {
      name,
      sharesCounts: true,
      guard,
      engine: withEngine ? new JailEngine(shippedRules(), guard, new MemoryBanHistory(), (u) => createHash('sha256').update(u).digest('hex')) : undefined,
      ban: (bans: Ban[]) => bans.forEach((b) => set.add(b.ip)),
      unban: (ips: string[]) => ips.forEach((ip) => set.delete(ip)),
    };
  };
  const postfix = make('postfix', true);
  const manual = make('manual', false);
  const all = [postfix, manual];
  return { kernel, jails: { ready: () => true, get: (n) => all.find((j) => j.name === n), all: () => all, fallback: () => manual } };
}

const event = (seq: number, body: Partial<FleetEvent>): FleetEvent => ({ v: 1, node: 'mx2', inc: 'i1', seq, t: NOW, ...body });
const ban = (ip: string, jail = 'postfix'): [string, string, number, number, string, number] => [jail, ip, NOW, NOW + 3_600_000, 'threshold', 0];

describe('applying the fleet\'s events', () => {
  const stores = useTempStores();
  const log = { info: () => {} };

  it('applies an event once although it is read twice, and remembers that across a reopen', () => {
    const store = stores.open();
    const { jails, kernel } = jailsFor();
    const applier = new RemoteApplier(store, () => jails, log);
    applier.applyEvents([event(1, { bans: [ban('192.0.2.1')] })], '1-0', NOW);
    applier.applyEvents([event(1, { bans: [ban('192.0.2.1')] })], '2-0', NOW);
    expect(store.banHistory('192.0.2.1')).toHaveLength(1);
    expect(applier.counters).toMatchObject({ events: 1, duplicates: 1, bans: 1 });
    expect([...kernel.get('postfix')!]).toEqual(['192.0.2.1']);
    expect(store.activeBans(NOW)[0].node).toBe('mx2');
    store.close();
    const again = new RemoteApplier(stores.open(), () => jailsFor().jails, log);
    expect(again.position()).toBe('2-0');
    again.applyEvents([event(1, { bans: [ban('192.0.2.1')] })], '3-0', NOW);
    expect(again.counters.duplicates).toBe(1);
  });

  it('never bans this node\'s own address, an address too wide, or a customer, because another node asked', () => {
    const store = stores.open();
    const { jails, kernel } = jailsFor();
    const applier = new RemoteApplier(store, () => jails, log);
    applier.applyEvents(
      [
        event(1, { strikes: [['postfix', '203.0.113.5', NOW - 1000, 'auth-success', 0, null]] }),
        event(2, { bans: [ban(OWN), ban('198.51.0.0/16'), ban('203.0.113.5'), ban(OWN, 'manual'), ban('192.0.2.9', 'exim')] }),
      ],
      '1-0',
      NOW,
    );
    expect(applier.counters.refused).toBe(4);
    // a jail this node does not run: the ban goes to the manual jail (all ports)
    expect([...kernel.get('manual')!]).toEqual(['192.0.2.9']);
    expect(kernel.get('postfix')!.size).toBe(0);
  });

  it('takes a ban and its lift read together as lifted, in the database and in the kernel', () => {
    const store = stores.open();
    const { jails, kernel } = jailsFor();
    const applier = new RemoteApplier(store, () => jails, log);
    applier.applyEvents([event(1, { bans: [ban('192.0.2.7')] }), event(2, { unbans: [{ ip: '192.0.2.7', jail: null, lifted: ['postfix 192.0.2.7'] }] })], '1-0', NOW);
    expect(store.activeBans(NOW)).toEqual([]);
    expect(kernel.get('postfix')!.has('192.0.2.7')).toBe(false);
    expect(jails.get('postfix')!.engine!.isBanned('192.0.2.7', NOW)).toBe(false);
  });

  it('applies a permanent ban from another node (null end on the wire), logs it and lists it as ending never', () => {
    const store = stores.open();
    const { jails, kernel } = jailsFor();
    const lines: Array<Record<string, unknown>> = [];
    // the daemon's logger has a debug method at every level: its fields are built whatever the level
    const applier = new RemoteApplier(store, () => jails, { info: () => {}, debug: (fields: Record<string, unknown>) => lines.push(fields) });
    applier.applyEvents([event(1, { bans: [['postfix', '192.0.2.77', NOW, null, 'threshold', 0]] })], '1-0', NOW);
    expect([...kernel.get('postfix')!]).toEqual(['192.0.2.77']);
    expect(store.activeBans(NOW + 365 * 86_400_000).map((b) => [b.ip, b.until])).toEqual([['192.0.2.77', Infinity]]);
    expect(lines).toEqual([expect.objectContaining({ ip: '192.0.2.77', until: 'never', node: 'mx2' })]);
    expect(banView(store.activeBans(NOW)[0]).until).toBe('never');
    expect(applier.position()).toBe('1-0');
  });
});
