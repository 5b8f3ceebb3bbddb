import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Ban } from '../../../src/core/types';
import { CommandAction, fillTemplate, findUnknownPlaceholders } from '../../../src/enforce/command-action';
import { createAction } from '../../../src/enforce/create-action';

const NOW = 1_700_000_000_000;
const ban = (ip: string, untilMs = 600_000, reason = 'threshold'): Ban => ({ ip, jail: 'postfix', since: NOW, until: NOW + untilMs, reason, count: 0 });

/** A recorder program: appends its argv as one JSON line to the file named by its first argument. */
const RECORD = 'require("fs").appendFileSync(process.argv[1], JSON.stringify(process.argv.slice(2)) + "\\n")';

describe('command action templates', () => {
  test('fills every placeholder inside arguments, each argument staying one argv entry', () => {
    expect(
      fillTemplate(['fw', '--add=<ip>', '<jail>', 'for <timeout>s', '<reason>', '<ip>'], {
        ip: '192.0.2.1',
        jail: 'postfix',
        timeout: '600',
        reason: 'spray:user',
      }),
    ).toEqual(['fw', '--add=192.0.2.1', 'postfix', 'for 600s', 'spray:user', '192.0.2.1']);
  });

  test('names placeholders it does not know', () => {
    expect(findUnknownPlaceholders(['x', '<ip>', '<port>', '<host><jail>'])).toEqual(['<port>', '<host>']);
  });
});

describe('command action', () => {
  let dir: string;
  let log: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mj-cmd-'));
    log = join(dir, 'calls.jsonl');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const calls = (): string[][] => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l)) : []);
  const recorder = (verb: string) => [process.execPath, '-e', RECORD, log, verb];

  function action(): CommandAction {
    const spec = {
      type: 'command' as const,
      name: 'cloud-fw',
      ban: [...recorder('ban'), '<ip>', '<jail>', '<timeout>', '<reason>'],
      unban: [...recorder('unban'), '<ip>', '<jail>'],
      setup: [...recorder('setup'), '<jail>'],
      teardown: [...recorder('teardown'), '<jail>'],
    };
    return createAction(spec, { jail: 'postfix', ports: [25] }) as CommandAction;
  }

  test('runs the ban template once per element with canonical address, jail, timeout and reason', async () => {
    const a = action();
    expect(a.name).toBe('cloud-fw');
    await a.setup();
    await a.ban([ban('::ffff:192.0.2.1', 1500), ban('2001:db8::/64', 604_800_000, 'manual')], NOW);
    await a.unban(['192.0.2.1']);
    await a.teardown();
    expect(calls()).toEqual([
      ['setup', 'postfix'],
      ['ban', '192.0.2.1', 'postfix', '2', 'threshold'],
      ['ban', '2001:db8::/64', 'postfix', '604800', 'manual'],
      ['unban', '192.0.2.1', 'postfix'],
      ['teardown', 'postfix'],
    ]);
  });

  test('cannot list what it banned', async () => {
    expect(await action().listed()).toBeNull();
  });

  test('runs nothing for a batch holding an element that is not an IP', async () => {
    await expect(action().ban([ban('192.0.2.1'), ban('$(reboot)')], NOW)).rejects.toMatchObject({ code: 'FIREWALL' });
    await expect(action().unban(['192.0.2.1', '-rf'])).rejects.toMatchObject({ code: 'FIREWALL' });
    expect(calls()).toEqual([]);
  });

  test('a failing command throws FIREWALL with its stderr after the others have run', async () => {
    const spec = {
      type: 'command' as const,
      name: 'picky',
      ban: [process.execPath, '-e', `${RECORD}; if (process.argv[3] === "192.0.2.2") { console.error("refused " + process.argv[3]); process.exit(4); }`, log, 'ban', '<ip>'],
      unban: ['true'],
    };
    const a = new CommandAction(spec, { jail: 'postfix', ports: 'all' });
    await expect(a.ban([ban('192.0.2.1'), ban('192.0.2.2'), ban('192.0.2.3')], NOW)).rejects.toMatchObject({
      code: 'FIREWALL',
      message: expect.stringMatching(/^picky ban .* failed \(exit 4\): refused 192\.0\.2\.2$/),
    });
    expect(calls().map((c) => c[1])).toEqual(['192.0.2.1', '192.0.2.2', '192.0.2.3']);
  });

  test('refuses an empty template or an unknown placeholder at construction', () => {
    expect(() => new CommandAction({ type: 'command', name: 'x', ban: [], unban: ['true'] }, { jail: 'postfix', ports: 'all' })).toThrow(
      /ban must be a non-empty argv list/,
    );
    expect(() => new CommandAction({ type: 'command', name: 'x', ban: ['fw', '<port>'], unban: ['true'] }, { jail: 'postfix', ports: 'all' })).toThrow(
      expect.objectContaining({ code: 'CONFIG', message: expect.stringContaining('<port>') }),
    );
  });
});
