/**
 * `mailjail check [--filter NAME|FILE]... [--json] FILE...`: run filters over log files, as the
 * daemon would, and say what they found. With --json, stdout carries exactly one JSON object per
 * matched line (other tools parse it: keep the six required keys stable) and nothing else.
 * A filter name is looked up in <config>/filters.d (--config, else /etc/mailjail) before the shipped ones.
 * `mailjail check --config DIR` (with or without files) validates the whole configuration first:
 * every problem as `file:line: path: message`, exit 3; nothing is started.
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { loadFilters } from '../../config/load-filter';
import type { Failure } from '../../core/types';
import { matchChunk } from '../../match/match-chunk';
import { Matcher } from '../../match/matcher';
import { readLogFile } from '../../sources/read-chunks';
import { MailjailError } from '../../core/errors';
import { loadConfig } from '../../config/load-config';
import { addConfigOption, addJsonOption, collect, configDirOf } from '../options';

const TOP_IPS = 10;

export interface CheckOptions {
  filter: string[];
  json?: boolean;
  /** Where a filter name is looked up before the shipped filters. */
  extraDirs?: string[];
}

export function register(program: Command): void {
  const cmd = program.command('check');
  addConfigOption(cmd);
  addJsonOption(cmd);
  cmd
    .description('run filters over log files and summarise (or list, with --json) what they match')
    .option('-f, --filter <name|file>', 'a shipped filter name or a filter file (repeatable; default: all shipped)', collect, [])
    .argument('[file...]', 'log files to read')
    .action((files: string[], _opts: CheckOptions, self: Command) => {
      // --json and --config are also program-wide options: read them with the globals.
      const opts = self.optsWithGlobals() as CheckOptions & { config?: string };
      if (opts.config) {
        const config = loadConfig(opts.config);
        if (files.length === 0) {
          const enabled = [...config.jails.values()].filter((j) => j.enabled).map((j) => j.name);
          process.stderr.write(`configuration ${opts.config} is valid (${config.files.length} files; enabled jails: ${enabled.join(', ') || 'none'})\n`);
          return;
        }
      } else if (files.length === 0) {
        throw new MailjailError('USAGE', 'name log files to check, or --config DIR to validate a configuration');
      }
      const configDir = configDirOf(self);
      const extraDirs = configDir ? [join(configDir, 'filters.d')] : [];
      runCheck(files, { ...opts, extraDirs }, (s) => process.stdout.write(s));
    });
}

export interface CheckSummary {
  lines: number;
  matched: number;
  /** filter -> event -> count */
  byFilterEvent: Map<string, Map<string, number>>;
  byIp: Map<string, number>;
  seconds: number;
}

/** Runs the check and writes its output through `write`; returns the totals. */
export function runCheck(files: string[], opts: CheckOptions, write: (s: string) => void): CheckSummary {
  const filters = loadFilters(opts.filter ?? [], opts.extraDirs ?? []);
  const summary: CheckSummary = { lines: 0, matched: 0, byFilterEvent: new Map(), byIp: new Map(), seconds: 0 };
  const started = process.hrtime.bigint();
  let out = '';
  let lastFilter: string | undefined;
  let lastEvents = new Map<string, number>();
  const jsonLine = jsonLineWriter();
  for (const file of files) {
    const fileJson = JSON.stringify(file);
    // Sessions never span files: a fresh Matcher per file keeps memory bounded by one file's sessions.
    scanFile(file, new Matcher(filters), (f, line) => {
      summary.matched++;
      // Matches come in runs of one filter: look its event map up again only when the filter changes.
      if (f.filter !== lastFilter) {
        lastFilter = f.filter;
        lastEvents = summary.byFilterEvent.get(f.filter) ?? new Map<string, number>();
        summary.byFilterEvent.set(f.filter, lastEvents);
      }
      lastEvents.set(f.event, (lastEvents.get(f.event) ?? 0) + 1);
      summary.byIp.set(f.ip, (summary.byIp.get(f.ip) ?? 0) + 1);
      if (opts.json) {
        out += jsonLine(fileJson, line, f);
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

/**
 * One --json line: what JSON.stringify gives for {file, line, time, ip, filter, event, user?,
 * helo?, fingerprint?, attempts?, rule}, written out by hand (a big log has 10^5 matches: building and
 * stringifying an object each cost more than the matching). Strings go through JSON.stringify; an
 * IP is canonical (hex digits, dots, colons) and needs no escaping. Consecutive matches share
 * their second, so the ISO time is made once per distinct time.
 */
function jsonLineWriter(): (fileJson: string, line: number, f: Failure) => string {
  const q = JSON.stringify;
  let lastTime = NaN;
  let lastIso = '';
  return (fileJson, line, f) => {
    if (f.time !== lastTime) {
      lastTime = f.time;
      lastIso = new Date(f.time).toISOString();
    }
    let s = `{"file":${fileJson},"line":${line},"time":"${lastIso}","ip":"${f.ip}","filter":${q(f.filter)},"event":${q(f.event)}`;
    if (f.user !== undefined) s += `,"user":${q(f.user)}`;
    if (f.helo !== undefined) s += `,"helo":${q(f.helo)}`;
    if (f.fingerprint !== undefined) s += `,"fingerprint":${q(f.fingerprint)}`;
    if (f.attempts !== undefined) s += `,"attempts":${f.attempts}`;
    return `${s},"rule":${q(f.rule)}}\n`;
  };
}

/** Matches every line of `file` (or a pipe); its mtime anchors syslog year inference. */
function scanFile(file: string, matcher: Matcher, onMatch: (f: Failure, line: number) => void, onLines: (n: number) => void): void {
  const ctx = { source: `check:${file}`, file, firstLine: 1, referenceTime: Date.now() };
  readLogFile(
    file,
    (chunk) => {
      const lines = matchChunk(matcher, chunk, ctx, (f, line) => onMatch(f, line));
      onLines(lines);
      ctx.firstLine += lines;
    },
    (referenceTime) => {
      ctx.referenceTime = referenceTime;
    },
  );
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
    const rows = [...s.byFilterEvent].flatMap(([filter, events]) => [...events].map(([event, n]) => ({ filter, event, n })));
    rows.sort((a, b) => b.n - a.n || a.filter.localeCompare(b.filter) || a.event.localeCompare(b.event));
    for (const { filter, event, n } of rows) {
      lines.push(`  ${String(n).padStart(9)}  ${filter.padEnd(12)} ${event}`);
    }
    lines.push('', `Top ${Math.min(TOP_IPS, s.byIp.size)} IPs (of ${s.byIp.size}):`);
    const top = topIps(s.byIp, TOP_IPS);
    for (const [ip, n] of top) lines.push(`  ${String(n).padStart(9)}  ${ip}`);
    lines.push('');
  }
  return lines.join('\n');
}

/**
 * The `n` IPs with the most matches, ties in localeCompare order. A big log has 10^4-10^5 IPs:
 * sorting them all with localeCompare cost more than the matching, so only the candidates that
 * can reach the top (count >= the n-th highest count) are sorted, with one shared collator.
 */
function topIps(byIp: Map<string, number>, n: number): Array<[string, number]> {
  const counts = [...byIp.values()].sort((a, b) => b - a);
  const floor = counts[Math.min(n, counts.length) - 1] ?? 0;
  const collator = new Intl.Collator();
  const candidates = [...byIp].filter(([, c]) => c >= floor);
  return candidates.sort((a, b) => b[1] - a[1] || collator.compare(a[0], b[0])).slice(0, n);
}
