/**
 * Issue 16: a filter's named groups are read from its regex sources instead of a probe compile of
 * every regex at load (about 10 ms of each start). They must be exactly the groups V8 sees.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadFilterFile } from '../../../src/config/load-filter';
import { foldCase } from '../../../src/match/bounded-regexp';
import { groupNamesOf } from '../../../src/match/regexp-source';

/** What V8 binds: an empty alternative makes the regex match "", exposing every group name. */
function probedNames(source: string): string[] {
  return Object.keys(new RegExp(`(?:${source})|`).exec('')?.groups ?? {}).sort();
}

const FILTERS = join(__dirname, '..', '..', '..', 'filters');

describe('groupNamesOf', () => {
  it('names the same groups V8 binds for every regex of every shipped filter', () => {
    const sources = readdirSync(FILTERS)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => loadFilterFile(join(FILTERS, f)))
      .flatMap((f) => [f.prefix, ...f.rules.map((r) => r.re), ...f.ignore, ...(f.fileDate ? [f.fileDate] : [])])
      .map((re) => re.source);
    expect(sources.length).toBeGreaterThan(40);
    for (const source of sources) expect([source, [...groupNamesOf(source)].sort()]).toEqual([source, probedNames(source)]);
  });

  it.each([
    ['(?<host>\\d+) (?<user>\\w+)', ['host', 'user']],
    ['(?<=from )(?<host>x)(?<!y)', ['host']],
    ['\\(?<notgroup>x\\)', []],
    ['[(?<inclass>)] (?<after>a)', ['after']],
    ['[](?<afterempty>a)', ['afterempty']],
    ['[^](?<afterany>a)', ['afterany']],
    ['[\\]](?<afterescaped>a)', ['afterescaped']],
    ['(?<outer>a(?<inner>b))\\k<outer>', ['inner', 'outer']],
    ['(?<café>x)', ['café']],
  ])('reads the groups of %s as V8 does', (source, names) => {
    expect([...groupNamesOf(source)].sort()).toEqual(names);
    expect(probedNames(source)).toEqual(names);
  });

  it('keeps a class V8 closes at its first `]` closed there when folding case', () => {
    expect(new RegExp(foldCase('[^]ab')).test('xAB')).toBe(true);
    expect(new RegExp(foldCase('a[]|b')).test('B')).toBe(true);
  });
});
