/**
 * Times for a terminal: the local time of the machine (next to the local times of its log lines),
 * to the minute; JSON output keeps UTC ISO 8601 (issue 15). Within the current year the year is
 * left out, so a table of bans fits 80 columns.
 */
const pad = (n: number) => String(n).padStart(2, '0');

export function localTime(iso: string, now: Date = new Date()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const day = `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return d.getFullYear() === now.getFullYear() ? day : `${d.getFullYear()}-${day}`;
}

/** The local zone as an offset from UTC at `at`, e.g. `UTC+05:45`. */
export function zoneLabel(at: Date = new Date()): string {
  const east = -at.getTimezoneOffset();
  const abs = Math.abs(east);
  return `UTC${east < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** The columns a terminal table may use: the terminal's width, else 80. */
export function terminalWidth(out: NodeJS.WriteStream = process.stdout): number {
  return out.isTTY && out.columns ? out.columns : 80;
}
