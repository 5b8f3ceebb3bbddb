/**
 * Log timestamps to epoch ms. One pattern (`<TIME>` in a filter) accepts every format we ship for:
 *   BSD syslog        `Feb 13 16:14:24`                  year inferred from the reference time
 *   RFC 3339          `2015-02-13T16:14:24.123456+01:00` rsyslog high precision, journald
 *   Exim              `2015-02-13 16:14:24[.123][ +0100]`
 *   time of day only  `16:14:24`                         IceWarp; the date comes from the file name
 * Zone-less times are local time of the process (TZ), like the MTA that wrote them.
 */
export const TIME_PATTERN =
  '(?<time>[A-Z][a-z]{2} {1,2}\\d{1,2} \\d\\d:\\d\\d:\\d\\d' +
  '|\\d{4}-\\d\\d-\\d\\d[T ]\\d\\d:\\d\\d:\\d\\d(?:[.,]\\d{1,9})?(?:Z|[+-]\\d\\d:?\\d\\d| [+-]\\d{4})?' +
  '|\\d\\d:\\d\\d:\\d\\d)';

const MONTHS: Record<string, number> = {
  Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11,
};

/** A line may be up to this far in the future of the reference time (clock skew, late mtime). */
const FUTURE_SLACK_MS = 86_400_000;

/** Calendar date in local time (month 0-based). */
export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

/**
 * Parses a `<TIME>` capture. `referenceTime` anchors year inference (syslog) and the date of a
 * time-only stamp when `fileDate` is unknown. Returns null for text that is not a valid time.
 */
export function parseLogTime(text: string, referenceTime: number, fileDate?: LocalDate | null): number | null {
  const c0 = text.charCodeAt(0);
  if (c0 >= 65 && c0 <= 90) return parseBsd(text, referenceTime);
  if (text.length === 8) return parseTimeOfDay(text, referenceTime, fileDate);
  return parseIsoLike(text);
}

function parseBsd(text: string, ref: number): number | null {
  if (!isBsdShape(text)) return null;
  // Fixed columns once the shape is known: cheaper than reading the groups.
  const month = MONTHS[text.slice(0, 3)];
  if (month === undefined) return null;
  const dayEnd = text.length - 9;
  const day = Number(text.slice(4, dayEnd));
  const h = digits2(text, dayEnd + 1);
  const mi = digits2(text, dayEnd + 4);
  const s = digits2(text, dayEnd + 7);
  // The latest year that does not put the line in the future: a December line read in January
  // belongs to last year; a 29 February only exists in leap years, so keep stepping back.
  const refYear = yearOf(ref);
  const secondsMs = ((h * 60 + mi) * 60 + s) * 1000;
  for (let year = refYear + 1; year >= refYear - 8; year--) {
    const start = h <= 23 && mi <= 59 && s <= 60 ? dayStart(year, month, day) : null;
    // Local midnight + seconds is exact on a 24-hour day; a DST day takes the slow path.
    const t = start === null ? null : start.lengthMs === 86_400_000 ? start.ms + secondsMs : localTime(year, month, day, h, mi, s, 0);
    if (t !== null && t <= ref + FUTURE_SLACK_MS) return t;
  }
  return null;
}

// A file's lines share one reference time (its mtime): its local year is worked out once.
let lastRef = NaN;
let lastRefYear = 0;

function yearOf(ref: number): number {
  if (ref !== lastRef) {
    lastRefYear = new Date(ref).getFullYear();
    lastRef = ref;
  }
  return lastRefYear;
}

interface DayStart {
  ms: number;
  lengthMs: number;
}
const dayStarts = new Map<number, DayStart | null>();

/** Local midnight of a date and the day's length (23/25 h on DST days); null for Feb 30. Cached. */
function dayStart(y: number, mo: number, d: number): DayStart | null {
  const key = (y * 12 + mo) * 32 + d;
  let found = dayStarts.get(key);
  if (found === undefined) {
    const ms = localTime(y, mo, d, 0, 0, 0, 0);
    found = ms === null ? null : { ms, lengthMs: new Date(y, mo, d + 1).getTime() - ms };
    if (dayStarts.size > 4096) dayStarts.clear(); // TZ changes are not expected, but stay bounded
    dayStarts.set(key, found);
  }
  return found;
}

/**
 * `^[A-Z][a-z]{2} {1,2}\d{1,2} \d\d:\d\d:\d\d$`, checked by hand: it runs once per matched line,
 * and in a short-lived `mailjail check` the regex showed up in the profile; these compares do not.
 */
