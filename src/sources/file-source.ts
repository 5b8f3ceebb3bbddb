/**
 * Follows log files: appends, rename and copytruncate rotation, deleted files, globs that gain
 * files (IceWarp starts `s20150213.log`, then `s20150213-01.log`, then `s20150214.log`).
 *
 * One pump per source does all reading, so batches leave in order and one at a time; file-system
 * events only mark paths dirty, and events arriving while a read runs coalesce into one more check.
 * What a path needs is followed-files.ts's business; what a rotation means, rotation-plan.ts's.
 */
import type { FSWatcher } from 'chokidar';
import { MailjailError } from '../core/errors';
import { createBatchDelivery, type BatchDelivery } from './batch-delivery';
import { FollowedFiles } from './followed-files';
import { compilePatterns, type FilePatterns } from './path-patterns';
import { resumeFiles } from './resume-files';
import type { FileSourceOptions, Source, SourceLog, SourceStatus } from './source';
import type { Deliver } from './read-limits';
import { watchRoots } from './watch-roots';

const CHUNK_BYTES = 1 << 20;

/** Thrown through a read when the source stops, so no batch is delivered after stop() resolves. */
class Stopped extends Error {}

export function createFileSource(options: FileSourceOptions): Source {
  return new FileSource(options);
}

class FileSource implements Source {
  readonly id: string;
  private readonly patterns: FilePatterns;
  private readonly log: SourceLog;
  private readonly delivery: BatchDelivery;
  /** 'starting': events are collected but not read until the start positions are known. */
  private state: 'stopped' | 'starting' | 'running' = 'stopped';
  private files: FollowedFiles;
  private readonly dirty = new Set<string>();
  private recheckAll = false;
  private pumping: Promise<void> | null = null;
  private watcher: FSWatcher | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastReadAt: number | undefined;
  private lastError: string | undefined;

  constructor(private readonly options: FileSourceOptions) {
    const { id } = options;
    this.id = id;
    this.patterns = compilePatterns(options.patterns);
    const log = options.log ?? (() => undefined);
    this.log = (level, msg, ctx) => log(level, msg, { source: id, ...ctx });
    this.delivery = createBatchDelivery({ source: id, onBatch: options.onBatch, isRunning: () => this.state !== 'stopped', log: this.log, ...options.retry });
    const maxLineBytes = options.maxLineBytes ?? 16384;
    const limits = { buf: Buffer.allocUnsafe(Math.max(CHUNK_BYTES, maxLineBytes * 2)), maxLineBytes };
    const deliver: Deliver = async (batch) => {
      this.lastReadAt = Date.now();
      if (!(await this.delivery.deliver({ source: id, events: [], ...batch }))) throw new Stopped();
    };
    const keyOf = (p: string): string => `${id}:${p}`;
    this.files = new FollowedFiles({ limits, deliver, patterns: this.patterns, keyOf, rotateGraceMs: options.rotateGraceMs ?? 5000, log: this.log });
  }

  async start(): Promise<void> {
    if (this.state !== 'stopped') return;
    this.state = 'starting';
    const watcher = await watchRoots(this.patterns, (p) => this.notify(p), (e) => {
      this.lastError = String(e);
      this.log('warn', 'file watcher error', { error: String(e) });
    });
    this.watcher = watcher;
    try {
      await this.open();
    } catch (e) {
      this.state = 'stopped';
      await this.closeAll();
      throw new MailjailError('INPUT', `source ${this.id}: ${(e as Error).message}`);
    }
    if (this.state !== 'starting') return void (await this.closeAll()); // stopped while starting
    for (const p of [...this.files.active.keys(), ...this.files.pending.keys()]) this.dirty.add(p);
    this.state = 'running';
    this.timer = setInterval(() => {
      this.recheckAll = true;
      this.kick();
    }, this.options.pollIntervalMs ?? 1000);
    this.kick();
  }

  async stop(): Promise<void> {
    this.state = 'stopped';
    this.delivery.wake();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.pumping;
    this.dirty.clear();
    await this.closeAll();
  }

  status(): SourceStatus {
    const held = this.delivery.held();
    return {
      id: this.id,
      kind: 'file',
      files: [...this.files.active.values()].map((f) => ({ path: f.path, offset: f.offset, line: f.line, size: f.size })),
      ...(this.lastReadAt !== undefined ? { lastReadAt: this.lastReadAt } : {}),
      ...(this.lastError !== undefined ? { error: this.lastError } : {}),
      ...(held ? { held } : {}),
    };
  }

  private async open(): Promise<void> {
    const paths = [...new Set([...(await this.patterns.list()), ...this.patterns.plainPaths])];
    await resumeFiles(this.files, { paths, getCursor: this.options.getCursor, startAt: this.options.startAt ?? 'end' }, this.files.ctx.keyOf);
    await this.saveStartPositions();
  }

  /**
   * Issue 17 point 4: a position taken at the end of a file is saved before start() resolves.
   * Saved with the first read instead, a restart before that read (or a stop: its batch was
   * dropped) was a first start again and skipped every line written after "ready".
   */
  private async saveStartPositions(): Promise<void> {
    for (const file of this.files.active.values()) {
      if (!file.unsaved || file.offset === 0) continue;
      const cursor = { key: file.key, value: await file.cursor() };
      if (!(await this.delivery.deliver({ source: this.id, events: [], cursor }))) return;
      file.unsaved = false;
    }
  }

  private async closeAll(): Promise<void> {
    await this.watcher?.close();
    this.watcher = null;
    const open = this.files.takeAll();
    this.files = new FollowedFiles(this.files.ctx);
    await Promise.all(open.map((f) => f.close()));
  }

  private notify(p: string): void {
    if (this.state === 'stopped' || !this.files.concerns(p)) return;
    this.dirty.add(p);
    this.kick();
  }

  private kick(): void {
    if (this.pumping || this.state !== 'running') return;
    this.pumping = this.pump().finally(() => {
      this.pumping = null;
      if (this.dirty.size > 0 || this.recheckAll) this.kick();
    });
  }

  private async pump(): Promise<void> {
    const { files, dirty } = this;
    while (this.state === 'running' && (dirty.size > 0 || this.recheckAll)) {
      if (this.recheckAll) {
        this.recheckAll = false;
        for (const p of [...files.active.keys(), ...files.pending.keys(), ...(await this.patterns.list())]) dirty.add(p);
        await this.guard('(rotated files)', () => files.checkRetired());
      }
      const next = dirty.values().next();
      if (next.done) continue;
      dirty.delete(next.value);
      await this.guard(next.value, () => files.checkPath(next.value));
    }
  }

  private async guard(p: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (e) {
      if (e instanceof Stopped) return;
      this.lastError = `${p}: ${(e as Error).message}`;
      this.log('warn', 'reading a log file failed', { path: p, error: String(e) });
    }
  }
}
