'use strict';
/**
 * The fleet's figures (issue 13): ban propagation across three nodes sharing a real Redis, and
 * bans/s sustained fleet-wide during a flood beside the single-node flood rate of the same size.
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
    const single = [];
    for (let r = 0; r < runs; r++) {
      log(`fleet propagation (200 bans, three nodes): run ${r + 1}/${runs}`);
      prop.push(await fleetPropagationRun(200));
      log(`fleet flood (${FLOOD.toLocaleString('en-US')} bans over three nodes): run ${r + 1}/${runs}`);
      fleet.push(await fleetFloodRun(FLOOD));
      log(`single-node flood (${FLOOD.toLocaleString('en-US')} bans), for comparison: run ${r + 1}/${runs}`);
      single.push(await floodRun({ total: FLOOD }));
    }
    const p50 = summarize(prop.map((p) => p.p50));
    const p99 = summarize(prop.map((p) => p.p99));
    const fleetRate = summarize(fleet.map((f) => f.bansPerS));
    const singleRate = summarize(single.map((f) => f.bansPerS));
    const ratio = summarize(fleet.map((f, i) => f.bansPerS / single[i].bansPerS));
    const fleetCpu = summarize(fleet.map((f) => f.cpuUsPerBan));
    const singleCpu = summarize(single.map((f) => (f.daemonCpuMs * 1000) / FLOOD));
    return [
      `Three mailjail daemons and one redis-server 7.0 on loopback, each daemon with its own nft table in its own namespace; median (min–max) over ${runs} run(s).`,
      '',
      '| figure | value | target |',
      '| --- | --- | --- |',
      `| ban propagation, origin's kernel -> the other two kernels, p50 (ms) | ${fmtRange(p50)} | |`,
      `| ban propagation, p99 (ms) | ${fmtRange(p99)} | 1,000: ${verdict(p99.median, 1000)} |`,
      `| flood of ${FLOOD.toLocaleString('en-US')} attackers spread over three nodes: bans/s until every kernel holds all | ${fmtRange(fleetRate, 0)} | |`,
      `| single-node flood of the same ${FLOOD.toLocaleString('en-US')}: bans/s | ${fmtRange(singleRate, 0)} | |`,
      `| fleet rate / single-node rate (all three nodes on this one machine) | ${fmtRange(ratio, 2)} | 0.80: ${verdict(ratio.median, 0.8, false)} |`,
      `| daemon CPU per ban, busiest fleet node (µs) | ${fmtRange(fleetCpu, 0)} | |`,
      `| daemon CPU per ban, single node (µs) | ${fmtRange(singleCpu, 0)} | |`,
      `| flood lines the matcher skipped (time budget outrun under load; in no kernel) | ${fleet.map((f) => f.skipped).join(', ')} | |`,
    ].join('\n');
  },
};
