/**
 * Where each file starts reading when a source starts: from its saved cursor, from a rotated
 * predecessor the daemon missed while it was down, or (first start) at the end or the beginning.
 */
import path from 'node:path';
import type { FileCursor } from '../core/types';
import { locateFile } from './locate-file';
import type { SourceLog } from './source';
import { TailedFile, type ReadLimits } from './tailed-file';

export interface ResumePlan {
  /** Files followed under their path, positioned. */
  active: Map<string, TailedFile>;
  /** Rotated (or copied) files to read to their end before the successor under the same path. */
  predecessors: Map<string, TailedFile>;
  /** `dev:ino` -> first-line hash of files read under another name (a rotated name a glob matches). */
  consumed: Map<string, string>;
}

export interface ResumeInput {
  /** Files matching now, plus plain paths whose file may be missing (rotated, not yet recreated). */
  paths: string[];
  keyOf(p: string): string;
  getCursor(key: string): FileCursor | undefined;
  startAt: 'end' | 'beginning';
  limits: ReadLimits;
  log: SourceLog;
}

export async function resumeFiles(input: ResumeInput): Promise<ResumePlan> {
  const { paths, keyOf, limits, log } = input;
  const plan: ResumePlan = { active: new Map(), predecessors: new Map(), consumed: new Map() };
  const cursors = new Map<string, FileCursor>();
  for (const p of paths) {
    const c = input.getCursor(keyOf(p));
    if (c) cursors.set(p, c);
  }
  // No cursor at all: the source never ran. Once it has run, every file it saw has a cursor
  // (files opened at their end get one too), so a file without one appeared while we were down.
  const firstStart = cursors.size === 0;
  /** Is `file` the one another key's cursor follows? (`mail.log.1` when `mail.log*` is followed.) */
  const followedElsewhere = async (p: string, file: TailedFile): Promise<string | null> => {
    for (const [q, c] of cursors) {
      if (q === p || c.dev !== file.dev || c.ino !== file.ino || c.firstLineHash === '') continue;
      if (c.firstLineHash === (await file.hashFirstLine())) return c.firstLineHash;
    }
    return null;
  };
  for (const p of paths) {
    const key = keyOf(p);
    const cursor = cursors.get(p);
    const current = await TailedFile.open(key, p);
    if (cursor) {
      const dirs = [...new Set([path.dirname(cursor.path), path.dirname(p)])];
      const found = await locateFile(cursor, dirs, { copies: true });
      if (found?.kind === 'inode' && current && current.dev === cursor.dev && current.ino === cursor.ino) {
        await current.resume(cursor);
        plan.active.set(p, current);
        continue;
      }
      if (found) {
        const old = await TailedFile.open(key, p, found.path);
        if (old) {
          await old.resume(cursor);
          plan.predecessors.set(p, old);
          log('info', 'finishing a file rotated while stopped', { path: p, rotatedTo: found.path, how: found.kind });
        }
      } else {
        log('info', 'saved position not found (file replaced); reading from the start', { path: p });
      }
    }
    if (!current) continue;
    const hash = await followedElsewhere(p, current);
    if (hash !== null) {
      plan.consumed.set(`${current.dev}:${current.ino}`, hash);
      await current.close();
      continue;
    }
    if (!cursor && firstStart && input.startAt === 'end') await current.seekEnd(limits);
    else current.rewind();
    plan.active.set(p, current);
  }
  return plan;
}
