/**
 * JSON logs to stdout (journald captures them); one logger, injected everywhere it is needed.
 *
 * Priorities an admin can filter (`journalctl -u mailjail -p warning`): under systemd (JOURNAL_STREAM
 * names the stream stdout is, as `DEVICE:INODE`) every line starts with the syslog priority in
 * angle brackets, `<4>{"level":40,...}`. journald reads that prefix (SyslogLevelPrefix=yes, the
 * default), sets the entry's PRIORITY from it and strips it, so the stored MESSAGE is the plain JSON.
 * Outside systemd (a terminal, a pipe, the tests) lines are plain JSON. The prefix is added
 * synchronously by pino's streamWrite hook: one string concatenation per line, no transport thread.
 */
import { fstatSync } from 'node:fs';
import pino from 'pino';

export type Logger = pino.Logger;

/** pino level -> syslog priority (trace and debug 7, info 6, warn 4, error 3, fatal 2). */
export function syslogPriority(level: number): number {
  if (level >= 60) return 2;
  if (level >= 50) return 3;
  if (level >= 40) return 4;
  if (level >= 30) return 6;
  return 7;
}

/** Prefixes a pino line (which starts `{"level":NN`) with its `<priority>`. */
export function withPriorityPrefix(line: string): string {
  const level = line.startsWith('{"level":') ? Number(line.slice(9, 11)) : 30;
  return `<${syslogPriority(level)}>${line}`;
}

export function createLogger(level: string, destination?: pino.DestinationStream, options: { journal?: boolean } = {}): Logger {
  const journal = options.journal ?? stdoutIsJournal(process.env.JOURNAL_STREAM);
  return pino(
    {
      level,
      base: { name: 'mailjail' },
      timestamp: pino.stdTimeFunctions.isoTime,
      ...(journal ? { hooks: { streamWrite: withPriorityPrefix } } : {}),
    },
    destination ?? pino.destination({ fd: 1, sync: false }),
  );
}

/** True when JOURNAL_STREAM names our stdout (a child of a service inherits the variable, not the stream). */
export function stdoutIsJournal(journalStream: string | undefined, fd = 1): boolean {
  if (!journalStream) return false;
  const [dev, ino] = journalStream.split(':');
  try {
    const st = fstatSync(fd, { bigint: true });
    return String(st.dev) === dev && String(st.ino) === ino;
  } catch {
    return false;
  }
}
