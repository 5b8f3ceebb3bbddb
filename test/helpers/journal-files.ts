/**
 * Real journal files without journald: Debian's systemd-journal-remote turns an export stream
 * (the journal export format: `FIELD=value` lines, a blank line after each entry) into a genuine
 * journal file, appending when the file exists. journalctl --directory then reads them as it
 * reads /var/log/journal.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../../src/process/run-command';

export const JOURNAL_REMOTE = '/lib/systemd/systemd-journal-remote';

export function hasJournalFiles(): boolean {
  return existsSync(JOURNAL_REMOTE) && process.getuid?.() === 0;
}

const BOOT_ID = '6b1f0e2a9c3d4e5f8a7b6c5d4e3f2a1b';
let lastMicros = 0;

/** The fields Postfix's smtpd writes to the journal on Debian (`postfix@-.service`, syslog transport). */
export function postfixEntry(message: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    _SYSTEMD_UNIT: 'postfix@-.service',
    SYSLOG_IDENTIFIER: 'postfix/submission/smtpd',
    SYSLOG_FACILITY: '2',
    PRIORITY: '4',
    _PID: '4242',
    _COMM: 'smtpd',
    _EXE: '/usr/lib/postfix/sbin/smtpd',
    _TRANSPORT: 'syslog',
    _HOSTNAME: 'mx1',
    MESSAGE: message,
    ...extra,
  };
}

/** Appends entries, stamped now (strictly increasing), to the journal file `file` (created when missing). */
export async function writeJournal(file: string, entries: Array<Record<string, string>>): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'mj-export-'));
  try {
    const text = entries
      .map((fields) => {
        lastMicros = Math.max(lastMicros + 1, Date.now() * 1000);
        const stamped = { __REALTIME_TIMESTAMP: String(lastMicros), __MONOTONIC_TIMESTAMP: String(lastMicros), _BOOT_ID: BOOT_ID, ...fields };
        return Object.entries(stamped).map(([k, v]) => `${k}=${v}\n`).join('') + '\n';
      })
      .join('');
    writeFileSync(join(tmp, 'entries.export'), text);
    const r = await runCommand([JOURNAL_REMOTE, `--output=${file}`, join(tmp, 'entries.export')]);
    if (r.code !== 0) throw new Error(`systemd-journal-remote failed (${r.code}): ${r.stderr}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
