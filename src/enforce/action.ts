/** The Action of the glossary: what puts a Ban into the kernel (or pretends to) and takes it out. */
import type { Ban } from '../core/types';
import type { CommandActionSpec } from '../config/load-config';
import { MAIN_DEFAULTS } from '../config/main-defaults';
import { MailjailError } from '../core/errors';
import { JAIL_NAME, JAIL_NAME_RULE, TABLE_NAME, TABLE_NAME_RULE } from '../core/names';

export interface FirewallAction {
  /** 'nftables' | 'iptables' | 'dry-run' | the command action's own name. */
  readonly name: string;
  /** Create table/sets/rules if missing; idempotent (safe on every start and on reconcile). */
  setup(): Promise<void>;
  /**
   * Add bans (IPs or CIDRs, v4/v6 mixed) in one batch (one process where the firewall allows),
   * each with (until - now) as the kernel timeout, rounded up to whole seconds, at least 1 s.
   * Re-adding an existing element updates its timeout.
   */
  ban(bans: Ban[], now: number): Promise<void>;
  /** Remove IPs/CIDRs in one batch; removing an absent element is not an error. */
  unban(ips: string[]): Promise<void>;
  /**
   * Elements the kernel holds now, as canonical text (`192.0.2.1`, `2001:db8::/64`), for
   * reconcile. null for actions that cannot list (command).
   */
  listed(): Promise<Set<string> | null>;
  /**
   * After the first setup: whether the kernel held any of this action's sets before it (false:
   * there is nothing to take over, no listing needed). Absent or undefined: not known.
   */
  heldBeforeSetup?(): boolean | undefined;
  /** Remove everything this action created (tests, uninstall). */
  teardown(): Promise<void>;
}

export type LogLevel = 'info' | 'warn' | 'error';
export type ActionLog = (level: LogLevel, msg: string, ctx?: object) => void;

export interface ActionOptions {
  jail: string;
  ports: number[] | 'all';
  protocol?: 'tcp';
  /** argv prefix for every command, e.g. ['ip', 'netns', 'exec', 'mj-x'] (tests, containers). */
  wrap?: string[];
  /** ipset maxelem; default 262144. */
  maxElem?: number;
  /** nft table name, and the prefix of ipset set names; default 'mailjail'. */
  table?: string;
  /** Per-command time limit; default 120 s (a 100,000-element batch takes a few seconds). */
  commandTimeoutMs?: number;
  log?: ActionLog;
}

export type { CommandActionSpec };

export type ActionSpec = 'nftables' | 'iptables' | 'dry-run' | CommandActionSpec;

/** Used when an action is made without a config (tests, tools); the config's own defaults. */
export const DEFAULT_TABLE = MAIN_DEFAULTS.nftablesTable;
export const DEFAULT_MAX_ELEM = MAIN_DEFAULTS.ipsetMaxElem;
export const DEFAULT_COMMAND_TIMEOUT_MS = 120_000;

/** The last check before a jail name reaches a firewall script (core/names.ts holds the rule). */
export function assertJailName(jail: string): void {
  if (!JAIL_NAME.test(jail)) throw new MailjailError('CONFIG', `jail name ${JSON.stringify(jail)}: ${JAIL_NAME_RULE}`);
}

export function assertTableName(table: string): void {
  if (!TABLE_NAME.test(table)) throw new MailjailError('CONFIG', `table name ${JSON.stringify(table)}: ${TABLE_NAME_RULE}`);
}
