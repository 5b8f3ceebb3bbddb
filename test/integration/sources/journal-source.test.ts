/**
 * journald does not run in this container (`journalctl -n 1`: "No journal files were found"), so
 * these tests run a real process that behaves like `journalctl --follow --output=json`:
 * fixtures/fake-journalctl.js, given through the `journalctl` argv option.
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createJournalSource } from '../../../src/sources/journal-source';
import type { Source, SourceBatch } from '../../../src/sources/source';
import { makeTempDir, sleep, waitFor } from './tail-harness';

const FAKE = path.join(__dirname, 'fixtures', 'fake-journalctl.js');
const MATCHES = ['_SYSTEMD_UNIT=postfix@-.service', '+', 'SYSLOG_IDENTIFIER=postfix/smtpd'];

/** 2026-11-23T20:37:59.123456Z plus `i` seconds, in µs as journald writes it. */
const realtime = (i: number): string => String(Date.UTC(2026, 10, 23, 20, 37, 59 + i) * 1000 + 123456);

function entry(i: number, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    __CURSOR: `s=abc;i=${i}`,
    __REALTIME_TIMESTAMP: realtime(i),
    _HOSTNAME: 'mx1',
    SYSLOG_IDENTIFIER: 'postfix/smtpd',
    _PID: '4242',
    MESSAGE: `entry ${i}`,
    ...extra,
  });
}

describe('journal source', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let entries: string;
  let argvLog: string;
  let batches: SourceBatch[];
  let cursors: Map<string, string>;
  const sources: Source[] = [];
  const texts = (): string[] => batches.flatMap((b) => b.events.map((e) => e.text));
  const invocations = (): string[][] =>
    readFileSync(argvLog, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as string[]);
  const follow = (): Source => {
    const s = createJournalSource({
      id: 'postfix',
      matches: MATCHES,
      getCursor: (key) => cursors.get(key),
      onBatch: (b) => {
        batches.push(b);
        if (b.cursor) cursors.set(b.cursor.key, b.cursor.value as string);
      },
      journalctl: [process.execPath, FAKE, entries, argvLog],
      restartDelayMs: 50,
    });
    sources.push(s);
    return s;
  };

  beforeEach(() => {
    tmp = makeTempDir('journal');
    entries = path.join(tmp.dir, 'entries.jsonl');
    argvLog = path.join(tmp.dir, 'argv.jsonl');
    writeFileSync(entries, entry(1) + '\n' + entry(2) + '\n');
    writeFileSync(argvLog, '');
    batches = [];
    cursors = new Map();
  });
  afterEach(async () => {
    await Promise.all(sources.splice(0).map((s) => s.stop()));
    tmp.remove();
  });

  it('starts at the end of the journal on first start and turns each new entry into a syslog-style line', async () => {
    await follow().start();
    await waitFor('journalctl to start', () => invocations().length === 1);
    appendFileSync(entries, entry(3) + '\n');
    await waitFor('one entry', () => texts().length === 1);
    expect(invocations()[0]).toEqual(['--follow', '--output=json', '--all', '--no-pager', '--lines=0', ...MATCHES]);
    expect(batches[0]).toEqual({
      source: 'postfix',
      events: [{ source: 'postfix', line: 0, text: expect.any(String), time: Date.UTC(2026, 10, 23, 20, 38, 2, 123) }],
      cursor: { key: 'postfix:journal', value: 's=abc;i=3' },
    });
    // The time is local with its offset (this container runs in UTC; elsewhere the zone differs).
    expect(texts()[0]).toMatch(/^2026-11-2[34]T\d\d:\d\d:02\.123456[+-]\d\d:\d\d mx1 postfix\/smtpd\[4242\]: entry 3$/);
  });

  it('decodes byte-array messages, falls back to SYSLOG_PID and folds embedded newlines', async () => {
    await follow().start();
    await waitFor('journalctl to start', () => invocations().length === 1);
    const bytes = [...Buffer.from('auth failed for caf\u00e9', 'utf8')];
    appendFileSync(entries, entry(3, { MESSAGE: bytes }) + '\n');
    appendFileSync(entries, entry(4, { _PID: undefined, SYSLOG_PID: '77', MESSAGE: 'one\ntwo' }) + '\n');
    appendFileSync(entries, entry(5, { _PID: undefined }) + '\n');
    appendFileSync(entries, 'not json at all\n');
    appendFileSync(entries, entry(6) + '\n');
    await waitFor('four entries', () => texts().length === 4);
    expect(texts().map((t) => t.slice(t.indexOf(' mx1 ') + 5))).toEqual([
      'postfix/smtpd[4242]: auth failed for caf\u00e9',
      'postfix/smtpd[77]: one two',
      'postfix/smtpd: entry 5',
      'postfix/smtpd[4242]: entry 6',
    ]);
  });

  it('resumes after the saved cursor when started again, with nothing lost or repeated', async () => {
    const first = follow();
    await first.start();
    await waitFor('journalctl to start', () => invocations().length === 1);
    appendFileSync(entries, entry(3) + '\n');
    await waitFor('one entry', () => texts().length === 1);
    await first.stop();
    appendFileSync(entries, entry(4) + '\n' + entry(5) + '\n');
    await follow().start();
    await waitFor('three entries', () => texts().length === 3);
    await sleep(100);
    expect(invocations()[1]).toEqual(['--follow', '--output=json', '--all', '--no-pager', '--no-tail', '--cursor=s=abc;i=3', ...MATCHES]);
    expect(texts().map((t) => t.split(': ')[1])).toEqual(['entry 3', 'entry 4', 'entry 5']);
    expect(cursors.get('postfix:journal')).toBe('s=abc;i=5');
  });

  it('starts journalctl again after the last entry it printed when it exits', async () => {
    const s = follow();
    await s.start();
    await waitFor('journalctl to start', () => invocations().length === 1);
    appendFileSync(entries, entry(3) + '\n');
    await waitFor('one entry', () => texts().length === 1);
    writeFileSync(`${entries}.crash`, '');
    appendFileSync(entries, entry(4) + '\n');
    await waitFor('a restart', () => invocations().length === 2);
    await waitFor('the entry after the crash', () => texts().length === 2);
    expect(invocations()[1]).toContain('--cursor=s=abc;i=3');
    expect(texts().map((t) => t.split(': ')[1])).toEqual(['entry 3', 'entry 4']);
    expect(s.status().error).toMatch(/journalctl exited \(1\): Failed to iterate through journal: Bad message/);
  });
});
