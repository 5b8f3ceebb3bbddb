'use strict';
/**
 * `mailjail check` throughput on a generated 1,000,000-line mixed Postfix log (about 90% ordinary
 * traffic), next to fail2ban-regex with the postfix filter (mode=aggressive) and grep -F with the
 * same keywords (the floor: a C program that only looks for the keywords). Each mailjail and grep
 * run is repeated and the best wall time kept; processes are pinned to one core when taskset exists.
 * As root, also the daemon's catch-up over the same file (bench/daemon/catch-up.js).
 */
const fs = require('node:fs');
const path = require('node:path');
const { generatePostfixLog, readAttackLines } = require('../generate-postfix-log');
const { measureCatchUp } = require('../daemon/catch-up');
const { measureMetricsCost } = require('../daemon/metrics-cost');

const LINES = 1_000_000;

module.exports = {
  name: 'check throughput',
  async run(ctx) {
    const log = path.join(ctx.outDir, 'postfix-1m.log');
    if (!fs.existsSync(log) || ctx.fresh || !readAttackLines(log)) generatePostfixLog(log, LINES);
    const bytes = fs.statSync(log).size;
    const cli = path.join(ctx.root, 'dist', 'cli', 'main.js');
    const rows = [];

    const postfix = ctx.best(3, () => ctx.time('node', [cli, 'check', '--filter', 'postfix', log]));
    // check's own start-up (node, modules, filters) on a one-line file: to compare reading speeds
    const tiny = path.join(ctx.outDir, 'postfix-1-line.log');
    fs.writeFileSync(tiny, `${fs.readFileSync(log).subarray(0, 200).toString('latin1').split('\n')[0]}\n`);
    const checkStart = ctx.best(5, () => ctx.time('node', [cli, 'check', '--filter', 'postfix', tiny]));
    rows.push(row('mailjail check --filter postfix', postfix, parseMatched(postfix.stdout)));
    const all = ctx.best(3, () => ctx.time('node', [cli, 'check', log]));
    rows.push(row('mailjail check (all shipped filters)', all, parseMatched(all.stdout)));
    const json = ctx.best(2, () => ctx.time('node', [cli, 'check', '--json', '--filter', 'postfix', log]));
    const jsonLines = json.stdout.split('\n').filter(Boolean);
    rows.push(row('mailjail check --json --filter postfix', json, jsonLines.length));
    // "finding every attack line": the generator's own list against the lines check reported
    const reported = new Set(jsonLines.map((l) => JSON.parse(l).line));
    const attacks = readAttackLines(log);
    const missed = attacks.filter((n) => !reported.has(n));

    const engine = ctx.best(3, () => inProcess(ctx, log));
    rows.push(row('matchChunk in process (no start-up, no output)', engine, engine.matched));

    const { loadFilters } = require(path.join(ctx.root, 'dist', 'config', 'load-filter'));
    const keywords = loadFilters(['postfix'])[0].keywords;
    const grepArgs = ['-c', '-F', ...keywords.flatMap((k) => ['-e', k]), log];
    const grep = ctx.best(3, () => ctx.time('grep', grepArgs, { okStatus: [0, 1] }));
    rows.push(row('grep -F -c (postfix keywords only)', grep, Number(grep.stdout.trim())));

    let f2b = null;
    if (ctx.has('fail2ban-regex') && !ctx.quick) {
      f2b = ctx.time('fail2ban-regex', [log, 'postfix[mode=aggressive]'], { timeoutMs: 600_000 });
      const m = /Lines: \d+ lines, \d+ ignored, (\d+) matched/.exec(f2b.stdout);
      rows.push(row("fail2ban-regex FILE 'postfix[mode=aggressive]'", f2b, m ? Number(m[1]) : NaN));
    }

    // Issue 7: the daemon's first start with `startAt: { replay: 30m }` reads the same file through
    // its file source and pipeline; timed from spawn to the source's position reaching EOF.
    let catchUp = null;
    if (process.getuid?.() === 0 && ctx.has('ip')) {
      for (let i = 0; i < (ctx.quick ? 1 : 3); i++) {
        const r = await measureCatchUp(log, { pin: ctx.has('taskset') });
        if (!catchUp || r.seconds < catchUp.seconds) catchUp = r;
      }
      rows.push(row('daemon first start, startAt: { replay: 30m }, spawn -> EOF', catchUp, catchUp.failures));
    }

    const lines = [
      `Input: ${LINES.toLocaleString('en')} lines, ${(bytes / 1e6).toFixed(1)} MB (bench/generate-postfix-log.js, seed 42).`,
      '"matched" counts differ by design: fail2ban counts only its failure regexes, grep counts lines holding any keyword,',
      'mailjail counts events (auth-success and scanner summaries included).',
      '',
      '| command | wall s | lines/s | matched | vs fail2ban-regex |',
      '|---|---:|---:|---:|---:|',
      ...rows.map((r) => `| ${r.name} | ${r.seconds.toFixed(2)} | ${fmt(LINES / r.seconds)} | ${fmt(r.matched)} | ${f2b ? `${(f2b.seconds / r.seconds).toFixed(1)}x` : 'n/a'} |`),
    ];
    lines.push(
      '',
      missed.length === 0
        ? `Every attack line found: all ${fmt(attacks.length)} lines the generator wrote as attacks are in \`check --json\`'s output (the other ${fmt(reported.size - attacks.length)} reported lines are logins and scanner summaries of ordinary traffic).`
        : `ATTACK LINES MISSED: ${fmt(missed.length)} of ${fmt(attacks.length)} (first: line ${missed[0]}).`,
    );
    const ratio = (a, b) => `${(a / b).toFixed(1)}x`;
    const verdict = (ok, by) => (ok ? 'met' : `missed (${by})`);
    lines.push('', '| issue 7 target | measured | |', '|---|---:|---|');
    if (f2b) {
      const x = f2b.seconds / postfix.seconds;
      lines.push(`| check ≥ 100x faster than fail2ban-regex | ${x.toFixed(1)}x | ${verdict(x >= 100, `÷${(100 / x).toFixed(1)}`)} |`);
    }
    lines.push(
      `| check within 2x of grep -F: whole process / engine alone | ${ratio(postfix.seconds, grep.seconds)} / ${ratio(engine.seconds, grep.seconds)} | whole process ${verdict(postfix.seconds <= 2 * grep.seconds, `×${(postfix.seconds / grep.seconds / 2).toFixed(2)}`)}; engine ${verdict(engine.seconds <= 2 * grep.seconds, '')} |`,
    );
    if (catchUp) {
      const x = catchUp.seconds / postfix.seconds;
      lines.push(`| catch-up (replay: 30m) at the speed of check, spawn → end of file | ${x.toFixed(2)}x check's time | ${verdict(x <= 1.05, `by ${Math.round((x - 1) * 100)}%`)} |`);
      // reading alone: the daemon from "ready" to EOF, check minus its start-up on a one-line file
      const daemonRate = LINES / (catchUp.seconds - catchUp.readyMs / 1000);
      const checkRate = LINES / (postfix.seconds - checkStart.seconds);
      lines.push(
        `| same, reading alone: lines/s after ready / check's after its start-up (${checkStart.seconds.toFixed(2)} s) | ${fmt(daemonRate)} / ${fmt(checkRate)} (${(daemonRate / checkRate).toFixed(2)}x) | ${verdict(daemonRate >= 0.95 * checkRate, `by ${Math.round((1 - daemonRate / checkRate) * 100)}%`)} |`,
      );
    }
    if (catchUp) {
      lines.push(
        '',
        `Catch-up: the daemon was ready after ${(catchUp.readyMs / 1000).toFixed(2)} s and had read all ${fmt(catchUp.lines)} lines`,
        `${catchUp.seconds.toFixed(2)} s after spawn (${(catchUp.seconds / postfix.seconds).toFixed(2)}x the time of \`mailjail check --filter postfix\`);`,
        'Lines older than the 30-minute cutoff (here: all of them) are matched but not counted as strikes.',
      );
    }
    lines.push('', ...metricsCostLines(log));
    return lines.join('\n');
  },
};

