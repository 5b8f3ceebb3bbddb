'use strict';
/**
 * Figure 1: time from a failure line appended to the log file to its address in the kernel set.
 * One line at a time (each its own batch), distinct addresses each in a /24 of its own, the
 * shipped postfix jail. nftables: the element's arrival is seen through `nft monitor`.
 * ipset has no monitor: `ipset test` is run back to back until it answers yes, so the figure
 * includes up to one poll (a process start, a few ms) of over-estimate.
 */
const fs = require('node:fs');
const { performance } = require('node:perf_hooks');
const { BenchDaemon } = require('./daemon-process');
const { NftMonitor } = require('./nft-monitor');
const { pregreetLine, spreadIp } = require('./lines');
const { latencySummary, percentile } = require('./stats');
const { createNetns, raceTimeout, sleep } = require('./sys');

const WARMUP = 10;

/**
 * One run with the nftables action: { p50, p90, p99, max, samples }. `database`: a file to start
 * from (bans already present in the kernel, restored before the first line). With one, arrivals
 * are polled (`nft list set` of the jail's IPv4 host set, which holds only the new bans) rather
 * than watched: `nft monitor` reads every element of the ruleset first and, beside 100,000
 * elements in a hash set, nft 1.0.6's monitor printed nothing for a minute.
 */
async function nftLatencyRun(count, { database } = {}) {
  const ns = await createNetns('lat');
  const daemon = new BenchDaemon(ns);
  if (database) fs.copyFileSync(database, daemon.database);
  const waiting = new Map();
  const monitor = database
    ? null
    : new NftMonitor(ns, (set, ip, t) => {
        const resolve = waiting.get(ip);
        if (resolve) {
          waiting.delete(ip);
          resolve(t);
        }
      });
  try {
    await daemon.start();
    await monitor?.start();
    const samples = [];
    for (let i = 0; i < WARMUP + count; i++) {
      const ip = spreadIp(i);
      const seen = monitor ? new Promise((resolve) => waiting.set(ip, resolve)) : null;
      const t0 = daemon.append([pregreetLine(ip)]);
      const t1 = seen ? await raceTimeout(seen, 10_000, null) : await pollListed(ns, ip, t0 + 10_000);
      if (t1 === null) throw new Error(`ban of ${ip} in the kernel: nothing within 10000 ms`);
      if (i >= WARMUP) samples.push(t1 - t0);
      await sleep(2 + (i % 4)); // let each line be its own batch, as on a live server
    }
    return latencySummary(samples);
  } finally {
    await monitor?.stop();
    await daemon.dispose();
    ns.remove();
  }
}

/** Time `ip` is first seen in the postfix jail's IPv4 host set (null past the deadline). */
async function pollListed(ns, ip, deadline) {
  const quoted = `"${ip}"`;
  for (;;) {
    const r = await ns.exec(['nft', '-j', 'list', 'set', 'inet', 'mailjail', 'postfix_v4']);
    const t = performance.now();
    if (r.stdout.includes(quoted)) return t;
    if (t > deadline) return null;
  }
}

/** One run with the ipset/iptables action (polling `ipset test`). */
async function ipsetLatencyRun(count) {
  const ns = await createNetns('latip');
  const daemon = new BenchDaemon(ns, { action: 'iptables' });
  const set = 'mailjail-postfix-4';
  try {
    await daemon.start();
    const samples = [];
    const polls = [];
    for (let i = 0; i < WARMUP + count; i++) {
      const ip = spreadIp(i);
      const t0 = daemon.append([pregreetLine(ip)]);
      let t1;
      for (;;) {
        const p0 = performance.now();
        const r = await ns.exec(['ipset', 'test', set, ip]);
        t1 = performance.now();
        polls.push(t1 - p0);
        if (r.code === 0) break;
        if (t1 - t0 > 10_000) throw new Error(`ban of ${ip} not in ipset within 10 s: ${r.stderr}`);
      }
      if (i >= WARMUP) samples.push(t1 - t0);
      await sleep(2 + (i % 4));
    }
    return { ...latencySummary(samples), pollMs: percentile(polls, 50) };
  } finally {
    await daemon.dispose();
    ns.remove();
  }
}

module.exports = { nftLatencyRun, ipsetLatencyRun };
