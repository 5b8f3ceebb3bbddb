/**
 * Reads a config directory: mailjail.yaml, then the shipped jails (repo jails/), then
 * DIR/jails.d/*.yaml in name order (a later file overrides or disables a jail of an earlier one),
 * and DIR/filters.d/*.yaml. Every problem in every file is collected and thrown at once as
 * `file:line: path: message`. With no directory, the shipped jails alone (all disabled) are loaded.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { MailjailError } from '../core/errors';
import { parseYaml, validateYaml } from './yaml-document';
import { JailsFileSchema, MainFileSchema, type FleetFile, type JailPatch, type MainFile } from './schema';
import { MAIN_DEFAULTS } from './main-defaults';
import { parseListenAddress, type ListenAddress } from './listen-address';
import { mergeJailPatch, resolveJail, type JailConfig } from './resolve-jail';
import { loadFilters } from './load-filter';
import type { CompiledFilter } from '../match/compile-filter';

/**
 * A user-defined action (`actions:` in mailjail.yaml): argv templates (no shell) with placeholders
 * `<ip>`, `<jail>`, `<timeout>` (seconds), `<reason>`. Run once per ban/unban.
 */
export interface CommandActionSpec {
  type: 'command';
  name: string;
  ban: string[];
  unban: string[];
  setup?: string[];
  teardown?: string[];
}

export interface MainConfig {
  database: string;
  socket: string;
  socketGroup?: string;
  action: string;
  ignoreIp: string[];
  logLevel: string;
  actions: Record<string, CommandActionSpec>;
  nftablesTable: string;
  ipsetMaxElem: number;
  reconcileIntervalMs: number;
  metrics: MetricsConfig;
  /** Strikes older than this lose their log line (undefined: kept as long as the strike). */
  logLineRetentionMs?: number;
  /** The widest prefix a manual ban may take without --force, per family. */
  maxBanPrefix: { ipv4: number; ipv6: number };
  /** Absent: a single server. */
  fleet?: FleetConfig;
}

export interface FleetConfig {
  redis: FleetFile['redis'];
  node: string;
  secretFile: string;
  caFile?: string;
  keyPrefix: string;
  streamLength: number;
}

/** Both off by default; `mailjail metrics` over the socket always works. */
export interface MetricsConfig {
  listen?: ListenAddress;
  textfile?: string;
  /** How long a source may be missing or unreadable before `status` reports it. */
  sourceGraceMs: number;
}

export interface LoadedConfig {
  dir: string | null;
  main: MainConfig;
  jails: Map<string, JailConfig>;
  /** Extra filter directories, searched before the shipped filters. */
  filterDirs: string[];
  /** Every file read, in order (shown by `check --config`). */
  files: string[];
  /** Each jail's filters, compiled once here (validation needs them anyway). */
  jailFilters: Map<string, CompiledFilter[]>;
}

export const BUILTIN_ACTIONS = ['nftables', 'iptables', 'dry-run'] as const;

/** The repo root (works from src/ under jest and from dist/). */
function packageRoot(): string {
  return resolve(__dirname, '..', '..');
}

