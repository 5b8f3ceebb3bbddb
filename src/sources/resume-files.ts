/**
 * Where each file starts reading when a source starts: from its saved cursor; from the rotated
 * files the daemon missed while it was down (the one the cursor names, then every newer
 * generation, oldest first); or, on a first start, at the end or the beginning.
 */
import path from 'node:path';
import type { FileCursor } from '../core/types';
import { factsOf, rotatedSiblings } from './file-facts';
import { FollowedFiles, openAll } from './followed-files';
import { isRotatedName, planRotation, type FileFacts } from './rotation-plan';
import { TailedFile } from './tailed-file';

export interface ResumeInput {
  /** Files matching now, plus plain paths whose file may be missing (rotated, not yet recreated). */
  paths: string[];
  getCursor(key: string): FileCursor | undefined;
  startAt: 'end' | 'beginning';
}

/** Fills `files` (empty) with every path's starting point. */
export async function resumeFiles(files: FollowedFiles, input: ResumeInput, keyOf: (p: string) => string): Promise<void> {
  const cursors = new Map<string, FileCursor>();
  for (const p of input.paths) {
    const c = input.getCursor(keyOf(p));
    if (c) cursors.set(p, c);
  }
  // No cursor at all: the source never ran. Once it has run, every file it saw has a cursor
  // (files opened at their end get one when the source starts), so a file without one appeared
  // while we were down.
  const firstStart = cursors.size === 0;
  /** Files another key's cursor follows, or a rotated file already claimed for a path: not new. */
  const claimed: FileFacts[] = [];
  const followedElsewhere = (p: string, f: FileFacts): boolean =>
    claimed.some((c) => c.dev === f.dev && c.ino === f.ino) ||
    [...cursors].some(([q, c]) => q !== p && c.dev === f.dev && c.ino === f.ino && c.firstLineHash !== '' && c.firstLineHash === f.firstLineHash);
  for (const [p, cursor] of cursors) {
    const current = await factsOf(p);
    const plan = planRotation({
      base: path.basename(p),
      old: cursor,
      isOpen: false,
      current,
      siblings: await rotatedSiblings(p, [cursor.path]),
      isKnown: (f) => followedElsewhere(p, f),
    });
    if (plan.kind === 'same') {
      const file = await TailedFile.open(keyOf(p), p);
      if (file) {
        await file.resume(cursor);
        files.active.set(p, file);
      }
      continue;
    }
    const chain: TailedFile[] = [];
    const { finish, generations } = plan;
    if (finish && finish.from !== 'open') {
      const old = await TailedFile.open(keyOf(p), p, finish.path);
      if (old) {
        old.isCopy = finish.from === 'copy';
        await old.resume(cursor);
        chain.push(old);
      }
    }
    chain.push(...(await openAll(keyOf(p), p, generations)));
    if (chain.length > 0) files.pending.set(p, chain);
    for (const f of chain) claimed.push({ path: f.location, dev: f.dev, ino: f.ino, size: 0, mtimeMs: 0, firstLineHash: '' });
    files.ctx.log('info', chain.length > 0 ? 'finishing files rotated while stopped' : 'saved position not found (file replaced); reading from the start', {
      path: p,
      how: plan.how,
      rotated: chain.map((f) => f.location),
    });
  }
  for (const p of input.paths) {
    if (files.active.has(p)) continue;
    const current = await TailedFile.open(keyOf(p), p);
    if (!current) continue;
    const facts = await current.facts();
    // A rotated name of a followed file (`mail.log*` matches `mail.log.2`) that no chain claimed
    // is older than where that file's cursor stands: read already.
    if (followedElsewhere(p, facts) || (!cursors.has(p) && isOlderGeneration(p, cursors))) {
      files.consumed.set(`${current.dev}:${current.ino}`, facts.firstLineHash);
      await current.close();
      continue;
    }
    if (!cursors.has(p) && firstStart && input.startAt === 'end') await current.seekEnd(files.ctx.limits);
    else current.rewind();
    files.active.set(p, current);
  }
}

function isOlderGeneration(p: string, cursors: Map<string, FileCursor>): boolean {
  return [...cursors.keys()].some((q) => path.dirname(q) === path.dirname(p) && isRotatedName(path.basename(q), path.basename(p)));
}
