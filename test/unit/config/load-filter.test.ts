import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MailjailError } from '../../../src/core/errors';
import { listFilterNames, loadFilterFile, loadFilters, shippedFiltersDir } from '../../../src/config/load-filter';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mj-filters-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(MailjailError);
    expect((e as MailjailError).code).toBe('CONFIG');
    return (e as MailjailError).problems.length > 0 ? (e as MailjailError).problems : [(e as Error).message];
  }
  throw new Error('expected a CONFIG error');
}

const GOOD = `prefix: '<TIME> app: '
rules:
  - id: fail
    event: auth-failure
    keywords: [failed for]
    regex: 'failed for \\[<HOST>\\]'
`;

describe('loadFilters', () => {
  test('loads every shipped filter when none is named', () => {
    expect(loadFilters([]).map((f) => f.name)).toEqual(listFilterNames(shippedFiltersDir()));
    expect(listFilterNames(shippedFiltersDir())).toEqual(expect.arrayContaining(['exim', 'icewarp', 'postfix']));
  });

  test('looks a name up in the extra directories before the shipped filters', () => {
    writeFileSync(join(dir, 'postfix.yaml'), GOOD);
    const [f] = loadFilters(['postfix'], [dir]);
    expect(f.file).toBe(join(dir, 'postfix.yaml'));
    expect(loadFilters(['postfix'])[0].file).toBe(join(shippedFiltersDir(), 'postfix.yaml'));
  });

  test('loads a path as is and names the filter after the file', () => {
    writeFileSync(join(dir, 'my-app.yaml'), GOOD);
    expect(loadFilters([join(dir, 'my-app.yaml')])[0].name).toBe('my-app');
    expect(loadFilterFile(join(dir, 'my-app.yaml')).rules[0].id).toBe('fail');
  });

  test('refuses an unknown name', () => {
    expect(problemsOf(() => loadFilters(['nope']))).toEqual(['unknown filter "nope"']);
  });

  test('reports every problem of every filter as file:line: path: message', () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      `prefix: '<TIME> '
rules:
  - id: fail
    event: auth-failure
    keywords: [failed for]
    colour: red
    regex: 'x'
  - id: other
    event: nonsense
    keywords: [abc]
    regex: 'y'
`,
    );
    const badRegex = join(dir, 'badregex.yaml');
    writeFileSync(badRegex, GOOD.replace("'failed for \\[<HOST>\\]'", "'failed (for \\[<HOST>\\]'"));
    const problems = problemsOf(() => loadFilters([bad, badRegex]));
    expect(problems).toEqual([
      `${bad}:6: rules.0.colour: unknown key "colour"`,
      expect.stringMatching(new RegExp(`^${bad}:9: rules\\.1\\.event: `)),
      `${badRegex}:6: rules.0.regex: invalid regular expression: Unterminated group`,
    ]);
  });

  test('reports YAML syntax errors with their line', () => {
    const f = join(dir, 'broken.yaml');
    writeFileSync(f, "prefix: 'x'\nrules:\n  - id: a\n   bad indent: [\n");
    expect(problemsOf(() => loadFilterFile(f))[0]).toMatch(new RegExp(`^${f}:\\d+: `));
  });

  test('reports an unreadable filter file', () => {
    expect(problemsOf(() => loadFilterFile(join(dir, 'missing.yaml')))[0]).toMatch(/cannot read filter .*missing\.yaml: ENOENT/);
  });

  test('finds the shipped filters next to src/ (and dist/)', () => {
    expect(readFileSync(join(shippedFiltersDir(), 'postfix.yaml'), 'utf8')).toContain('prefix:');
  });
});
