/**
 * Connects the fleet (src/fleet) to this daemon through the jail registry's narrow interfaces:
 * the FleetJails view the fleet applies remote decisions to, the hook each jail's pipeline calls
 * inside its transaction (bans, strikes) and the one the admin calls inside its lift's (unbans).
 */
import type { FleetConfig, MainConfig } from '../config/load-config';
import { parseCidr } from '../core/ip';
import type { Guard } from '../decide/jail-engine';
import type { FleetJail, FleetJails } from '../fleet/fleet-jails';
import type { FleetNode, FleetLog } from '../fleet/fleet-node';
import type { Store } from '../store/store';
import { createGuard } from './guard';
import type { JailBans, JailEvents, JailLookup } from './jail-registry';
import { MANUAL_JAIL, type JailRuntime } from './jail-runtime';

type Registry = JailLookup & JailBans & JailEvents;

/**
 * The manual jail has no engine to judge a remote ban's width: it refuses what `mailjail ban`
 * here would refuse without --force (wider than maxBanPrefix), besides the protected addresses.
 */
function manualGuard(main: MainConfig): Guard {
  const guard = createGuard(main.ignoreIp);
  return {
    isProtected(target) {
      const c = parseCidr(target);
      return !c || guard.isProtected(target) || c.prefix < (c.family === 4 ? main.maxBanPrefix.ipv4 : main.maxBanPrefix.ipv6);
    },
  };
}

/** Starts this node's link to the fleet and wires it to the registry; `start()` it once the jails run. */
export function createFleet(config: FleetConfig, store: Store, registry: Registry, main: () => MainConfig, log: FleetLog, now: () => number): FleetNode {
  const views = new WeakMap<JailRuntime, FleetJail>();
  const view = (rt: JailRuntime): FleetJail => {
    let j = views.get(rt);
    if (!j) {
      j = {
        name: rt.name,
        sharesCounts: rt.config?.fleet ?? true,
        engine: rt.parts?.engine,
        guard: rt.parts?.guard ?? manualGuard(main()),
        ban: (bans) => registry.enforce(rt, bans, 'fleet'),
        unban: (ips) => void registry.release(ips.map((ip) => ({ ip, jail: rt.name })), 'fleet'),
      };
      views.set(rt, j);
    }
    return j;
  };
  const jails: FleetJails = {
    ready: () => registry.find(MANUAL_JAIL) !== undefined,
    get: (name) => {
      const rt = registry.find(name);
      return rt && view(rt);
    },
    all: () => registry.list().map(view),
    fallback: () => view(registry.get(MANUAL_JAIL)),
  };
  // Loaded here, not at the top: a single server's start does not pay for ioredis (~25 ms of a
  // 200 ms start-up budget, issue 7).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { FleetNode: Node } = require('../fleet/fleet-node') as typeof import('../fleet/fleet-node');
  const fleet = new Node(config, store, () => jails, log, now);
  // Every decision goes into the outbox inside the transaction that stores it (commit-bans.ts, for
  // the pipeline's, housekeeping's and the admin's): a crash after the commit cannot lose its publication.
  registry.onSwap((list) => {
    for (const rt of list) {
      rt.share = (strikes, bans) => fleet.share(strikes, bans, rt.config?.fleet ?? true);
      rt.shareLifted = (ips) => fleet.shareLifted(rt.name, ips);
    }
  });
  return fleet;
}
