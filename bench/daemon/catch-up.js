'use strict';
/**
 * Issue 7's catch-up figure: a daemon's first start on a big existing log with the postfix jail
 * set to `startAt: { replay: 30m }` (read the whole file, count only the last 30 minutes). Timed
 * from spawn() until the source's position reaches the end of the file (polled over the control
 * socket with the `status` request), so it includes start-up like `mailjail check`'s figure does.
 * The daemon runs in its own namespace (nftables action), pinned to one core when taskset exists.
 */
const fs = require('node:fs');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { BenchDaemon, postfixJail } = require('./daemon-process');
const { ROOT, createNetns, sleep } = require('./sys');

const POLL_MS = 25;

/**
 * One daemon first start on a copy of `log` (the copy lives in the daemon's temp dir, so the
 * bench input is never followed or touched). Returns { seconds, readyMs, lines, failures }.
 */
async function measureCatchUp(log, { pin = true, timeoutMs = 300_000 } = {}) {
  const { request } = require(path.join(ROOT, 'dist', 'control', 'client.js'));
  const ns = await createNetns('catchup');
  // taskset goes inside the namespace wrapper, so only the daemon (not `ip netns exec`) is pinned
  const pinned = pin ? { ...ns, wrap: [...ns.wrap, 'taskset', '-c', '0'] } : ns;
  const daemon = new BenchDaemon(pinned, { jails: { '50-postfix.yaml': (file) => postfixJail(file, '    startAt: { replay: 30m }') } });
  try {
    fs.copyFileSync(log, daemon.logFile);
    const size = fs.statSync(daemon.logFile).size;
    const t0 = performance.now();
    const { readyMs } = await daemon.start({ timeoutMs });
    for (;;) {
      const status = await request(daemon.socket, { cmd: 'status', jail: 'postfix' });
      const jail = status.jails.find((j) => j.name === 'postfix');
      const file = jail?.sources.flatMap((s) => s.files).find((f) => f.path === daemon.logFile);
      if (file && file.offset >= size) {
        return { seconds: (performance.now() - t0) / 1000, readyMs, lines: jail.counters.lines, failures: jail.counters.failures };
      }
      if (performance.now() - t0 > timeoutMs) throw new Error(`catch-up did not reach the end of the file within ${timeoutMs / 1000}s`);
      await sleep(POLL_MS);
    }
  } finally {
    await daemon.dispose();
    ns.remove();
  }
}

module.exports = { measureCatchUp };
