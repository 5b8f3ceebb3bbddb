/**
 * A Source turns a log (files on disk, the journal) into LineEvents, delivered in batches.
 *
 * Cursor keys (what `getCursor` is asked for and what `SourceBatch.cursor.key` carries):
 * - file source: `${id}:${path}`, where `path` is the absolute path the file is followed under
 *   (the name a pattern matched, e.g. `/var/log/mail.log`), not the name the inode has now. A
 *   rename rotation puts the successor under the same path, so the key survives rotation; the
 *   value (a FileCursor) names the inode, and on start the inode is looked for under other names.
 *   A glob gets one key per matched file (IceWarp: one per daily file); keys of files that no
 *   longer exist may be pruned by the store.
 * - journal source: `${id}:journal`, value = the journal's `__CURSOR` string.
 */
import type { FileCursor, LineEvent } from '../core/types';

export interface SourceBatch {
  /** The source id. */
  source: string;
  /** In file order; LineEvent.file = absolute path followed, line = 1-based line number in that file. */
  events: LineEvent[];
  /**
   * Lines read for this batch, delivered or not (a file source with a `gate` delivers only some).
   * Absent: every line read is in `events`.
   */
  lines?: number;
  /**
   * Position after the last event of this batch. The CONSUMER persists it (in the same SQLite
   * transaction as the strikes it derives); a source persists nothing itself. A batch may carry
   * no events and only a cursor (a file opened at its end, a new file opened, the rest of an
   * over-long line skipped): persist it all the same. A batch without a cursor carries lines
   * written to a rotated file after its successor took over the key.
   */
  cursor?: { key: string; value: unknown };
}

/** A batch the consumer could not commit, being offered again (batch-delivery.ts). */
export interface HeldBatch {
  /** When the streak of failures began (ms since the epoch). */
  since: number;
  attempts: number;
  /** The last failure's message. */
  error: string;
}

export interface SourceStatus {
  id: string;
  kind: 'file' | 'journal';
  files: Array<{ path: string; offset: number; line: number; size?: number }>;
  lastReadAt?: number;
  error?: string;
  /** Reading holds: a batch the consumer could not commit is being retried (batch-delivery.ts). */
  held?: HeldBatch;
}

/** Retry pacing for a batch the consumer rejects: firstRetryMs (default 1000), doubling up to maxRetryMs (30000). */
export interface RetryPacing {
  firstRetryMs?: number;
  maxRetryMs?: number;
}

export interface Source {
  readonly id: string;
  /** Starts reading; resolves once initial catch-up reading has been scheduled/started (files opened). */
  start(): Promise<void>;
  /** Stops watching, closes handles; resolves when no more batches will be delivered. */
  stop(): Promise<void>;
  status(): SourceStatus;
}

export type SourceLog = (level: 'debug' | 'info' | 'warn' | 'error', msg: string, ctx?: object) => void;

/**
 * Picks the lines of a buffer worth delivering: KeywordScanner.lineStarts over the jail's keywords
 * fits (a line with none of them can never match, so it need not be decoded).
 */
export interface LineGate {
  /** Sorted, distinct byte offsets of the lines of `b` (many `\n`-ended lines) to deliver. */
  lineStarts(b: Buffer): Float64Array;
}

export interface FileSourceOptions {
  id: string;
  /** Absolute paths or globs (picomatch), e.g. `/var/log/icewarp/smtp/s*.log`. */
  patterns: string[];
  /** Saved cursor for a cursor key (`${id}:${path}`, see above). */
  getCursor(key: string): FileCursor | undefined;
  /**
   * Delivered strictly one at a time: the next batch is not delivered before the returned promise
   * settles. A batch it rejects (throws) is offered again until taken; reading holds meanwhile.
   */
  onBatch(batch: SourceBatch): void | Promise<void>;
  retry?: RetryPacing;
  /** Where to begin when no matched file has a cursor (first start). Default 'end'. */
  startAt?: 'end' | 'beginning';
  /** Longer lines are cut to their first maxLineBytes bytes; the rest is discarded. Default 16384. */
  maxLineBytes?: number;
  /**
   * Default 500. Each batch is matched and committed in one synchronous step; when the daemon
   * falls behind (a flood), smaller batches let the firewall apply one batch's bans (in its own
   * process, on another core) while the next is matched, instead of after a 5,000-line stall.
   * A commit of a batch that bans nothing costs ~15 µs, so catching up on a big file hardly notices.
   */
  maxBatchLines?: number;
  /**
   * Asked before each read (a reload may change the answer): lines the gate does not pick are
   * counted (line numbers, `SourceBatch.lines`, the cursor) but not decoded nor delivered, and
   * maxBatchLines counts delivered lines. Absent, or answering undefined: every line is delivered.
   */
  gate?: () => LineGate | undefined;
  /**
   * Reads shorter than this deliver every line even with a gate (default 262144). The scan has a
   * fixed cost per read (its short keywords sample up to 64 KiB), so it only pays on big reads:
   * decoding ~1,000 lines costs about the same as scanning them, and a live read of a few lines
   * stays as it was. A catch-up reads full 1 MiB buffers, where the gate saves a fifth of the
   * matching work and most of the garbage (issue 7).
   */
  gateMinBytes?: number;
  /** A safety re-check timer (default 1000) in addition to the file-system events. */
  pollIntervalMs?: number;
  /**
   * How long a rotated-away or deleted file stays open after it last grew (default 5000): a
   * syslog daemon keeps writing to the old inode until it is told to reopen.
   */
  rotateGraceMs?: number;
  log?: SourceLog;
}

export interface JournalSourceOptions {
  id: string;
  /** journalctl matches, e.g. `_SYSTEMD_UNIT=postfix@-.service`, `SYSLOG_IDENTIFIER=postfix/smtpd`, `+`. */
  matches: string[];
  /** Saved `__CURSOR` for the key `${id}:journal`. */
  getCursor(key: string): string | undefined;
  /** As for files: a batch it rejects is offered again until taken. */
  onBatch(batch: SourceBatch): void | Promise<void>;
  retry?: RetryPacing;
  /** argv prefix, default ['journalctl']. */
  journalctl?: string[];
  /** Default 16384, as for files. */
  maxLineBytes?: number;
  /** Default 5000. */
  maxBatchLines?: number;
  /** Wait before starting journalctl again after it exits (default 1000). */
  restartDelayMs?: number;
  log?: SourceLog;
}