function row(name, run, matched) {
  return { name, seconds: run.seconds, matched };
}

function parseMatched(stdout) {
  const m = /Matched:\s+(\d+)/.exec(stdout);
  return m ? Number(m[1]) : NaN;
}

function fmt(n) {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en') : 'n/a';
}

/** The engine alone: read the file in 4 MiB chunks of whole lines, no output. */
function inProcess(ctx, log) {
  const { loadFilters } = require(path.join(ctx.root, 'dist', 'config', 'load-filter'));
  const { Matcher } = require(path.join(ctx.root, 'dist', 'match', 'matcher'));
  const { matchChunk } = require(path.join(ctx.root, 'dist', 'match', 'match-chunk'));
  const matcher = new Matcher(loadFilters(['postfix']));
  const buf = fs.readFileSync(log);
  const t0 = process.hrtime.bigint();
  let matched = 0;
  let firstLine = 1;
  for (let at = 0; at < buf.length; ) {
    let end = Math.min(at + (4 << 20), buf.length);
    if (end < buf.length) end = buf.lastIndexOf(10, end - 1) + 1;
    firstLine += matchChunk(matcher, buf.subarray(at, end), { source: 'bench', firstLine, referenceTime: Date.now() }, () => matched++);
    at = end;
  }
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, matched };
}

/** Issue 14: metrics may cost at most 2% of catch-up and flood throughput (bench/daemon/metrics-cost.js). */
function metricsCostLines(log) {
  const rows = measureMetricsCost(log, 5);
  return [
    'Metrics cost (issue 14, target <= 2%): the daemon\'s pipeline (match, decide, one SQLite transaction per 500-line batch) in one process,',
    'with the real jail meter and with a meter that does nothing, alternating, best of 5 each:',
    '',
    '| input | lines | without metrics, lines/s | with metrics, lines/s | cost | |',
    '|---|---:|---:|---:|---:|---|',
    ...rows.map((r) => `| ${r.name} | ${fmt(r.lines)} | ${fmt(r.lines / r.off)} | ${fmt(r.lines / r.on)} | ${r.cost >= 0 ? '+' : ''}${r.cost.toFixed(1)}% | ${r.cost <= 2 ? 'met' : `missed (by ${r.cost.toFixed(1)} points)`} |`),
  ];
}
