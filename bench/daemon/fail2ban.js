'use strict';
/**
 * Figure 6: the same measurements with fail2ban (postfix-sasl jail, maxretry 1, nftables-allports,
 * one SASL failure line per address), watched through `nft monitor` like mailjail:
 * - latency: lines for distinct addresses 250 ms apart (fail2ban bans in a loop that wakes about
 *   once a second, so lines need not wait for each other), line appended -> element in the kernel;
 * - throughput: `burst` distinct addresses appended at once, time until all are in the kernel
 *   (10,000 would take minutes at fail2ban's rate: the figure is extrapolated and says so);
 * - restore: stopped (which empties its set) and started again on the same database: spawn ->
 *   every ban back in the kernel.
 * Every wait has a deadline; a run that hits one reports how far it got.
 */
const { performance } = require('node:perf_hooks');
const { Fail2ban, fail2banVersion } = require('./fail2ban-process');
const { NftMonitor } = require('./nft-monitor');
const { floodIp, saslLine, spreadIp, stamp } = require('./lines');
const { latencySummary } = require('./stats');
const { createNetns, raceTimeout, sleep } = require('./sys');

async function fail2banRun({ latencyBans = 50, burst = 1000, deadlineMs = 90_000, log = () => undefined } = {}) {
  const version = await fail2banVersion();
  if (!version) return { installed: false };
  const ns = await createNetns('f2b');
  const f2b = new Fail2ban(ns);
  const seenAt = new Map();
  let count = 0;
  let onCount = () => undefined;
  const monitor = new NftMonitor(ns, (set, ip, t) => {
    if (!set.startsWith('addr-set-postfix-sasl')) return;
    if (!seenAt.has(ip)) seenAt.set(ip, t);
    count++;
    onCount();
  });
  const waitCount = (n, ms) =>
    raceTimeout(
      new Promise((resolve) => {
        onCount = () => count >= n && resolve(true);
        onCount();
      }),
      ms,
      false,
    );
  const out = { installed: true, version };
  try {
    await monitor.start();
    out.readyMs = (await f2b.start()).readyMs;

    log(`fail2ban: latency over ${latencyBans} bans`);
    const appendedAt = new Map();
    for (let i = 0; i < latencyBans; i++) {
      const ip = spreadIp(i);
      appendedAt.set(ip, f2b.append([saslLine(ip)]));
      await sleep(250);
    }
    const allSeen = await waitCount(latencyBans, 30_000);
    const lat = [...appendedAt].filter(([ip]) => seenAt.has(ip)).map(([ip, t]) => seenAt.get(ip) - t);
    out.latency = { ...latencySummary(lat), complete: allSeen };

    log(`fail2ban: burst of ${burst} bans`);
    const before = count;
    const time = stamp();
    const lines = [];
    for (let i = 0; i < burst; i++) lines.push(saslLine(floodIp(20_000 + i), time, 5000 + (i % 1000)));
    const t0 = f2b.append(lines);
    const done = await waitCount(before + burst, deadlineMs);
    const t1 = done ? performance.now() : NaN;
    out.burst = { bans: burst, ms: t1 - t0, reached: count - before, complete: done, bansPerS: done ? (burst * 1000) / (t1 - t0) : ((count - before) * 1000) / deadlineMs };

    log('fail2ban: restart and restore');
    const total = latencyBans + burst;
    await f2b.stop(20_000); // fail2ban takes its time to unwind its bans
    count = 0;
    seenAt.clear();
    const s0 = performance.now();
    await f2b.start();
    const restored = await waitCount(total, deadlineMs);
    out.restore = { bans: total, ms: restored ? performance.now() - s0 : NaN, reached: count, complete: restored };
    return out;
  } finally {
    await monitor.stop();
    await f2b.dispose();
    ns.remove();
  }
}

module.exports = { fail2banRun };
