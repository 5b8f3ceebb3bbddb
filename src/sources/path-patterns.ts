/**
 * The files a source follows: absolute paths and picomatch globs. chokidar 4 has no globs, so the
 * directory a pattern starts in is watched and names are filtered here.
 */
import path from 'node:path';
import { readdir } from 'node:fs/promises';
import picomatch from 'picomatch';
import { MailjailError } from '../core/errors';

interface Root {
  dir: string;
  /** How many directory levels below `dir` a match can be (0: directly in it; Infinity: `**`). */
  depth: number;
}

export interface FilePatterns {
  /** Directories to watch. */
  roots: string[];
  /** The deepest level below a root to watch (undefined: unlimited). */
  watchDepth: number | undefined;
  /** Patterns without glob characters: their cursors are checked even if the file is missing. */
  plainPaths: string[];
  isMatch(p: string): boolean;
  /** chokidar's `ignored`: true for paths that can neither match nor contain a match. */
  isIgnored(p: string, stats?: { isDirectory(): boolean }): boolean;
  /** Every file that matches now, sorted by path (daily files in date order). */
  list(): Promise<string[]>;
}

export function compilePatterns(patterns: string[]): FilePatterns {
  const problems: string[] = [];
  const roots: Root[] = [];
  const plainPaths: string[] = [];
  const globs: Array<(p: string) => boolean> = [];
  for (const pattern of patterns) {
    if (!path.isAbsolute(pattern)) {
      problems.push(`${pattern}: a file source pattern must be an absolute path`);
      continue;
    }
    const scan = picomatch.scan(pattern);
    if (!scan.isGlob) {
      const plain = path.normalize(pattern);
      plainPaths.push(plain);
      roots.push({ dir: path.dirname(plain), depth: 0 });
      continue;
    }
    globs.push(picomatch(pattern));
    const depth = scan.isGlobstar || scan.glob.includes('**') ? Infinity : scan.glob.split('/').length - 1;
    roots.push({ dir: scan.base === '' ? '/' : path.normalize(scan.base), depth });
  }
  if (problems.length > 0) throw new MailjailError('CONFIG', 'invalid file source patterns', problems);

  const plainSet = new Set(plainPaths);
  const isMatch = (p: string): boolean => plainSet.has(p) || globs.some((m) => m(p));
  const levelBelow = (root: string, p: string): number => {
    if (p === root) return 0;
    const prefix = root.endsWith('/') ? root : `${root}/`;
    return p.startsWith(prefix) ? p.slice(prefix.length).split('/').length : -1;
  };
  const isIgnored = (p: string, stats?: { isDirectory(): boolean }): boolean => {
    if (isMatch(p)) return false;
    for (const root of roots) {
      const level = levelBelow(root.dir, p);
      if (level === 0) return false;
      if (level > 0 && level <= root.depth && (stats === undefined || stats.isDirectory())) return false;
    }
    return true;
  };
  const list = async (): Promise<string[]> => {
    const found = new Set<string>();
    const walk = async (dir: string, depth: number): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch {
        return; // a directory that does not exist (yet) holds no matches
      }
      for (const e of entries) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) {
          if (depth > 0) await walk(p, depth - 1);
        } else if (isMatch(p)) {
          found.add(p);
        }
      }
    };
    for (const root of roots) await walk(root.dir, root.depth);
    return [...found].sort();
  };
  const maxDepth = Math.max(0, ...roots.map((r) => r.depth));
  return {
    roots: [...new Set(roots.map((r) => r.dir))],
    watchDepth: Number.isFinite(maxDepth) ? maxDepth : undefined,
    plainPaths,
    isMatch,
    isIgnored,
    list,
  };
}
