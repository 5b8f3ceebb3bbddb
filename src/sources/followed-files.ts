/**
 * The files one file source follows, and bringing one path up to date: new lines, rotation (by
 * rename or copytruncate, however many generations passed unseen), deletion, files a glob gains.
 * The decisions are rotation-plan.ts's; this file opens, reads and closes.
 */
import path from 'node:path';
import { stat } from 'node:fs/promises';
import type { FileCursor } from '../core/types';
import { factsOf, rotatedSiblings } from './file-facts';
import type { FilePatterns } from './path-patterns';
import { judgeFollowed, planRotation, type FileFacts } from './rotation-plan';
import type { SourceLog } from './source';
import type { Deliver, ReadLimits } from './read-limits';
import { TailedFile } from './tailed-file';

export interface FollowContext {
  limits: ReadLimits;
  deliver: Deliver;
  patterns: FilePatterns;
  keyOf(p: string): string;
  /** How long a rotated-away or deleted file stays open after it last grew. */
  rotateGraceMs: number;
  log: SourceLog;
}

export class FollowedFiles {
  /** Files followed under their path. */
  readonly active = new Map<string, TailedFile>();
  /** Per path: rotated files still to finish, oldest first, before the file at the path. */
  readonly pending = new Map<string, TailedFile[]>();
  /** Rotated-away and deleted files: the writer may still append until it reopens. */
  retired: TailedFile[] = [];
  /**
   * `dev:ino` -> first-line hash of files already read under another name: a glob also matches
   * their rotated names (`mail.log*`), they are not new files. The hash tells a recycled inode.
   */
  readonly consumed = new Map<string, string>();
  /** Rotated names already saved as read (path -> `dev:ino`). */
  private readonly aliasSaved = new Map<string, string>();

  constructor(readonly ctx: FollowContext) {}

  /** Might an event on `p` concern a followed file? */
  concerns = (p: string): boolean => this.active.has(p) || this.ctx.patterns.isMatch(p) || this.retired.length > 0;

  /** Brings one path up to date: files rotated away first, then new lines of the path's file. */
  async checkPath(p: string): Promise<void> {
    await this.finishPending(p);
    const file = this.active.get(p);
    if (!file) {
      // An event on a name not followed (any more) may be a rotated or deleted file still written to.
      await this.checkRetired();
      if (!this.ctx.patterns.isMatch(p)) return;
      const opened = await this.openNew(p);
      if (opened) await this.read(opened);
      return;
    }
    if ((await this.judge(p, file)) === 'same') await this.read(file);
    else await this.rotate(p, file);
  }

  /** The cheap look on every check: the path's inode, the size, the first line through the open descriptor. */
  private async judge(p: string, file: TailedFile): Promise<string> {
    const st = await stat(p).catch(() => null);
    if (!st || st.dev !== file.dev || st.ino !== file.ino) return 'moved';
    const { size } = await file.stat();
    const firstLineHash = file.firstLineHash !== '' ? await file.hashFirstLine() : '';
    return judgeFollowed(file, { path: p, dev: st.dev, ino: st.ino, size, mtimeMs: st.mtimeMs, firstLineHash });
  }

  /** The path holds other content: finish the old one and every generation nobody read, then the new file. */
  private async rotate(p: string, file: TailedFile): Promise<void> {
    const plan = planRotation({
      base: path.basename(p),
      old: await file.cursor(),
      isOpen: true,
      current: await factsOf(p),
      siblings: await rotatedSiblings(p),
      isKnown: (f) => this.isKnown(f),
    });
    if (plan.kind === 'same') {
      await this.read(file); // it settled between the two looks
      return;
    }
    const { how, finish, generations } = plan;
    this.ctx.log('info', `file ${how}`, { path: p, ...(generations.length > 0 ? { unreadGenerations: generations.map((g) => g.path) } : {}) });
    const chain: TailedFile[] = [];
    if (how !== 'truncated') {
      this.active.delete(p);
      chain.push(file);
    } else if (finish?.from === 'copy') {
      // copytruncate: the unread end is in the copy; lines written between the copy and the
      // truncation are in neither file (inherent to copytruncate).
      const copy = await TailedFile.open(file.key, p, finish.path);
      if (copy) {
        copy.isCopy = true;
        await copy.resume(await file.cursor());
        chain.push(copy);
      }
    }
    chain.push(...(await openAll(file.key, p, generations)));
    this.pending.set(p, chain);
    await this.finishPending(p);
    if (how === 'truncated') {
      file.rewind();
      this.takeKey(file);
      await this.read(file);
    } else if (how === 'renamed') {
      const next = await this.openNew(p);
      if (next) await this.read(next);
    }
  }

