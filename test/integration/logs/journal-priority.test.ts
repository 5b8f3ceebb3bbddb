/**
 * Issue 14: `journalctl -p warning` finds mailjail's warnings and errors. A real systemd-journald
 * runs in a private mount namespace made for the test (tmpfs over /run/systemd, /run/log and
 * /var/log/journal, its config bound over journald.conf there: the host's journal is untouched);
 * the daemon's own logger writes to journald's stdout stream through `systemd-cat
 * --level-prefix=true` (what a service's StandardOutput=journal does), with JOURNAL_STREAM naming
 * that stream as systemd sets it. journalctl then reads the real journal files.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCommand } from '../../../src/process/run-command';

const JOURNALD = '/lib/systemd/systemd-journald';
const canRun = process.getuid?.() === 0 && existsSync(JOURNALD) && existsSync('/usr/bin/systemd-cat') && existsSync('/usr/bin/unshare');
const describeIf = canRun ? describe : describe.skip;
const LOGGER = resolve(__dirname, '../../../dist/daemon/logger.js');

describeIf('log priorities in a real journal', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mj-journald-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('stores a warning at priority 4 and an error at 3, so journalctl -p warning shows them and not the info line', async () => {
    writeFileSync(
      join(dir, 'emit.js'),
      `const { createLogger } = require(${JSON.stringify(LOGGER)});
       const log = createLogger('debug');
       log.debug({ jail: 'postfix', ip: '192.0.2.1' }, 'strike');
       log.info({ jail: 'postfix', ip: '192.0.2.1', by: 'rule' }, 'ban');
       log.warn({ jail: 'postfix', missing: 3 }, 'kernel set lost bans');
       log.error({ jail: 'postfix', action: 'nftables' }, 'firewall action failed; will retry');
       log.flush();`,
    );
    writeFileSync(join(dir, 'journald.conf'), '[Journal]\nStorage=volatile\nReadKMsg=no\nForwardToSyslog=no\nForwardToWall=no\n');
    writeFileSync(
      join(dir, 'run.sh'),
      `set -e
mount -t tmpfs tmpfs /run/systemd; mkdir -p /run/log; mount -t tmpfs tmpfs /run/log; mount -t tmpfs tmpfs /var/log/journal
mount --bind ${dir}/journald.conf /etc/systemd/journald.conf
${JOURNALD} >/dev/null 2>&1 &
JPID=$!
trap 'kill $JPID' EXIT
for i in $(seq 100); do [ -S /run/systemd/journal/stdout ] && break; sleep 0.05; done
systemd-cat -t mailjail --level-prefix=true sh -c 'JOURNAL_STREAM=$(stat -L -c %d:%i /proc/\$\$/fd/1) exec ${process.execPath} ${dir}/emit.js'
sleep 0.3
echo ---all; journalctl -D /run/log/journal -t mailjail -o json --no-pager
echo ---warning; journalctl -D /run/log/journal -t mailjail -p warning -o cat --no-pager
`,
    );
    const r = await runCommand(['unshare', '-m', '--propagation', 'private', 'bash', join(dir, 'run.sh')], { timeoutMs: 30_000 });
    expect(r.stderr).toBe('');
    const [all, warning] = r.stdout.split('---warning\n');
    const entries = all
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { PRIORITY: string; MESSAGE: string });
    const byMsg = new Map(entries.map((e) => [(JSON.parse(e.MESSAGE) as { msg: string }).msg, e.PRIORITY]));
    expect(Object.fromEntries(byMsg)).toEqual({ strike: '7', ban: '6', 'kernel set lost bans': '4', 'firewall action failed; will retry': '3' });
    // the prefix is stripped: the stored message is the plain JSON line
    for (const e of entries) expect(e.MESSAGE.startsWith('{"level":')).toBe(true);
    const shown = warning.trim().split('\n').map((l) => (JSON.parse(l) as { msg: string }).msg);
    expect(shown).toEqual(['kernel set lost bans', 'firewall action failed; will retry']);
  }, 40_000);
});
