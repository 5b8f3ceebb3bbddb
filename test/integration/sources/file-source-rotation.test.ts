import { appendFileSync, copyFileSync, existsSync, renameSync, statSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { LogWriter } from './log-writer';
import { Consumer, numbersIn, sleep, useTailTest, waitFor } from './tail-harness';

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('file source: rotation', () => {
  const t = useTailTest('rotate');

  /** logrotate with `create`: shift numbered files, rename the live one, create an empty successor. */
  const rotateByRename = (keep: number): void => {
    for (let i = keep - 1; i >= 1; i--) if (existsSync(`${t.log}.${i}`)) renameSync(`${t.log}.${i}`, `${t.log}.${i + 1}`);
    renameSync(t.log, `${t.log}.1`);
    writeFileSync(t.log, '');
  };

  it('reads every line exactly once while a steady writer is rotated by rename several times', async () => {
    writeFileSync(t.log, '');
    const c = new Consumer();
    await t.follow(c).start();
    const writer = new LogWriter(t.log);
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
    await waitFor('all 1200 lines', () => new Set(numbersIn(c.texts)).size === 1200);
    await sleep(300);
    const numbers = numbersIn(c.texts);
    expect(numbers.length).toBe(1200);
    expect([...numbers].sort((a, b) => a - b)).toEqual(range(1, 1200));
    expect(c.events.every((e) => e.file === t.log)).toBe(true);
  });

  it('never duplicates a line while a steady writer is rotated by copytruncate', async () => {
    writeFileSync(t.log, '');
    const c = new Consumer();
    await t.follow(c).start();
    const writer = new LogWriter(t.log);
    // logrotate's copytruncate: copy the file while the writer goes on, then truncate it in
    // place. Lines written after the copy finished and before the truncation are in neither file:
    // that window is inherent to copytruncate, so only order and uniqueness are asserted for them.
    const rotations: Array<Promise<void>> = [];
    await writer.writeUpTo(1000, (n) => {
      if (n % 200 === 100) rotations.push(copyFile(t.log, `${t.log}.1`).then(() => truncateSync(t.log, 0)));
    });
    await Promise.all(rotations);
    await writer.writeUpTo(1100);
    writer.close();
    await waitFor('the last line', () => numbersIn(c.texts).includes(1100));
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
    writeFileSync(t.log, '');
    const c = new Consumer();
    await t.follow(c).start();
    appendFileSync(t.log, 'line 1\nline 2\n');
    await waitFor('two lines', () => c.events.length === 2);
    // Copy and truncate inside one tick: the source cannot have read line 3 before it was copied.
    appendFileSync(t.log, 'line 3\n');
    copyFileSync(t.log, `${t.log}.1`);
    truncateSync(t.log, 0);
    appendFileSync(t.log, 'line 4\n');
    await waitFor('four lines', () => c.events.length === 4);
    expect(c.texts).toEqual(['line 1', 'line 2', 'line 3', 'line 4']);
    expect(c.events.map((e) => e.line)).toEqual([1, 2, 3, 1]);
  });

  it('finishes a deleted file through its open descriptor, then follows a new file at the path', async () => {
    writeFileSync(t.log, '');
    const c = new Consumer();
    await t.follow(c).start();
    const writer = new LogWriter(t.log);
    await writer.writeUpTo(3);
    unlinkSync(t.log);
    await writer.writeUpTo(6);
    await waitFor('six lines', () => c.events.length === 6);
    writer.close();
    writeFileSync(t.log, 'line 7\n');
    await waitFor('seven lines', () => c.events.length === 7);
    expect(numbersIn(c.texts)).toEqual(range(1, 7));
    expect(c.events[6].line).toBe(1);
  });

  it('finishes a file rotated by rename while stopped before reading its successor', async () => {
    const c = new Consumer();
    await t.readThenStop(c, () => appendFileSync(t.log, 'line 1\nline 2\n'), 2);
    appendFileSync(t.log, 'line 3\nline 4\n');
    renameSync(t.log, `${t.log}.1`);
    writeFileSync(t.log, 'line 5\nline 6\n');
    await t.follow(c).start();
    await waitFor('six lines', () => c.events.length === 6);
    await sleep(300);
    expect(c.texts).toEqual(['line 1', 'line 2', 'line 3', 'line 4', 'line 5', 'line 6']);
    expect(c.events.map((e) => e.line)).toEqual([1, 2, 3, 4, 1, 2]);
    const cursor = c.cursors.get(`postfix:${t.log}`);
    expect(cursor).toMatchObject({ offset: 14, line: 2, path: t.log });
  });

  it('finishes a file copytruncated while stopped from its copy before reading it again from the start', async () => {
    writeFileSync(t.log, '');
    const c = new Consumer();
    const first = t.follow(c);
    await first.start();
    appendFileSync(t.log, 'line 1\nline 2\n');
    await waitFor('two lines', () => c.events.length === 2);
    await first.stop();
    appendFileSync(t.log, 'line 3\n');
    copyFileSync(t.log, `${t.log}.1`);
    truncateSync(t.log, 0);
    // Grown past the saved offset again: only the first-line hash tells it is not the same content.
    appendFileSync(t.log, 'line 4 is longer than the old content\nline 5\n');
    await t.follow(c).start();
    await waitFor('five lines', () => c.events.length === 5);
    await sleep(300);
    expect(numbersIn(c.texts)).toEqual([1, 2, 3, 4, 5]);
  });

  it('does not read a rotated file again when the pattern also matches its new name', async () => {
    writeFileSync(t.log, '');
    const c = new Consumer();
    const glob = `${t.log}*`;
    const first = t.follow(c, { patterns: [glob] });
    await first.start();
    appendFileSync(t.log, 'line 1\n');
    await waitFor('one line', () => c.events.length === 1);
    rotateByRename(3);
    appendFileSync(`${t.log}.1`, 'line 2\n'); // the writer has not reopened yet
    appendFileSync(t.log, 'line 3\n');
    await waitFor('three lines', () => c.events.length === 3);
    await first.stop();
    rotateByRename(3);
    appendFileSync(t.log, 'line 4\n');
    const second = t.follow(c, { patterns: [glob] });
    await second.start();
    await waitFor('line 4', () => c.texts.includes('line 4'));
    await sleep(500);
    expect(numbersIn(c.texts)).toEqual([1, 2, 3, 4]);
  });

  it('reads a file from the start when its inode was recycled for other content while stopped', async () => {
    const c = new Consumer();
    await t.readThenStop(c, () => appendFileSync(t.log, 'old line 1\nold line 2\n'), 2);
    const saved = c.cursors.get(`postfix:${t.log}`);
    unlinkSync(t.log);
    writeFileSync(t.log, 'another file entirely, line 1\nline 2\n');
    // Whatever inode the new file got, make the saved cursor claim it, as a recycled inode would.
    const { ino, dev } = statSync(t.log);
    c.cursors.set(`postfix:${t.log}`, { ...saved!, ino, dev });
    await t.follow(c).start();
    await waitFor('four lines', () => c.events.length === 4);
    expect(c.texts.slice(2)).toEqual(['another file entirely, line 1', 'line 2']);
  });
});
