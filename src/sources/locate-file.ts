/**
 * Finds the file a cursor was taken from after it may have moved: renamed by logrotate
 * (`mail.log` -> `mail.log.1`) or copied away before a copytruncate.
 */
import path from 'node:path';
import { open, readdir, stat } from 'node:fs/promises';
import type { FileCursor } from '../core/types';
import { hashFirstLine } from './first-line-hash';

export interface Located {
  path: string;
  /** 'inode': the very file (same dev+ino and first line); 'copy': another inode with the same first line. */
  kind: 'inode' | 'copy';
}

async function firstLineHashOf(p: string): Promise<string | null> {
  try {
    const handle = await open(p, 'r');
    try {
      return await hashFirstLine(handle);
    } finally {
      await handle.close();
    }
  } catch {
    return null;
  }
}

async function candidatesIn(first: string, dirs: string[]): Promise<string[]> {
  const seen = new Set<string>([first]);
  for (const dir of dirs) {
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names.sort()) seen.add(path.join(dir, name));
  }
  return [...seen];
}

/**
 * Looks at `cursor.path` first, then at every file in `dirs`: the same inode with the same first
 * line (a recycled inode has another first line), else, when `copies` is set, any other file at
 * least `cursor.offset` long with the same first line (the copy logrotate's copytruncate made).
 */
export async function locateFile(
  cursor: FileCursor,
  dirs: string[],
  options: { copies: boolean; excludeIno?: number },
): Promise<Located | null> {
  const candidates = await candidatesIn(cursor.path, dirs);
  const sized: Array<{ p: string; ino: number }> = [];
  for (const p of candidates) {
    const st = await stat(p).catch(() => null);
    if (!st || !st.isFile() || st.size < cursor.offset) continue;
    if (st.dev === cursor.dev && st.ino === cursor.ino) {
      if (cursor.firstLineHash === '' || (await firstLineHashOf(p)) === cursor.firstLineHash) {
        return { path: p, kind: 'inode' };
      }
      continue;
    }
    sized.push({ p, ino: st.ino });
  }
  if (!options.copies || cursor.firstLineHash === '' || cursor.offset === 0) return null;
  for (const { p, ino } of sized) {
    if (ino === options.excludeIno) continue;
    if ((await firstLineHashOf(p)) === cursor.firstLineHash) return { path: p, kind: 'copy' };
  }
  return null;
}
