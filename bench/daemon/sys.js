'use strict';
/**
 * The benchmarks' edge to the system: child processes, throwaway network namespaces, and a
 * cleanup list that runs even when a benchmark throws or the run is interrupted, so no
 * namespace, daemon or fail2ban server outlives the run. The host's own ruleset is never touched:
 * every firewall command runs inside a namespace made here.
 */
const { spawn, spawnSync } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const path = require('node:path');

/** The repository whose dist/ is benchmarked (MAILJAIL_ROOT overrides, e.g. a snapshot build). */
const ROOT = process.env.MAILJAIL_ROOT ? path.resolve(process.env.MAILJAIL_ROOT) : path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist/cli/main.js');

/** Runs argv (no shell); resolves { code, stdout, stderr }. */
function run(argv, { input, timeoutMs = 60_000 } = {}) {
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    child.on('error', (e) => err.push(Buffer.from(String(e.message))));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? '');
  });
}

async function runOk(argv, options) {
  const r = await run(argv, options);
  if (r.code !== 0) throw new Error(`${argv.join(' ')} failed (${r.code}): ${r.stderr.trim()}`);
  return r;
}

const cleanups = new Set();

/** Registers fn to run at the end of the benchmark (or on exit); returns a function that runs it now. */
function onCleanup(fn) {
  let done = false;
  const once = () => {
    if (done) return;
    done = true;
    cleanups.delete(once);
    fn();
  };
  cleanups.add(once);
  return once;
}

function cleanupAll() {
  for (const fn of [...cleanups].reverse()) {
    try {
      fn();
    } catch {
      // best effort: the remaining cleanups must still run
    }
  }
}

process.on('exit', cleanupAll);
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    cleanupAll();
    process.exit(130);
  });
}

/** A namespace `mj-bench-<tag>-<hex>` with loopback up; `remove()` deletes it (also on exit). */
async function createNetns(tag) {
  const name = `mj-bench-${tag}-${randomBytes(3).toString('hex')}`;
  await runOk(['ip', 'netns', 'add', name]);
  const remove = onCleanup(() => spawnSync('ip', ['netns', 'delete', name]));
  const ns = {
    name,
    wrap: ['ip', 'netns', 'exec', name],
    exec: (argv, options) => run(['ip', 'netns', 'exec', name, ...argv], options),
    execOk: (argv, options) => runOk(['ip', 'netns', 'exec', name, ...argv], options),
    remove,
  };
  try {
    await ns.execOk(['ip', 'link', 'set', 'lo', 'up']);
  } catch (e) {
    remove();
    throw e;
  }
  return ns;
}

/** Kills a child we started (by its pid) if it is still running; registered as a cleanup. */
function killOnCleanup(child) {
  return onCleanup(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
}

/** VmRSS and VmHWM of a process, in MiB (null once it has exited). */
function memoryOf(pid) {
  try {
    const status = require('node:fs').readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMiB: kib('VmRSS') / 1024, hwmMiB: kib('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

/** CPU time (user + system) a running process has used, in ms; null once it has exited. */
function cpuMsOf(pid) {
  try {
    const stat = require('node:fs').readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[11] utime, fields[12] stime, in clock ticks (100 Hz on Linux)
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return null;
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** promise's value, or `fallback` after ms (the timer does not keep the process alive). */
function raceTimeout(promise, ms, fallback) {
  let timer;
  const late = new Promise((r) => (timer = setTimeout(() => r(fallback), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

module.exports = { ROOT, CLI, run, runOk, onCleanup, cleanupAll, createNetns, killOnCleanup, memoryOf, cpuMsOf, sleep, raceTimeout };
