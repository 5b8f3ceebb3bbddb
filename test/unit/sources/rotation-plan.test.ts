import { compareGenerations, isRotatedName, judgeFollowed, planRotation, type FileFacts, type Followed, type RotationInput } from '../../../src/sources/rotation-plan';

const dir = '/var/log';
const facts = (name: string, ino: number, mtimeMs: number, firstLineHash: string, size = 1000): FileFacts => ({ path: `${dir}/${name}`, dev: 1, ino, size, mtimeMs, firstLineHash });
const followed = (ino: number, firstLineHash: string, offset: number, mtimeMs?: number): Followed => ({ dev: 1, ino, firstLineHash, offset, ...(mtimeMs !== undefined ? { mtimeMs } : {}) });
const plan = (input: Partial<RotationInput> & Pick<RotationInput, 'old' | 'current'>) =>
  planRotation({ base: 'mail.log', isOpen: false, siblings: [], isKnown: () => false, ...input });
const paths = (files: FileFacts[]) => files.map((f) => f.path);

describe('rotation decisions', () => {
  describe('judging the file at the path', () => {
    it('keeps reading the same inode that grew and still starts with the same line', () => {
      expect(judgeFollowed(followed(7, 'aa', 500), facts('mail.log', 7, 10, 'aa', 900))).toBe('same');
    });

    it('calls another inode at the path a rename, and no file a removal', () => {
      expect(judgeFollowed(followed(7, 'aa', 500), facts('mail.log', 8, 10, 'bb'))).toBe('renamed');
      expect(judgeFollowed(followed(7, 'aa', 500), null)).toBe('removed');
    });

    it('calls the same inode shorter than the position truncated', () => {
      expect(judgeFollowed(followed(7, 'aa', 500), facts('mail.log', 7, 10, 'aa', 100))).toBe('truncated');
    });

    it('calls the same inode truncated when it grew past the position again with another first line', () => {
      expect(judgeFollowed(followed(7, 'aa', 500), facts('mail.log', 7, 10, 'cc', 5000))).toBe('truncated');
    });

    it('does not judge by the first line while either hash is unknown', () => {
      expect(judgeFollowed(followed(7, '', 500), facts('mail.log', 7, 10, 'cc', 5000))).toBe('same');
    });
  });

  describe('naming and ordering generations', () => {
    it('knows numbered and dated rotated names, and leaves compressed ones and other files', () => {
      expect(['mail.log.1', 'mail.log.12', 'mail.log-20261203', 'mail.log.2026-12-03', 'mail.log_1'].every((n) => isRotatedName('mail.log', n))).toBe(true);
      expect(['mail.log', 'mail.log.', 'mail.log.2.gz', 'mail.log-20261203.xz', 'mail.logger', 'mail.err.1'].some((n) => isRotatedName('mail.log', n))).toBe(false);
    });

    it('orders by modification time, then a higher number as older, then dated names as text', () => {
      const sorted = [facts('mail.log.1', 1, 5, ''), facts('mail.log.3', 2, 5, ''), facts('mail.log.2', 3, 5, ''), facts('mail.log.9', 4, 9, '')].sort((a, b) => compareGenerations('mail.log', a, b));
      expect(sorted.map((f) => f.path.slice(dir.length + 1))).toEqual(['mail.log.3', 'mail.log.2', 'mail.log.1', 'mail.log.9']);
      const dated = [facts('mail.log-20261203', 1, 5, ''), facts('mail.log-20261201', 2, 5, '')].sort((a, b) => compareGenerations('mail.log', a, b));
      expect(dated.map((f) => f.path.slice(-8))).toEqual(['20261201', '20261203']);
    });
  });

  describe('what to read after a rename', () => {
    it('reads on when nothing changed', () => {
      expect(plan({ old: followed(7, 'aa', 500), current: facts('mail.log', 7, 10, 'aa') })).toEqual({ kind: 'same' });
    });

    it('finishes the open old file, then the new one, after one rotation', () => {
      const old = facts('mail.log.1', 7, 100, 'aa');
      const older = facts('mail.log.2', 6, 50, 'zz');
      expect(plan({ old: followed(7, 'aa', 500), isOpen: true, current: facts('mail.log', 9, 120, 'cc'), siblings: [old, older] })).toEqual({
        kind: 'rotated',
        how: 'renamed',
        finish: { from: 'open' },
        generations: [],
      });
    });

    it('finds the middle file of two rotations before the reader looked, and reads it after the old one', () => {
      const a = facts('mail.log.2', 7, 100, 'aa');
      const b = facts('mail.log.1', 8, 110, 'bb');
      const p = plan({ old: followed(7, 'aa', 500), isOpen: true, current: facts('mail.log', 9, 120, 'cc'), siblings: [b, a, facts('mail.log.3', 5, 40, 'yy')] });
      expect(p).toMatchObject({ how: 'renamed', finish: { from: 'open' } });
      expect(p.kind === 'rotated' && paths(p.generations)).toEqual([b.path]);
    });

    it('after a stop across three rotations, finishes the saved file where it went and every newer generation in order', () => {
      const a = facts('mail.log.3', 7, 100, 'aa');
      const b = facts('mail.log.2', 8, 110, 'bb');
      const c = facts('mail.log.1', 9, 110, 'cc'); // same time as b: the number says c is newer
      const p = plan({ old: followed(7, 'aa', 500), current: facts('mail.log', 10, 130, 'dd'), siblings: [c, a, b, facts('mail.log.4', 5, 40, 'yy')] });
      expect(p).toMatchObject({ kind: 'rotated', how: 'renamed', finish: { from: 'inode', path: a.path } });
      expect(p.kind === 'rotated' && paths(p.generations)).toEqual([b.path, c.path]);
    });

    it('places a deleted old file among the generations by its last modification time', () => {
      const b = facts('mail.log.1', 8, 110, 'bb');
      const p = plan({ old: followed(7, 'aa', 500, 100), isOpen: true, current: null, siblings: [b, facts('mail.log.2', 5, 90, 'yy')] });
      expect(p).toMatchObject({ how: 'removed', finish: { from: 'open' } });
      expect(p.kind === 'rotated' && paths(p.generations)).toEqual([b.path]);
    });

    it('reads no generation when the old file is gone and its time unknown (it cannot tell new from old)', () => {
      const p = plan({ old: followed(7, 'aa', 500), current: facts('mail.log', 9, 120, 'cc'), siblings: [facts('mail.log.1', 8, 110, 'bb')] });
      expect(p).toEqual({ kind: 'rotated', how: 'renamed', finish: null, generations: [] });
    });

    it('leaves out generations already read or followed under another key', () => {
      const a = facts('mail.log.2', 7, 100, 'aa');
      const b = facts('mail.log.1', 8, 110, 'bb');
      const p = plan({ old: followed(7, 'aa', 500), isOpen: true, current: facts('mail.log', 9, 120, 'cc'), siblings: [a, b], isKnown: (f) => f.ino === 8 });
      expect(p.kind === 'rotated' && p.generations).toEqual([]);
    });

    it('does not take a recycled inode with another first line for the old file', () => {
      const recycled = facts('mail.log.1', 7, 110, 'other');
      const p = plan({ old: followed(7, 'aa', 500, 100), current: facts('mail.log', 9, 120, 'cc'), siblings: [recycled] });
      expect(p).toMatchObject({ finish: null });
      expect(p.kind === 'rotated' && paths(p.generations)).toEqual([recycled.path]);
    });
  });

  describe('what to read after a copytruncate', () => {
    it('finishes from the copy with the old first line, then reads the truncated file from its start', () => {
      const copy = facts('mail.log.1', 8, 110, 'aa', 700);
      expect(plan({ old: followed(7, 'aa', 500), isOpen: true, current: facts('mail.log', 7, 120, 'cc', 50), siblings: [copy] })).toEqual({
        kind: 'rotated',
        how: 'truncated',
        finish: { from: 'copy', path: copy.path },
        generations: [],
      });
    });

    it('notices a truncated file that grew past the position, and takes the right copy of two', () => {
      const v1 = facts('mail.log.2', 8, 100, 'aa', 700);
      const v2 = facts('mail.log.1', 9, 110, 'bb', 400);
      const p = plan({ old: followed(7, 'aa', 500), isOpen: true, current: facts('mail.log', 7, 120, 'cc', 9000), siblings: [v2, v1] });
      expect(p).toMatchObject({ how: 'truncated', finish: { from: 'copy', path: v1.path } });
      expect(p.kind === 'rotated' && paths(p.generations)).toEqual([v2.path]);
    });

    it('does not take a copy shorter than the position (it cannot hold the unread end)', () => {
      const p = plan({ old: followed(7, 'aa', 500), isOpen: true, current: facts('mail.log', 7, 120, 'cc', 50), siblings: [facts('mail.log.1', 8, 110, 'aa', 300)] });
      expect(p).toMatchObject({ how: 'truncated', finish: null, generations: [] });
    });
  });
});
