/**
 * An admin's first week, the papercuts (issue 15 point 8): the real CLI as a process, a checkout
 * that was never built, the package npm would install, and a replay that read nothing.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EXIT_STATUS } from '../../src/core/errors';
import { runCommand } from '../../src/process/run-command';

const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'dist/cli/main.js');

describe('papercuts of a first week', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mj-papercuts-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('says to build, in one line, when bin/mailjail runs in a checkout that was never built', async () => {
    mkdirSync(join(dir, 'bin'));
    copyFileSync(join(ROOT, 'bin/mailjail'), join(dir, 'bin/mailjail'));
    const r = await runCommand([process.execPath, join(dir, 'bin/mailjail'), 'status']);
    expect(r.code).toBe(EXIT_STATUS.MISSING);
    expect(r.stderr).toBe(`mailjail: not built yet: run \`npm install && npm run build\` in ${dir}\n`);
  });

  it('packs the built code, the shipped jails and filters, and builds before packing', async () => {
    const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(0);
    const files = (JSON.parse(r.stdout) as Array<{ files: Array<{ path: string }> }>)[0].files.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(['bin/mailjail', 'dist/cli/main.js', 'jails/postfix.yaml', 'filters/postfix.yaml', 'systemd/mailjail.service']));
    expect(files.some((f) => f.startsWith('src/') || f.startsWith('test/'))).toBe(false);
    expect(require(join(ROOT, 'package.json')).scripts.prepack).toBe('npm run build');
  });

  it('exits with the usage status when no jail reads a file given to replay', async () => {
    const log = join(dir, 'mail.log');
    writeFileSync(log, 'Feb 13 16:14:24 mx1 postfix/smtpd[14933]: connect from unknown[192.0.2.10]\n');
    mkdirSync(join(dir, 'etc'));
    const r = await runCommand([process.execPath, CLI, 'replay', '--config', join(dir, 'etc'), log]);
    expect(r.code).toBe(EXIT_STATUS.USAGE);
    expect(r.stderr).toContain(`${log}: no enabled jail reads this file (name one with --jail)`);
  });
});
