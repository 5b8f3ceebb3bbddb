import { appendFileSync, copyFileSync, existsSync, renameSync, statSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import path from 'node:path';
import type { Source } from '../../../src/sources/source';
import { LogWriter } from './log-writer';
import { Consumer, makeTempDir, numbersIn, sleep, waitFor } from './tail-harness';

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('file source: rotation', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let log: string;
  const sources: Source[] = [];
  const follow = (c: Consumer, options: Parameters<Consumer['source']>[2] = {}): Source => {
    const s = c.source('postfix', [log], options);
    sources.push(s);
    return s;
  };

  beforeEach(() => {
    tmp = makeTempDir('rotate');
    log = path.join(tmp.dir, 'mail.log');
  });
  afterEach(async () => {
    await Promise.all(sources.splice(0).map((s) => s.stop()));
    tmp.remove();
  });

  /** logrotate with `create`: shift numbered files, rename the live one, create an empty successor. */
  const rotateByRename = (keep: number): void => {
    for (let i = keep - 1; i >= 1; i--) if (existsSync(`${log}.${i}`)) renameSync(`${log}.${i}`, `${log}.${i + 1}`);
    renameSync(log, `${log}.1`);
    writeFileSync(log, '');
  };

  it('reads every line exactly once while a steady writer is rotated by rename several times', async () => {
    writeFileSync(log, '');
    const c = new Consumer();
    await follow(c).start();
    const writer = new LogWriter(log);
    let reopenAfter = -1;
    // The writer goes on writing to the renamed file for 10 more lines before it reopens, as
    // syslog does between logrotate's rename and its postrotate HUP.
    await writer.writeUpTo(1200, (n) => {
      if (n % 200 === 0) {
        rotateByRename(3);
        reopenAfter = n + 10;
      }
      if (n === reopenAfter) writer.reopen();
    });
    writer.close();
    await waitFor('all 1200 lines', () => new Set(numbersIn(c.texts)).size === 1200, 10_000);
    await sleep(300);
    const numbers = numbersIn(c.texts);
    expect(numbers.length).toBe(1200);
    expect([...numbers].sort((a, b) => a - b)).toEqual(range(1, 1200));
    expect(c.events.every((e) => e.file === log)).toBe(true);
  });

  it('never duplicates a line while a steady writer is rotated by copytruncate', async () => {
    writeFileSync(log, '');
    const c = new Consumer();
    await follow(c).start();
    const writer = new LogWriter(log);
    // logrotate's copytruncate: copy the file while the writer goes on, then truncate it in
    // place. Lines written after the copy finished and before the truncation are in neither file:
    // that window is inherent to copytruncate, so only order and uniqueness are asserted for them.
    const rotations: Array<Promise<void>> = [];
    await writer.writeUpTo(1000, (n) => {
      if (n % 200 === 100) rotations.push(copyFile(log, `${log}.1`).then(() => truncateSync(log, 0)));
    });
    await Promise.all(rotations);
    await writer.writeUpTo(1100);
    writer.close();
    await waitFor('the last line', () => numbersIn(c.texts).includes(1100), 10_000);
    await sleep(300);
    const numbers = numbersIn(c.texts);
    expect(new Set(numbers).size).toBe(numbers.length);
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    expect(numbers.every((n) => n >= 1 && n <= 1100)).toBe(true);
    expect(numbers.filter((n) => n > 1000)).toEqual(range(1001, 1100)); // after the last truncation
    // Five windows of a few lines each at most.
    expect(numbers.length).toBeGreaterThan(1000);
  });

  it('reads the unread end of a copytruncated file from its copy', async () => {
    writeFileSync(log, '');
    const c = new Consumer();
    await follow(c).start();
    appendFileSync(log, 'line 1\nline 2\n');
    await waitFor('two lines', () => c.events.length === 2);
    // Copy and truncate inside one tick: the source cannot have read line 3 before it was copied.
    appendFileSync(log, 'line 3\n');
    copyFileSync(log, `${log}.1`);
    truncateSync(log, 0);
    appendFileSync(log, 'line 4\n');
    await waitFor('four lines', () => c.events.length === 4);
    expect(c.texts).toEqual(['line 1', 'line 2', 'line 3', 'line 4']);
    expect(c.events.map((e) => e.line)).toEqual([1, 2, 3, 1]);
  });

  it('finishes a deleted file through its open descriptor, then follows a new file at the path', async () => {
    writeFileSync(log, '');
    const c = new Consumer();
    await follow(c).start();
    const writer = new LogWriter(log);
    await writer.writeUpTo(3);
    unlinkSync(log);
    await writer.writeUpTo(6);
    await waitFor('six lines', () => c.events.length === 6);
    writer.close();
    writeFileSync(log, 'line 7\n');
    await waitFor('seven lines', () => c.events.length === 7);
    expect(numbersIn(c.texts)).toEqual(range(1, 7));
    expect(c.events[6].line).toBe(1);
  });

  it('finishes a file rotated by rename while stopped before reading its successor', async () => {
    writeFileSync(log, '');
    const c = new Consumer();
    const first = follow(c);
    await first.start();
    appendFileSync(log, 'line 1\nline 2\n');
    await waitFor('two lines', () => c.events.length === 2);
    await first.stop();
    appendFileSync(log, 'line 3\nline 4\n');
    renameSync(log, `${log}.1`);
    writeFileSync(log, 'line 5\nline 6\n');
    await follow(c).start();
    await waitFor('six lines', () => c.events.length === 6);
    await sleep(300);
    expect(c.texts).toEqual(['line 1', 'line 2', 'line 3', 'line 4', 'line 5', 'line 6']);
    expect(c.events.map((e) => e.line)).toEqual([1, 2, 3, 4, 1, 2]);
    const cursor = c.cursors.get(`postfix:${log}`);
    expect(cursor).toMatchObject({ offset: 14, line: 2, path: log });
  });

  it('finishes a file copytruncated while stopped from its copy before reading it again from the start', async () => {
    writeFileSync(log, '');
    const c = new Consumer();
    const first = follow(c);
    await first.start();
    appendFileSync(log, 'line 1\nline 2\n');
    await waitFor('two lines', () => c.events.length === 2);
    await first.stop();
    appendFileSync(log, 'line 3\n');
    copyFileSync(log, `${log}.1`);
    truncateSync(log, 0);
    // Grown past the saved offset again: only the first-line hash tells it is not the same content.
    appendFileSync(log, 'line 4 is longer than the old content\nline 5\n');
    await follow(c).start();
    await waitFor('five lines', () => c.events.length === 5);
    await sleep(300);
    expect(numbersIn(c.texts)).toEqual([1, 2, 3, 4, 5]);
  });

  it('does not read a rotated file again when the pattern also matches its new name', async () => {
    writeFileSync(log, '');
    const c = new Consumer();
    const glob = `${log}*`;
    const first = c.source('postfix', [glob]);
    sources.push(first);
    await first.start();
    appendFileSync(log, 'line 1\n');
    await waitFor('one line', () => c.events.length === 1);
    rotateByRename(3);
    appendFileSync(`${log}.1`, 'line 2\n'); // the writer has not reopened yet
    appendFileSync(log, 'line 3\n');
    await waitFor('three lines', () => c.events.length === 3);
    await first.stop();
    rotateByRename(3);
    appendFileSync(log, 'line 4\n');
    const second = c.source('postfix', [glob]);
    sources.push(second);
    await second.start();
    await waitFor('line 4', () => c.texts.includes('line 4'));
    await sleep(500);
    expect(numbersIn(c.texts)).toEqual([1, 2, 3, 4]);
  });

  it('reads a file from the start when its inode was recycled for other content while stopped', async () => {
    writeFileSync(log, '');
    const c = new Consumer();
    const first = follow(c);
    await first.start();
    appendFileSync(log, 'old line 1\nold line 2\n');
    await waitFor('two lines', () => c.events.length === 2);
    await first.stop();
    const saved = c.cursors.get(`postfix:${log}`);
    unlinkSync(log);
    writeFileSync(log, 'another file entirely, line 1\nline 2\n');
    // Whatever inode the new file got, make the saved cursor claim it, as a recycled inode would.
    const { ino, dev } = statSync(log);
    c.cursors.set(`postfix:${log}`, { ...saved!, ino, dev });
    await follow(c).start();
    await waitFor('four lines', () => c.events.length === 4);
    expect(c.texts.slice(2)).toEqual(['another file entirely, line 1', 'line 2']);
  });
});
