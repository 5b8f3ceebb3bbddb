import { dateFromFileName, parseLogTime } from '../../../src/match/parse-time';

/** Zoned instants. */
const at = (iso: string) => Date.parse(iso);
/** Zone-less log times are local time of the process: build expectations the same way (any TZ). */
const local = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0) => new Date(y, mo - 1, d, h, mi, s, ms).getTime();

describe('parseLogTime', () => {
  test('reads a BSD syslog time in the year of the reference time', () => {
    expect(parseLogTime('Feb 13 16:14:24', local(2015, 6, 1, 0, 0, 0))).toBe(local(2015, 2, 13, 16, 14, 24));
    expect(parseLogTime('Feb  3 06:04:02', local(2015, 6, 1, 0, 0, 0))).toBe(local(2015, 2, 3, 6, 4, 2));
  });

  test('puts a December line read in January into the previous year', () => {
    expect(parseLogTime('Dec 31 23:59:58', local(2016, 1, 1, 0, 0, 5))).toBe(local(2015, 12, 31, 23, 59, 58));
    expect(parseLogTime('Dec 20 10:00:00', local(2016, 1, 10, 0, 0, 0))).toBe(local(2015, 12, 20, 10, 0, 0));
  });

  test('puts a January line read just before midnight on New Year into the next year (clock skew)', () => {
    expect(parseLogTime('Jan  1 00:00:03', local(2015, 12, 31, 23, 59, 59))).toBe(local(2016, 1, 1, 0, 0, 3));
  });

  test('keeps a whole year of logs in the past of the reference time', () => {
    expect(parseLogTime('Mar  1 00:00:00', local(2015, 12, 31, 0, 0, 0))).toBe(local(2015, 3, 1, 0, 0, 0));
  });

  test('finds the last leap year for a 29 February', () => {
    expect(parseLogTime('Feb 29 12:00:00', local(2017, 3, 1, 0, 0, 0))).toBe(local(2016, 2, 29, 12, 0, 0));
  });

  test('reads RFC 3339 with fraction and offset', () => {
    expect(parseLogTime('2015-02-13T16:14:24.123456+01:00', 0)).toBe(at('2015-02-13T15:14:24.123Z'));
    expect(parseLogTime('2015-02-13T16:14:24Z', 0)).toBe(at('2015-02-13T16:14:24Z'));
    expect(parseLogTime('2015-02-13T16:14:24.5-05:30', 0)).toBe(at('2015-02-13T21:44:24.500Z'));
  });

  test("reads Exim's time with optional milliseconds and zone", () => {
    expect(parseLogTime('2015-02-13 16:14:24', 0)).toBe(local(2015, 2, 13, 16, 14, 24));
    expect(parseLogTime('2015-02-13 16:14:24.250 +0100', 0)).toBe(at('2015-02-13T15:14:24.250Z'));
    expect(parseLogTime('2015-02-13 16:14:24 -0200', 0)).toBe(at('2015-02-13T18:14:24Z'));
  });

  test('takes the date of a time-only line from the file date', () => {
    expect(parseLogTime('16:14:24', local(2020, 1, 1, 0, 0, 0), { year: 2015, month: 1, day: 13 })).toBe(local(2015, 2, 13, 16, 14, 24));
  });

  test('without a file date, puts a time-only line on the reference day, or the day before if it would be in the future', () => {
    expect(parseLogTime('10:00:00', local(2015, 2, 13, 12, 0, 0))).toBe(local(2015, 2, 13, 10, 0, 0));
    expect(parseLogTime('23:00:00', local(2015, 2, 13, 12, 0, 0))).toBe(local(2015, 2, 12, 23, 0, 0));
  });

  test('rejects impossible dates', () => {
    expect(parseLogTime('2015-02-30 10:00:00', 0)).toBeNull();
    expect(parseLogTime('Foo 13 16:14:24', 0)).toBeNull();
    expect(parseLogTime('25:00:00', 0, { year: 2015, month: 1, day: 13 })).toBeNull();
  });

  test('reads a BSD time exactly when it has the syslog shape, whatever the spacing of the day', () => {
    const ref = local(2015, 6, 1);
    expect(parseLogTime('Feb 3 06:04:02', ref)).toBe(local(2015, 2, 3, 6, 4, 2));
    expect(parseLogTime('Feb  13 06:04:02', ref)).toBe(local(2015, 2, 13, 6, 4, 2));
    const shape = /^[A-Z][a-z]{2} {1,2}\d{1,2} \d\d:\d\d:\d\d$/;
    const pieces = ['Feb', 'Fe', 'FEB', 'feb', ' ', '  ', '3', '13', '133', 'x', '06:04:02', '06:04:2', '06-04-02', ':'];
    let seed = 9;
    const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    for (let round = 0; round < 5000; round++) {
      const text = ['Feb', ' ', '13', ' ', '06:04:02'].map((p) => (next() < 0.2 ? pieces[Math.floor(next() * pieces.length)] : p)).join('');
      // every piece that fits the shape is a real date (Feb 3, Feb 13): shape and result agree
      expect([text, parseLogTime(text, ref) !== null]).toEqual([text, shape.test(text)]);
    }
  });
});

describe('dateFromFileName', () => {
  const re = /(?<year>\d{4})(?<month>\d\d)(?<day>\d\d)(?:-\d+)?\.log$/;

  test('reads both IceWarp file names, ignoring directories', () => {
    expect(dateFromFileName(re, '/var/log/icewarp/smtp/s20150213.log')).toEqual({ year: 2015, month: 1, day: 13 });
    expect(dateFromFileName(re, 's120150213-01.log')).toEqual({ year: 2015, month: 1, day: 13 });
    expect(dateFromFileName(re, '/logs/20991231/smtp.log')).toBeNull();
  });

  test('returns null for a name without a valid date', () => {
    expect(dateFromFileName(re, 's20151399.log')).toBeNull();
    expect(dateFromFileName(re, 'mail.log')).toBeNull();
  });
});

