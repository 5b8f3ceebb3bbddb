/**
 * A daemon that watches nothing must not do so in silence (issue 15 point 4): a config directory
 * that does not exist is refused before the firewall is touched, every missing source is a
 * warning and a status error, no enabled jail is a warning, and a Postfix log file that does not
 * exist (Debian without rsyslog) gives way to the journal.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT_STATUS } from '../../../src/core/errors';
import { describeWithNetns } from '../../helpers/netns';
import { hasJournalFiles, postfixEntry, writeJournal } from '../../helpers/journal-files';
import { CLI, DaemonHarness, waitFor } from './daemon-harness';

/** The daemon's JSON log lines at warn level (pino: 40). */
function warnings(h: DaemonHarness): string[] {
  return h
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { level: number; msg: string })
    .filter((l) => l.level === 40)
    .map((l) => l.msg);
}

function dropIn(h: DaemonHarness, yaml: string): void {
  writeFileSync(join(h.configDir, 'jails.d', '60-test.yaml'), `jails:\n  postfix:\n${yaml}\n`);
}

describeWithNetns(['nft'])('a daemon that would watch nothing', () => {
  const harnesses: DaemonHarness[] = [];
  const harness = async (yaml: string): Promise<DaemonHarness> => {
    const h = new DaemonHarness();
    harnesses.push(h);
    dropIn(h, yaml);
    await h.setup();
    return h;
  };
  afterEach(async () => {
    await Promise.all(harnesses.splice(0).map((h) => h.teardown()));
  });

  it('refuses a configuration directory that does not exist, before touching the firewall', async () => {
    const h = await harness('    maxRetry: 3');
    const r = await h.ns.exec([process.execPath, CLI, 'daemon', '--config', join(h.dir, 'typo')], { timeoutMs: 20_000 });
    expect(r.code).toBe(EXIT_STATUS.CONFIG);
    expect(r.stderr).toContain(`configuration directory ${join(h.dir, 'typo')} does not exist`);
    expect((await h.ns.exec(['nft', 'list', 'tables'])).stdout).not.toContain('mailjail');
  });

  it('warns about a missing log file and shows it as an error in status', async () => {
    const missing = join('/nonexistent-mailjail-test', 'mail.log');
    const h = await harness(`    sources: [{ file: ${missing} }]`);
    await h.start();
    expect(warnings(h)).toContain(`source missing or unreadable: no file matches ${missing}: nothing is read from it until it appears`);
    const status = await h.cli(['status']);
    expect(status.stdout).toContain(`ERROR no file matches ${missing}`);
  });

  it('warns when no jail is enabled, in the log and in status', async () => {
    const h = await harness('    enabled: false');
    await h.start();
    expect(warnings(h).some((w) => w.startsWith('no jail is enabled'))).toBe(true);
    expect((await h.cli(['status'])).stdout).toContain('WARNING: no jail is enabled');
  });

  (hasJournalFiles() ? it : it.skip)('follows the journal when the log file does not exist (orJournal) and bans from it', async () => {
    const h = new DaemonHarness();
    harnesses.push(h);
    const journal = join(h.dir, 'journal');
    mkdirSync(journal);
    dropIn(h, `    sources: [{ file: ${join(h.dir, 'no-mail.log')}, orJournal: { directory: ${journal}, matches: ["_SYSTEMD_UNIT=postfix@-.service"] } }]`);
    await writeJournal(join(journal, 'system.journal'), [postfixEntry('connect from unknown[192.0.2.200]')]);
    await h.setup();
    await h.start();
    const s = JSON.parse((await h.cli(['status', '--json'])).stdout) as { jails: Array<{ name: string; sources: Array<{ kind: string }> }> };
    expect(s.jails.find((j) => j.name === 'postfix')!.sources.map((x) => x.kind)).toEqual(['journal']);
    const sasl = postfixEntry('warning: unknown[192.0.2.70]: SASL LOGIN authentication failed: authentication failure');
    // journalctl starts at the journal's end: write until the entries are seen
    await waitFor(async () => {
      await writeJournal(join(journal, 'system.journal'), [sasl]);
      return (await h.nftElements()).has('192.0.2.70');
    }, 20_000, 400);
    expect(h.output()).toContain('following the journal instead');
  });
});
