/**
 * Connects the fleet (src/fleet) to this daemon's jails: the narrow FleetJails view it needs, and
 * the hook each jail's pipeline calls inside its transaction. Nothing else of the daemon is shown.
 */
import type { MainConfig } from '../config/load-config';
import { parseCidr } from '../core/ip';
import type { Guard } from '../decide/jail-engine';
import type { FleetJail, FleetJails } from '../fleet/fleet-jails';
import type { FleetNode } from '../fleet/fleet-node';
import { createGuard } from './guard';
import { MANUAL_JAIL, type JailRuntime } from './jail-runtime';

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

function fleetJailOf(rt: JailRuntime, main: MainConfig): FleetJail {
  return {
    name: rt.name,
    sharesCounts: rt.config?.fleet ?? true,
    engine: rt.parts?.engine,
    guard: rt.parts?.guard ?? manualGuard(main),
    ban: (bans) => rt.applier.ban(bans),
    unban: (ips) => rt.applier.unban(ips),
  };
}

/** The jails as the fleet sees them, rebuilt lazily after a reload replaced the runtimes. */
export function fleetJailsOf(jails: Map<string, JailRuntime>, main: () => MainConfig): FleetJails {
  let cache = new Map<JailRuntime, FleetJail>();
  const view = (rt: JailRuntime) => {
    let j = cache.get(rt);
    if (!j) {
      if (cache.size > jails.size * 2) cache = new Map();
      j = fleetJailOf(rt, main());
      cache.set(rt, j);
    }
    return j;
  };
  return {
    ready: () => jails.has(MANUAL_JAIL),
    get: (name) => {
      const rt = jails.get(name);
      return rt && view(rt);
    },
    all: () => [...jails.values()].map(view),
    fallback: () => view(jails.get(MANUAL_JAIL)!),
  };
}

/** Gives a jail its pipeline hook: what it decides goes to the fleet's outbox. */
export function shareThroughFleet(rt: JailRuntime, fleet: FleetNode | null): void {
  if (fleet) rt.share = (strikes, bans) => fleet.share(strikes, bans, rt.config?.fleet ?? true);
}
