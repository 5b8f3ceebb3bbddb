/**
 * Follows log files: appends, rename and copytruncate rotation, deleted files, globs that gain
 * files (IceWarp starts `s20150213.log`, then `s20150213-01.log`, then `s20150214.log`).
 *
 * One pump per source does all reading, so batches leave in order and one at a time; file-system
 * events only mark paths dirty, and events arriving while a read runs coalesce into one more check.
 */
import path from 'node:path';
import { stat } from 'node:fs/promises';
import type { FSWatcher } from 'chokidar';
import { MailjailError } from '../core/errors';
import type { FileCursor } from '../core/types';
import type { FileSourceOptions, Source, SourceStatus } from './source';
import { compilePatterns } from './path-patterns';
import { locateFile } from './locate-file';
import { resumeFiles } from './resume-files';
import { TailedFile, type Deliver, type ReadLimits } from './tailed-file';
import { watchRoots } from './watch-roots';

const CHUNK_BYTES = 1 << 20;

/** Thrown through a read when the source stops, so no batch is delivered after stop() resolves. */
class Stopped extends Error {}

export function createFileSource(options: FileSourceOptions): Source {
  const { id } = options;
  const patterns = compilePatterns(options.patterns);
  const maxLineBytes = options.maxLineBytes ?? 16384;
  const limits: ReadLimits = {
    sourceId: id,
    buf: Buffer.allocUnsafe(Math.max(CHUNK_BYTES, maxLineBytes * 2)),
    maxLineBytes,
    maxBatchLines: options.maxBatchLines ?? 500,
    gate: options.gate,
    gateMinBytes: options.gateMinBytes ?? 256 * 1024,
  };
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const rotateGraceMs = options.rotateGraceMs ?? 5000;
  const log = options.log ?? (() => undefined);
  const keyOf = (p: string): string => `${id}:${p}`;

  /** 'starting': events are collected but not read until the start positions are known. */
  let state: 'stopped' | 'starting' | 'running' = 'stopped';
  const isRunning = (): boolean => state === 'running';
  let active = new Map<string, TailedFile>();
  let predecessors = new Map<string, TailedFile>();
  let retired: TailedFile[] = [];
  /**
   * `dev:ino` -> first-line hash of rotated-away files: under a new name a glob also matches
   * (`mail.log*`), they are not new files. The hash tells a recycled inode from them.
   */
  let consumed = new Map<string, string>();
  /** Rotated names already saved as read (path -> `dev:ino`). */
  const aliasSaved = new Map<string, string>();
  const dirty = new Set<string>();
  let recheckAll = false;
  let pumping: Promise<void> | null = null;
  let watcher: FSWatcher | null = null;
  let timer: NodeJS.Timeout | null = null;
  let lastReadAt: number | undefined;
  let lastError: string | undefined;

  const deliver: Deliver = async (events, cursor, lines) => {
    if (!isRunning()) throw new Stopped();
    lastReadAt = Date.now();
    try {
      await options.onBatch({ source: id, events, lines, ...(cursor ? { cursor } : {}) });
    } catch (e) {
      log('error', 'batch consumer failed', { source: id, error: String(e) });
    }
  };

  const notify = (p: string): void => {
    if (state === 'stopped') return;
    if (!active.has(p) && !patterns.isMatch(p) && retired.length === 0) return;
    dirty.add(p);
    kick();
  };

  const kick = (): void => {
    if (pumping || !isRunning()) return;
    pumping = pump().finally(() => {
      pumping = null;
      if (dirty.size > 0 || recheckAll) kick();
    });
  };

  async function pump(): Promise<void> {
    while (isRunning() && (dirty.size > 0 || recheckAll)) {
      if (recheckAll) {
        recheckAll = false;
        for (const p of [...active.keys(), ...(await patterns.list())]) dirty.add(p);
        await guard('(rotated files)', checkRetired);
      }
      const next = dirty.values().next();
      if (next.done) continue;
      dirty.delete(next.value);
      await guard(next.value, () => checkPath(next.value));
    }
  }

  async function guard(p: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (e) {
      if (e instanceof Stopped) return;
      lastError = `${p}: ${(e as Error).message}`;
      log('warn', 'reading a log file failed', { source: id, path: p, error: String(e) });
    }
  }

  /** Brings one path up to date: predecessor first, then rotation, truncation, new lines. */
  async function checkPath(p: string): Promise<void> {
    const predecessor = predecessors.get(p);
    if (predecessor) {
      await predecessor.readToEnd(limits, deliver);
      predecessors.delete(p);
      await predecessor.close();
    }
    let file: TailedFile | null | undefined = active.get(p);
    if (!file) {
      // An event on a name not followed (any more) may be a rotated or deleted file still written to.
      await checkRetired();
      if (!patterns.isMatch(p)) return;
      file = await openNew(p);
      if (!file) return;
    } else {
      const st = await stat(p).catch(() => null);
      if (!st || st.dev !== file.dev || st.ino !== file.ino) {
        // Rename rotation or deletion: the old inode is read to its end before its successor.
        await file.readToEnd(limits, deliver);
        active.delete(p);
        await retire(file);
        log('info', st ? 'file rotated' : 'file removed', { source: id, path: p });
        if (!st) return;
        file = await openNew(p);
        if (!file) return;
      } else if ((await file.stat()).size < file.offset) {
        await readTruncatedCopy(p, file);
        file.rewind();
      }
    }
    await file.readToEnd(limits, deliver);
  }

  /** A file that appeared while running: read from its first byte. */
  async function openNew(p: string): Promise<TailedFile | null> {
    const file = await TailedFile.open(keyOf(p), p);
    if (!file) return null;
    const identity = `${file.dev}:${file.ino}`;
    const known = [...active.values(), ...retired, ...predecessors.values()].some(
      (f) => f.dev === file.dev && f.ino === file.ino,
    );
    const hash = consumed.get(identity);
    const isRotatedName = known || (hash !== undefined && hash !== '' && hash === (await file.hashFirstLine()));
    if (isRotatedName) {
      // Already read under its old name (`mail.log*` matches `mail.log.1` too). Saved as read, so
      // that a restart does not take it for a new file.
      if (aliasSaved.get(p) !== identity) {
        aliasSaved.set(p, identity);
        const value: FileCursor = {
          dev: file.dev,
          ino: file.ino,
          // unless `known`, `hash` was just found equal to the file's own
          firstLineHash: known || hash === undefined ? await file.hashFirstLine() : hash,
          offset: file.size,
          line: 0,
          path: p,
        };
        await deliver([], { key: keyOf(p), value }, 0);
      }
      await file.close();
      return null;
    }
    file.rewind();
    for (const old of retired) if (old.key === file.key) old.ownsKey = false;
    active.set(p, file);
    log('info', 'following file', { source: id, path: p });
    return file;
  }

  async function retire(file: TailedFile): Promise<void> {
    retired.push(file);
    const hash = file.firstLineHash !== '' ? file.firstLineHash : await file.hashFirstLine().catch(() => '');
    consumed.set(`${file.dev}:${file.ino}`, hash);
  }

  /**
   * copytruncate: logrotate copied the file, then truncated it. Lines we had not read yet are in
   * the copy; those written between the copy and the truncation are lost (inherent to copytruncate).
   */
  async function readTruncatedCopy(p: string, file: TailedFile): Promise<void> {
    log('info', 'file truncated', { source: id, path: p });
    const cursor = await file.cursor();
    const copy = await locateFile(cursor, [path.dirname(p)], { copies: true, excludeIno: file.ino });
    if (copy?.kind !== 'copy') return;
    const rest = await TailedFile.open(file.key, p, copy.path);
    if (!rest) return;
    try {
      await rest.resume(cursor);
      rest.ownsKey = false; // the truncated file keeps the key; it is rewound right after
      await rest.readToEnd(limits, deliver);
      file.line = rest.line;
    } finally {
      await rest.close();
    }
  }

  /** Rotated-away and deleted files: the writer may still append until it reopens. */
  async function checkRetired(): Promise<void> {
    for (const file of [...retired]) {
      const { size } = await file.stat();
      if (size > file.offset) await file.readToEnd(limits, deliver);
      if (Date.now() - file.lastGrowthAt > rotateGraceMs) {
        retired = retired.filter((f) => f !== file);
        await file.close();
      }
    }
  }

  return {
    id,
    async start() {
      if (state !== 'stopped') return;
      state = 'starting';
      watcher = await watchRoots(patterns, notify, (e) => {
        lastError = String(e);
        log('warn', 'file watcher error', { source: id, error: String(e) });
      });
      let plan;
      try {
        const paths = [...new Set([...(await patterns.list()), ...patterns.plainPaths])];
        plan = await resumeFiles({
          paths,
          keyOf,
          getCursor: options.getCursor,
          startAt: options.startAt ?? 'end',
          limits,
          log: (level, msg, ctx) => log(level, msg, { source: id, ...ctx }),
        });
      } catch (e) {
        state = 'stopped';
        await watcher.close();
        watcher = null;
        throw new MailjailError('INPUT', `source ${id}: ${(e as Error).message}`);
      }
      active = plan.active;
      predecessors = plan.predecessors;
      consumed = plan.consumed;
      for (const p of [...active.keys(), ...predecessors.keys()]) dirty.add(p);
      state = 'running';
      timer = setInterval(() => {
        recheckAll = true;
        kick();
      }, pollIntervalMs);
      kick();
    },
    async stop() {
      state = 'stopped';
      if (timer) clearInterval(timer);
      timer = null;
      await watcher?.close();
      watcher = null;
      await pumping;
      const files = [...active.values(), ...predecessors.values(), ...retired];
      active = new Map();
      predecessors = new Map();
      retired = [];
      dirty.clear();
      await Promise.all(files.map((f) => f.close()));
    },
    status(): SourceStatus {
      return {
        id,
        kind: 'file',
        files: [...active.values()].map((f) => ({ path: f.path, offset: f.offset, line: f.line, size: f.size })),
        ...(lastReadAt !== undefined ? { lastReadAt } : {}),
        ...(lastError !== undefined ? { error: lastError } : {}),
      };
    },
  };
}
