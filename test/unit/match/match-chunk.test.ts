import type { Failure } from '../../../src/core/types';
import { compileFilter } from '../../../src/match/compile-filter';
import type { FilterDef } from '../../../src/match/filter-schema';
import { matchChunk } from '../../../src/match/match-chunk';
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
