import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { cachedYamlValue, disableYamlCache, enableYamlCache } from '../../../src/config/yaml-cache';
import { parseYaml, validateYaml } from '../../../src/config/yaml-document';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mj-yaml-cache-'));
});
afterEach(() => {
  disableYamlCache();
  rmSync(dir, { recursive: true, force: true });
});

const TEXT = ['# a jail', 'jails:', '  postfix:', '    maxRetry: 3', '    filters: [postfix]', ''].join('\n');

describe('the parsed-YAML cache', () => {
  it('gives a second parse of the same text the same value without the parser', () => {
    expect(enableYamlCache(join(dir, 'cache'))).toBe(true);
    const first = parseYaml(TEXT, 'a.yaml').doc!.value;
    expect(cachedYamlValue(TEXT)).toEqual(first);
    expect(parseYaml(TEXT, 'b.yaml').doc!.value).toEqual({ jails: { postfix: { maxRetry: 3, filters: ['postfix'] } } });
    // a fresh object each time: a caller changing its value changes no one else's
    expect(cachedYamlValue(TEXT)).not.toBe(cachedYamlValue(TEXT));
  });

  it('is read back by a later run (a new process sees the file)', () => {
    enableYamlCache(join(dir, 'cache'));
    parseYaml(TEXT, 'a.yaml');
    enableYamlCache(join(dir, 'cache'));
    expect(cachedYamlValue(TEXT)).toEqual({ jails: { postfix: { maxRetry: 3, filters: ['postfix'] } } });
  });

  it('still reports a problem in a cached file at its own line', () => {
    enableYamlCache(join(dir, 'cache'));
    parseYaml(TEXT, 'a.yaml');
    const doc = parseYaml(TEXT, 'a.yaml').doc!;
    const schema = z.object({ jails: z.record(z.object({ maxRetry: z.string(), filters: z.array(z.string()) }).strict()) });
    expect(validateYaml(doc, schema).problems).toEqual(['a.yaml:4: jails.postfix.maxRetry: Expected string, received number']);
  });

  it('stores neither a text with YAML errors nor a value JSON cannot carry', () => {
    enableYamlCache(join(dir, 'cache'));
    expect(parseYaml('a: [1\n', 'bad.yaml').problems).not.toEqual([]);
    expect(cachedYamlValue('a: [1\n')).toBeUndefined();
    expect(parseYaml('limit: .inf\n', 'inf.yaml').doc!.value).toEqual({ limit: Infinity });
    expect(cachedYamlValue('limit: .inf\n')).toBeUndefined();
  });

  it('is not used in a directory others can write, nor from a damaged file', () => {
    const open = join(dir, 'open');
    enableYamlCache(open);
    chmodSync(open, 0o777);
    expect(enableYamlCache(open)).toBe(false);
    parseYaml(TEXT, 'a.yaml');
    expect(existsSync(join(open, 'yaml-values.json'))).toBe(false);

    const cache = join(dir, 'cache');
    enableYamlCache(cache);
    writeFileSync(join(cache, 'yaml-values.json'), '{"format":', { mode: 0o600 });
    expect(parseYaml(TEXT, 'a.yaml').doc!.value).toEqual({ jails: { postfix: { maxRetry: 3, filters: ['postfix'] } } });
    expect(JSON.parse(readFileSync(join(cache, 'yaml-values.json'), 'utf8')).entries).toHaveLength(1);
  });

  it('does nothing until enabled', () => {
    parseYaml(TEXT, 'a.yaml');
    expect(cachedYamlValue(TEXT)).toBeUndefined();
  });
});
