/** The Action of the glossary: what puts a Ban into the kernel (or pretends to) and takes it out. */
import type { Ban } from '../core/types';
import { MailjailError } from '../core/errors';

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

/**
 * A user-defined action: argv templates (no shell) with placeholders `<ip>`, `<jail>`,
 * `<timeout>` (seconds), `<reason>`. Run once per ban/unban.
 */
export interface CommandActionSpec {
  type: 'command';
  name: string;
  ban: string[];
  unban: string[];
  setup?: string[];
  teardown?: string[];
}

export type ActionSpec = 'nftables' | 'iptables' | 'dry-run' | CommandActionSpec;

export const DEFAULT_TABLE = 'mailjail';
export const DEFAULT_MAX_ELEM = 262144;
export const DEFAULT_COMMAND_TIMEOUT_MS = 120_000;

/**
 * Jail names go into nft set names and ipset names; keep them to what both accept unquoted, so no
 * name ever needs escaping in a script.
 */
const JAIL_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

export function assertJailName(jail: string): void {
  if (!JAIL_NAME.test(jail)) {
    throw new MailjailError('CONFIG', `jail name ${JSON.stringify(jail)} must match ${JAIL_NAME.source}`);
  }
}
