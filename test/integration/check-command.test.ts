/**
 * `mailjail check` end to end through the CLI entry (main), on real files in a temp dir: the
 * summary, the --json contract (nothing but one object per matched line on stdout), exit statuses.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync, mkdirSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mj-check-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `mailjail ...args` in process, capturing what it writes to stdout and stderr. */
async function mailjail(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = { stdout: '', stderr: '' };
  const realOut = process.stdout.write.bind(process.stdout);
  const realErr = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: string | Uint8Array) => ((out.stdout += String(s)), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string | Uint8Array) => ((out.stderr += String(s)), true)) as typeof process.stderr.write;
  try {
    const code = await main(args);
    return { code, ...out };
  } finally {
    process.stdout.write = realOut;
    process.stderr.write = realErr;
    process.exitCode = undefined;
  }
}

const POSTFIX = [
  'Feb 13 16:14:24 mx1 postfix/smtpd[1]: connect from mail.example.org[198.51.100.1]',
  'Feb 13 16:14:25 mx1 postfix/smtpd[2]: warning: unknown[192.0.2.1]: SASL LOGIN authentication failed: UGFzc3dvcmQ6',
  'Feb 13 16:14:26 mx1 postfix/smtpd[2]: warning: unknown[192.0.2.1]: SASL LOGIN authentication failed: UGFzc3dvcmQ6',
  'Feb 13 16:14:27 mx1 postfix/smtpd[3]: lost connection after AUTH from unknown[192.0.2.2]',
  '',
].join('\n');

describe('mailjail check', () => {
  test('summarises lines read, matches per filter and event, top IPs and speed', async () => {
    const log = join(dir, 'mail.log');
    writeFileSync(log, POSTFIX);
    const r = await mailjail('check', log);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/Lines read:\s+4\n/);
    expect(r.stdout).toMatch(/Matched:\s+3\n/);
    expect(r.stdout).toMatch(/\s2\s+postfix\s+auth-failure\n/);
    expect(r.stdout).toMatch(/\s1\s+postfix\s+scanner\n/);
    expect(r.stdout).toMatch(/Top 2 IPs \(of 2\):\n\s+2\s+192\.0\.2\.1\n\s+1\s+192\.0\.2\.2\n/);
    expect(r.stdout).toMatch(/lines\/s/);
  });

  test('--json prints one object per matched line and nothing else', async () => {
    const log = join(dir, 'mail-json.log');
    writeFileSync(log, POSTFIX);
    // the syslog year comes from the file's mtime
    utimesSync(log, new Date('2015-03-01T00:00:00'), new Date('2015-03-01T00:00:00'));
    const r = await mailjail('check', '--json', '--filter', 'postfix', log);
    expect(r.code).toBe(0);
    const rows = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(rows).toEqual([
      { file: log, line: 2, time: new Date('2015-02-13T16:14:25').toISOString(), ip: '192.0.2.1', filter: 'postfix', event: 'auth-failure', rule: 'sasl-auth-failed' },
      { file: log, line: 3, time: new Date('2015-02-13T16:14:26').toISOString(), ip: '192.0.2.1', filter: 'postfix', event: 'auth-failure', rule: 'sasl-auth-failed' },
      { file: log, line: 4, time: new Date('2015-02-13T16:14:27').toISOString(), ip: '192.0.2.2', filter: 'postfix', event: 'scanner', rule: 'lost-connection-early' },
    ]);
  });

  test('--json lines are exactly what JSON.stringify writes, over every fixture log and odd user names', async () => {
    // the lines are written by hand for speed: their escaping must still be JSON's own
    // odd characters in the file name too (a user name stops at white space, U+2028 included)
    const odd = join(dir, 'odd "users"\\ \u2028.log');
    const users = ['a"b\\c', 'tab\there', 'caf\u00e9@example.org', 'ctl\u0001z', '\u{1F600}@example.org'];
    writeFileSync(odd, users.map((u, i) => `Feb 13 16:14:2${i} mx1 postfix/submission/smtpd[7]: warning: unknown[192.0.2.${i + 1}]: SASL LOGIN authentication failed: authentication failure, sasl_username=${u}\n`).join(''));
    const logs = join(__dirname, '../../fixtures/logs');
    const files = [odd, ...readdirSync(logs).filter((f) => f.endsWith('.log')).map((f) => join(logs, f))];
    files.push(...readdirSync(join(logs, 'icewarp')).map((f) => join(logs, 'icewarp', f)));
    const r = await mailjail('check', '--json', ...files);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(300);
    for (const line of lines) expect(JSON.stringify(JSON.parse(line))).toBe(line);
    const oddRows = lines.map((l) => JSON.parse(l)).filter((row) => row.file === odd);
    expect(oddRows.map((row) => row.user)).toEqual(users);
  });

  test('--json before the command name works too', async () => {
    const log = join(dir, 'mail-json2.log');
    writeFileSync(log, POSTFIX);
    const r = await mailjail('--json', 'check', log);
    expect(r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l).line)).toEqual([2, 3, 4]);
  });

  test('numbers lines across chunk boundaries of a large file', async () => {
    const log = join(dir, 'big.log');
    const filler = 'Feb 13 16:14:24 mx1 postfix/qmgr[9]: 4ABCDEF: removed\n';
    const n = 200_000; // ~10 MB: more than one 4 MiB read
    writeFileSync(log, `${filler.repeat(n)}${POSTFIX}`);
    const r = await mailjail('check', '--json', log);
    expect(r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l).line)).toEqual([n + 2, n + 3, n + 4]);
  });

  test('a missing file is an input error (exit 4) with a clear message', async () => {
    const r = await mailjail('check', join(dir, 'nope.log'));
    expect(r.code).toBe(4);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`mailjail: cannot read ${join(dir, 'nope.log')}: no such file\n`);
  });

  test('a directory is an input error', async () => {
    const sub = join(dir, 'adir');
    mkdirSync(sub);
    const r = await mailjail('check', sub);
    expect(r.code).toBe(4);
    expect(r.stderr).toBe(`mailjail: cannot read ${sub}: is a directory\n`);
  });

  test('a bad filter is a config error (exit 3) listing file:line problems', async () => {
    const f = join(dir, 'bad.yaml');
    writeFileSync(f, "prefix: '<TIME> '\nrules:\n  - id: a\n    event: scanner\n    keywords: [abc]\n    regex: 'no host'\n");
    const log = join(dir, 'x.log');
    writeFileSync(log, POSTFIX);
    const r = await mailjail('check', '--filter', f, log);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`${f}:6: rules.0.regex: a rule with an event must bind <HOST>\n`);
  });

  test('an unknown filter name is a config error', async () => {
    const r = await mailjail('check', '--filter', 'nope', join(dir, 'x.log'));
    expect(r.code).toBe(3);
    expect(r.stderr).toBe('mailjail: unknown filter "nope"\n');
  });
});
