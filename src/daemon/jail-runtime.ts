/**
 * One running jail: its pure parts (matcher, engine), its firewall action with the applier that
 * batches changes into it, and its sources. The jail registry (jail-registry.ts) holds them.
 */
import { BUILTIN_ACTIONS, jailActions, type LoadedConfig } from '../config/load-config';
import type { JailConfig } from '../config/resolve-jail';
import type { BanHistory } from '../decide/ban-history';
import type { UserHasher } from '../decide/normalise-user';
import type { ServerKnowledge } from '../decide/server-knowledge';
import type { ActionSpec, FirewallAction } from '../enforce/action';
import { createAction } from '../enforce/create-action';
import type { JailMeter } from '../metrics/jail-meter';
import type { LineEvent } from '../core/types';
import type { Source } from '../sources/source';
import { ActionFanout, type Applier } from './action-fanout';
import type { Ban, Strike } from '../core/types';
import { BanApplier } from './ban-applier';
import { buildJailParts, type JailParts } from './jail-parts';
import type { Logger } from './logger';

export interface JailCounters {
  lines: number;
  failures: number;
  strikes: number;
  bans: number;
  lastLineAt?: number;
}

export interface JailRuntime {
  name: string;
  /** Absent for the built-in `manual` jail, which only holds admin bans. */
  config?: JailConfig;
  parts?: JailParts;
  /** The firewall: the first of the jail's actions. */
  action: FirewallAction;
  /** Every action of the jail, each with its own batching and retries (action-fanout.ts). */
  applier: Applier;
  sources: Source[];
  counters: JailCounters;
  /** Metrics of this jail (plain counters; the same meter across reloads). */
  meter: JailMeter;
  /** On a first start with `startAt: { replay }`, lines older than this are read but not counted. */
  replayCutoff?: number;
  /** In a fleet: records what the jail decided for publishing (commit-bans.ts calls it inside the store transaction). */
  share?: (strikes: Strike[], bans: Ban[]) => void;
  /** In a fleet: records an admin's lift of these bans for publishing (commit-bans.ts, inside the transaction that lifts them). */
  shareLifted?: (ips: string[]) => void;
}

/** The jail admin bans go to when no --jail is named: always there, blocks all ports. */
export const MANUAL_JAIL = 'manual';

export interface RuntimeDeps {
  config: LoadedConfig;
  history: BanHistory;
  hashUser: UserHasher;
  log: Logger;
  /** argv prefix for firewall commands (tests run them inside a network namespace). */
  wrap?: string[];
  /** Customers and sprays, shared by every jail of this daemon start. */
  shared?: ServerKnowledge;
  now: () => number;
  /** The jail's metrics meter. */
  meterOf(jail: string): JailMeter;
}

/** The action a name in the config stands for: a built-in one or one of `actions:`. */
export function actionSpecFor(config: LoadedConfig, name: string): ActionSpec {
  if ((BUILTIN_ACTIONS as readonly string[]).includes(name)) return name as ActionSpec;
  return config.main.actions[name];
}

export function createJailRuntime(deps: RuntimeDeps, jail: JailConfig | null): JailRuntime {
  const name = jail?.name ?? MANUAL_JAIL;
  const actions = (jail ? jailActions(jail, deps.config.main) : [deps.config.main.action]).map((actionName) =>
    createAction(actionSpecFor(deps.config, actionName), {
      jail: name,
      ports: jail?.ports ?? 'all',
      wrap: deps.wrap,
      table: deps.config.main.nftablesTable,
      maxElem: deps.config.main.ipsetMaxElem,
      log: (level: 'info' | 'warn' | 'error', msg: string, ctx?: object) => deps.log[level]({ jail: name, ...ctx }, msg),
    }),
  );
  const action = actions[0];
  const meter = deps.meterOf(name);
  const applier = actions.length === 1 ? new BanApplier(action, name, deps.log, deps.now, meter) : new ActionFanout(actions, name, deps.log, deps.now, meter);
  const skipped = (ev: LineEvent, ms: number, rule: string) =>
    deps.log.warn({ jail: name, source: ev.source, line: ev.line, rule, ms: Math.round(ms) }, 'line skipped: matching it took longer than its budget');
  const parts = jail ? buildJailParts(deps.config, jail, deps.history, deps.hashUser, undefined, deps.shared, skipped) : undefined;
  return { name, config: jail ?? undefined, parts, action, applier, sources: [], counters: { lines: 0, failures: 0, strikes: 0, bans: 0 }, meter };
}
