/**
 * The shapes of the control protocol's replies, one per request. The daemon builds them, the CLI
 * prints them, and `--json` prints them as they are: a field here is a promise to scripts, so add
 * fields, never rename them.
 */
import { untilText } from '../core/clock';
import type { Ban } from '../core/types';

/** A ban on the wire: times as ISO 8601 text. */
export interface BanView {
  ip: string;
  jail: string;
  since: string;
  until: string;
  reason: string;
  count: number;
}

export function banView(b: Ban): BanView {
  return { ip: b.ip, jail: b.jail, since: new Date(b.since).toISOString(), until: untilText(b.until), reason: b.reason, count: b.count };
}

export type BanReply = BanView & { for: string };

export interface UnbanReply {
  lifted: BanView[];
  strikesCleared: number;
}

export interface ReloadReply {
  jails: string[];
}

export interface WhyReply {
  ip: string;
  /** Offenders of this address that logged in recently: customers, with reduced strike weight (issue 15). */
  customers: Array<{ jail: string; offender: string; lastLogin: string; until: string }>;
  bans: Array<BanView & { state: 'active' | 'expired' | 'lifted' }>;
  /** `forgiven`: a later login of the same offender forgave this failure (customers.forgive). */
  strikes: Array<{ time: string; ip: string; jail: string; event: string; weight: number; rule: string; source?: string; line?: number; text?: string; forgiven: boolean }>;
}

export interface ActionHealthView {
  action: string;
  ok: boolean;
  pending: number;
  failures: number;
  lastError?: string;
  lastErrorAt?: number;
  lastSuccessAt?: number;
}

export interface JailStatus {
  name: string;
  filters: string[];
  action: ActionHealthView;
  /** Every action of the jail (`actions: [nftables, notify]`), the firewall (= `action`) first. */
  actions: ActionHealthView[];
  activeBans: number;
  counters: { lines: number; failures: number; strikes: number; bans: number; lastLineAt?: number };
  engine?: { offenders: number; customers: number; activeBans: number };
  sources: Array<{ id: string; kind: 'file' | 'journal'; files: Array<{ path: string; offset: number; line: number; size?: number }>; lastReadAt?: number; error?: string; held?: { since: number; attempts: number; error: string } }>;
}

/** Something `mailjail status` reports as stuck (exit 11); see metrics/health.ts. */
export interface ProblemView {
  kind: 'action' | 'source-missing' | 'source-unreadable' | 'drift';
  jail: string;
  subject: string;
  /** ISO 8601: when it was first seen. */
  since: string;
  message: string;
  hint: string;
}

export interface StatusReply {
  /** Empty when nothing is stuck. */
  problems: ProblemView[];
  /** The last bans put into the kernel, newest first. */
  recentBans: BanView[];
  version: string;
  pid: number;
  uptimeSeconds: number;
  database: { path: string; bytes: number; strikes: number; activeBans: number };
  /** In a fleet: connected, lag, what is still to publish, what came in and what was refused. */
  fleet?: { node: string; connected: boolean; lastError?: string; pending: number; lagMs: number; received: number; published: number; rejected: number; bansRefused: number };
  jails: JailStatus[];
}