  /** Reads the rotated files of a path in order; each carries the path's cursor while it is read. */
  private async finishPending(p: string): Promise<void> {
    const chain = this.pending.get(p);
    if (!chain) return;
    while (chain.length > 0) {
      const file = chain[0];
      this.takeKey(file);
      await this.read(file);
      chain.shift();
      await this.retire(file);
    }
    this.pending.delete(p);
    const next = this.active.get(p);
    if (next) this.takeKey(next);
  }

  /** A file that appeared while running: read from its first byte, unless it is a rotated name of one already read. */
  async openNew(p: string): Promise<TailedFile | null> {
    const file = await TailedFile.open(this.ctx.keyOf(p), p);
    if (!file) return null;
    const facts = await file.facts();
    if (this.isKnown(facts)) {
      // Already read under its old name (`mail.log*` matches `mail.log.1` too). Saved as read, so
      // that a restart does not take it for a new file.
      const identity = `${file.dev}:${file.ino}`;
      if (this.aliasSaved.get(p) !== identity) {
        this.aliasSaved.set(p, identity);
        const value: FileCursor = { dev: file.dev, ino: file.ino, firstLineHash: facts.firstLineHash, offset: file.size, line: 0, path: p, mtimeMs: file.mtimeMs };
        await this.ctx.deliver({ cursor: { key: file.key, value } });
      }
      await file.close();
      return null;
    }
    file.rewind();
    this.takeKey(file);
    this.active.set(p, file);
    this.ctx.log('info', 'following file', { path: p });
    return file;
  }

  /** Rotated-away and deleted files: read what the writer still appends, close them after the grace period. */
  async checkRetired(): Promise<void> {
    for (const file of [...this.retired]) {
      const { size } = await file.stat();
      if (size > file.offset) await this.read(file);
      if (Date.now() - file.lastGrowthAt > this.ctx.rotateGraceMs) {
        this.retired = this.retired.filter((f) => f !== file);
        await file.close();
      }
    }
  }

  /** Every open file, emptied out (the source stops). */
  takeAll(): TailedFile[] {
    const files = [...this.active.values(), ...[...this.pending.values()].flat(), ...this.retired];
    this.active.clear();
    this.pending.clear();
    this.retired = [];
    return files;
  }

  private read = (file: TailedFile): Promise<void> => file.readToEnd(this.ctx.limits, this.ctx.deliver);

  /**
   * A file read to its end under a rotated name. A writer may still append to it (until it
   * reopens), so it stays open for a while; not a copytruncate copy: nobody writes to a copy,
   * and logrotate overwrites the same copy in place on the next rotation.
   */
  private async retire(file: TailedFile): Promise<void> {
    const hash = file.firstLineHash !== '' ? file.firstLineHash : await file.hashFirstLine().catch(() => '');
    this.consumed.set(`${file.dev}:${file.ino}`, hash);
    if (file.isCopy) await file.close();
    else this.retired.push(file);
  }

  /** `file` carries its key's cursor from now on; rotated files of the same key write without one. */
  private takeKey(file: TailedFile): void {
    for (const f of [...this.active.values(), ...this.retired, ...[...this.pending.values()].flat()]) if (f.key === file.key) f.ownsKey = false;
    file.ownsKey = true;
  }

  /** Read already, or being followed under some key. */
  private isKnown(f: FileFacts): boolean {
    const open = [...this.active.values(), ...this.retired, ...[...this.pending.values()].flat()];
    if (open.some((t) => t.dev === f.dev && t.ino === f.ino)) return true;
    const hash = this.consumed.get(`${f.dev}:${f.ino}`);
    return hash !== undefined && hash !== '' && hash === f.firstLineHash;
  }
}

/** Opens rotated generations to read from their first byte (one gone meanwhile is skipped). */
export async function openAll(key: string, p: string, generations: FileFacts[]): Promise<TailedFile[]> {
  const files: TailedFile[] = [];
  for (const g of generations) {
    const f = await TailedFile.open(key, p, g.path);
    if (!f) continue;
    if (f.dev !== g.dev || f.ino !== g.ino) {
      await f.close();
      continue;
    }
    f.rewind();
    files.push(f);
  }
  return files;
}
