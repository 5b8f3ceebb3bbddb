/**
 * One `journalctl --output=json` entry as a syslog-style line, so filters written for
 * /var/log/mail.log match journal entries too:
 * `2026-11-23T20:37:59.123456+01:00 mx1 postfix/smtpd[4242]: connect from ...`
 */

export interface JournalLine {
  text: string;
  /** Epoch ms (__REALTIME_TIMESTAMP is in µs). */
  time: number;
  /** __CURSOR: where journalctl resumes after this entry. */
  cursor: string;
}

/**
 * A field's value as text. journalctl writes a string, an array of bytes (a value that is not
 * valid UTF-8 or holds control characters), null (too large without --all), or an array of those
 * when the field occurs more than once (the first occurrence counts).
 */
function fieldText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) {
    if (value.length > 0 && value.every((b) => typeof b === 'number')) {
      return Buffer.from(value as number[]).toString('utf8');
    }
    return value.length > 0 ? fieldText(value[0]) : undefined;
  }
  return undefined;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

const localOffsetMin = (ms: number): number => -new Date(ms).getTimezoneOffset();

/**
 * RFC 3339 in the local time zone with its offset, to the microsecond (rsyslog's high-precision
 * format). `offsetMinAt` gives the zone's offset east of UTC at an instant (tests pass their own).
 */
export function formatRfc3339(micros: bigint, offsetMinAt: (ms: number) => number = localOffsetMin): string {
  const ms = Number(micros / 1000n);
  const offsetMin = offsetMinAt(ms);
  const local = new Date(ms + offsetMin * 60_000);
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  const frac = pad(Number(((micros % 1_000_000n) + 1_000_000n) % 1_000_000n), 6);
  return (
    `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}` +
    `T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}.${frac}` +
    `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  );
}

/** Cuts to at most `maxBytes` bytes of UTF-8, as file lines are cut. */
function cutBytes(text: string, maxBytes: number): string {
  if (text.length * 3 <= maxBytes) return text;
  const bytes = Buffer.from(text, 'utf8');
  return bytes.length <= maxBytes ? text : bytes.subarray(0, maxBytes).toString('utf8');
}

/** Converts one JSON line; null when it is not a journal entry (no cursor, time or message). */
export function journalEntryToLine(json: string, maxLineBytes: number): JournalLine | null {
  let entry: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(json);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
    entry = parsed as Record<string, unknown>;
  } catch {
    return null;
  }
  const cursor = fieldText(entry.__CURSOR);
  const realtime = fieldText(entry.__REALTIME_TIMESTAMP);
  const message = fieldText(entry.MESSAGE);
  if (!cursor || !realtime || !/^\d+$/.test(realtime) || message === undefined) return null;
  const micros = BigInt(realtime);
  const host = fieldText(entry._HOSTNAME) ?? 'localhost';
  const ident = fieldText(entry.SYSLOG_IDENTIFIER) ?? fieldText(entry._COMM) ?? 'unknown';
  const pid = fieldText(entry._PID) ?? fieldText(entry.SYSLOG_PID);
  // An entry is one event: an embedded newline must not let the rest pass for a line of its own.
  const flat = message.replace(/[\r\n]+/g, ' ');
  const text = `${formatRfc3339(micros)} ${host} ${ident}${pid ? `[${pid}]` : ''}: ${flat}`;
  return { text: cutBytes(text, maxLineBytes), time: Number(micros / 1000n), cursor };
}
