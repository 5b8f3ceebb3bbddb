/**
 * The annotated sample logs (fixtures/logs) run through `mailjail check --json`: every sample line
 * yields exactly what its `# expect:` annotation says, every rule with an event has a sample, and
 * no line ever yields an address an attacker planted (203.0.113.0/24, by fixture convention).
 *
 * Layout: fixtures/logs/<filter>.log, fixtures/logs/<filter>-<variant>.log, and
 * fixtures/logs/<filter>/<dated name>.log for logs whose date lives in the file name (IceWarp).
 * fixtures/logs/real-*.log (real logs, added separately) run through every shipped filter and are
 * checked only when annotated.
 *
 * An annotated `time` is compared as an instant: with a zone (`...Z`, `+01:00`) for lines that
 * carry one, without (`2015-02-13T16:14:24`, local time like the MTA's) for lines that do not, so
 * the test holds in any TZ.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runCheck } from '../src/cli/commands/check';
import { listFilterNames, loadFilters, shippedFiltersDir } from '../src/config/load-filter';

const FIXTURES = join(__dirname, '..', 'fixtures', 'logs');
const REQUIRED_KEYS = ['file', 'line', 'time', 'ip', 'filter', 'event'];

interface Fixture {
  file: string;
  /** Filters to run; empty = every shipped filter. */
  filters: string[];
  /** 1-based line number of a sample -> what it must yield (null = nothing). */
  expected: Map<number, Record<string, unknown> | null>;
  /** Sample lines that carry no annotation (a mistake in the fixture). */
  unannotated: number[];
}

function fixtureFiles(): Array<{ file: string; filter: string | null }> {
  const out: Array<{ file: string; filter: string | null }> = [];
  for (const entry of readdirSync(FIXTURES).sort()) {
    const path = join(FIXTURES, entry);
    if (statSync(path).isDirectory()) {
      for (const f of readdirSync(path).sort()) if (f.endsWith('.log')) out.push({ file: join(path, f), filter: entry });
    } else if (entry.endsWith('.log')) {
      out.push({ file: path, filter: entry.startsWith('real-') ? null : entry.replace(/[-.].*$/, '') });
    }
  }
  return out;
}

function readFixture(file: string, filter: string | null): Fixture {
  const expected = new Map<number, Record<string, unknown> | null>();
  const unannotated: number[] = [];
  let pending: Record<string, unknown> | null | undefined;
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((text, i) => {
      const m = /^# expect: (.*)$/.exec(text);
      if (m) {
        pending = m[1].trim() === 'none' ? null : (JSON.parse(m[1]) as Record<string, unknown>);
      } else if (text.startsWith('#') || text.trim() === '') {
        // commentary
      } else if (pending !== undefined) {
        expected.set(i + 1, pending);
        pending = undefined;
      } else unannotated.push(i + 1);
    });
  return { file, filters: filter ? [filter] : [], expected, unannotated };
}

const fixtures = fixtureFiles()
  .map(({ file, filter }) => readFixture(file, filter))
  .filter((f) => f.filters.length > 0 || f.expected.size > 0);

function check(fx: Fixture): Array<Record<string, unknown>> {
  let out = '';
  runCheck([fx.file], { filter: fx.filters, json: true }, (s) => {
    out += s;
  });
  return out
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const results = new Map(fixtures.map((fx) => [fx.file, check(fx)]));

describe('annotated fixtures', () => {
  test('there is a fixture for every shipped filter', () => {
    const covered = new Set(fixtures.flatMap((f) => f.filters));
    expect(listFilterNames(shippedFiltersDir()).filter((n) => !covered.has(n))).toEqual([]);
  });

  describe.each(fixtures.map((fx) => [fx.file.slice(FIXTURES.length + 1), fx] as const))('%s', (_name, fx) => {
    const got = results.get(fx.file) ?? [];
    const byLine = new Map(got.map((r) => [r.line as number, r]));

    test('every sample line carries an annotation', () => {
      expect(fx.unannotated).toEqual([]);
    });

    test('yields exactly the annotated events', () => {
      const mismatches: string[] = [];
      for (const [line, want] of fx.expected) {
        const have = byLine.get(line);
        if (want === null) {
          if (have) mismatches.push(`line ${line}: expected nothing, got ${JSON.stringify(have)}`);
          continue;
        }
        if (!have) {
          mismatches.push(`line ${line}: expected ${JSON.stringify(want)}, got nothing`);
          continue;
        }
        for (const [k, v] of Object.entries(want)) {
          if (k === 'time' ? Date.parse(have.time as string) !== Date.parse(v as string) : have[k] !== v) mismatches.push(`line ${line}: ${k} expected ${JSON.stringify(v)}, got ${JSON.stringify(have[k])}`);
        }
      }
      for (const r of got) if (!fx.expected.has(r.line as number)) mismatches.push(`line ${r.line}: unannotated line yielded ${JSON.stringify(r)}`);
      expect(mismatches).toEqual([]);
    });

    test('prints the six required keys first, with their types', () => {
      for (const r of got) {
        expect(Object.keys(r).slice(0, 6)).toEqual(REQUIRED_KEYS);
        expect(r.file).toBe(fx.file);
        expect(Number.isInteger(r.line) && (r.line as number) >= 1).toBe(true);
        expect(new Date(r.time as string).toISOString()).toBe(r.time);
      }
    });

    test('never yields an address planted in attacker text', () => {
      expect(got.filter((r) => String(r.ip).startsWith('203.0.113.'))).toEqual([]);
    });
  });

  test('every rule that has an event is exercised by a sample', () => {
    const seen = new Set([...results.values()].flat().map((r) => `${r.filter}/${r.rule}`));
    const missing = loadFilters([])
      .flatMap((f) => f.rules.filter((r) => r.event).map((r) => `${f.name}/${r.id}`))
      .filter((id) => !seen.has(id));
    expect(missing).toEqual([]);
  });
});
