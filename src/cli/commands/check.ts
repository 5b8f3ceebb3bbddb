/**
 * `mailjail check [--filter NAME|FILE]... [--json] FILE...`: run filters over log files, as the
 * daemon would, and say what they found. With --json, stdout carries exactly one JSON object per
 * matched line (other tools parse it: keep the six required keys stable) and nothing else.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { Command } from 'commander';
import { loadFilters } from '../../config/load-filter';
import { MailjailError } from '../../core/errors';
import type { Failure } from '../../core/types';
import { Matcher, matchChunk } from '../../match/matcher';

const CHUNK_BYTES = 4 << 20;
const TOP_IPS = 10;

interface CheckOptions {
  filter: string[];
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('check')
    .description('run filters over log files and summarise (or list, with --json) what they match')
    .option('-f, --filter <name|file>', 'a shipped filter name or a filter file (repeatable; default: all shipped)', collect, [])
    .option('--json', 'print one JSON object per matched line instead of a summary')
    .argument('<file...>', 'log files to read')
    .action((files: string[], opts: CheckOptions) => {
      runCheck(files, opts, (s) => process.stdout.write(s));
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export interface CheckSummary {
  lines: number;
  matched: number;
  byFilterEvent: Map<string, number>;
  byIp: Map<string, number>;
  seconds: number;
}

/** Runs the check and writes its output through `write`; returns the totals. */
export function runCheck(files: string[], opts: CheckOptions, write: (s: string) => void): CheckSummary {
  const filters = loadFilters(opts.filter ?? []);
  const matcher = new Matcher(filters);
  const summary: CheckSummary = { lines: 0, matched: 0, byFilterEvent: new Map(), byIp: new Map(), seconds: 0 };
  const started = process.hrtime.bigint();
  let out = '';
  for (const file of files) {
    scanFile(file, matcher, (f, line) => {
      summary.matched++;
      const key = `${f.filter}\t${f.event}`;
      summary.byFilterEvent.set(key, (summary.byFilterEvent.get(key) ?? 0) + 1);
      summary.byIp.set(f.ip, (summary.byIp.get(f.ip) ?? 0) + 1);
      if (opts.json) {
        out += `${JSON.stringify(toJson(file, line, f))}\n`;
        if (out.length > 65536) {
          write(out);
          out = '';
        }
      }
    }, (n) => {
      summary.lines += n;
    });
  }
  summary.seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (opts.json) {
    if (out) write(out);
  } else write(formatSummary(summary, files.length));
  return summary;
}

function toJson(file: string, line: number, f: Failure): Record<string, unknown> {
  const o: Record<string, unknown> = {
    file,
    line,
    time: new Date(f.time).toISOString(),
    ip: f.ip,
    filter: f.filter,
    event: f.event,
  };
  if (f.user !== undefined) o.user = f.user;
  if (f.helo !== undefined) o.helo = f.helo;
  if (f.fingerprint !== undefined) o.fingerprint = f.fingerprint;
  o.rule = f.rule;
  return o;
}

/** Reads `file` in chunks of whole lines; the file's mtime anchors syslog year inference. */
function scanFile(
  file: string,
  matcher: Matcher,
  onMatch: (f: Failure, line: number) => void,
  onLines: (n: number) => void,
): void {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    throw new MailjailError('INPUT', `cannot read ${file}: ${describe(e)}`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new MailjailError('INPUT', `cannot read ${file}: not a regular file`);
    const ctx = { source: `check:${file}`, file, firstLine: 1, referenceTime: st.mtimeMs };
    let buf = Buffer.allocUnsafe(CHUNK_BYTES);
    let filled = 0;
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buf, filled, buf.length - filled, null);
      } catch (e) {
        throw new MailjailError('INPUT', `cannot read ${file}: ${describe(e)}`);
      }
      const end = filled + n;
      if (n === 0) {
        if (end > 0) ctx.firstLine += countAndMatch(buf.subarray(0, end));
        break;
      }
      const lastNl = buf.lastIndexOf(10, end - 1);
      if (lastNl < 0) {
        // one line longer than the buffer: grow until it ends
        if (end === buf.length) buf = Buffer.concat([buf, Buffer.allocUnsafe(buf.length)]);
        filled = end;
        continue;
      }
      ctx.firstLine += countAndMatch(buf.subarray(0, lastNl + 1));
      buf.copy(buf, 0, lastNl + 1, end);
      filled = end - lastNl - 1;
    }
    function countAndMatch(chunk: Buffer): number {
      const lines = matchChunk(matcher, chunk, ctx, (f, line) => onMatch(f, line));
      onLines(lines);
      return lines;
    }
  } finally {
    closeSync(fd);
  }
}

function describe(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'ENOENT') return 'no such file';
  if (err.code === 'EACCES') return 'permission denied';
  if (err.code === 'EISDIR') return 'is a directory';
  return err.code ?? err.message;
}

function formatSummary(s: CheckSummary, files: number): string {
  const rate = s.seconds > 0 ? Math.round(s.lines / s.seconds) : s.lines;
  const lines = [
    `Files:        ${files}`,
    `Lines read:   ${s.lines}`,
    `Matched:      ${s.matched}`,
    `Time:         ${s.seconds.toFixed(3)} s (${rate} lines/s)`,
    '',
  ];
  if (s.byFilterEvent.size > 0) {
    lines.push('Matched by filter and event:');
    const rows = [...s.byFilterEvent].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    for (const [key, n] of rows) {
      const [filter, event] = key.split('\t');
      lines.push(`  ${String(n).padStart(9)}  ${filter.padEnd(12)} ${event}`);
    }
    lines.push('', `Top ${Math.min(TOP_IPS, s.byIp.size)} IPs (of ${s.byIp.size}):`);
    const top = [...s.byIp].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, TOP_IPS);
    for (const [ip, n] of top) lines.push(`  ${String(n).padStart(9)}  ${ip}`);
    lines.push('');
  }
  return lines.join('\n');
}
