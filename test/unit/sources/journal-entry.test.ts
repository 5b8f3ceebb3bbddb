import { formatRfc3339, journalEntryToLine } from '../../../src/sources/journal-entry';

const at = (iso: string, micros = 0): bigint => BigInt(Date.parse(iso)) * 1000n + BigInt(micros);

describe('formatRfc3339', () => {
  it('writes UTC with a +00:00 offset and microseconds', () => {
    expect(formatRfc3339(at('2015-02-13T07:05:09.000Z', 4567), () => 0)).toBe('2015-02-13T07:05:09.004567+00:00');
  });

  it('writes local time with its offset, half hours and negative offsets included', () => {
    expect(formatRfc3339(at('2015-02-13T23:40:00.000Z'), () => 330)).toBe('2015-02-14T05:10:00.000000+05:30');
    expect(formatRfc3339(at('2015-02-13T02:00:00.000Z'), () => -210)).toBe('2015-02-12T22:30:00.000000-03:30');
  });

  it('uses the offset of the instant itself (daylight saving changes within a day)', () => {
    const offsetAt = (ms: number): number => (ms >= Date.parse('2015-03-29T01:00:00Z') ? 120 : 60);
    expect(formatRfc3339(at('2015-03-29T00:59:59.000Z'), offsetAt)).toBe('2015-03-29T01:59:59.000000+01:00');
    expect(formatRfc3339(at('2015-03-29T01:00:00.000Z'), offsetAt)).toBe('2015-03-29T03:00:00.000000+02:00');
  });
});

describe('journalEntryToLine', () => {
  const base = {
    __CURSOR: 's=1;i=2',
    __REALTIME_TIMESTAMP: String(at('2015-02-13T07:05:09.000Z', 123)),
    _HOSTNAME: 'mx1',
    SYSLOG_IDENTIFIER: 'exim',
    _PID: '99',
    MESSAGE: 'login authenticator failed',
  };
  const line = (extra: Record<string, unknown>, max = 16384) => journalEntryToLine(JSON.stringify({ ...base, ...extra }), max);

  const stamp = formatRfc3339(BigInt(base.__REALTIME_TIMESTAMP));

  it('builds time, host, identifier[pid]: message and keeps time and cursor', () => {
    expect(stamp).toMatch(/^2015-02-1[34]T\d\d:\d\d:09\.000123[+-]\d\d:\d\d$/);
    expect(line({})).toEqual({
      text: `${stamp} mx1 exim[99]: login authenticator failed`,
      time: Date.parse('2015-02-13T07:05:09.000Z'),
      cursor: 's=1;i=2',
    });
  });

  it('takes the first value of a repeated field and _COMM when there is no identifier', () => {
    expect(line({ MESSAGE: ['first', 'second'], SYSLOG_IDENTIFIER: undefined, _COMM: 'smtpd' })?.text).toBe(
      `${stamp} mx1 smtpd[99]: first`,
    );
  });

  it('cuts the line to maxLineBytes', () => {
    expect(line({ MESSAGE: 'x'.repeat(100) }, 60)?.text).toHaveLength(60);
  });

  it('returns null for output that is not an entry', () => {
    expect(journalEntryToLine('-- No entries --', 100)).toBeNull();
    expect(journalEntryToLine('[1,2]', 100)).toBeNull();
    expect(line({ MESSAGE: null })).toBeNull();
    expect(line({ __CURSOR: undefined })).toBeNull();
  });
});
