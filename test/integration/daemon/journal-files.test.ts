/**
 * The journal, for real (issue 15): a daemon in a namespace follows a journal directory of genuine
 * journal files written by systemd-journal-remote, with Postfix's own journal fields. Entries
 * appended while it runs, a restart that resumes at the saved cursor, a new file (rotation) and a
 * vacuumed file: nothing lost, nothing counted twice.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeWithNetns } from '../../helpers/netns';
import { hasJournalFiles, postfixEntry, writeJournal } from '../../helpers/journal-files';
import { DaemonHarness, waitFor } from './daemon-harness';

const describeJournal = hasJournalFiles() ? describeWithNetns(['nft', 'journalctl']) : describe.skip;

const sasl = (ip: string) => postfixEntry(`warning: unknown[${ip}]: SASL LOGIN authentication failed: authentication failure, sasl_username=info@example.com`);

describeJournal('a jail reading a journal directory', () => {
  const h = new DaemonHarness();
  const dir = join(h.dir, 'journal');
  const file = (name: string) => join(dir, name);
  const strikes = async (ip: string): Promise<Array<{ text: string }>> => JSON.parse((await h.cli(['why', ip, '--json'])).stdout).strikes;
  const linesRead = async (): Promise<number> => {
    const s = JSON.parse((await h.cli(['status', '--json'])).stdout) as { jails: Array<{ name: string; counters: { lines: number } }> };
    return s.jails.find((j) => j.name === 'postfix')!.counters.lines;
  };
  /** journalctl starts at the journal's end: wait until it surely follows before writing what must count. */
  const followed = async (name: string) => {
    const before = await linesRead();
    await waitFor(async () => {
      await writeJournal(file(name), [postfixEntry('connect from unknown[192.0.2.200]')]);
      return (await linesRead()) > before;
    }, 20_000, 300);
  };

  beforeAll(async () => {
    mkdirSync(dir);
    writeFileSync(
      join(h.configDir, 'jails.d', '60-journal.yaml'),
      `jails:\n  postfix:\n    sources: [{ journal: { directory: ${dir}, matches: ["_SYSTEMD_UNIT=postfix@-.service"] } }]\n`,
    );
    await writeJournal(file('system.journal'), [sasl('192.0.2.60')]);
    await h.setup();
    await h.start();
  });
  afterAll(() => h.teardown());

  it('counts entries appended while it runs, with the Postfix fields, and only those the matches select', async () => {
    await followed('system.journal');
    await writeJournal(file('system.journal'), [sasl('192.0.2.61'), { ...sasl('192.0.2.99'), _SYSTEMD_UNIT: 'ssh.service', SYSLOG_IDENTIFIER: 'sshd' }, sasl('192.0.2.61')]);
    await waitFor(async () => (await strikes('192.0.2.61')).length === 2);
    expect((await strikes('192.0.2.61'))[0].text).toMatch(/ mx1 postfix\/submission\/smtpd\[4242\]: warning: unknown\[192\.0\.2\.61\]/);
    expect(await strikes('192.0.2.99')).toEqual([]);
    expect(await strikes('192.0.2.60')).toEqual([]); // written before the first start: not counted
  });

  it('follows a new journal file (rotation) without a restart', async () => {
    await writeJournal(file('system@2.journal'), [sasl('192.0.2.62')]);
    await waitFor(async () => (await strikes('192.0.2.62')).length === 1);
  });

  it('resumes at the saved cursor after a restart: the entry written meanwhile counts once, nothing twice', async () => {
    await h.stop();
    await writeJournal(file('system@2.journal'), [sasl('192.0.2.61')]);
    await h.start();
    await waitFor(async () => (await h.nftElements()).has('192.0.2.61'));
    await new Promise((res) => setTimeout(res, 500));
    expect(await strikes('192.0.2.61')).toHaveLength(3);
    expect(await strikes('192.0.2.62')).toHaveLength(1);
  });

  it('loses nothing when the file holding its saved cursor was vacuumed while it was stopped', async () => {
    await h.stop();
    await writeJournal(file('system@3.journal'), [sasl('192.0.2.63'), sasl('192.0.2.63')]);
    rmSync(file('system.journal'));
    rmSync(file('system@2.journal'));
    await h.start();
    await waitFor(async () => (await strikes('192.0.2.63')).length === 2);
    await new Promise((res) => setTimeout(res, 500));
    expect(await strikes('192.0.2.63')).toHaveLength(2);
    expect(await strikes('192.0.2.61')).toHaveLength(3);
  });
});