function isBsdShape(t: string): boolean {
  const n = t.length;
  if (n < 14 || n > 16 || !isIn(t, 0, 65, 90) || !isIn(t, 1, 97, 122) || !isIn(t, 2, 97, 122) || t.charCodeAt(3) !== 32) return false;
  const dayAt = t.charCodeAt(4) === 32 ? 5 : 4;
  const s = n - 9; // the space before hh:mm:ss
  if (s - dayAt < 1 || s - dayAt > 2 || !isDigit(t, dayAt) || !isDigit(t, s - 1) || t.charCodeAt(s) !== 32) return false;
  return isDigit(t, s + 1) && isDigit(t, s + 2) && t.charCodeAt(s + 3) === 58 && isDigit(t, s + 4) && isDigit(t, s + 5) && t.charCodeAt(s + 6) === 58 && isDigit(t, s + 7) && isDigit(t, s + 8);
}

function isIn(t: string, at: number, lo: number, hi: number): boolean {
  const c = t.charCodeAt(at);
  return c >= lo && c <= hi;
}

function isDigit(t: string, at: number): boolean {
  return isIn(t, at, 48, 57);
}

function digits2(text: string, at: number): number {
  return (text.charCodeAt(at) - 48) * 10 + text.charCodeAt(at + 1) - 48;
}

function parseTimeOfDay(text: string, ref: number, fileDate?: LocalDate | null): number | null {
  const m = /^(\d\d):(\d\d):(\d\d)$/.exec(text);
  if (!m) return null;
  const [h, mi, s] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (fileDate) return localTime(fileDate.year, fileDate.month, fileDate.day, h, mi, s, 0);
  // No dated file name (stdin, renamed file): the day of the reference time, or the day before
  // when that would put the line in the future.
  const d = new Date(ref);
  const t = localTime(d.getFullYear(), d.getMonth(), d.getDate(), h, mi, s, 0);
  if (t === null) return null;
  return t > ref + 3_600_000 ? localTime(d.getFullYear(), d.getMonth(), d.getDate() - 1, h, mi, s, 0) : t;
}

const ISO = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:[.,](\d{1,9}))?(?:(Z)|([+-])(\d\d):?(\d\d)| ([+-])(\d\d)(\d\d))?$/;

function parseIsoLike(text: string): number | null {
  const m = ISO.exec(text);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = [Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])];
  const ms = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
  if (!m[8] && !m[9] && !m[12]) return localTime(y, mo, d, h, mi, s, ms);
  const utc = Date.UTC(y, mo, d, h, mi, s, ms);
  if (!isValidUtcDate(new Date(utc), y, mo, d, h, mi, s)) return null;
  if (m[8]) return utc;
  const sign = (m[9] ?? m[12]) === '-' ? -1 : 1;
  const offsetMin = Number(m[10] ?? m[13]) * 60 + Number(m[11] ?? m[14]);
  return utc - sign * offsetMin * 60_000;
}

/** Epoch ms of a local wall-clock time; null when the fields do not name a real time. */
function localTime(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number | null {
  const date = new Date(y, mo, d, h, mi, s, ms);
  const t = date.getTime();
  if (Number.isNaN(t)) return null;
  // Day-of-month overflow (Feb 30) is an invalid date; an hour that DST skipped is shifted by the
  // engine, which is what the MTA's clock did too, so only the date is checked.
  const norm = new Date(y, mo, 1);
  norm.setDate(d);
  if (norm.getMonth() !== new Date(y, mo, 1).getMonth() || h > 23 || mi > 59 || s > 60) return null;
  return t;
}

function isValidUtcDate(date: Date, y: number, mo: number, d: number, h: number, mi: number, s: number): boolean {
  if (Number.isNaN(date.getTime())) return false;
  return date.getUTCDate() === d && h <= 23 && mi <= 59 && s <= 60 && y > 0 && mo >= 0;
}

/** Extracts the local date a daily log file covers from its base name, with a year/month/day regex. */
export function dateFromFileName(re: RegExp, file: string): LocalDate | null {
  const base = file.slice(file.lastIndexOf('/') + 1);
  const g = re.exec(base)?.groups;
  if (!g) return null;
  const year = Number(g.year);
  const month = Number(g.month) - 1;
  const day = Number(g.day);
  if (localTime(year, month, day, 12, 0, 0, 0) === null || month < 0 || month > 11) return null;
  return { year, month, day };
}
