import type { Failure } from '../../../src/core/types';
import { compileFilter } from '../../../src/match/compile-filter';
import type { FilterDef } from '../../../src/match/filter-schema';
import { ChunkReader, matchChunk, SCAN_MIN_BYTES } from '../../../src/match/match-chunk';
import { Matcher } from '../../../src/match/matcher';

const REF = Date.parse('2015-06-01T00:00:00Z');
const def: FilterDef = {
  prefix: '<TIME> mx app\\[(?<session>\\d+)\\]: ',
  rules: [
    { id: 'fail', event: 'auth-failure', keywords: ['authentication failed'], regex: 'authentication failed for \\[<HOST>\\]' },
    { id: 'quit', event: 'scanner', keywords: ['< '], regex: '< \\[<HOST>\\]: QUIT' },
  ],
};

function run(text: string | Buffer, firstLine = 1) {
  const matcher = new Matcher([compileFilter('demo', def)]);
  const got: Array<{ line: number; ip: string; text: string }> = [];
  const lines = matchChunk(matcher, Buffer.isBuffer(text) ? text : Buffer.from(text), { source: 's', firstLine, referenceTime: REF }, (f: Failure, line, t) =>
    got.push({ line, ip: f.ip, text: t }),
  );
  return { lines, got };
}

describe('matchChunk', () => {
  test('numbers lines from firstLine and passes the matched text without its newline', () => {
    const text = [
      'Feb 13 16:14:24 mx app[1]: connect',
      'Feb 13 16:14:25 mx app[1]: authentication failed for [192.0.2.1]',
      'Feb 13 16:14:26 mx app[1]: ok',
      'Feb 13 16:14:27 mx app[1]: authentication failed for [192.0.2.2]',
      '',
    ].join('\n');
    expect(run(text, 10)).toEqual({
      lines: 4,
      got: [
        { line: 11, ip: '192.0.2.1', text: 'Feb 13 16:14:25 mx app[1]: authentication failed for [192.0.2.1]' },
        { line: 13, ip: '192.0.2.2', text: 'Feb 13 16:14:27 mx app[1]: authentication failed for [192.0.2.2]' },
      ],
    });
  });

  test('counts an unterminated last line and strips CR from CRLF logs', () => {
    const r = run('Feb 13 16:14:24 mx app[1]: x\r\nFeb 13 16:14:25 mx app[1]: authentication failed for [192.0.2.1]\r\nFeb 13 16:14:26 mx app[1]: < [192.0.2.3]: QUIT');
    expect(r.lines).toBe(3);
    expect(r.got.map((g) => [g.line, g.ip, g.text.endsWith('\r')])).toEqual([
      [2, '192.0.2.1', false],
      [3, '192.0.2.3', false],
    ]);
  });

  test('counts empty lines and an empty chunk', () => {
    expect(run('\n\n\n').lines).toBe(3);
    expect(run('').lines).toBe(0);
  });

  test('matches a line once even when it holds several keywords', () => {
    const r = run('Feb 13 16:14:24 mx app[1]: authentication failed for [192.0.2.1] < authentication failed\n');
    expect(r.got).toHaveLength(1);
  });

  test('yields what matching line by line yields, on a mixed log', () => {
    const lines: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const ip = `192.0.2.${i % 250}`;
      lines.push(
        i % 7 === 0
          ? `Feb 13 16:14:24 mx app[${i}]: authentication failed for [${ip}]`
          : i % 11 === 0
            ? `Feb 13 16:14:24 mx app[${i}]: < [${ip}]: QUIT`
            : `Feb 13 16:14:24 mx app[${i}]: delivered to <user${i}@example.com> from [${ip}]`,
      );
    }
    const bulk = run(`${lines.join('\n')}\n`);
    const single = new Matcher([compileFilter('demo', def)]);
    const expected = lines.flatMap((text, i) => {
      const f = single.match({ source: 's', line: i + 1, text }, REF);
      return f ? [{ line: i + 1, ip: f.ip, text }] : [];
    });
    expect(bulk.lines).toBe(3000);
    expect(bulk.got).toEqual(expected);
    expect(expected.length).toBeGreaterThan(600);
  });
});

