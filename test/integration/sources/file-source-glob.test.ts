import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Consumer, sleep, useTailTest, waitFor } from './tail-harness';

describe('file source: globs', () => {
  const t = useTailTest('glob', { id: 'icewarp' });
  let smtp: string;

  beforeEach(() => {
    smtp = path.join(t.dir, 'smtp');
    mkdirSync(smtp);
  });

  it('picks up new daily and size-rotated IceWarp files as they appear, from their first line', async () => {
    const day1 = path.join(smtp, 's20150213.log');
    writeFileSync(day1, 'old line\n');
    const c = new Consumer();
    await t.follow(c, { patterns: [path.join(smtp, 's*.log')] }).start();
    appendFileSync(day1, 'day 1 new\n');
    await waitFor('the append', () => c.events.length === 1);
    const part2 = path.join(smtp, 's20150213-01.log');
    writeFileSync(part2, 'part 2 first\npart 2 second\n');
    await waitFor('the size-rotated file', () => c.events.length === 3);
    writeFileSync(path.join(smtp, 'notes.txt'), 'not a log\n');
    const day2 = path.join(smtp, 's20150214.log');
    writeFileSync(day2, 'day 2 first\n');
    appendFileSync(day2, 'day 2 second\n');
    await waitFor('the next day', () => c.events.length === 5);
    await sleep(300);
    expect(c.events.map((e) => [path.basename(e.file!), e.line, e.text])).toEqual([
      ['s20150213.log', 2, 'day 1 new'],
      ['s20150213-01.log', 1, 'part 2 first'],
      ['s20150213-01.log', 2, 'part 2 second'],
      ['s20150214.log', 1, 'day 2 first'],
      ['s20150214.log', 2, 'day 2 second'],
    ]);
    expect([...c.cursors.keys()].sort()).toEqual([`icewarp:${day1}`, `icewarp:${part2}`, `icewarp:${day2}`].sort());
  });

  it('opens every existing file at its end on first start', async () => {
    writeFileSync(path.join(smtp, 's20150211.log'), 'a\nb\n');
    writeFileSync(path.join(smtp, 's20150212.log'), 'c\n');
    const c = new Consumer();
    await t.follow(c, { patterns: [path.join(smtp, 's*.log')] }).start();
    await waitFor('two position batches', () => c.cursors.size === 2);
    appendFileSync(path.join(smtp, 's20150212.log'), 'd\n');
    await waitFor('the append', () => c.events.length === 1);
    expect(c.texts).toEqual(['d']);
  });

  it('reads a file that appeared while stopped from its start, and old files from their cursors', async () => {
    const day1 = path.join(smtp, 's20150213.log');
    const untouched = path.join(smtp, 's20150212.log');
    writeFileSync(untouched, 'never replayed\n');
    writeFileSync(day1, '');
    const c = new Consumer();
    const first = t.follow(c, { patterns: [path.join(smtp, 's*.log')] });
    await first.start();
    appendFileSync(day1, 'day 1 a\n');
    await waitFor('one line', () => c.events.length === 1);
    await first.stop();
    appendFileSync(day1, 'day 1 b\n');
    writeFileSync(path.join(smtp, 's20150214.log'), 'day 2 a\n');
    await t.follow(c, { patterns: [path.join(smtp, 's*.log')] }).start();
    await waitFor('three lines', () => c.events.length === 3);
    await sleep(300);
    expect(c.texts).toEqual(['day 1 a', 'day 1 b', 'day 2 a']);
  });

  it('follows files in directories that match a glob and appear later', async () => {
    const c = new Consumer();
    await t.follow(c, { patterns: [path.join(t.dir, '*', 's*.log')] }).start();
    const pop3 = path.join(t.dir, 'pop3');
    mkdirSync(pop3);
    await sleep(50); // let the new directory's watch settle; the safety re-check covers it anyway
    writeFileSync(path.join(pop3, 's20150213.log'), 'pop3 line\n');
    writeFileSync(path.join(smtp, 's20150213.log'), 'smtp line\n');
    await waitFor('two lines', () => c.events.length === 2);
    expect(c.texts.sort()).toEqual(['pop3 line', 'smtp line']);
  });

  it('follows a plain path that does not exist yet once it is created', async () => {
    const log = path.join(t.dir, 'later', 'mail.log');
    const c = new Consumer();
    await t.follow(c, { patterns: [log] }).start();
    mkdirSync(path.dirname(log));
    writeFileSync(log, 'first\n');
    await waitFor('one line', () => c.events.length === 1);
    expect(c.events[0]).toMatchObject({ file: log, line: 1, text: 'first' });
  });

  it('rejects a relative pattern as a configuration error', () => {
    expect(() => new Consumer().source('x', ['var/log/mail.log'])).toThrow(
      expect.objectContaining({ code: 'CONFIG', problems: ['var/log/mail.log: a file source pattern must be an absolute path'] }),
    );
  });
});
