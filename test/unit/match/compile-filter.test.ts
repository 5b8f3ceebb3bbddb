import { MailjailError } from '../../../src/core/errors';
import { compileFilter } from '../../../src/match/compile-filter';
import type { FilterDef } from '../../../src/match/filter-schema';
import { FilterSchema } from '../../../src/match/filter-schema';

const base = (rules: FilterDef['rules'], extra: Partial<FilterDef> = {}): FilterDef => ({
  prefix: '<TIME> \\S+ app\\[(?<session>\\d+)\\]: ',
  rules,
  ...extra,
});

function problemsOf(def: FilterDef): string[] {
  try {
    compileFilter('t', def, 'filters/t.yaml', (path) => path.length + 100);
  } catch (e) {
    expect(e).toBeInstanceOf(MailjailError);
    expect((e as MailjailError).code).toBe('CONFIG');
    return (e as MailjailError).problems;
  }
  return [];
}

describe('compileFilter', () => {
  test('compiles a valid filter and collects its keywords once each', () => {
    const f = compileFilter(
      't',
      base([
        { id: 'a', event: 'auth-failure', keywords: ['failed for'], regex: 'failed for \\[<HOST>\\]' },
        { id: 'b', event: 'scanner', keywords: ['failed for', 'gone from'], regex: 'gone from \\[<HOST>\\]' },
      ]),
    );
    expect(f.name).toBe('t');
    expect(f.keywords).toEqual(['failed for', 'gone from']);
    expect(f.rules.map((r) => r.re.sticky)).toEqual([true, true]);
  });

  test('reports a bad regex with file, line and YAML path, without the expanded source', () => {
    const problems = problemsOf(base([{ id: 'a', event: 'scanner', keywords: ['abc'], regex: '[<HOST>' }]));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^filters\/t\.yaml:103: rules\.0\.regex: invalid regular expression: /);
    expect(problems[0]).not.toContain('\\d{1,3}');
  });

  test('collects every problem before throwing', () => {
    const problems = problemsOf(
      base([
        { id: 'a', event: 'scanner', keywords: ['abc'], regex: 'no address here' },
        { id: 'a', event: 'scanner', keywords: ['abc'], regex: '(' },
        { id: 'c', event: 'scanner', keywords: ['abc'], regex: '%(nope) \\[<HOST>\\]' },
      ]),
    );
    expect(problems.map((p) => p.replace(/^[^ ]+ /, ''))).toEqual([
      'rules.0.regex: a rule with an event must bind <HOST>',
      'rules.1.id: duplicate rule id "a"',
      'rules.1.regex: invalid regular expression: Unterminated group',
      'rules.2.regex: unknown def %(nope)',
    ]);
  });

  test('refuses a wildcard that could carry attacker text to the address', () => {
    for (const regex of ['user=.* from \\[<HOST>\\]', 'from \\S+\\[<HOST>\\]', 'x.+?\\[<HOST>\\]']) {
      const problems = problemsOf(base([{ id: 'a', event: 'scanner', keywords: ['abc'], regex }]));
      expect(problems.join('\n')).toContain('before <HOST>');
    }
    // after the address, and escaped dots, are fine
    expect(problemsOf(base([{ id: 'a', event: 'scanner', keywords: ['abc'], regex: 'a\\.b \\[<HOST>\\]: .*' }]))).toEqual([]);
  });

  test('refuses <HOST> twice, <TIME> in a rule, and session groups outside the prefix', () => {
    const problems = problemsOf(
      base([
        { id: 'a', event: 'scanner', keywords: ['abc'], regex: '<HOST> <HOST>' },
        { id: 'b', event: 'scanner', keywords: ['abc'], regex: '<TIME> \\[<HOST>\\]' },
        { id: 'c', event: 'scanner', keywords: ['abc'], regex: '(?<session>\\d+) \\[<HOST>\\]' },
      ]),
    );
    expect(problems.join('\n')).toContain('<HOST> may appear only once');
    expect(problems.join('\n')).toContain('<TIME> belongs in the prefix');
    expect(problems.join('\n')).toContain('(?<session>) belongs in the prefix');
  });

  test('needs a session group for when/then and year/month/day groups for fileDate', () => {
    const problems = problemsOf({
      prefix: '<TIME> ',
      fileDate: '(?<year>\\d{4})\\.log$',
      rules: [{ id: 'a', event: 'scanner', keywords: ['abc'], regex: '\\[<HOST>\\]', then: { state: 'x' } }],
    });
    expect(problems.join('\n')).toContain('when/then need a (?<session>) group');
    expect(problems.join('\n')).toContain('fileDate: needs groups');
  });

  test('expands defs that use other defs', () => {
    const f = compileFilter(
      't',
      base([{ id: 'a', event: 'scanner', keywords: ['abc'], regex: '%(client) gone' }], {
        defs: { client: '%(name)\\[<HOST>\\]', name: '[\\w.-]*' },
      }),
    );
    f.rules[0].re.lastIndex = 0;
    expect(f.rules[0].re.exec('mx.example.org[192.0.2.1] gone')?.groups?.host).toBe('192.0.2.1');
  });
});

describe('FilterSchema', () => {
  test('rejects unknown keys and unknown event kinds', () => {
    const r = FilterSchema.safeParse({ prefix: 'x', rules: [{ id: 'a', event: 'nope', keywords: ['abc'], regex: 'x', extra: 1 }], more: 1 });
    expect(r.success).toBe(false);
    const codes = r.success ? [] : r.error.issues.map((i) => i.code);
    expect(codes).toEqual(expect.arrayContaining(['unrecognized_keys', 'invalid_enum_value']));
  });

  test('rejects keywords too short to skip anything', () => {
    expect(FilterSchema.safeParse({ prefix: 'x', rules: [{ id: 'a', keywords: ['ab'], regex: 'x' }] }).success).toBe(false);
  });
});
