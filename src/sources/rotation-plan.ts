/**
 * What to read after a followed file changed under its path: the rotation decisions, pure (no
 * I/O, no clock), so each case is a unit test of facts in, plan out.
 *
 * Issue 17 point 3: rotations faster than the reader lost lines. Two rename rotations before the
 * file was reopened lost the middle file; a copytruncate whose new content grew past the old read
 * position went unnoticed (size alone was the test), so its unread tail was lost and half a line
 * read as garbage. Here a file is known by identity (device, inode, first-line hash), every
 * rotated generation among the file's siblings is found, and each is finished in order.
 */

/** What a stat and a first-line hash say about one file on disk. */
export interface FileFacts {
  path: string;
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
  /** '' while the first line is not complete (see first-line-hash.ts). */
  firstLineHash: string;
}

/** The file a path was followed as, and how far it was read. */
export interface Followed {
  dev: number;
  ino: number;
  firstLineHash: string;
  offset: number;
  /** Its modification time when last seen (orders it among the generations when it is gone). */
  mtimeMs?: number;
}

/** How the old content is finished: through the descriptor still open, or from a file found by identity. */
export type Finish = { from: 'open' } | { from: 'inode' | 'copy'; path: string } | null;

export type RotationPlan =
  /** Still the same file: read on from the position. */
  | { kind: 'same' }
  /**
   * The path holds other content (renamed, deleted, or truncated in place by copytruncate):
   * finish the old content from `offset`, then read each of `generations` (rotated files nobody
   * read, oldest first) from its first byte, then the path's file from its first byte.
   */
  | { kind: 'rotated'; how: 'renamed' | 'removed' | 'truncated'; finish: Finish; generations: FileFacts[] };

/** Compressed generations are left alone (reading them would need a decompressor per format). */
const COMPRESSED = /\.(gz|bz2|xz|zst|lz4|lzma|z|zip|Z)$/;

/**
 * Does `name` look like a rotated generation of `base`: `mail.log.1`, `mail.log-20261203`,
 * `mail.log.2026-12-03`, `mail.log_1`? Compressed ones do not count.
 */
export function isRotatedName(base: string, name: string): boolean {
  if (name.length <= base.length + 1 || !name.startsWith(base)) return false;
  const sep = name[base.length];
  return (sep === '.' || sep === '-' || sep === '_') && !COMPRESSED.test(name);
}

/** `mail.log.3` -> 3: logrotate's numbers count backwards in time. */
function numberOf(base: string, name: string): number | undefined {
  const m = /^[._-](\d{1,4})$/.exec(name.slice(base.length));
  return m ? Number(m[1]) : undefined;
}

/**
 * Oldest first. Modification time first (a generation stops growing before the next begins);
 * equal times (a coarse clock, fast rotations) fall back to the name: a higher number is older,
 * dated names sort as text.
 */
export function compareGenerations(base: string, a: { path: string; mtimeMs: number }, b: { path: string; mtimeMs: number }): number {
  if (a.mtimeMs !== b.mtimeMs) return a.mtimeMs - b.mtimeMs;
  const an = nameOf(a.path);
  const bn = nameOf(b.path);
  const na = numberOf(base, an);
  const nb = numberOf(base, bn);
  if (na !== undefined && nb !== undefined) return nb - na;
  return an < bn ? -1 : an > bn ? 1 : 0;
}

function nameOf(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

const sameInode = (a: { dev: number; ino: number }, b: { dev: number; ino: number }): boolean => a.dev === b.dev && a.ino === b.ino;

/**
 * Is the file at the path still the one followed? Not when it is another inode, nor when the same
 * inode was truncated (shorter than the position) or holds another first line (truncated and
 * grown past the position again: copytruncate noticed late).
 */
export function judgeFollowed(old: Followed, current: FileFacts | null): 'same' | 'renamed' | 'removed' | 'truncated' {
  if (!current) return 'removed';
  if (!sameInode(old, current)) return 'renamed';
  if (current.size < old.offset) return 'truncated';
  if (old.firstLineHash !== '' && current.firstLineHash !== '' && current.firstLineHash !== old.firstLineHash) return 'truncated';
  return 'same';
}

export interface RotationInput {
  /** The followed path's base name (`mail.log`). */
  base: string;
  old: Followed;
  /** The old content is still open (the running source holds its descriptor). */
  isOpen: boolean;
  /** The path's file now, null when there is none. */
  current: FileFacts | null;
  /** Rotated-looking files beside the path (isRotatedName), and any other place the old file may be. */
  siblings: FileFacts[];
  /** Files already read or followed under another key: never a generation to read. */
  isKnown(f: FileFacts): boolean;
}

/** The plan for a followed file, given what is on disk now. */
export function planRotation(input: RotationInput): RotationPlan {
  const { old, current, siblings, base } = input;
  const how = judgeFollowed(old, current);
  if (how === 'same') return { kind: 'same' };
  // Another inode with the old first line is a copy of the old content (copytruncate's), never a generation.
  const isCopy = (s: FileFacts): boolean => old.firstLineHash !== '' && !sameInode(s, old) && s.firstLineHash === old.firstLineHash;
  // The old inode under a rotated name (a recycled inode has another first line).
  const renamed = how === 'truncated' ? undefined : siblings.find((s) => sameInode(s, old) && (old.firstLineHash === '' || s.firstLineHash === old.firstLineHash));
  // The copy to finish from: at least as long as the position; of several, the longest holds the most.
  const copy = old.offset > 0 ? siblings.filter((s) => isCopy(s) && s.size >= old.offset).sort((a, b) => b.size - a.size)[0] : undefined;
  let finish: Finish = null;
  let anchor: { path: string; mtimeMs: number } | undefined;
  if (how !== 'truncated' && input.isOpen) {
    finish = { from: 'open' };
    anchor = renamed ?? (old.mtimeMs !== undefined ? { path: '', mtimeMs: old.mtimeMs } : undefined);
  } else if (renamed) {
    finish = { from: 'inode', path: renamed.path };
    anchor = renamed;
  } else if (copy) {
    finish = { from: 'copy', path: copy.path };
    anchor = copy;
  } else if (old.mtimeMs !== undefined) {
    anchor = { path: '', mtimeMs: old.mtimeMs };
  }
  // An inode held open cannot be recycled; one that is not may have been (another first line).
  // Without an anchor (the old content gone, its time unknown) nothing tells newer generations
  // from older ones: reading old ones again would count their lines twice.
  const generations = anchor
    ? siblings
        .filter((s) => s !== renamed && !(input.isOpen && sameInode(s, old)) && !isCopy(s) && !(current && sameInode(s, current)) && !input.isKnown(s))
        .filter((s) => isNewer(base, s, anchor))
        .sort((a, b) => compareGenerations(base, a, b))
    : [];
  return { kind: 'rotated', how, finish, generations };
}

/**
 * Is `s` a newer generation than `anchor`? An anchor with no name (the old file is gone) is only
 * known by time: a file last written at the same moment counts as newer, since a generation that
 * ended exactly when the old file began holds, with a coarse clock, the same time.
 */
function isNewer(base: string, s: FileFacts, anchor: { path: string; mtimeMs: number }): boolean {
  if (anchor.path === '') return s.mtimeMs >= anchor.mtimeMs;
  return compareGenerations(base, anchor, s) < 0;
}
