/**
 * A jail's merged patches -> the resolved jail the daemon runs (defaults applied, durations in ms,
 * decide/'s JailRules built). Cross-field problems are reported against the file that defined it.
 */
import { parseCidr } from '../core/ip';
import type { EventKind } from '../core/types';
import type { EventRule, JailRules } from '../decide/jail-rules';
import { DEFAULT_EVENTS, JAIL_DEFAULTS, OWN_WINDOW_EVENTS } from './jail-defaults';
import type { JailPatch } from './schema';

export type JournalSpec = { matches?: string[]; directory?: string };
/** A file (or glob), with the journal to read instead when no file matches; or the journal. */
export type SourceSpec = { file: string; orJournal?: JournalSpec } | { journal: JournalSpec };

export interface JailConfig {
  name: string;
  enabled: boolean;
  sources: SourceSpec[];
  filters: string[];
  ports: number[] | 'all';
  action: string | undefined;
  /** `actions:` of the jail, when set (it wins over `action`). */
  actions?: string[];
  startAt: 'end' | 'beginning' | { replayMs: number };
  ignoreIp: string[];
  /** Whether this jail's strikes count fleet-wide (only meaningful with `fleet:` in mailjail.yaml). */
  fleet: boolean;
  rules: JailRules;
}

/** Merges drop-in patches: later keys win; the nested rule groups merge key by key. */
export function mergeJailPatch(base: JailPatch, patch: JailPatch): JailPatch {
  const merged: JailPatch = { ...base, ...patch };
  for (const group of ['fingerprint', 'spray', 'subnet', 'customers', 'events'] as const) {
    if (base[group] && patch[group]) (merged as Record<string, unknown>)[group] = { ...base[group], ...patch[group] };
  }
  return merged;
}

/**
 * `at` is `file:line` of the last file that touched this jail, for problems; a function, as
 * finding the line may mean parsing the file (see yaml-cache.ts), worth it only for a problem.
 */
export function resolveJail(name: string, p: JailPatch, at: string | (() => string)): { jail: JailConfig; problems: string[] } {
  const problems: string[] = [];
  const problem = (path: string, message: string) => problems.push(`${typeof at === 'string' ? at : at()}: jails.${name}.${path}: ${message}`);
  const d = JAIL_DEFAULTS;
  const findTimeMs = p.findTime ?? d.findTimeMs;
  const banTimeMs = p.banTime ?? d.banTimeMs;
  // An event's window: its own findTime, else its kind's own default (scanner: long, temp-reject:
  // short), else the jail's findTime.
  const events: Partial<Record<EventKind, EventRule>> = {};
  const weights = p.events ?? Object.fromEntries(Object.entries(DEFAULT_EVENTS).map(([k, v]) => [k, v?.weight ?? 0]));
  for (const [kind, rule] of Object.entries(weights) as Array<[EventKind, number | { weight: number; findTime?: number }]>) {
    const weight = typeof rule === 'number' ? rule : rule.weight;
    const own = typeof rule === 'number' ? undefined : rule.findTime;
    const kindWindow = OWN_WINDOW_EVENTS.includes(kind) ? DEFAULT_EVENTS[kind]?.findTimeMs : undefined;
    events[kind] = { weight, findTimeMs: own ?? kindWindow ?? findTimeMs };
  }
  const escalation = p.escalation === false ? null : p.escalation ? { factor: p.escalation.factor, maxBanTimeMs: p.escalation.maxBanTime } : d.escalation;
  if (escalation && escalation.maxBanTimeMs < banTimeMs) problem('escalation.maxBanTime', 'must not be shorter than banTime');
  const ipv6HostPrefix = p.ipv6HostPrefix ?? d.ipv6HostPrefix;
  const subnet = { ...d.subnet, ...stripUndefined({ ...p.subnet, windowMs: p.subnet?.window }) };
  delete (subnet as Record<string, unknown>).window;
  if (subnet.ipv6Prefix >= ipv6HostPrefix) problem('subnet.ipv6Prefix', `must be shorter than ipv6HostPrefix (${ipv6HostPrefix})`);
  const customers = { ...d.customers, ...stripUndefined({ ...p.customers, windowMs: p.customers?.window, findTimeMs: p.customers?.findTime }) };
  delete (customers as Record<string, unknown>).window;
  delete (customers as Record<string, unknown>).findTime;
  const fingerprint = {
    enabled: p.fingerprint?.enabled ?? d.fingerprint.enabled,
    events: p.fingerprint?.events ?? d.fingerprint.events,
    banTimeMs: p.fingerprint?.banTime ?? banTimeMs,
  };
  const spray = { ...d.spray, ...stripUndefined({ enabled: p.spray?.enabled, distinctIps: p.spray?.distinctIps, windowMs: p.spray?.window, graceMs: p.spray?.grace }) };
  if (p.spray?.grace !== undefined) spray.holdMs = Math.round((spray.graceMs * d.spray.holdMs) / d.spray.graceMs);
  for (const entry of p.ignoreIp ?? []) if (!parseCidr(entry)) problem('ignoreIp', `bad address ${entry}`);

  const rules: JailRules = {
    name,
    maxRetry: p.maxRetry ?? d.maxRetry,
    ipv6HostPrefix,
    events,
    banTimeMs,
    escalation,
    fingerprint,
    spray,
    subnet,
    customers,
  };
  const startAt = p.startAt === undefined ? d.startAt : typeof p.startAt === 'string' ? p.startAt : { replayMs: p.startAt.replay };
  const jail: JailConfig = {
    name,
    enabled: p.enabled ?? d.enabled,
    sources: p.sources ?? [],
    filters: p.filters ?? [],
    ports: p.ports ?? d.ports,
    action: p.action,
    ...(p.actions ? { actions: p.actions } : {}),
    startAt,
    ignoreIp: p.ignoreIp ?? [],
    fleet: p.fleet ?? true,
    rules,
  };
  if (jail.filters.length === 0) problem('filters', 'a jail needs at least one filter');
  if (jail.enabled && jail.sources.length === 0) problem('sources', 'an enabled jail needs at least one source');
  return { jail, problems };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
