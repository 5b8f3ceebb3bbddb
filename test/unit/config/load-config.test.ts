import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config/load-config';
import { MailjailError } from '../../../src/core/errors';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mj-config-'));
  mkdirSync(join(dir, 'jails.d'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof MailjailError) return e.problems;
    throw e;
  }
  throw new Error('expected a config error');
}

describe('loadConfig', () => {
  it('knows the shipped jails, all disabled, with no config directory at all', () => {
    const c = loadConfig(null);
    expect([...c.jails.keys()].sort()).toEqual(['dovecot', 'dovecot_journal', 'exim', 'exim_spam', 'icewarp', 'postfix', 'postfix_journal', 'postfix_spam']);
    expect([...c.jails.values()].every((j) => !j.enabled)).toBe(true);
    expect(c.jails.get('postfix')!.rules.banTimeMs).toBe(7 * 86_400_000);
  });

  it('limits manual ban prefixes to /16 and /32 by default, or as maxBanPrefix says', () => {
    expect(loadConfig(null).main.maxBanPrefix).toEqual({ ipv4: 16, ipv6: 32 });
    write('mailjail.yaml', 'maxBanPrefix: { ipv6: 48 }\n');
    expect(loadConfig(dir).main.maxBanPrefix).toEqual({ ipv4: 16, ipv6: 48 });
    write('mailjail.yaml', 'maxBanPrefix: { ipv4: 40 }\n');
    expect(problemsOf(() => loadConfig(dir))[0]).toContain('maxBanPrefix.ipv4');
  });

  it('lets a jail read a journal directory, with or without matches, but not an empty journal source', () => {
    write('jails.d/50-j.yaml', 'jails:\n  postfix_journal:\n    enabled: true\n    sources: [{ journal: { directory: /var/log/journal } }]\n');
    expect(loadConfig(dir).jails.get('postfix_journal')!.sources).toEqual([{ journal: { directory: '/var/log/journal' } }]);
    write('jails.d/50-j.yaml', 'jails:\n  postfix_journal:\n    sources: [{ journal: {} }]\n');
    expect(problemsOf(() => loadConfig(dir))[0]).toContain('expected matches, a directory, or both');
  });

  it('ships a postfix jail that reads /var/log/mail.log, or the journal where that file does not exist', () => {
    expect(loadConfig(null).jails.get('postfix')!.sources).toEqual([
      { file: '/var/log/mail.log', orJournal: { matches: ['_SYSTEMD_UNIT=postfix@-.service'] } },
    ]);
  });

  it('refuses a configuration directory that does not exist', () => {
    expect(() => loadConfig(join(dir, 'typo'))).toThrow(`configuration directory ${join(dir, 'typo')} does not exist`);
  });

  it('lets a jail list several actions, each of them known (issue 15)', () => {
    write('mailjail.yaml', 'actions:\n  notify:\n    type: command\n    ban: [/bin/true, <ip>]\n    unban: [/bin/true]\n');
    write('jails.d/50-postfix.yaml', 'jails:\n  postfix:\n    actions: [nftables, notify]\n');
    expect(loadConfig(dir).jails.get('postfix')!.actions).toEqual(['nftables', 'notify']);
    write('jails.d/50-postfix.yaml', 'jails:\n  postfix:\n    actions: [nftables, nosuch]\n');
    expect(problemsOf(() => loadConfig(dir))[0]).toMatch(/50-postfix\.yaml:\d+: jails\.postfix\.actions: unknown action "nosuch"/);
  });

  it('turns a shipped jail on with a drop-in holding only enabled and the log path', () => {
    write('jails.d/50-postfix.yaml', 'jails:\n  postfix:\n    enabled: true\n    sources: [{ file: /srv/mail.log }]\n');
    const j = loadConfig(dir).jails.get('postfix')!;
    expect(j.enabled).toBe(true);
    expect(j.sources).toEqual([{ file: '/srv/mail.log' }]);
    expect(j.filters).toEqual(['postfix']);
  });

  it('lets a later drop-in override or disable what an earlier one set', () => {
    write('jails.d/50-postfix.yaml', 'jails:\n  postfix:\n    enabled: true\n    maxRetry: 3\n    findTime: 10m\n    spray: { distinctIps: 20 }\n');
    write('jails.d/60-tune.yaml', 'jails:\n  postfix:\n    findTime: 1h\n    spray: { window: 2h }\n');
    write('jails.d/90-off.yaml', 'jails:\n  exim:\n    enabled: false\n');
    const c = loadConfig(dir);
    const r = c.jails.get('postfix')!.rules;
    expect(r.maxRetry).toBe(3);
    expect(r.events['auth-failure']!.findTimeMs).toBe(3_600_000);
    expect(r.events.scanner!.findTimeMs).toBe(86_400_000); // scanners keep their own long window
    expect(r.spray).toEqual({ enabled: true, distinctIps: 20, windowMs: 7_200_000, graceMs: 20_000, holdMs: 45_000 });
    write('jails.d/95-off.yaml', 'jails:\n  postfix:\n    enabled: false\n');
    expect(loadConfig(dir).jails.get('postfix')!.enabled).toBe(false);
  });

  it('counts temporary rejects lightly in a four-minute window of their own, whatever the jail findTime (issue 11.3)', () => {
    write('jails.d/50-postfix.yaml', 'jails:\n  postfix:\n    findTime: 1h\n');
    const r = loadConfig(dir).jails.get('postfix')!.rules;
    expect(r.events['temp-reject']).toEqual({ weight: 0.25, findTimeMs: 240_000 });
    expect(r.events['auth-failure']!.findTimeMs).toBe(3_600_000);
    write('jails.d/50-postfix.yaml', 'jails:\n  postfix:\n    events: { auth-failure: 1, temp-reject: 0.5 }\n');
    expect(loadConfig(dir).jails.get('postfix')!.rules.events['temp-reject']).toEqual({ weight: 0.5, findTimeMs: 240_000 });
  });

  it('counts spam verdicts only in the spam jails, which one line turns on (issue 11.3)', () => {
    const shipped = loadConfig(null).jails;
    for (const name of ['postfix', 'postfix_journal', 'exim', 'icewarp', 'dovecot']) expect(shipped.get(name)!.rules.events['spam-verdict']).toBeUndefined();
    write('jails.d/60-spam.yaml', 'jails: { postfix_spam: { enabled: true }, exim_spam: { enabled: true } }\n');
    const c = loadConfig(dir);
    for (const name of ['postfix_spam', 'exim_spam']) {
      const j = c.jails.get(name)!;
      expect(j.enabled).toBe(true);
      expect(j.rules.events).toEqual({ 'spam-verdict': { weight: 1, findTimeMs: 86_400_000 } });
      expect([j.rules.maxRetry, j.rules.banTimeMs]).toEqual([3, 86_400_000]);
    }
  });

  it('reads the fleet keys with their defaults, a jail keeping its counts local, and names a bad key by file:line', () => {
    expect(loadConfig(null).main.fleet).toBeUndefined();
    const key = write('fleet.key', 'secret');
    write('mailjail.yaml', `fleet:\n  redis: redis://mailjail:pw@10.0.0.5:6379/0\n  node: mx1\n  secretFile: ${key}\n`);
    write('jails.d/50-p.yaml', 'jails:\n  postfix:\n    fleet: false\n');
    const c = loadConfig(dir);
    expect(c.main.fleet).toEqual({ redis: 'redis://mailjail:pw@10.0.0.5:6379/0', node: 'mx1', secretFile: key, keyPrefix: 'mailjail:', streamLength: 100_000 });
    expect(c.jails.get('postfix')!.fleet).toBe(false);
    expect(c.jails.get('exim')!.fleet).toBe(true);
    write('mailjail.yaml', `fleet:\n  redis: { sentinels: ["10.0.0.1:26379"], name: mymaster, password: pw }\n  secretFile: ${key}\n`);
    expect(loadConfig(dir).main.fleet?.redis).toEqual({ sentinels: ['10.0.0.1:26379'], name: 'mymaster', password: 'pw' });
    const main = write('mailjail.yaml', `fleet:\n  redis: http://10.0.0.5\n  secretFile: ${key}\n  nodes: 3\n`);
    expect(problemsOf(() => loadConfig(dir))).toEqual(
      expect.arrayContaining([expect.stringMatching(new RegExp(`^${main}:2: fleet\\.redis`)), `${main}:4: fleet.nodes: unknown key "nodes"`]),
    );
    write('mailjail.yaml', 'fleet:\n  redis: redis://10.0.0.5\n  secretFile: /no/such/fleet.key\n');
    expect(problemsOf(() => loadConfig(dir))).toEqual([`${main}:3: fleet.secretFile: no such file: /no/such/fleet.key`]);
  });

  it('reports every problem at once as file:line: path: message, unknown keys included', () => {
    const main = write('mailjail.yaml', 'database: /x.db\nsocekt: /run/x.sock\nignoreIp: [192.0.2.0/33]\n');
    const drop = write(
      'jails.d/50-bad.yaml',
      'jails:\n  postfix:\n    enabled: true\n    maxRetry: -1\n    banTime: forever\n    filters: [nosuchfilter]\n',
    );
    const problems = problemsOf(() => loadConfig(dir));
    expect(problems).toEqual(
      expect.arrayContaining([
        `${main}:2: socekt: unknown key "socekt"`,
        expect.stringMatching(new RegExp(`^${main}:3: ignoreIp\\.0: expected an IP address or CIDR`)),
        expect.stringMatching(new RegExp(`^${drop}:4: jails\\.postfix\\.maxRetry: `)),
        expect.stringMatching(new RegExp(`^${drop}:5: jails\\.postfix\\.banTime: expected a duration`)),
      ]),
    );
    expect(problems).toHaveLength(4);
    write('jails.d/50-bad.yaml', 'jails:\n  postfix:\n    filters: [nosuchfilter]\n');
    rmSync(main);
    expect(problemsOf(() => loadConfig(dir))).toEqual([expect.stringContaining('unknown filter "nosuchfilter"')]);
  });

  it('refuses an unknown action and a YAML syntax error with their lines', () => {
    write('jails.d/50-a.yaml', 'jails:\n  postfix:\n    action: pf\n');
    write('jails.d/60-b.yaml', 'jails:\n  exim: [\n');
    const problems = problemsOf(() => loadConfig(dir));
    expect(problems.some((p) => /50-a\.yaml:2: jails\.postfix\.action: unknown action "pf"/.test(p))).toBe(true);
    expect(problems.some((p) => /60-b\.yaml:\d+: /.test(p))).toBe(true);
  });

  it('accepts a named command action and a user filter from filters.d', () => {
    mkdirSync(join(dir, 'filters.d'));
    write('mailjail.yaml', 'actions:\n  notify:\n    type: command\n    ban: [/usr/local/bin/report, <ip>, <jail>]\n    unban: [/bin/true]\n');
    write('jails.d/50-x.yaml', 'jails:\n  postfix:\n    action: notify\n');
    const c = loadConfig(dir);
    expect(c.main.actions.notify.ban).toEqual(['/usr/local/bin/report', '<ip>', '<jail>']);
    expect(c.filterDirs).toEqual([join(dir, 'filters.d')]);
  });
});

describe('loadConfig and hostile YAML', () => {
  it('refuses an alias bomb in a drop-in as a config error at the file and line of its first alias (issue 17)', () => {
    // nine levels of nine aliases: 387 million strings once expanded
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (const [i, name] of [...'bcdefghi'].entries()) levels.push(`${name}: &${name} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(', ')}]`);
    const file = write('jails.d/60-bomb.yaml', ['# a drop-in', ...levels, 'jails:', '  postfix:', '    filters: *i'].join('\n'));
    const problems = problemsOf(() => loadConfig(dir));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${file}:3: .*alias`, 'i'));
  });
});
