import { appendFileSync, writeFileSync } from 'node:fs';
import { Consumer, sleep, useTailTest, waitFor } from './tail-harness';

describe('file source: reading appends', () => {
  const t = useTailTest('read');

  it('delivers appended lines in order with their file and 1-based line numbers', async () => {
    writeFileSync(t.log, 'old 1\nold 2\n');
    const c = new Consumer();
    await t.follow(c).start();
    appendFileSync(t.log, 'new 3\n');
    appendFileSync(t.log, 'new 4\nnew 5\n');
    await waitFor('three lines', () => c.events.length === 3);
    expect(c.events).toEqual([
      { source: 'postfix', file: t.log, line: 3, text: 'new 3' },
      { source: 'postfix', file: t.log, line: 4, text: 'new 4' },
      { source: 'postfix', file: t.log, line: 5, text: 'new 5' },
    ]);
    const last = c.cursors.get(`postfix:${t.log}`);
    expect(last).toMatchObject({ offset: 30, line: 5, path: t.log });
  });

  it('holds a partial last line until its newline arrives', async () => {
    writeFileSync(t.log, '');
    const c = new Consumer();
    await t.follow(c).start();
    appendFileSync(t.log, 'first\nsecond half');
    await waitFor('the complete line', () => c.events.length === 1);
    await sleep(300); // past a safety re-check: the partial line must still be held
    expect(c.texts).toEqual(['first']);
    expect(c.cursors.get(`postfix:${t.log}`)?.offset).toBe(6);
    appendFileSync(t.log, ' and the rest\n');
    await waitFor('the completed line', () => c.events.length === 2);
    expect(c.events[1]).toMatchObject({ line: 2, text: 'second half and the rest' });
  });

  it('cuts an over-long line to maxLineBytes and discards the rest of it', async () => {
    writeFileSync(t.log, '');
    const c = new Consumer();
    await t.follow(c, { maxLineBytes: 100 }).start();
    // Written in pieces, so the cut happens before the newline exists.
    appendFileSync(t.log, 'a'.repeat(150));
    await waitFor('the cut line', () => c.events.length === 1);
    appendFileSync(t.log, 'b'.repeat(5000));
    appendFileSync(t.log, 'c'.repeat(50) + '\nnext\n' + 'd'.repeat(300) + '\nlast\n');
    await waitFor('four lines', () => c.events.length === 4);
    expect(c.texts).toEqual(['a'.repeat(100), 'next', 'd'.repeat(100), 'last']);
    expect(c.events.map((e) => e.line)).toEqual([1, 2, 3, 4]);
  });

  it('decodes each line as UTF-8, replacing invalid bytes, and drops the CR of CRLF', async () => {
    writeFileSync(t.log, '');
    const c = new Consumer();
    await t.follow(c, { id: 'icewarp' }).start();
    appendFileSync(t.log, Buffer.concat([Buffer.from('caf\u00e9 ', 'utf8'), Buffer.from([0xff, 0x0d, 0x0a])]));
    await waitFor('one line', () => c.events.length === 1);
    expect(c.texts).toEqual(['caf\u00e9 \ufffd']);
  });

  it('starts at the end of an existing file on first start, skipping a line still being written', async () => {
    writeFileSync(t.log, 'old 1\nold 2\nhalf of old 3');
    const c = new Consumer();
    await t.follow(c).start();
    appendFileSync(t.log, ' rest\nnew 4\n');
    await waitFor('one line', () => c.events.length === 1);
    expect(c.events[0]).toMatchObject({ line: 4, text: 'new 4' });
  });

  it('saves the start position of a file opened at its end before any line arrives', async () => {
    writeFileSync(t.log, 'old 1\nold 2\n');
    const c = new Consumer();
    await t.follow(c).start();
    await waitFor('a position batch', () => c.cursors.has(`postfix:${t.log}`));
    expect(c.batches[0].events).toEqual([]);
    // line 0 at a non-zero offset: lines before it are counted only once the file grows.
    expect(c.cursors.get(`postfix:${t.log}`)).toMatchObject({ offset: 12, line: 0 });
    appendFileSync(t.log, 'new 3\n');
    await waitFor('one line', () => c.events.length === 1);
    expect(c.events[0]).toMatchObject({ line: 3, text: 'new 3' });
  });

  it('starts at the beginning when asked to', async () => {
    writeFileSync(t.log, 'old 1\nold 2\n');
    const c = new Consumer();
    await t.follow(c, { startAt: 'beginning' }).start();
    appendFileSync(t.log, 'new 3\n');
    await waitFor('three lines', () => c.events.length === 3);
    expect(c.texts).toEqual(['old 1', 'old 2', 'new 3']);
  });

  it('delivers a big existing file in chunks whose cursor after any step of lines stands right after it', async () => {
    const lines = Array.from({ length: 120_000 }, (_, i) => `line ${i + 1} ${'x'.repeat(i % 50)}`);
    writeFileSync(t.log, lines.join('\n') + '\n');
    const c = new Consumer(5000);
    await t.follow(c, { startAt: 'beginning' }).start();
    await waitFor('every line', () => c.events.length === lines.length, 20_000);
    expect(c.texts).toEqual(lines);
    const withLines = c.batches.filter((b) => b.events.length > 0);
    expect(withLines.every((b) => b.events.length <= 5000)).toBe(true);
    for (const b of withLines) {
      expect((b.cursor?.value as { line: number }).line).toBe(b.events[b.events.length - 1].line);
    }
  });

  it('resumes exactly after the saved cursor when stopped and started again', async () => {
    const c = new Consumer();
    await t.readThenStop(c, () => appendFileSync(t.log, 'line 1\nline 2\n'), 2);
    appendFileSync(t.log, 'line 3\nline 4\n');
    const second = t.follow(c);
    await second.start();
    appendFileSync(t.log, 'line 5\n');
    await waitFor('five lines', () => c.events.length === 5);
    await sleep(300);
    expect(c.texts).toEqual(['line 1', 'line 2', 'line 3', 'line 4', 'line 5']);
    expect(c.events.map((e) => e.line)).toEqual([1, 2, 3, 4, 5]);
  });

  it('still discards the rest of a cut line after a restart in the middle of it', async () => {
    writeFileSync(t.log, '');
    const c = new Consumer();
    const s = t.follow(c, { maxLineBytes: 10 });
    await s.start();
    appendFileSync(t.log, 'line 1\n' + 'x'.repeat(25));
    await waitFor('two lines', () => c.events.length === 2);
    await s.stop();
    appendFileSync(t.log, 'y'.repeat(25) + '\nline 3\n');
    // The same object again, as the daemon does on reload.
    await s.start();
    await waitFor('three lines', () => c.events.length === 3);
    await sleep(300);
    expect(c.texts).toEqual(['line 1', 'x'.repeat(10), 'line 3']);
    expect(c.events[2].line).toBe(3);
  });

  it('delivers no batch after stop() has resolved', async () => {
    writeFileSync(t.log, '');
    const c = new Consumer();
    const s = t.follow(c);
    await s.start();
    appendFileSync(t.log, 'before\n');
    await waitFor('one line', () => c.events.length === 1);
    await s.stop();
    const count = c.batches.length;
    appendFileSync(t.log, 'after\n');
    await sleep(400);
    expect(c.batches.length).toBe(count);
  });
});
