'use strict';
/**
 * The fleet's figures (issue 13): three mailjail daemons sharing one real redis-server on
 * loopback. Each daemon runs in the host namespace (to reach Redis) with its firewall commands
 * wrapped into a namespace of its own (test/helpers/wrapped-daemon.js); `nft monitor` in each
 * namespace timestamps every element as its kernel commits it.
 *   propagation: one ban at a time, made by a different node each time (a pregreet line): the time
 *     from the origin's kernel to the last of the other two kernels, p50/p99 over `bans`;
 *   flood: `total` distinct attackers spread evenly over the three nodes' logs at once; bans/s =
 *     total / (first write -> every kernel holds all of them), and the daemon CPU time per ban of
 *     the busiest node. Its baseline (`lone`): three servers without a fleet, launched the same
 *     way, each given every line, measured the same way: on one machine the three nodes (and
 *     their kernels' work: each kernel holds every ban) share its cores, which a real fleet does
 *     not, so the fair question is what learning a ban through Redis costs against reading it.
 */
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { performance } = require('node:perf_hooks');
const { BenchDaemon, postfixJail } = require('./daemon-process');
const { NftMonitor } = require('./nft-monitor');
const { floodIp, spreadIp, pregreetLine, stamp } = require('./lines');
const { latencySummary } = require('./stats');
const { ROOT, createNetns, killOnCleanup, onCleanup, raceTimeout, sleep } = require('./sys');

const WRAPPED = path.join(ROOT, 'test', 'helpers', 'wrapped-daemon.js');
const SECRET = 'bench-fleet-secret-0123456789abcdef';

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** A redis-server without persistence in a temp dir; resolves once it accepts connections. */
async function startRedis() {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mj-bench-redis-'));
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const kill = killOnCleanup(child);
  const removeDir = onCleanup(() => fs.rmSync(dir, { recursive: true, force: true }));
  const exited = new Promise((r) => child.once('exit', r));
  for (let i = 0; ; i++) {
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => s.end(() => resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) break;
    if (i > 200) throw new Error('redis-server did not start');
    await sleep(25);
  }
  return {
    url: `redis://127.0.0.1:${port}/0`,
    async stop() {
      child.kill('SIGKILL');
      await exited;
      kill();
      removeDir();
    },
  };
}

/**
 * A BenchDaemon run as the fleet's nodes are: outside its namespace, firewall commands wrapped into
 * it. A fleet node with `redisUrl`; without, a lone server launched the same way (the baseline).
 */
class FleetBenchNode extends BenchDaemon {
  constructor(ns, node, redisUrl) {
    const key = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mj-bench-key-')), 'fleet.key');
    fs.writeFileSync(key, SECRET);
    super(ns, {
      logLevel: process.env.MJ_FLEET_BENCH_LOGS ? 'debug' : 'info',
      mainYaml: redisUrl ? ['fleet:', `  redis: ${redisUrl}`, `  node: ${node}`, `  secretFile: ${key}`].join('\n') : '',
      jails: { '50-postfix.yaml': (logFile) => postfixJail(logFile, '    subnet: { enabled: false }') },
    });
    this.keyDir = path.dirname(key);
    this.isFleet = Boolean(redisUrl);
  }

  start({ timeoutMs = 60_000 } = {}) {
    const argv = [process.execPath, WRAPPED, this.configDir, ...this.ns.wrap];
    const isReady = (tail) => tail.includes('"msg":"ready"') && (!this.isFleet || tail.includes('connected to Redis'));
    return this.launch(argv, { timeoutMs, what: 'fleet node', isReady });
  }

  async dispose() {
    await super.dispose();
    fs.rmSync(this.keyDir, { recursive: true, force: true });
  }
}

/** Three nodes (a fleet, or with `lone` three servers on their own), each with a monitor calling onElement(nodeIndex, ip, t). */
async function withFleet(onElement, fn, { lone = false } = {}) {
  const redis = lone ? null : await startRedis();
  const nodes = [];
  const monitors = [];
  try {
    for (let i = 0; i < 3; i++) {
      const ns = await createNetns(`fleet${i}`);
      nodes.push(new FleetBenchNode(ns, `mx${i + 1}`, redis?.url));
    }
    await Promise.all(nodes.map((n) => n.start()));
    if (process.env.MJ_FLEET_BENCH_LOGS) for (const [i, n] of nodes.entries()) n.child.stdout.on('data', (d) => fs.appendFileSync(`${process.env.MJ_FLEET_BENCH_LOGS}/mx${i + 1}.log`, d));
    for (const [i, n] of nodes.entries()) {
      const m = new NftMonitor(n.ns, (set, ip, t) => set.startsWith('postfix_v4') && onElement(i, ip, t));
      monitors.push(m); // stopped in `finally` even when its start fails
      await m.start();
    }
    return await fn(nodes);
  } finally {
    for (const m of monitors) await m.stop();
    for (const n of nodes) {
      await n.dispose();
      await n.ns.remove();
    }
    await redis?.stop();
  }
}

