import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config/load-config';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mj-shared-filters-'));
  mkdirSync(join(dir, 'jails.d'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('loadConfig with jails sharing a filter', () => {
  it('compiles a filter file once for all the jails that use it', () => {
    writeFileSync(
      join(dir, 'jails.d', '50-both.yaml'),
      ['jails:', '  postfix:', '    enabled: true', `    sources: [{ file: ${join(dir, 'mail.log')} }]`, '  postfix_journal:', '    enabled: true', ''].join('\n'),
    );
    const config = loadConfig(dir);
    const [fromFile] = config.jailFilters.get('postfix')!;
    const [fromJournal] = config.jailFilters.get('postfix_journal')!;
    expect(fromFile.name).toBe('postfix');
    expect(fromJournal).toBe(fromFile);
    expect(config.jailFilters.get('exim')![0]).not.toBe(fromFile);
  });
});
