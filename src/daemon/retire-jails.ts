/**
 * A jail that no longer runs - disabled or removed, by a reload or while the daemon was down -
 * takes its bans with it: its chain and sets (or ipsets) leave the kernel, and its current bans
 * are marked lifted in the database, so nothing drops a client that no running jail bans, and
 * `list`, `status` and `unban` say what the kernel does. Enabling the jail again starts from a
 * clean slate (its strikes are kept, and count again within their memory).
 */
import type { LoadedConfig } from '../config/load-config';
import type { FirewallAction } from '../enforce/action';
import { createAction } from '../enforce/create-action';
import type { Store } from '../store/store';
import { actionSpecFor, type JailRuntime } from './jail-runtime';
import type { Logger } from './logger';

export interface RetireDeps {
  config: LoadedConfig;
  store: Store;
  log: Logger;
  wrap?: string[];
  now: number;
}

/**
 * Retires every jail that ran before (`previous`, on a reload) or still holds current bans in the
 * database, and is not among `running`. A jail known only from the database is torn down with
 * the default action (the one it used is no longer configured).
 */
export async function retireStoppedJails(previous: readonly JailRuntime[], running: readonly JailRuntime[], deps: RetireDeps): Promise<void> {
  const live = new Set(running.map((rt) => rt.name));
  const gone = new Map<string, FirewallAction | null>();
  for (const rt of previous) if (!live.has(rt.name)) gone.set(rt.name, rt.action);
  for (const name of deps.store.jailsWithCurrentBans()) if (!live.has(name) && !gone.has(name)) gone.set(name, null);
  for (const [name, known] of gone) {
    try {
      const action = known ?? defaultAction(name, deps);
      await action.teardown();
      const lifted = deps.store.liftBans('*', deps.now, name);
      deps.log.warn({ jail: name, lifted: lifted.length, action: action.name }, 'jail no longer enabled: its firewall objects are removed and its bans lifted');
    } catch (e) {
      // the bans stay current in the database, as they stay in the kernel: the next reload or start tries again
      deps.log.error({ jail: name, err: (e as Error).message }, 'could not remove the firewall objects of a jail no longer enabled; its bans stay until they expire');
    }
  }
}

function defaultAction(jail: string, deps: RetireDeps): FirewallAction {
  const main = deps.config.main;
  return createAction(actionSpecFor(deps.config, main.action), { jail, ports: 'all', wrap: deps.wrap, table: main.nftablesTable, maxElem: main.ipsetMaxElem });
}
