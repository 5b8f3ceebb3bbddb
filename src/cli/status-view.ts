/**
 * What `mailjail status` prints: the full view, the problems with what to do about them, and the
 * compact live view of `status --watch` (rates between two replies, the last bans).
 */
import type { StatusReply } from '../control/replies';
import { formatDuration } from '../core/duration';

/** `mailjail status` exits with this when the daemon runs but something is stuck (README). */
export const STATUS_UNHEALTHY = 11;

export function formatStatus(s: StatusReply): string {
  const lines = [
    `mailjail ${s.version}, pid ${s.pid}, up ${formatDuration(s.uptimeSeconds * 1000)}`,
    `database ${s.database.path}: ${(s.database.bytes / 1048576).toFixed(1)} MiB, ${s.database.strikes} strikes, ${s.database.activeBans} active bans`,
  ];
  if (!s.jails.some((j) => j.filters.length > 0)) lines.push('WARNING: no jail is enabled: mailjail watches nothing (enable one in jails.d, see README)');
  const f = s.fleet;
  if (f) {
    const link = f.connected ? 'connected' : `DISCONNECTED${f.lastError ? ` (${f.lastError})` : ''}`;
    lines.push(`fleet node ${f.node}: ${link}, lag ${f.lagMs} ms, ${f.pending} pending, ${f.published} published, ${f.received} received, ${f.rejected} rejected`);
  }
  for (const j of s.jails) {
    const health = j.action.ok ? 'ok' : `FAILING (${j.action.failures} failures; ${j.action.lastError ?? ''})`;
    lines.push('', `jail ${j.name}: ${j.activeBans} active bans; action ${j.action.action} ${health}${j.action.pending ? `, ${j.action.pending} pending` : ''}`);
    for (const a of (j.actions ?? []).slice(1)) {
      lines.push(`  also action ${a.action} ${a.ok ? 'ok' : `FAILING (${a.failures} failures; ${a.lastError ?? ''})`}${a.pending ? `, ${a.pending} pending` : ''}`);
    }
    if (j.filters.length) lines.push(`  filters ${j.filters.join(', ')}; ${j.counters.lines} lines, ${j.counters.failures} matched, ${j.counters.bans} bans since start`);
    for (const src of j.sources) {
      lines.push(`  source ${src.id}${src.error ? ` ERROR ${src.error}` : ''}`);
      // a batch the database could not commit: reading holds and retries it (issue 17 point 2)
      if (src.held) lines.push(`    HELD since ${new Date(src.held.since).toISOString()} (${src.held.attempts} attempts): ${src.held.error}`);
      for (const f of src.files) lines.push(`    ${f.path} at byte ${f.offset}${f.size !== undefined ? ` of ${f.size}` : ''}, line ${f.line}`);
      if (src.kind === 'file' && src.files.length === 0) lines.push('    (no file matches)');
    }
  }
  lines.push('', ...formatProblems(s));
  return `${lines.join('\n')}\n`;
}

export function formatProblems(s: StatusReply): string[] {
  const problems = s.problems ?? [];
  if (problems.length === 0) return ['ok: every action works, every source is read, the kernel agrees with the database'];
  const out = [`PROBLEMS (${problems.length}):`];
  for (const p of problems) out.push(`  ${p.kind}: ${p.message}`, `    since ${p.since}; what to do: ${p.hint}`);
  return out;
}

export interface Sample {
  at: number;
  jails: Map<string, { lines: number; failures: number; bans: number }>;
}

export function sampleOf(s: StatusReply, at: number): Sample {
  return { at, jails: new Map(s.jails.map((j) => [j.name, { lines: j.counters.lines, failures: j.counters.failures, bans: j.counters.bans }])) };
}

/** The compact live view: one line per jail with rates since `before`, problems, the last bans. */
export function formatWatch(s: StatusReply, now: Sample, before: Sample | null, width = 80): string {
  const seconds = before ? Math.max(0.001, (now.at - before.at) / 1000) : 0;
  const rate = (jail: string, key: 'lines' | 'failures' | 'bans') => {
    const b = before?.jails.get(jail);
    const n = now.jails.get(jail);
    if (!b || !n || seconds === 0) return '-';
    const r = Math.max(0, n[key] - b[key]) / seconds;
    return r >= 100 ? r.toFixed(0) : r.toFixed(1);
  };
  const pad = (v: string | number, n: number) => String(v).padStart(n);
  const out = [
    `mailjail ${s.version}  up ${formatDuration(s.uptimeSeconds * 1000)}  ${s.database.activeBans} active bans  ${new Date(now.at).toISOString().slice(11, 19)}Z`,
    '',
    `${'JAIL'.padEnd(14)}${pad('LINES/S', 9)}${pad('EVENTS/S', 10)}${pad('BANS/S', 8)}${pad('ACTIVE', 8)}  ACTION`,
  ];
  for (const j of s.jails) {
    const action = j.action.ok ? `${j.action.action} ok` : `${j.action.action} FAILING`;
    out.push(`${j.name.padEnd(14)}${pad(rate(j.name, 'lines'), 9)}${pad(rate(j.name, 'failures'), 10)}${pad(rate(j.name, 'bans'), 8)}${pad(j.activeBans, 8)}  ${action}${j.action.pending ? ` (${j.action.pending} pending)` : ''}`);
  }
  out.push('', ...formatProblems(s), '', 'last bans:');
  for (const b of s.recentBans ?? []) out.push(`  ${b.since.slice(11, 19)}Z  ${b.jail.padEnd(12)} ${b.ip.padEnd(26)} ${b.reason}`);
  if ((s.recentBans ?? []).length === 0) out.push('  (none since the daemon started)');
  return `${out.map((l) => (l.length > width ? `${l.slice(0, width - 1)}…` : l)).join('\n')}\n`;
}
