/**
 * Follows the systemd journal through `journalctl --follow --output=json`: journalctl keeps the
 * journal's on-disk format and rotation its own business, and its cursor resumes exactly.
 *
 * It resumes with `--cursor=C` and drops the entry equal to C, not with `--after-cursor=C`:
 * journalctl (systemd 252, Debian 12) skips one entry after seeking, so when C's file has been
 * vacuumed the first entry after it would be lost (test/integration/daemon/journal-files.test.ts).
 */
import type { LineEvent } from '../core/types';
import { spawnLines, type LineStream, type StreamExit } from '../process/run-command';
import { createBatchDelivery, type BatchDelivery } from './batch-delivery';
import { journalEntryToLine, type JournalLine } from './journal-entry';
import type { JournalSourceOptions, Source, SourceStatus } from './source';

/** The journalctl arguments after the program: which journal, where to begin, then the matches. */
export function journalArgs(matches: string[], after: { cursor?: string; sinceEpochSec?: number }, directory?: string): string[] {
  const args = ['--follow', '--output=json', '--all', '--no-pager'];
  if (directory !== undefined) args.push(`--directory=${directory}`);
  // --follow alone shows the last 10 entries; --no-tail makes --cursor show all of the rest.
  if (after.cursor) args.push('--no-tail', `--cursor=${after.cursor}`);
  else if (after.sinceEpochSec !== undefined) args.push('--no-tail', `--since=@${after.sinceEpochSec}`);
  else args.push('--lines=0');
  return [...args, ...matches];
}

export function createJournalSource(options: JournalSourceOptions): Source {
  return new JournalSource(options);
}

class JournalSource implements Source {
  readonly id: string;
  private readonly key: string;
  private readonly log: NonNullable<JournalSourceOptions['log']>;
  private readonly delivery: BatchDelivery;
  private running = false;
  private child: LineStream | null = null;
  private exited: Promise<void> = Promise.resolve();
  private restartTimer: NodeJS.Timeout | null = null;
  /** Cursor of the last entry received (queued or delivered): journalctl restarts after it. */
  private resumeCursor: string | undefined;
  /** The cursor journalctl was started at: its entry, if still there, comes first and was delivered already. */
  private startCursor: string | undefined;
  private startedAtSec = 0;
  private queue: JournalLine[] = [];
  private pumping: Promise<void> | null = null;
  private lastReadAt: number | undefined;
  private lastError: string | undefined;

  constructor(private readonly options: JournalSourceOptions) {
    this.id = options.id;
    this.key = `${options.id}:journal`;
    this.log = options.log ?? (() => undefined);
    this.delivery = createBatchDelivery({ source: this.id, onBatch: options.onBatch, isRunning: () => this.running, log: this.log, ...options.retry });
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.resumeCursor = this.options.getCursor(this.key);
    this.startedAtSec = Math.floor(Date.now() / 1000);
    this.spawnReader(false);
  }

  async stop(): Promise<void> {
    this.running = false;
    this.delivery.wake();
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    this.child?.kill('SIGTERM');
    await this.exited;
    await this.pumping;
    this.queue = [];
  }

  status(): SourceStatus {
    const held = this.delivery.held();
    return {
      id: this.id,
      kind: 'journal',
      files: [],
      ...(this.lastReadAt !== undefined ? { lastReadAt: this.lastReadAt } : {}),
      ...(this.lastError !== undefined ? { error: this.lastError } : {}),
      ...(held ? { held } : {}),
    };
  }

  private onLine(line: string): void {
    if (!this.running || line.trim() === '') return;
    const entry = journalEntryToLine(line, this.options.maxLineBytes ?? 16384);
    if (!entry) {
      this.log('warn', 'journalctl printed something that is not a journal entry', { source: this.id, line: line.slice(0, 200) });
      return;
    }
    const isStartEntry = this.startCursor !== undefined && entry.cursor === this.startCursor;
    this.startCursor = undefined;
    if (isStartEntry) return;
    this.resumeCursor = entry.cursor;
    this.queue.push(entry);
    if (!this.pumping) this.pumping = this.pump().finally(() => (this.pumping = null));
  }

  private async pump(): Promise<void> {
    const maxBatchLines = this.options.maxBatchLines ?? 5000;
    while (this.running && this.queue.length > 0) {
      const batch = this.queue.slice(0, maxBatchLines);
      const events: LineEvent[] = batch.map((e) => ({ source: this.id, line: 0, text: e.text, time: e.time }));
      this.lastReadAt = Date.now();
      // a batch the consumer rejects stays at the head of the queue until it is taken
      if (!(await this.delivery.deliver({ source: this.id, events, cursor: { key: this.key, value: batch[batch.length - 1].cursor } }))) return;
      this.queue = this.queue.slice(batch.length);
    }
  }

  /** A restart before any entry arrived has no cursor: it goes back to when the source started. */
  private spawnReader(restart: boolean): void {
    const from = this.resumeCursor ? { cursor: this.resumeCursor } : restart ? { sinceEpochSec: this.startedAtSec } : {};
    this.startCursor = from.cursor;
    const argv = [...(this.options.journalctl ?? ['journalctl']), ...journalArgs(this.options.matches, from, this.options.directory)];
    let done: () => void = () => undefined;
    this.exited = new Promise<void>((resolve) => (done = resolve));
    this.child = spawnLines(argv, (line) => this.onLine(line), (exit: StreamExit) => {
      this.child = null;
      done();
      if (this.running) this.restartAfter(exit);
    });
  }

  private restartAfter(exit: StreamExit): void {
    const why = exit.stderr.trim().split('\n').pop() ?? '';
    this.lastError = `journalctl exited (${exit.code ?? exit.signal ?? 'not started'}): ${why}`;
    this.log('warn', 'journalctl exited; starting it again', { source: this.id, code: exit.code, signal: exit.signal, stderr: why });
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.running) this.spawnReader(true);
    }, this.options.restartDelayMs ?? 1000);
  }
}