describe('ChunkReader', () => {
  const failLine = (i: number) => `Feb 13 16:14:24 mx app[${i}]: authentication failed for [192.0.2.${i % 250}]`;
  const otherLine = (i: number) => `Feb 13 16:14:24 mx app[${i}]: delivered to <user${i}@example.com>`;
  /** `n` lines, every `every`-th one a failure. */
  const log = (n: number, every: number) => Array.from({ length: n }, (_, i) => (i % every === 0 ? failLine(i) : otherLine(i)));
  const collect = (reader: ChunkReader, max = Infinity) => {
    const got: number[] = [];
    reader.step((_f, line) => got.push(line), max);
    return got;
  };
  const matcher = () => new Matcher([compileFilter('demo', def)]);
  const expectedLines = (lines: string[], first: number) => lines.flatMap((l, i) => (l.includes('authentication failed') ? [first + i] : []));

  test('finds the same failures with their true line numbers in a big chunk (scanned) as in a small one (decoded line by line)', () => {
    const big = log(12_000, 9);
    const bytes = Buffer.from(`${big.join('\n')}\n`);
    expect(bytes.length).toBeGreaterThanOrEqual(SCAN_MIN_BYTES);
    const scanned = new ChunkReader(matcher(), bytes, { source: 's', firstLine: 5, referenceTime: REF });
    expect(collect(scanned)).toEqual(expectedLines(big, 5));
    expect(scanned.lines).toBe(12_000);
    const small = big.slice(0, 300);
    const decoded = new ChunkReader(matcher(), Buffer.from(`${small.join('\n')}\n`), { source: 's', firstLine: 5, referenceTime: REF });
    expect(collect(decoded)).toEqual(expectedLines(small, 5));
    expect(decoded.lines).toBe(300);
  });

  test.each([
    ['a small', 300],
    ['a big', 12_000],
  ])('stops in %s chunk right after the line of the Nth failure, and goes on from there', (_name, n) => {
    const lines = log(n, 3);
    const bytes = Buffer.from(`${lines.join('\n')}\n`);
    const reader = new ChunkReader(matcher(), bytes, { source: 's', firstLine: 1, referenceTime: REF });
    expect(collect(reader, 10)).toEqual([1, 4, 7, 10, 13, 16, 19, 22, 25, 28]);
    expect(reader.lines).toBe(28);
    expect(reader.pos).toBe(Buffer.byteLength(`${lines.slice(0, 28).join('\n')}\n`));
    expect(reader.done).toBe(false);
    const rest = collect(reader);
    expect(rest[0]).toBe(31);
    expect(reader.lines).toBe(n);
    expect(reader.done).toBe(true);
  });

  test('reports a line whose matching throws and goes on with the next', () => {
    const m = matcher();
    const original = m.match.bind(m);
    m.match = (ev, now) => (ev.text.includes('app[1]') ? (() => { throw new Error('filter bug'); })() : original(ev, now));
    const errors: number[] = [];
    const got: number[] = [];
    const reader = new ChunkReader(m, Buffer.from(`${failLine(0)}\n${failLine(1)}\n${failLine(2)}\n`), { source: 's', firstLine: 1, referenceTime: REF });
    reader.step((_f, line) => got.push(line), Infinity, (line) => errors.push(line));
    expect({ got, errors }).toEqual({ got: [1, 3], errors: [2] });
  });

  test('decodes only the first maxLineBytes of a line, and reports line 0 when the first line number is unknown', () => {
    const texts: string[] = [];
    const long = `${failLine(0)} ${'x'.repeat(100)}`;
    const reader = new ChunkReader(matcher(), Buffer.from(`${long}\n${failLine(3)}`), { source: 's', firstLine: 0, referenceTime: REF, maxLineBytes: 80 });
    const lines: number[] = [];
    reader.step((_f, line, text) => {
      lines.push(line);
      texts.push(text);
    });
    expect(texts).toEqual([long.slice(0, 80), failLine(3)]);
    expect(lines).toEqual([0, 0]);
    expect(reader.lines).toBe(2);
  });
});
