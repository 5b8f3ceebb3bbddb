'use strict';
/**
 * The daemon benchmarks (issues 3 and 7): a real `mailjail daemon` in network namespaces made
 * here, fed Postfix lines, watched in the kernel. Figures, each the median (min–max) over `runs`:
 *   1. line -> kernel latency (nftables via `nft monitor`; ipset by polling `ipset test`)
 *   2. a 100,000-address flood: bans/s reaching the kernel, and the lag at 10,000 lines/s
 *   3. restoring 100,000 bans: start -> ready with all of them in the kernel; the same with
 *      100,000 IPv6 /64 bans, and the line -> kernel latency of new bans with those present
 *   4. resident memory with 100,000 bans, and with 1,000,000 strikes as well
 *   5. start -> ready with the four shipped jails, beside node's own start-up
 *   6. fail2ban's figures for the same measurements, when it is installed
 *
 *   runDaemonBenchmarks({ runs, log, profile }) -> { sections: [{ title, markdown }], figures }
 *   node bench/daemon/index.js [--runs N] [--profile]     prints the markdown
 */
const os = require('node:os');
const fs = require('node:fs');
const path = require('node:path');
const { nftLatencyRun, ipsetLatencyRun } = require('./latency');
const { floodRun } = require('./flood');
const { restoreRun, templateDatabase } = require('./restore');
const { readyRun, floorRun } = require('./ready');
const { fail2banRun } = require('./fail2ban');
const { summarizeProfile, profileMarkdown } = require('./profile-summary');
const { summarize, fmt, fmtRange, verdict } = require('./stats');
const { ROOT, cleanupAll, run } = require('./sys');

const TARGETS = {
  latencyP99Ms: 20,
  floodBansPerS: 10_000,
  floodLagMs: 100,
  restoreMs: 2000,
  restoreV6Ms: 2000,
  rss100kMiB: 80,
  readyMs: 200,
};

const FLOOD = 100_000;
const PACED_RATE = 10_000;
const V6_BANS = 100_000;

async function repeat(runs, label, log, fn) {
  const results = [];
  for (let i = 0; i < runs; i++) {
    log(`${label}: run ${i + 1}/${runs}`);
    results.push(await fn(i));
  }
  return results;
}

const pick = (results, key) => summarize(results.map((r) => r[key]));
/** Like pick, over the runs that measured the figure (null when none did). */
const pickKnown = (results, key) => {
  const known = results.filter((r) => r[key] !== null && r[key] !== undefined);
  return known.length > 0 ? pick(known, key) : null;
};

