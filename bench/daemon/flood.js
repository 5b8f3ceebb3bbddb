'use strict';
/**
 * Figure 2: a flood of distinct attackers, one banning line each (100,000 by default).
 * - burst: every line appended at once (in 1,000-line writes): how many bans a second reach the
 *   kernel, from the first write to the last element the kernel announces;
 * - paced: the lines arrive at the target rate (10,000/s, a 100-line write every 10 ms). Two lags
 *   per write: until the daemon has processed it (the "line written -> line processed":
 *   read, matched, decided and committed to SQLite, from the daemon's debug "batch processed"
 *   log lines), and until the kernel's count of banned addresses passes that write's cumulative
 *   count (end to end: tail + match + decide + SQLite commit + nft transaction).
 * Subnet escalation is turned off so each address stays one kernel element (with it on, 5 bans
 * in a /24 become one /24 element and the count no longer says how far the daemon got).
 */
const { performance } = require('node:perf_hooks');
const { BenchDaemon, postfixJail } = require('./daemon-process');
const { NftMonitor } = require('./nft-monitor');
const { floodIp, pregreetLine, stamp } = require('./lines');
const { percentile } = require('./stats');
const { createNetns, raceTimeout, sleep } = require('./sys');

/**
 * One flood run. `rate` null = burst. `logLevel` info: no "batch processed" lines, so no process lags
 * (the fleet suite compares it with daemons logging at info). Returns { bansPerS, drainMs, maxLagMs, p99LagMs, seen, rssMiB }.
 */
async function floodRun({ total = 100_000, rate = null, chunk = rate ? Math.max(1, Math.round(rate / 100)) : 1000, timeoutMs = 60_000, nodeArgs, logLevel = 'debug' } = {}) {
  const ns = await createNetns('flood');
  const daemon = new BenchDaemon(ns, {
    nodeArgs,
    logLevel,
    jails: { '50-postfix.yaml': (logFile) => postfixJail(logFile, '    subnet: { enabled: false }') },
  });
  const writes = Math.ceil(total / chunk);
  const cumulative = Array.from({ length: writes }, (_, k) => Math.min(total, (k + 1) * chunk));
  const appendedAt = new Array(writes);
  const reachedAt = new Array(writes);
  const processedAt = new Array(writes);
  // pino stamps lines with Date.now(); the writes are stamped with performance.now()
  const clockOffset = Date.now() - performance.now();
  let processed = 0;
  let nextProcessed = 0;
  const onBatch = (lines, daemonTime) => {
    processed += lines;
    while (nextProcessed < writes && processed >= cumulative[nextProcessed]) processedAt[nextProcessed++] = daemonTime - clockOffset;
  };
  let count = 0;
  let next = 0;
  let lastAt = 0;
  let done;
  const finished = new Promise((resolve) => (done = resolve));
  const monitor = new NftMonitor(ns, (set, ip, t) => {
    if (!set.startsWith('postfix_v4')) return;
    count++;
    lastAt = t;
    while (next < writes && count >= cumulative[next]) reachedAt[next++] = t;
    if (count >= total) done();
  });
  try {
    await daemon.start();
    followBatches(daemon.child.stdout, onBatch);
    await monitor.start();
    const cpuAtStart = daemon.cpuMs();
    const t0 = performance.now();
    for (let k = 0; k < writes; k++) {
      if (rate) {
        const due = t0 + (k * chunk * 1000) / rate;
        const wait = due - performance.now();
        if (wait > 1) await sleep(wait);
      }
      const time = stamp();
      const lines = [];
      for (let i = k * chunk; i < cumulative[k]; i++) lines.push(pregreetLine(floodIp(i), time));
      appendedAt[k] = daemon.append(lines);
    }
    const outcome = await raceTimeout(finished.then(() => 'ok'), timeoutMs, 'timeout');
    // the daemon's log is buffered: its last "batch processed" lines may come after the kernel's news
    for (let waited = 0; logLevel === 'debug' && processed < total && waited < 3000; waited += 50) await sleep(50);
    const memory = daemon.memory();
    const daemonCpuMs = daemon.cpuMs() - cpuAtStart;
    if (outcome !== 'ok') {
      const r = await ns.exec(['nft', 'list', 'set', 'inet', 'mailjail', 'postfix_v4']);
      const inSet = (r.stdout.match(/198\.1[89]\./g) ?? []).length;
      throw new Error(`flood: the monitor saw ${count} of ${total} bans within ${timeoutMs} ms (the set holds ${inSet}); ${monitor.errors}`);
    }
    const lags = appendedAt.map((a, k) => reachedAt[k] - a);
    const processLags = appendedAt.map((a, k) => processedAt[k] - a).filter((l) => Number.isFinite(l));
    return {
      bansPerS: (total * 1000) / (lastAt - appendedAt[0]),
      drainMs: lastAt - appendedAt[writes - 1],
      writeMs: appendedAt[writes - 1] - appendedAt[0],
      maxLagMs: Math.max(...lags),
      p99LagMs: percentile(lags, 99),
      p50LagMs: percentile(lags, 50),
      // null when the daemon's log did not account for every line (then the figure is not reported)
      maxProcessLagMs: processLags.length === writes ? Math.max(...processLags) : null,
      p50ProcessLagMs: processLags.length === writes ? percentile(processLags, 50) : null,
      seen: count,
      daemonCpuMs,
      monitorCpuMs: monitor.cpuMs(),
      rssMiB: memory?.rssMiB,
      hwmMiB: memory?.hwmMiB,
    };
  } finally {
    await monitor.stop();
    await daemon.dispose();
    ns.remove();
  }
}

/** Calls onBatch(lines, time) for each "batch processed" debug line the daemon writes. */
function followBatches(stream, onBatch) {
  let pending = '';
  stream.on('data', (chunk) => {
    const parts = (pending + chunk.toString()).split('\n');
    pending = parts.pop();
    for (const line of parts) {
      if (!line.includes('"msg":"batch processed"')) continue;
      const entry = JSON.parse(line);
      onBatch(entry.lines, Date.parse(entry.time));
    }
  });
}

module.exports = { floodRun };
