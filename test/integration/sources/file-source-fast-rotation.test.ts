/**
 * Issue 17 point 3: rotations faster than the reader. The reader is paused (its consumer does not
 * return, so the source can look at nothing) or stopped while the log is rotated several times;
 * every line must then be read exactly once, in order.
 */
import { appendFileSync, copyFileSync, existsSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import type { SourceBatch } from '../../../src/sources/source';
import { Consumer, numbersIn, sleep, useTailTest, waitFor } from './tail-harness';

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** A consumer that can be held: while held, the batch in hand is not taken, so the source is stuck in it. */
class PausableConsumer extends Consumer {
  private gate: Promise<void> | null = null;
  private open: () => void = () => undefined;
  private crashAt: ((step: SourceBatch) => boolean) | null = null;
  private crashed = false;
  waiting = false;

  pause(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }

  resume(): void {
    this.gate = null;
    this.open();
  }

  /** Dies (as kill -9 would) at the first step `when` picks: it and all after it are never taken. */
  crashAtStep(when: (step: SourceBatch) => boolean): void {
    this.crashAt = when;
  }

  /** A new process: batches are taken again. */
  restart(): void {
    this.crashed = false;
    this.crashAt = null;
  }

  onBatch = async (batch: SourceBatch): Promise<void> => {
    while (this.gate) {
      this.waiting = true;
      await this.gate;
    }
    this.waiting = false;
    if (this.crashed) throw new Error('crashed');
    this.accept(batch, (step) => !(this.crashed ||= this.crashAt?.(step) ?? false));
    if (this.crashed) throw new Error('crashed');
  };
}

describe('file source: rotations faster than the reader', () => {
  const t = useTailTest('fast-rotate');
  let next = 1;
  const write = (file: string, count: number): void => {
    appendFileSync(file, range(next, next + count - 1).map((n) => `line ${n}\n`).join(''));
    next += count;
  };
  beforeEach(() => {
    next = 1;
  });
  /** logrotate with `create`: shift numbered files, rename the live one, create an empty successor. */
  const rotateByRename = (): void => {
    for (let i = 8; i >= 1; i--) if (existsSync(`${t.log}.${i}`)) renameSync(`${t.log}.${i}`, `${t.log}.${i + 1}`);
    renameSync(t.log, `${t.log}.1`);
    writeFileSync(t.log, '');
  };
  const copyTruncate = (): void => {
    for (let i = 8; i >= 1; i--) if (existsSync(`${t.log}.${i}`)) renameSync(`${t.log}.${i}`, `${t.log}.${i + 1}`);
    copyFileSync(t.log, `${t.log}.1`);
    truncateSync(t.log, 0);
  };
  /** Starts following, writes `first` lines, and holds the reader inside the batch of the next line. */
  const startPaused = async (c: PausableConsumer, first: number): Promise<void> => {
    writeFileSync(t.log, '');
    await t.follow(c).start();
    write(t.log, first);
    await waitFor('the first lines', () => c.events.length === first);
    c.pause();
    write(t.log, 1);
    await waitFor('the reader held', () => c.waiting);
  };
  const expectAllOnce = async (c: Consumer, last: number): Promise<void> => {
    await waitFor(`line ${last}`, () => numbersIn(c.texts).includes(last));
    await sleep(400);
    expect(numbersIn(c.texts)).toEqual(range(1, last));
  };

  it('reads the middle file of two rename rotations made while the reader was held', async () => {
    const c = new PausableConsumer();
    await startPaused(c, 10);
    write(t.log, 5); // still in the first file, unread
    rotateByRename();
    write(t.log, 20); // the middle file, never seen open
    rotateByRename();
    write(t.log, 7);
    c.resume();
    await expectAllOnce(c, 43);
  });

  it('finishes a copytruncated file from its copy when the new content grew past the old position before the reader looked', async () => {
    const c = new PausableConsumer();
    await startPaused(c, 10);
    write(t.log, 5);
    copyTruncate();
    // Longer than everything read so far: the size alone no longer tells the truncation.
    write(t.log, 60);
    c.resume();
    await expectAllOnce(c, 76);
    expect(c.texts.every((text) => /^line \d+$/.test(text))).toBe(true);
  });

  it('reads every generation of two copytruncates made while the reader was held', async () => {
    const c = new PausableConsumer();
    await startPaused(c, 10);
    write(t.log, 5);
    copyTruncate();
    write(t.log, 30);
    copyTruncate();
    write(t.log, 40);
    c.resume();
    await expectAllOnce(c, 86);
  });

  it('finishes the saved file and the middle one of two rotations made while stopped', async () => {
    const c = new Consumer();
    await t.readThenStop(c, () => write(t.log, 10), 10);
    write(t.log, 5);
    rotateByRename();
    write(t.log, 20);
    rotateByRename();
    write(t.log, 7);
    await t.follow(c).start();
    await expectAllOnce(c, 42);
  });

  it('reads dated generations made while stopped in date order', async () => {
    const c = new Consumer();
    await t.readThenStop(c, () => write(t.log, 3), 3);
    write(t.log, 2);
    renameSync(t.log, `${t.log}-20261201`);
    write(t.log, 4);
    renameSync(t.log, `${t.log}-20261202`);
    write(t.log, 3);
    renameSync(t.log, `${t.log}-20261203`);
    write(t.log, 6);
    await t.follow(c).start();
    await expectAllOnce(c, 18);
  });

  it('after a crash in the middle file, resumes in it rather than reading it again or skipping it', async () => {
    const c = new PausableConsumer(4);
    writeFileSync(t.log, '');
    const first = t.follow(c);
    await first.start();
    write(t.log, 10);
    await waitFor('ten lines', () => c.events.length === 10);
    // dies after the middle file's first steps (lines 11-18) were committed with its cursor
    c.crashAtStep((step) => numbersIn(step.events.map((e) => e.text))[0] === 19);
    c.pause();
    rotateByRename();
    write(t.log, 20);
    rotateByRename();
    write(t.log, 5);
    c.resume();
    await waitFor('the crash', () => numbersIn(c.texts).includes(18));
    await first.stop();
    expect(c.cursors.get(`postfix:${t.log}`)).toMatchObject({ path: `${t.log}.1`, line: 8 });
    c.restart();
    await t.follow(c).start();
    await expectAllOnce(c, 35);
  });
});