async function runDaemonBenchmarks({ runs = 3, log = (m) => process.stderr.write(`${m}\n`), profile = false } = {}) {
  const figures = { runs, targets: TARGETS, environment: await environment() };
  try {
    const nft = await repeat(runs, 'latency (nftables, 200 bans)', log, () => nftLatencyRun(200));
    figures.latencyNft = { p50: pick(nft, 'p50'), p90: pick(nft, 'p90'), p99: pick(nft, 'p99'), max: pick(nft, 'max') };
    const ipset = await repeat(runs, 'latency (ipset, 200 bans)', log, () => ipsetLatencyRun(200));
    figures.latencyIpset = { p50: pick(ipset, 'p50'), p99: pick(ipset, 'p99'), pollMs: pick(ipset, 'pollMs') };

    const burst = await repeat(runs, `flood burst (${FLOOD.toLocaleString('en-US')} bans)`, log, () => floodRun({ total: FLOOD }));
    figures.floodBurst = {
      bansPerS: pick(burst, 'bansPerS'),
      drainMs: pick(burst, 'drainMs'),
      cpuUsPerBan: summarize(burst.map((r) => (r.daemonCpuMs * 1000) / FLOOD)),
      monitorCpuMs: summarize(burst.map((r) => r.monitorCpuMs)),
      rssMiB: pick(burst, 'rssMiB'),
    };
    const paced = await repeat(runs, `flood at ${PACED_RATE.toLocaleString('en-US')} lines/s`, log, () => floodRun({ total: FLOOD, rate: PACED_RATE }));
    figures.floodPaced = {
      maxLagMs: pick(paced, 'maxLagMs'),
      p50LagMs: pick(paced, 'p50LagMs'),
      bansPerS: pick(paced, 'bansPerS'),
      maxProcessLagMs: pickKnown(paced, 'maxProcessLagMs'),
      p50ProcessLagMs: pickKnown(paced, 'p50ProcessLagMs'),
    };

    const restore = await repeat(runs, 'restore 100,000 bans', log, () => restoreRun({ bans: 100_000 }));
    figures.restore = {
      readyMs: pick(restore, 'readyMs'),
      inKernel: pick(restore, 'inKernel'),
      rssMiB: pick(restore, 'rssMiB'),
      hwmMiB: pick(restore, 'hwmMiB'),
      dbMiB: restore[0].dbBytes / 1048576,
    };
    figures.ipv6 = await ipv6Figures(runs, log);
    const strikeRuns = Math.min(runs, 2);
    const strikes = await repeat(strikeRuns, 'restore 100,000 bans + 1,000,000 strikes', log, () => restoreRun({ bans: 100_000, strikes: 1_000_000 }));
    figures.restoreStrikes = {
      readyMs: pick(strikes, 'readyMs'),
      rssMiB: pick(strikes, 'rssMiB'),
      hwmMiB: pick(strikes, 'hwmMiB'),
      dbMiB: strikes[0].dbBytes / 1048576,
      buildS: strikes[0].buildMs / 1000,
    };

    const ready = await repeat(Math.max(runs, 5), 'start -> ready (4 shipped jails)', log, () => readyRun());
    const floors = await repeat(Math.max(runs, 5), 'start-up floors', log, () => floorRun());
    figures.ready = { readyMs: pick(ready, 'readyMs'), restartMs: pick(ready, 'restartMs'), idleRssMiB: pick(ready, 'rssMiB'), nodeMs: pick(floors, 'nodeMs'), netnsNodeMs: pick(floors, 'netnsNodeMs'), cliVersionMs: pick(floors, 'cliVersionMs') };

    log('fail2ban');
    figures.fail2ban = await fail2banRun({ log });

    if (profile) figures.profiles = await profiles(log);
  } finally {
    cleanupAll();
  }
  return { sections: [{ title: 'Daemon: latency, flood, restore, memory, start-up', markdown: markdownOf(figures) }], figures };
}

/** 100,000 IPv6 /64 bans: their restore, and new bans (IPv4 hosts) reaching the kernel beside them. */
async function ipv6Figures(runs, log) {
  const shape = { bans: V6_BANS, family: 6 };
  const restore = await repeat(runs, 'restore 100,000 IPv6 /64 bans', log, () => restoreRun(shape));
  log(`restore: ${restore.map((r) => `${Math.round(r.readyMs)} ms, ${r.inKernel} in the kernel`).join('; ')}`);
  const { file } = templateDatabase(shape);
  const latency = await repeat(runs, 'latency (nftables, 200 bans) with 100,000 IPv6 /64 bans present', log, () => nftLatencyRun(200, { database: file }));
  // the same measurement (polled) beside no ban at all: what the 100,000 add
  const empty = templateDatabase({ bans: 0, family: 6 }).file;
  const baseline = await repeat(runs, 'latency (nftables, 200 bans, polled) with no ban present', log, () => nftLatencyRun(200, { database: empty }));
  return {
    readyMs: pick(restore, 'readyMs'),
    inKernel: pick(restore, 'inKernel'),
    p50: pick(latency, 'p50'),
    p99: pick(latency, 'p99'),
    baseP50: pick(baseline, 'p50'),
    baseP99: pick(baseline, 'p99'),
  };
}