/** Propagation: `bans` single bans, each from the next node in turn, paced `gapMs` apart. */
async function fleetPropagationRun(bans = 200, gapMs = 20) {
  const seen = new Map(); // ip -> [t per node]
  let waiting = null;
  const onElement = (i, ip, t) => {
    const times = seen.get(ip) ?? [];
    times[i] = t;
    seen.set(ip, times);
    if (waiting && waiting.ip === ip && [0, 1, 2].every((k) => times[k] !== undefined)) waiting.done();
  };
  return withFleet(onElement, async (nodes) => {
    const samples = [];
    for (let b = 0; b < bans; b++) {
      const ip = spreadIp(b);
      const origin = b % 3;
      const all = new Promise((resolve) => (waiting = { ip, done: resolve }));
      nodes[origin].append([pregreetLine(ip, stamp())]);
      if ((await raceTimeout(all.then(() => 'ok'), 10_000, 'timeout')) !== 'ok') throw new Error(`fleet: ban ${ip} not in every kernel within 10 s`);
      const times = seen.get(ip);
      samples.push(Math.max(...times.filter((_, k) => k !== origin)) - times[origin]);
      await sleep(gapMs);
    }
    return latencySummary(samples);
  });
}

/**
 * Flood: `total` distinct pregreet attackers written at once: in a fleet a third in each node's log
 * (the others learn the rest through Redis); with `lone`, three servers on their own, every line in
 * each one's log. Either way every kernel ends up holding all `total`, on the same machine with the
 * same daemons, namespaces and monitors: the lone run is the fleet's like-for-like baseline.
 */
async function fleetFloodRun(total = 30_000, { timeoutMs = 120_000, lone = false } = {}) {
  const counts = [0, 0, 0];
  let lastAt = 0;
  let done;
  const finished = new Promise((resolve) => (done = resolve));
  const onElement = (i, _ip, t) => {
    counts[i]++;
    lastAt = t;
    if (counts.every((c) => c >= total)) done();
  };
  return withFleet(onElement, async (nodes) => {
    const time = stamp();
    const cpuAtStart = nodes.map((n) => n.cpuMs());
    let firstAt = null;
    for (let start = 0; start < total; start += 1000) {
      for (const [k, node] of nodes.entries()) {
        const lines = [];
        for (let i = start; i < Math.min(total, start + 1000); i++) if (lone || i % 3 === k) lines.push(pregreetLine(floodIp(i), time));
        const at = node.append(lines);
        firstAt ??= at;
      }
    }
    // Under a heavy load the matcher may skip a line whose matching outran its time budget: then
    // that ban exists nowhere. Done = every kernel holds every ban any node made (equal counts,
    // no new element for 3 s), or all `total`.
    let over = false;
    const settled = (async () => {
      for (let quietSince = performance.now(), last = ''; !over; await sleep(250)) {
        const now = counts.join();
        if (now !== last) [last, quietSince] = [now, performance.now()];
        else if (counts[0] > 0 && counts.every((c) => c === counts[0]) && performance.now() - quietSince > 3000) return;
      }
    })();
    const outcome = await raceTimeout(Promise.race([finished, settled]).then(() => 'ok'), timeoutMs, 'timeout');
    over = true;
    if (outcome !== 'ok') {
      const inSets = [];
      for (const n of nodes) {
        const r = await n.ns.exec(['nft', 'list', 'set', 'inet', 'mailjail', 'postfix_v4']);
        inSets.push((r.stdout.match(/198\.1[89]\./g) ?? []).length);
      }
      throw new Error(`${lone ? 'lone' : 'fleet'} flood: nft monitor saw ${counts.join(', ')} of ${total} within ${timeoutMs} ms; the sets hold ${inSets.join(', ')}`);
    }
    // each node puts every ban into its own kernel: its CPU per ban is what its own machine must give
    const cpuUsPerBan = Math.max(...nodes.map((n, i) => ((n.cpuMs() - cpuAtStart[i]) * 1000) / total));
    return { bansPerS: (counts[0] * 1000) / (lastAt - firstAt), ms: lastAt - firstAt, cpuUsPerBan, skipped: total - counts[0] };
  }, { lone });
}

module.exports = { fleetPropagationRun, fleetFloodRun };
