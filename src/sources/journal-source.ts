/**
 * Follows the systemd journal through `journalctl --follow --output=json`: journalctl keeps the
 * journal's on-disk format and rotation its own business, and its cursor resumes exactly.
 */
import type { LineEvent } from '../core/types';
import { spawnLines, type LineStream, type StreamExit } from '../process/run-command';
import { createBatchDelivery } from './batch-delivery';
import { journalEntryToLine, type JournalLine } from './journal-entry';
import type { JournalSourceOptions, Source, SourceStatus } from './source';

/** The journalctl arguments after the program: where to begin, then the matches. */
export function journalArgs(matches: string[], after: { cursor?: string; sinceEpochSec?: number }): string[] {
  const args = ['--follow', '--output=json', '--all', '--no-pager'];
  // --follow alone shows the last 10 entries; --no-tail makes --after-cursor show all of the rest.
  if (after.cursor) args.push('--no-tail', `--after-cursor=${after.cursor}`);
  else if (after.sinceEpochSec !== undefined) args.push('--no-tail', `--since=@${after.sinceEpochSec}`);
  else args.push('--lines=0');
  return [...args, ...matches];
}

export function createJournalSource(options: JournalSourceOptions): Source {
  const { id } = options;
  const key = `${id}:journal`;
  const prefix = options.journalctl ?? ['journalctl'];
  const maxLineBytes = options.maxLineBytes ?? 16384;
  const maxBatchLines = options.maxBatchLines ?? 5000;
  const restartDelayMs = options.restartDelayMs ?? 1000;
  const log = options.log ?? (() => undefined);

  let running = false;
  let child: LineStream | null = null;
  let exited: Promise<void> = Promise.resolve();
  let restartTimer: NodeJS.Timeout | null = null;
  /** Cursor of the last entry received (queued or delivered): journalctl restarts after it. */
  let resumeCursor: string | undefined;
  let startedAtSec = 0;
  let queue: JournalLine[] = [];
  let pumping: Promise<void> | null = null;
  let lastReadAt: number | undefined;
  let lastError: string | undefined;
  const delivery = createBatchDelivery({ source: id, onBatch: options.onBatch, isRunning: () => running, log, ...options.retry });

  const onLine = (line: string): void => {
    if (!running || line.trim() === '') return;
    const entry = journalEntryToLine(line, maxLineBytes);
    if (!entry) {
      log('warn', 'journalctl printed something that is not a journal entry', { source: id, line: line.slice(0, 200) });
      return;
    }
    resumeCursor = entry.cursor;
    queue.push(entry);
    if (!pumping) pumping = pump().finally(() => (pumping = null));
  };

  async function pump(): Promise<void> {
    while (running && queue.length > 0) {
      const batch = queue.slice(0, maxBatchLines);
      const events: LineEvent[] = batch.map((e) => ({ source: id, line: 0, text: e.text, time: e.time }));
      lastReadAt = Date.now();
      // a batch the consumer rejects stays at the head of the queue until it is taken
      if (!(await delivery.deliver({ source: id, events, cursor: { key, value: batch[batch.length - 1].cursor } }))) return;
      queue = queue.slice(batch.length);
    }
  }

  /** A restart before any entry arrived has no cursor: it goes back to when the source started. */
  function spawnReader(restart: boolean): void {
    const from = resumeCursor ? { cursor: resumeCursor } : restart ? { sinceEpochSec: startedAtSec } : {};
    const argv = [...prefix, ...journalArgs(options.matches, from)];
    let done: () => void = () => undefined;
    exited = new Promise<void>((resolve) => (done = resolve));
    child = spawnLines(argv, onLine, (exit: StreamExit) => {
      child = null;
      done();
      if (!running) return;
      const why = exit.stderr.trim().split('\n').pop() ?? '';
      lastError = `journalctl exited (${exit.code ?? exit.signal ?? 'not started'}): ${why}`;
      log('warn', 'journalctl exited; starting it again', { source: id, code: exit.code, signal: exit.signal, stderr: why });
      restartTimer = setTimeout(() => {
        restartTimer = null;
        if (running) spawnReader(true);
      }, restartDelayMs);
    });
  }

  return {
    id,
    async start() {
      if (running) return;
      running = true;
      resumeCursor = options.getCursor(key);
      startedAtSec = Math.floor(Date.now() / 1000);
      spawnReader(false);
    },
    async stop() {
      running = false;
      delivery.wake();
      if (restartTimer) clearTimeout(restartTimer);
      restartTimer = null;
      child?.kill('SIGTERM');
      await exited;
      await pumping;
      queue = [];
    },
    status(): SourceStatus {
      return {
        id,
        kind: 'journal',
        files: [],
        ...(lastReadAt !== undefined ? { lastReadAt } : {}),
        ...(lastError !== undefined ? { error: lastError } : {}),
        ...(delivery.held() ? { held: delivery.held() } : {}),
      };
    },
  };
}
