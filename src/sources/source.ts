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
  /** Journal lines, in order (a file source delivers `chunk` instead, and no events). */
  events: LineEvent[];
  /** Bytes of whole lines read from a file: matching them is match/'s business (match-chunk.ts). */
  chunk?: FileChunk;
  /** Lines read for this batch (absent: `events.length`, or for a chunk, what its matching counts). */
  lines?: number;
  /**
   * Position after the last event of this batch (a chunk's come from `cursorAt`). The CONSUMER
   * persists it (in the same SQLite transaction as the strikes it derives); a source persists
   * nothing itself. A batch may carry no lines and only a cursor (a file opened at its end, a new
   * file opened, the rest of an over-long line skipped): persist it all the same.
   */
  cursor?: { key: string; value: unknown };
}

/**
 * Whole lines of one file, as read: no line is decoded or looked at by the source. Valid until
 * the batch is taken (the source reuses its buffer).
 */
export interface FileChunk {
  /** The followed path (LineEvent.file). */
  file: string;
  /** `\n`-ended lines; the last may lack its newline (the first maxLineBytes of an over-long line). */
  bytes: Buffer;
  /** 1-based number of the first line; 0 when unknown (a huge file opened at its end). */
  firstLine: number;
  /** Lines are cut to their first maxLineBytes bytes when decoded. */
  maxLineBytes: number;
  /**
   * The cursor after the first `lines` lines (`bytes` bytes) of the chunk, to commit with what
   * those lines yielded; undefined when the file no longer owns its key (lines a writer added to a
   * rotated file after its successor took over). The consumer commits the chunk in one or more
   * steps and asks for the cursor at the chunk's end last: that is how the source learns the
   * number of lines it read.
   */
  cursorAt(bytes: number, lines: number): { key: string; value: unknown } | undefined;
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
  /** A journal directory to read instead of the system journal (`journalctl --directory`). */
  directory?: string;
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