function ipv6Rows(v6, t) {
  const ms = (s) => `${fmtRange(s, 1)} ms`;
  return [
    `| restore ${V6_BANS.toLocaleString('en-US')} IPv6 /64 bans: start → ready, all in the kernel (${fmt(v6.inKernel.min, 0)} counted) | ${ms(v6.readyMs)} | ≤ ${fmt(t.restoreV6Ms, 0)} ms | ${verdict(v6.readyMs.median, t.restoreV6Ms)} | |`,
    `| line → kernel, p50 / p99, with those ${V6_BANS.toLocaleString('en-US')} IPv6 /64 bans present (200 bans; polled with \`nft list set\`, ≈ one poll of over-estimate) | ${ms(v6.p50)} / ${ms(v6.p99)} | ≤ ${t.latencyP99Ms} ms | ${verdict(v6.p99.median, t.latencyP99Ms)} | |`,
    `| same, polled the same way, with no ban present | ${ms(v6.baseP50)} / ${ms(v6.baseP99)} | | | |`,
  ];
}

/** CPU profiles (`node --cpu-prof`) of the daemon for the flood burst and the 100k restore. */
async function profiles(log) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mj-bench-prof-'));
  try {
    const out = {};
    for (const [name, fn] of [
      ['flood burst', (nodeArgs) => floodRun({ total: FLOOD, nodeArgs })],
      ['restore of 100,000 bans', (nodeArgs) => restoreRun({ bans: 100_000 }, { nodeArgs })],
      ['start with the 4 shipped jails', (nodeArgs) => readyRun({ nodeArgs })],
    ]) {
      log(`profile: ${name}`);
      const sub = fs.mkdtempSync(path.join(dir, 'p-'));
      await fn(['--cpu-prof', '--cpu-prof-dir', sub]);
      const file = fs.readdirSync(sub).find((f) => f.endsWith('.cpuprofile'));
      if (file) out[name] = summarizeProfile(path.join(sub, file), 10);
    }
    return out;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function environment() {
  const nft = await run(['nft', '--version']);
  return {
    date: new Date().toISOString().slice(0, 10),
    node: process.version,
    kernel: os.release(),
    nft: nft.stdout.trim().split(' ').slice(0, 2).join(' '),
    cpus: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}`,
    loadavg: os.loadavg().map((l) => l.toFixed(2)).join(' '),
    dist: path.relative(process.cwd(), path.join(ROOT, 'dist')) || 'dist',
  };
}

function markdownOf(f) {
  const e = f.environment;
  const t = f.targets;
  const ms = (s) => `${fmtRange(s, 1)} ms`;
  const f2b = f.fail2ban ?? { installed: false };
  const f2bCell = (text) => (f2b.installed ? text : 'not installed');
  const lines = [
    `${e.date}: Node ${e.node}, Linux ${e.kernel}, ${e.nft}, ${e.cpus}, load average ${e.loadavg} at start (other work shares these cores: figures are upper bounds).`,
    `Each mailjail figure is the median (min–max) over ${f.runs} runs, each run a fresh daemon in a fresh network namespace; the memory figure with 1,000,000 strikes over ${f.restoreStrikes?.readyMs.runs ?? 0}.`,
    `Attack lines are postscreen \`PREGREET ... EHLO ylmf-pc\` lines (a fingerprint: one line, one ban) for distinct addresses of 198.18.0.0/15 (RFC 2544's benchmarking range); fail2ban gets SASL failures with maxretry 1.`,
    '',
    `| figure | mailjail | target | | fail2ban${f2b.installed ? ` (${f2b.version.replace('Fail2Ban ', '')})` : ''} |`,
    '|---|---:|---:|---|---:|',
    `| line → kernel, p50 (nftables, 200 bans) | ${ms(f.latencyNft.p50)} | | | ${f2bCell(`${fmt(f2b.latency?.p50, 0)} ms`)} |`,
    `| line → kernel, p99 (nftables, 200 bans) | ${ms(f.latencyNft.p99)} | ≤ ${t.latencyP99Ms} ms | ${verdict(f.latencyNft.p99.median, t.latencyP99Ms)} | ${f2bCell(`${fmt(f2b.latency?.p99, 0)} ms (${f2b.latency?.samples} bans)`)} |`,
    `| line → kernel, p50 / p99 (ipset, 200 bans; polled, ≈${fmt(f.latencyIpset.pollMs.median, 0)} ms a poll) | ${ms(f.latencyIpset.p50)} / ${ms(f.latencyIpset.p99)} | ≤ ${t.latencyP99Ms} ms | ${verdict(f.latencyIpset.p99.median, t.latencyP99Ms)} | |`,
    `| flood of ${FLOOD.toLocaleString('en-US')} addresses at once: bans/s into the kernel | ${fmtRange(f.floodBurst.bansPerS, 0)} | ≥ ${t.floodBansPerS.toLocaleString('en-US')} | ${verdict(f.floodBurst.bansPerS.median, t.floodBansPerS, false)} | ${f2bCell(burstCell(f2b))} |`,
    `| same flood: daemon CPU per ban (its own process, not nft's; target = one core's budget at 10,000/s) | ${fmtRange(f.floodBurst.cpuUsPerBan, 0)} µs | ≤ ${fmt(1e6 / t.floodBansPerS, 0)} µs | ${verdict(f.floodBurst.cpuUsPerBan.median, 1e6 / t.floodBansPerS)} | |`,
    f.floodPaced.maxProcessLagMs
      ? `| ${FLOOD.toLocaleString('en-US')} lines at ${PACED_RATE.toLocaleString('en-US')}/s: worst lag, line written → processed (read, matched, decided, committed to SQLite) | ${ms(f.floodPaced.maxProcessLagMs)} | ≤ ${t.floodLagMs} ms | ${verdict(f.floodPaced.maxProcessLagMs.median, t.floodLagMs)} | |`
      : `| ${FLOOD.toLocaleString('en-US')} lines at ${PACED_RATE.toLocaleString('en-US')}/s: worst lag, line written → processed | not measured (the daemon's log missed batches) | ≤ ${t.floodLagMs} ms | | |`,
    `| same: worst lag, line written → its ban in the kernel (stricter: adds the nft transaction) | ${ms(f.floodPaced.maxLagMs)} | (≤ ${t.floodLagMs} ms) | ${verdict(f.floodPaced.maxLagMs.median, t.floodLagMs)} | |`,
    `| same: median lag processed / in the kernel; bans/s sustained | ${f.floodPaced.p50ProcessLagMs ? ms(f.floodPaced.p50ProcessLagMs) : '–'} / ${ms(f.floodPaced.p50LagMs)}; ${fmtRange(f.floodPaced.bansPerS, 0)} | | | |`,
    `| restore 100,000 bans: start → ready, all in the kernel (${fmt(f.restore.inKernel.min, 0)} counted) | ${ms(f.restore.readyMs)} | ≤ ${fmt(t.restoreMs, 0)} ms | ${verdict(f.restore.readyMs.median, t.restoreMs)} | ${f2bCell(restoreCell(f2b))} |`,
    ...(f.ipv6 ? ipv6Rows(f.ipv6, t) : []),
    `| resident memory, 100,000 active bans (peak) | ${fmtRange(f.restore.rssMiB)} MiB (${fmtRange(f.restore.hwmMiB)}) | ≤ ${t.rss100kMiB} MiB | ${verdict(f.restore.rssMiB.median, t.rss100kMiB)} | |`,
    `| resident memory, 100,000 bans + 1,000,000 strikes (peak; ${fmt(f.restoreStrikes.dbMiB, 0)} MiB database) | ${fmtRange(f.restoreStrikes.rssMiB)} MiB (${fmtRange(f.restoreStrikes.hwmMiB)}) | report | | |`,
    `| start → ready with 100,000 bans + 1,000,000 strikes | ${ms(f.restoreStrikes.readyMs)} | | | |`,
    `| start → ready, 4 shipped jails, empty logs, first start: new database, new nft table, config never parsed (idle RSS ${fmtRange(f.ready.idleRssMiB)} MiB) | ${ms(f.ready.readyMs)} | ≤ ${t.readyMs} ms | ${verdict(f.ready.readyMs.median, t.readyMs)} | ${f2bCell(`${fmt(f2b.readyMs, 0)} ms (1 jail)`)} |`,
    `| same, restart (same configuration, database and table) | ${ms(f.ready.restartMs)} | ≤ ${t.readyMs} ms | ${verdict(f.ready.restartMs.median, t.readyMs)} | |`,
    `| floor: \`node -e 0\` / the same in a namespace / \`mailjail --version\` | ${fmtRange(f.ready.nodeMs, 0)} / ${fmtRange(f.ready.netnsNodeMs, 0)} / ${fmtRange(f.ready.cliVersionMs, 0)} ms | | | |`,
  ];
  if (!f2b.installed) lines.push('', 'fail2ban is not installed on this machine: no comparison was run.');
  else {
    lines.push(
      '',
      `fail2ban: ${f2b.latency.samples} bans for latency (lines 250 ms apart); ${f2b.burst.bans.toLocaleString('en-US')} addresses at once for throughput` +
        ` — 10,000 were not run: at ${fmt(f2b.burst.bansPerS, 0)} bans/s they would take about ${fmt(10_000 / f2b.burst.bansPerS, 0)} s (extrapolated);` +
        ` restore = its ${f2b.restore.bans.toLocaleString('en-US')} bans back in the kernel after a restart, 100,000 would take about ${fmt((100_000 * f2b.restore.ms) / f2b.restore.bans / 60_000, 0)} min (extrapolated). One run.`,
    );
  }
  if (f.profiles) {
    // a profile covers the daemon's whole life: for restore and start-up, "idle" is mostly the
    // wait for nft and the second after ready
    for (const [name, p] of Object.entries(f.profiles)) lines.push('', profileMarkdown(p, `Daemon CPU profile (whole process), ${name}`));
  }
  return lines.join('\n');
}