export function loadConfig(dir: string | null): LoadedConfig {
  // A typo in --config must not start a daemon on defaults (issue 15).
  if (dir !== null && !existsSync(dir)) throw new MailjailError('CONFIG', `configuration directory ${dir} does not exist`);
  const problems: string[] = [];
  const files: string[] = [];
  const main = mainConfigOf(dir ? readMain(join(dir, 'mailjail.yaml'), problems, files) : {});

  // `at` (file:line) is found only for a problem: on a cached parse it means parsing the file
  const patches = new Map<string, { patch: JailPatch; at: () => string }>();
  const jailFiles = [...yamlFilesIn(join(packageRoot(), 'jails')), ...(dir ? yamlFilesIn(join(dir, 'jails.d')) : [])];
  for (const file of jailFiles) {
    files.push(file);
    const parsed = parseYaml(readFileSync(file, 'utf8'), file);
    problems.push(...parsed.problems);
    if (!parsed.doc) continue;
    const { value, problems: invalid } = validateYaml(parsed.doc, JailsFileSchema);
    problems.push(...invalid);
    for (const [name, patch] of Object.entries(value?.jails ?? {})) {
      const doc = parsed.doc;
      const at = () => `${file}:${doc.lineOf(['jails', name])}`;
      const before = patches.get(name);
      patches.set(name, { patch: before ? mergeJailPatch(before.patch, patch) : patch, at });
    }
  }

  const filterDirs = dir ? [join(dir, 'filters.d')].filter((d) => existsSync(d)) : [];
  const jails = new Map<string, JailConfig>();
  const jailFilters = new Map<string, CompiledFilter[]>();
  // postfix and postfix_journal both use filters/postfix.yaml: parse and compile it once
  const loadedFilters = new Map<string, CompiledFilter>();
  for (const [name, { patch, at }] of patches) {
    const { jail, problems: bad } = resolveJail(name, patch, at);
    problems.push(...bad);
    const key = jail.actions ? 'actions' : 'action';
    for (const action of jailActions(jail, main)) {
      if (!(BUILTIN_ACTIONS as readonly string[]).includes(action) && !main.actions[action]) {
        problems.push(`${at()}: jails.${name}.${key}: unknown action "${action}" (nftables, iptables, dry-run, or one named under actions: in mailjail.yaml)`);
      }
    }
    try {
      jailFilters.set(name, loadFilters(jail.filters, filterDirs, loadedFilters));
    } catch (e) {
      if (e instanceof MailjailError) problems.push(...(e.problems.length ? e.problems : [`${at()}: jails.${name}.filters: ${e.message}`]));
      else throw e;
    }
    jails.set(name, jail);
  }
  for (const filterDir of filterDirs) files.push(...yamlFilesIn(filterDir));
  if (problems.length > 0) throw new MailjailError('CONFIG', `${problems.length} problem(s) in the configuration`, problems);
  return { dir, main, jails, filterDirs, files, jailFilters };
}

/** The main file's validated value; `{}` when it is missing or invalid (its problems are collected). */
function readMain(file: string, problems: string[], files: string[]): MainFile {
  if (!existsSync(file)) return {};
  files.push(file);
  const parsed = parseYaml(readFileSync(file, 'utf8'), file);
  problems.push(...parsed.problems);
  if (!parsed.doc) return {};
  const { value, problems: invalid } = validateYaml(parsed.doc, MainFileSchema);
  problems.push(...invalid);
  // The secret itself is read at start (check may run as a user who may not read it); a missing one is a typo.
  for (const key of ['secretFile', 'caFile'] as const) {
    const path = value?.fleet?.[key];
    if (path !== undefined && !existsSync(path)) problems.push(`${file}:${parsed.doc.lineOf(['fleet', key])}: fleet.${key}: no such file: ${path}`);
  }
  return value ?? {};
}

function mainConfigOf(m: MainFile): MainConfig {
  return {
    database: m.database ?? MAIN_DEFAULTS.database,
    socket: m.socket ?? MAIN_DEFAULTS.socket,
    socketGroup: m.socketGroup,
    action: m.action ?? MAIN_DEFAULTS.action,
    ignoreIp: m.ignoreIp ?? [],
    logLevel: m.logLevel ?? MAIN_DEFAULTS.logLevel,
    actions: Object.fromEntries(Object.entries(m.actions ?? {}).map(([name, a]) => [name, { ...a, name }])),
    nftablesTable: m.nftables?.table ?? MAIN_DEFAULTS.nftablesTable,
    ipsetMaxElem: m.ipset?.maxElem ?? MAIN_DEFAULTS.ipsetMaxElem,
    reconcileIntervalMs: m.reconcileInterval ?? MAIN_DEFAULTS.reconcileInterval,
    metrics: { listen: m.metrics?.listen === undefined ? undefined : (parseListenAddress(m.metrics.listen) as ListenAddress), textfile: m.metrics?.textfile, sourceGraceMs: m.metrics?.sourceGrace ?? 60_000 },
    fleet: m.fleet && {
      redis: m.fleet.redis,
      node: m.fleet.node ?? hostname().split('.')[0],
      secretFile: m.fleet.secretFile,
      caFile: m.fleet.caFile,
      keyPrefix: m.fleet.keyPrefix ?? 'mailjail:',
      streamLength: m.fleet.streamLength ?? 100_000,
    },
    maxBanPrefix: { ...MAIN_DEFAULTS.maxBanPrefix, ...m.maxBanPrefix },
    logLineRetentionMs: m.logLineRetention,
  };
}

/** The actions a jail runs, first the firewall: `actions:`, else `action:`, else the main default. */
export function jailActions(jail: Pick<JailConfig, 'action' | 'actions'>, main: Pick<MainConfig, 'action'>): string[] {
  return jail.actions ?? [jail.action ?? main.action];
}

function yamlFilesIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort()
    .map((f) => join(dir, f));
}
