'use strict';
/**
 * The fleet's figures (issue 13): ban propagation across three nodes sharing a real Redis, and
 * bans/s sustained fleet-wide during a flood. The flood is compared like for like: three servers on
 * their own on the same machine, launched the same way, each reading every line itself, so that
 * every kernel holds every ban in both runs: what differs is only how a kernel learns of a ban
 * (from its own log, or through Redis). The one-daemon flood rate is shown beside it, at the same
 * log level: one daemon and one kernel on the two cores instead of three.
 */
const { fleetPropagationRun, fleetFloodRun } = require('../daemon/fleet');
const { floodRun } = require('../daemon/flood');
const { summarize, fmtRange, verdict } = require('../daemon/stats');

const FLOOD = 30_000;
const log = (m) => process.stderr.write(`bench: ${m}\n`);

module.exports = {
  name: 'fleet',
  async run(ctx) {
    const runs = ctx.quick ? 1 : 3;
    const prop = [];
    const fleet = [];
    const lone = [];
    const single = [];
    const n = FLOOD.toLocaleString('en-US');
    for (let r = 0; r < runs; r++) {
      log(`fleet propagation (200 bans, three nodes): run ${r + 1}/${runs}`);
      prop.push(await fleetPropagationRun(200));
      log(`fleet flood (${n} bans over three nodes): run ${r + 1}/${runs}`);
      fleet.push(await fleetFloodRun(FLOOD));
      log(`three lone servers, each flooded with all ${n}, for comparison: run ${r + 1}/${runs}`);
      lone.push(await fleetFloodRun(FLOOD, { lone: true }));
      log(`single-node flood (${n} bans), for comparison: run ${r + 1}/${runs}`);
      single.push(await floodRun({ total: FLOOD, logLevel: 'info' }));
    }
    const rate = (list) => summarize(list.map((f) => f.bansPerS));
    const ratio = (base) => summarize(fleet.map((f, i) => f.bansPerS / base[i].bansPerS));
    const p50 = summarize(prop.map((p) => p.p50));
    const p99 = summarize(prop.map((p) => p.p99));
    const likeForLike = ratio(lone);
    const cpu = (list) => summarize(list.map((f) => f.cpuUsPerBan));
    return [
      `Three mailjail daemons and one redis-server 7.0 on loopback, each daemon with its own nft table in its own namespace; median (min–max) over ${runs} run(s).`,
      '',
      '| figure | value | target |',
      '| --- | --- | --- |',
      `| ban propagation, origin's kernel -> the other two kernels, p50 (ms) | ${fmtRange(p50)} | |`,
      `| ban propagation, p99 (ms) | ${fmtRange(p99)} | 1,000: ${verdict(p99.median, 1000)} |`,
      `| flood of ${n} attackers spread over three nodes: bans/s until every kernel holds all | ${fmtRange(rate(fleet), 0)} | |`,
      `| three lone servers on this machine, each flooded with all ${n} (every kernel holds all): bans/s | ${fmtRange(rate(lone), 0)} | |`,
      `| fleet rate / lone servers' rate (like for like) | ${fmtRange(likeForLike, 2)} | 0.80: ${verdict(likeForLike.median, 0.8, false)} |`,
      `| one daemon alone on this machine, flooded with the same ${n}: bans/s | ${fmtRange(rate(single), 0)} | |`,
      `| fleet rate / one daemon's rate (three daemons and kernels against one, on the same cores) | ${fmtRange(ratio(single), 2)} | |`,
      `| daemon CPU per ban, busiest fleet node (µs) | ${fmtRange(cpu(fleet), 0)} | |`,
      `| daemon CPU per ban, busiest lone server (µs) | ${fmtRange(cpu(lone), 0)} | |`,
      `| daemon CPU per ban, one daemon alone (µs) | ${fmtRange(summarize(single.map((f) => (f.daemonCpuMs * 1000) / FLOOD)), 0)} | |`,
      `| flood lines the matcher skipped (time budget outrun under load; in no kernel) | ${[...fleet, ...lone].map((f) => f.skipped).join(', ')} | |`,
    ].join('\n');
  },
};
