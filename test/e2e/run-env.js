#!/usr/bin/env node
'use strict';
// Sets up the e2e environment, runs the traffic driver, optionally probes and collects the logs
// as fixtures, and always tears down: the MTAs alone, without mailjail. The exported functions
// are the building blocks of the e2e test itself (e2e.js starts mailjail in env.serverNamespace
// between setupEnv and runDriver).
//
//   node test/e2e/run-env.js [--fixtures] [--probe] [--keep] [--only id,id] [--concurrency N]
//     --fixtures  copy the logs to fixtures/logs/real-{postfix,exim,exim-all,dovecot}.log + real-scenarios.json
//     --probe     after the run, TCP-probe every client address against every MTA port
//     --keep      leave namespaces, daemons and the work dir running (tear down by hand with
//                 test/e2e/env/teardown.sh WORKDIR)
const { spawnSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const E2E_DIR = __dirname;
const DRIVER = path.join(E2E_DIR, 'driver', 'main.js');

function runScript(argv, { input } = {}) {
  const result = spawnSync(argv[0], argv.slice(1), {
    input,
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'inherit'],
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.status !== 0) {
    throw new Error(`${argv.join(' ')} exited with ${result.status ?? result.signal}`);
  }
  return result.stdout;
}

/** Builds namespaces, configs and daemons; returns the parsed env.json (see env/setup.sh). */
function setupEnv({ id, workdir } = {}) {
  const dir = workdir || fs.mkdtempSync(path.join(os.tmpdir(), 'mj-e2e-'));
  const args = [path.join(E2E_DIR, 'env', 'setup.sh'), dir];
  if (id) args.push(id);
  try {
    runScript(args);
  } catch (error) {
    // setup.sh has already torn down on failure; only an empty mkdtemp dir can be left.
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return JSON.parse(fs.readFileSync(path.join(dir, 'env.json'), 'utf8'));
}

/** Runs a driver command in the client namespace and returns its parsed JSON output. */
function runDriver(env, args) {
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', env.clientNamespace, process.execPath, DRIVER, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
      // the client certificates for the +all Exim's TLS sessions
      env: { ...process.env, MJ_E2E_TLS_DIR: env.tlsDir },
    });
    let stdout = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0) return reject(new Error(`driver ${args[0]} exited with ${code}`));
      try {
        resolve(JSON.parse(stdout));
      } catch (error) {
        reject(new Error(`driver ${args[0]} printed no JSON: ${error.message}`));
      }
    });
  });
}

function collectLogs(env, summaryFile, destDir) {
  runScript([path.join(E2E_DIR, 'collect-logs.sh'), env.workdir, summaryFile, ...(destDir ? [destDir] : [])]);
}

function teardownEnv(env, { keep = false } = {}) {
  const result = spawnSync(path.join(E2E_DIR, 'env', 'teardown.sh'), [env.workdir], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, MJ_E2E_KEEP: keep ? '1' : '0' },
  });
  if (result.status !== 0) throw new Error(`teardown.sh exited with ${result.status}`);
}

function parseFlags(argv) {
  const flags = { fixtures: false, probe: false, keep: false, only: null, concurrency: null };
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index];
    if (arg === '--fixtures') flags.fixtures = true;
    else if (arg === '--probe') flags.probe = true;
    else if (arg === '--keep') flags.keep = true;
    else if (arg === '--only') flags.only = argv[++index];
    else if (arg === '--concurrency') flags.concurrency = argv[++index];
    else throw new Error(`unknown option ${arg}`);
  }
  return flags;
}

function countBy(items, key) {
  const counts = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] || 0) + 1;
  return counts;
}

async function main() {
  const flags = parseFlags(process.argv.slice(2));
  const started = Date.now();
  let env = null;
  const stop = (signal) => {
    process.stderr.write(`run-env: ${signal}, tearing down\n`);
    if (env) teardownEnv(env);
    process.exit(130);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    env = setupEnv();
    process.stderr.write(`run-env: environment up in ${Date.now() - started} ms (${env.workdir})\n`);
    const summaryFile = path.join(env.workdir, 'summary.json');
    const runArgs = ['run', '--out', summaryFile];
    if (flags.only) runArgs.push('--only', flags.only);
    if (flags.concurrency) runArgs.push('--concurrency', flags.concurrency);
    const summary = await runDriver(env, runArgs);
    for (const scenario of summary.scenarios) {
      const outcomes = JSON.stringify(countBy(scenario.attempts, (attempt) => attempt.outcome));
      process.stderr.write(`run-env: ${scenario.id}: ${scenario.addresses.length} addresses ${outcomes}\n`);
    }
    if (flags.fixtures) collectLogs(env, summaryFile);
    if (flags.probe) {
      const ports = Object.values(env.ports).join(',');
      const probed = await runDriver(env, ['probe', '--all', '--ports', ports, '--timeout-ms', '1500']);
      process.stderr.write(`run-env: probe ${JSON.stringify(countBy(probed.results, (r) => r.result))}\n`);
    }
  } finally {
    if (env && flags.keep) {
      process.stderr.write(`run-env: kept; tear down with: ${E2E_DIR}/env/teardown.sh ${env.workdir}\n`);
    } else if (env) {
      teardownEnv(env);
    }
    process.stderr.write(`run-env: done in ${Math.round((Date.now() - started) / 1000)} s\n`);
  }
}

if (require.main === module) {
  main().catch((error) => {
    process.stderr.write(`run-env: ${error.stack || error.message}\n`);
    process.exitCode = 1;
  });
}

module.exports = { setupEnv, runDriver, collectLogs, teardownEnv };
