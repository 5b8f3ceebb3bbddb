/**
 * A file source with a gate (issue 7: the daemon's catch-up decodes only lines holding one of the
 * jail's keywords): the other lines are read, counted and passed by, never delivered.
 */
import { appendFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { KeywordScanner } from '../../../src/match/keyword-scanner';
import type { FileCursor } from '../../../src/core/types';
import type { LineGate } from '../../../src/sources/source';
import { Consumer, sleep, useTailTest, waitFor } from './tail-harness';

describe('file source with a keyword gate', () => {
  // one short keyword (searched with indexOf) and one long one (the shift table)
  const scanner = new KeywordScanner(['AUTH', 'authentication failed']);
  const gate = (): LineGate => scanner;
  /** Small appends below: gate every read, not only those of 256 KiB or more. */
  const t = useTailTest('gate', { gate, gateMinBytes: 0 });
  const linesRead = (c: Consumer): number => c.batches.reduce((n, b) => n + (b.lines ?? b.events.length), 0);
  const cursor = (c: Consumer): FileCursor | undefined => c.cursors.get(`postfix:${t.log}`);

  it('delivers only the lines holding a keyword, with their true line numbers, and counts every line', async () => {
    const lines = Array.from({ length: 30_000 }, (_, i) =>
      i % 7 === 3 ? `line ${i + 1} AUTH from 192.0.2.${i % 250}` : i % 11 === 5 ? `line ${i + 1} SASL authentication failed` : `line ${i + 1} ordinary`,
    );
    writeFileSync(t.log, lines.join('\n') + '\n');
    const c = new Consumer();
    expect(statSync(t.log).size).toBeGreaterThan(256 * 1024); // gated with the default gateMinBytes
    await t.follow(c, { startAt: 'beginning', maxBatchLines: 500, gateMinBytes: undefined }).start();
    await waitFor('the end of the file', () => cursor(c)?.offset === statSync(t.log).size, 10_000);
    const expected = lines.map((text, i) => ({ text, line: i + 1 })).filter((l) => /AUTH|authentication failed/.test(l.text));
    expect(c.events.map((e) => ({ text: e.text, line: e.line }))).toEqual(expected);
    expect(linesRead(c)).toBe(lines.length);
    expect(cursor(c)).toMatchObject({ line: lines.length });
    expect(c.batches.every((b) => b.events.length <= 500)).toBe(true);
    for (const b of c.batches.filter((x) => x.events.length === 500)) {
      // a full batch's cursor is right after its last delivered line
      expect((b.cursor?.value as FileCursor).line).toBe(b.events[b.events.length - 1].line);
    }
  });

  it('counts appended lines without a keyword and holds a partial line until its newline arrives', async () => {
    writeFileSync(t.log, 'old 1\nold 2\n');
    const c = new Consumer();
    await t.follow(c).start();
    appendFileSync(t.log, 'plain 3\nAUTH 4\nplain 5\nhalf AU');
    await waitFor('the AUTH line', () => c.events.length === 1);
    await sleep(300); // past a safety re-check: the partial line must still be held
    expect(c.events).toEqual([{ source: 'postfix', file: t.log, line: 4, text: 'AUTH 4' }]);
    expect(cursor(c)).toMatchObject({ offset: 35, line: 5 });
    expect(linesRead(c)).toBe(3);
    appendFileSync(t.log, 'TH 6\nplain 7\n');
    await waitFor('the completed line', () => c.events.length === 2);
    await waitFor('line 7 counted', () => cursor(c)?.line === 7);
    expect(c.events[1]).toMatchObject({ line: 6, text: 'half AUTH 6' });
    expect(linesRead(c)).toBe(5);
  });

  it('cuts an over-long line holding a keyword and skips its rest, as without a gate', async () => {
    writeFileSync(t.log, '');
    const c = new Consumer();
    await t.follow(c, { maxLineBytes: 100 }).start();
    appendFileSync(t.log, `AUTH ${'a'.repeat(150)}`);
    await waitFor('the cut line', () => c.events.length === 1);
    appendFileSync(t.log, ' AUTH in the rest\nplain 2\nAUTH 3\n');
    await waitFor('line 3', () => c.events.length === 2);
    expect(c.events.map((e) => [e.line, e.text.length])).toEqual([
      [1, 100],
      [3, 6],
    ]);
    expect(cursor(c)).toMatchObject({ line: 3, offset: statSync(t.log).size });
  });

  it('follows a rename rotation and numbers the successor from line 1', async () => {
    writeFileSync(t.log, '');
    const c = new Consumer();
    await t.follow(c).start();
    appendFileSync(t.log, 'plain 1\nAUTH 2\n');
    await waitFor('AUTH 2', () => c.events.length === 1);
    appendFileSync(t.log, 'AUTH 3\n');
    renameSync(t.log, `${t.log}.1`);
    writeFileSync(t.log, 'plain 1\nplain 2\nAUTH 3\n');
    await waitFor('both AUTH 3 lines', () => c.events.length === 3);
    expect(c.events.map((e) => [e.line, e.text])).toEqual([
      [2, 'AUTH 2'],
      [3, 'AUTH 3'],
      [3, 'AUTH 3'],
    ]);
    expect(c.events[2].file).toBe(t.log);
    expect(cursor(c)).toMatchObject({ line: 3, offset: 23 });
    // the writer appends to the rotated file once more: counted, in a batch without a cursor
    appendFileSync(`${t.log}.1`, 'plain 4\n');
    await waitFor('plain 4 counted', () => linesRead(c) === 7);
    expect(c.batches[c.batches.length - 1]).toEqual({ source: 'postfix', events: [], lines: 1 });
    expect(c.events).toHaveLength(3);
  });

  it('delivers every line of a read shorter than gateMinBytes', async () => {
    writeFileSync(t.log, '');
    const c = new Consumer();
    await t.follow(c, { gateMinBytes: 1024 }).start();
    appendFileSync(t.log, 'plain 1\nAUTH 2\n');
    await waitFor('two lines', () => c.events.length === 2);
    expect(c.texts).toEqual(['plain 1', 'AUTH 2']);
  });

  it('asks the gate again before each read, so a replaced gate is followed', async () => {
    writeFileSync(t.log, '');
    let current: LineGate | undefined = scanner;
    const c = new Consumer();
    await t.follow(c, { gate: () => current }).start();
    appendFileSync(t.log, 'plain 1\nAUTH 2\n');
    await waitFor('AUTH 2', () => c.events.length === 1);
    current = undefined;
    appendFileSync(t.log, 'plain 3\n');
    await waitFor('plain 3', () => c.events.length === 2);
    expect(c.events.map((e) => [e.line, e.text])).toEqual([
      [2, 'AUTH 2'],
      [3, 'plain 3'],
    ]);
  });
});
