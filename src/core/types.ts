/**
 * The glossary (STYLE.md), as types. Every layer speaks these and only these.
 *
 * Source -> LineEvent -> (match) Failure -> (decide) Strike, Ban -> (store) both, with the
 * source's cursor, in one transaction -> Action (the kernel). ARCHITECTURE.md names the files.
 */

/** What a matched line says happened. Kept small and stable: filters, jails and tools key on it. */
export const EVENT_KINDS = [
  'auth-failure',
  'auth-success',
  'helo-reject',
  'helo-fingerprint',
  'pregreet',
  'scanner',
  'rcpt-reject',
  'protocol-abuse',
  // A temporary (4xx) reject the client caused: counted lightly, in a window shorter than any retry (issue 11.3).
  'temp-reject',
  // A spam scanner refused the message: counted only by the spam-source jails an admin turns on.
  'spam-verdict',
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** One line read by a Source. */
export interface LineEvent {
  /** Which source produced it (jail-local source id, e.g. `postfix:/var/log/mail.log`). */
  source: string;
  /** The file the line came from, when it came from a file (IceWarp takes its date from it). */
  file?: string;
  /** 1-based line number within the file when known, else 0. */
  line: number;
  /** The text without its trailing newline. */
  text: string;
  /** Epoch ms when the source knows it better than the line (journald's realtime stamp). */
  time?: number;
}

/** A line a filter matched: who did what, when. Produced by match/, pure data. */
export interface Failure {
  /** Canonical address text (IPv4 dotted, IPv6 RFC 5952, IPv4-mapped folded to IPv4). */
  ip: string;
  /** Epoch ms, from the line's own timestamp. */
  time: number;
  /** Filter name (`postfix`, `exim`, `icewarp`, or a user filter). */
  filter: string;
  /** Id of the rule inside the filter that matched. */
  rule: string;
  event: EventKind;
  /** Login name tried, as logged (decide/ normalises and hashes it; never stored in clear). */
  user?: string;
  /** HELO/EHLO argument, as logged. */
  helo?: string;
  /** Set when the HELO (captured on this line or earlier in the session) is a known botnet fingerprint. */
  fingerprint?: string;
  /**
   * Failed attempts this one line stands for (Dovecot's per-connection summary `auth failed, 3
   * attempts`): the jail counts it as that many strikes. Absent = 1.
   */
  attempts?: number;
}

/** Why a ban was made. Shown by list, why and replay. */
export type BanRule = 'fingerprint' | 'threshold' | 'recidive' | 'manual' | `spray:${string}` | `subnet:${string}`;

/** A ban as the store and the actions see it. `ip` may be a CIDR (`192.0.2.0/24`). */
export interface Ban {
  ip: string;
  jail: string;
  /** Epoch ms. */
  since: number;
  /** Epoch ms. */
  until: number;
  reason: BanRule | string;
  /** How many times this ip/prefix had been banned before this ban (0 for a first ban). */
  count: number;
  /** In a fleet: the node that made the ban (absent: this server). */
  node?: string;
}

/** A Failure as the store keeps it: counted against a jail, with the evidence for `mailjail why`. */
export interface Strike {
  ip: string;
  jail: string;
  /** Epoch ms (the line's time). */
  time: number;
  event: EventKind;
  /** How much it counts toward maxRetry (jail config; reduced for known customers). */
  weight: number;
  /** `filter/rule` that matched. */
  rule: string;
  /** HMAC-SHA256 (keyed per database, daemon/user-hash.ts; 16 hex chars) of the normalised user name; never the name itself. */
  userHash?: string;
  /** Where the line came from (source id / file) and its 1-based line number. */
  source?: string;
  line?: number;
  /** The log line, cut to 1 KiB. */
  text?: string;
}

/** A file source's saved position (stored by the daemon in the same transaction as the strikes). */
export interface FileCursor {
  dev: number;
  ino: number;
  /** Hash of the file's first line: tells a recycled inode from the same file. */
  firstLineHash: string;
  /** Byte offset of the first unread byte. */
  offset: number;
  /** Lines read so far (1-based number of the next line minus one). */
  line: number;
  /** The path it was last seen at. */
  path: string;
  /** Its modification time then: places it among rotated generations once it is gone. */
  mtimeMs?: number;
}
