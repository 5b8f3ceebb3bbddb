/**
 * Builds the pure parts of a jail (matcher, decision engine) from its config. Shared by the
 * daemon and by replay, so that replay decides exactly what the daemon would. `shared` is the
 * server's customers and sprays, one for all jails of a daemon (decide/server-knowledge.ts).
 */
import type { LoadedConfig } from '../config/load-config';
import { loadFilters } from '../config/load-filter';
import type { JailConfig } from '../config/resolve-jail';
import type { BanHistory } from '../decide/ban-history';
import { JailEngine, type Guard } from '../decide/jail-engine';
import type { UserHasher } from '../decide/normalise-user';
import type { ServerKnowledge } from '../decide/server-knowledge';
import { Matcher, type MatcherOptions } from '../match/matcher';
import { createGuard } from './guard';

export interface JailParts {
  config: JailConfig;
  matcher: Matcher;
  engine: JailEngine;
  guard: Guard;
}

export function buildJailParts(
  config: LoadedConfig,
  jail: JailConfig,
  history: BanHistory,
  hashUser: UserHasher,
  own?: string[],
  shared?: ServerKnowledge,
  onOverBudget?: MatcherOptions['onOverBudget'],
): JailParts {
  const guard = createGuard([...config.main.ignoreIp, ...jail.ignoreIp], own);
  const filters = config.jailFilters.get(jail.name) ?? loadFilters(jail.filters, config.filterDirs);
  // The hostile-line guard: a line whose matching overruns its budget, in wall time and again in
  // CPU time, is skipped, never retried.
  const matcher = new Matcher(filters, { clock: () => performance.now(), cpuClock, onOverBudget });
  const engine = new JailEngine(jail.rules, guard, history, hashUser, shared);
  return { config: jail, matcher, engine, guard };
}

/** This process's CPU time in ms (user + system): it stands still while the process is not running. */
function cpuClock(): number {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1000;
}