function burstCell(f2b) {
  if (!f2b.burst) return 'n/a';
  const done = f2b.burst.complete ? '' : ` (deadline hit at ${f2b.burst.reached})`;
  return `${fmt(f2b.burst.bansPerS, 0)} (${f2b.burst.bans.toLocaleString('en-US')} bans${done})`;
}

function restoreCell(f2b) {
  if (!f2b.restore) return 'n/a';
  if (!f2b.restore.complete) return `${f2b.restore.reached} of ${f2b.restore.bans} within the deadline`;
  return `${fmt(f2b.restore.ms, 0)} ms for ${f2b.restore.bans.toLocaleString('en-US')} bans`;
}

module.exports = { runDaemonBenchmarks, TARGETS };

/** `--ipv6`: only the IPv6 figures, printed as table rows (before/after comparisons). */
async function ipv6Only(runs) {
  try {
    const v6 = await ipv6Figures(runs, (m) => process.stderr.write(`${m}\n`));
    return [{ title: 'Daemon: 100,000 IPv6 /64 bans', markdown: ['| figure | mailjail | target | |', '|---|---:|---:|---|', ...ipv6Rows(v6, TARGETS).map((r) => r.replace(/ \| \|$/, ' |'))].join('\n') }];
  } finally {
    cleanupAll();
  }
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const runsAt = args.indexOf('--runs');
  const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 3;
  (args.includes('--ipv6') ? ipv6Only(runs).then((sections) => ({ sections })) : runDaemonBenchmarks({ runs, profile: args.includes('--profile') })).then(
    ({ sections }) => {
      for (const s of sections) console.log(`## ${s.title}\n\n${s.markdown}\n`);
    },
    (e) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
