/**
 * Gathers the facts rotation-plan.ts decides on: a file's identity and size, and the rotated
 * generations beside a followed path (`mail.log.1`, `mail.log-20261203`, ...).
 */
import path from 'node:path';
import { open, readdir } from 'node:fs/promises';
import { hashFirstLine } from './first-line-hash';
import { isRotatedName, type FileFacts } from './rotation-plan';

/** The facts of the regular file at `p`, or null when there is none (or it cannot be read). */
export async function factsOf(p: string): Promise<FileFacts | null> {
  let handle;
  try {
    handle = await open(p, 'r');
  } catch {
    return null;
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) return null;
    return { path: p, dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, firstLineHash: await hashFirstLine(handle) };
  } catch {
    return null;
  } finally {
    await handle.close();
  }
}

/**
 * Rotated generations of `followed` in its directory, plus the files named in `also` (where a
 * saved cursor last saw its file) and rotated names in their directories (logrotate's `olddir`).
 */
export async function rotatedSiblings(followed: string, also: string[] = []): Promise<FileFacts[]> {
  const base = path.basename(followed);
  const paths = new Set<string>(also.filter((p) => p !== followed));
  for (const dir of new Set([path.dirname(followed), ...also.map((p) => path.dirname(p))])) {
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names) if (isRotatedName(base, name)) paths.add(path.join(dir, name));
  }
  const facts: FileFacts[] = [];
  for (const p of paths) {
    const f = await factsOf(p);
    if (f) facts.push(f);
  }
  return facts;
}
