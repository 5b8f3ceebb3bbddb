#!/usr/bin/env node
'use strict';
// End-to-end test (issue 6): real Postfix, Exim and Dovecot (IMAP, POP3; issue 12) in a network namespace, attacked and used by
// the traffic driver from a second namespace, with the real mailjail daemon following their logs
// and banning in the server namespace's kernel: once with the nftables action, once with
// iptables/ipset. Prints every check, the results tables, and last `N passed, N failed`.
//
//   node test/e2e/e2e.js [--action nftables|iptables] [--fixtures]
//     --action    run one action only (default: both)
//     --fixtures  also rewrite fixtures/logs/real-{postfix,exim,exim-all,dovecot}.log and real-scenarios.json
//                 from the nftables run
// Writes test/e2e/out/: results.md, and per action the MTA logs, the driver's summaries and
// mailjail's own log. Needs root and `npm run build` (test/e2e/run.sh does both checks).
const fs = require('node:fs');
const path = require('node:path');
const { setupEnv, runDriver, collectLogs, teardownEnv } = require('./run-env');
const { MailjailDaemon } = require('./lib/mailjail-daemon');
const { readKernelBans } = require('./lib/kernel-bans');
const { Checks } = require('./lib/checks');
const { assessRun, compareListWithKernel, judgeAttacker, resultsTable } = require('./lib/assess');
const { assessReplay, replayTable } = require('./lib/replay-check');
const { SERVER, PORTS, CLOSED_PORT } = require('./driver/topology');

const OUT = path.join(__dirname, 'out');
const FIXTURES = path.resolve(__dirname, '..', '..', 'fixtures', 'logs');
const ACTIONS = ['nftables', 'iptables'];
/** The MTAs' logs of a run (real-exim-all.log: the Exim with log_selector = +all and TLS). */
const REAL_LOGS = ['real-postfix.log', 'real-exim.log', 'real-exim-all.log', 'real-dovecot.log'];
const SERVER_ADDRESSES = [SERVER.v4, ...SERVER.v4Aliases, SERVER.v6];
/**
 * After the driver's own grace period, how long bans may still take to show in `list`. The wait
 * ends as soon as they do; the deadline only bounds a hang (the probe that follows finds what is missing).
 */
const BAN_WAIT_MS = 60000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (text) => process.stderr.write(`e2e: ${text}\n`);

/** What a signal handler must undo: the running daemon and environment, if any. */
const live = { env: null, daemon: null };

function parseFlags(argv) {
  const flags = { actions: ACTIONS, fixtures: false };
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index];
    if (arg === '--fixtures') flags.fixtures = true;
    else if (arg === '--action') {
      const action = argv[++index];
      if (!ACTIONS.includes(action)) throw new Error(`--action must be one of ${ACTIONS.join(', ')}`);
      flags.actions = [action];
    } else throw new Error(`unknown option ${arg}`);
  }
  return flags;
}

/** Polls `list --json` until every attacker of the run is banned as planned, or time runs out. */
async function waitForBans(daemon, summary, timeoutMs) {
  const attackers = summary.scenarios.filter((s) => !s.legitimate && s.expect.ban)
    .flatMap((scenario) => scenario.addresses.map((address) => ({ address, scenario })));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const bans = await daemon.list();
    const missing = attackers.filter(({ address, scenario }) => !judgeAttacker(address, scenario, bans).ok);
    if (missing.length === 0 || Date.now() > deadline) return bans;
    await sleep(1000);
  }
}

/** `list --json` and the kernel, read until two lists around one kernel read agree. */
async function readListAndKernel(daemon, env, action) {
  for (let attempt = 1; ; attempt += 1) {
    const before = await daemon.list();
    const kernel = readKernelBans(env.serverNamespace, action);
    const after = await daemon.list();
    const key = (bans) => bans.map((b) => `${b.jail} ${b.ip}`).sort().join('\n');
    if (key(before) === key(after) || attempt === 5) return { bans: after, kernel };
    await sleep(500);
  }
}

function writeJson(file, value) {
  fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

async function runAction(action, checks, flags) {
  const started = Date.now();
  const outDir = path.join(OUT, action);
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  const phase = (text) => log(`${action}: ${text} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  const result = { action, rows: null, replay: null, seconds: null };
  let env = null;
  let daemon = null;
  try {
    env = setupEnv();
    live.env = env;
    phase(`environment up in ${env.workdir}`);
    daemon = new MailjailDaemon({ env, action, dir: path.join(env.workdir, 'mailjail') });
    live.daemon = daemon;
    const status = await daemon.start();
    checks.check(`${action}: mailjail daemon runs in the server namespace and answers on its socket`, true,
      `jails ${JSON.stringify((status.jails || []).map((j) => j.name || j.jail || j))}`);
    phase('mailjail up; driving traffic');

    const summaryFile = path.join(env.workdir, 'summary.json');
    const summary = await runDriver(env, ['run', '--out', summaryFile, '--watch-port', String(CLOSED_PORT)]);
    phase('traffic done; waiting for bans');
    await waitForBans(daemon, summary, BAN_WAIT_MS);
    collectLogs(env, summaryFile, outDir); // waits for both logs to go quiet first
    if (flags.fixtures && action === 'nftables') {
      for (const name of [...REAL_LOGS, 'real-scenarios.json']) {
        fs.copyFileSync(path.join(outDir, name), path.join(FIXTURES, name));
      }
      phase(`fixtures rewritten in ${FIXTURES}`);
    }

    phase('probing every address on every MTA port');
    const ports = Object.values(PORTS).join(',');
    const probe = await runDriver(env, ['probe', '--all', '--ports', ports, '--timeout-ms', '1000', '--concurrency', '250']);
    phase('legitimate clients deliver again');
    const followUp = await runDriver(env, ['run', '--legitimate', '--follow-up', '--concurrency', '8']);
    const { bans, kernel } = await readListAndKernel(daemon, env, action);

    // What the database holds for the clients whose strikes are counted (issue 12: one failure
    // that Postfix and Dovecot both logged).
    const strikesOf = new Map();
    for (const scenario of summary.scenarios.filter((s) => s.expect.strikes !== undefined)) {
      for (const address of scenario.addresses) {
        const why = await daemon.cli(['why', address, '--json']);
        strikesOf.set(address, why.code === 0 ? JSON.parse(why.stdout).strikes : []);
      }
    }
    const comparison = compareListWithKernel(bans, kernel);
    const kernelCount = [...kernel.values()].reduce((n, set) => n + set.size, 0);
    checks.check(`${action}: mailjail list --json agrees with the kernel's sets`, comparison.problems.length === 0,
      comparison.problems.join('; ') || `${bans.length} bans listed, ${kernelCount} kernel elements` +
        (comparison.coveredOnly ? `, ${comparison.coveredOnly} prefixes held by a wider one` : ''));
    result.rows = assessRun(checks, { action, summary, bans, kernel, probe: probe.results, followUp, server: SERVER_ADDRESSES, strikesOf });

    const replay = assessReplay(checks, `${action} replay`, {
      scenarios: summary.scenarios,
      files: REAL_LOGS.map((name) => path.join(outDir, name)),
      own: SERVER_ADDRESSES,
    });
    result.replay = replay;
    writeJson(path.join(outDir, 'summary.json'), summary);
    writeJson(path.join(outDir, 'follow-up.json'), followUp);
    writeJson(path.join(outDir, 'probe.json'), probe);
    writeJson(path.join(outDir, 'bans.json'), bans);
    writeJson(path.join(outDir, 'kernel.json'), Object.fromEntries([...kernel].map(([jail, set]) => [jail, [...set].sort()])));
  } catch (error) {
    checks.error(`${action}: the run completes`, error);
  } finally {
    if (daemon) {
      const code = await daemon.stop();
      live.daemon = null;
      checks.check(`${action}: mailjail daemon stops cleanly on SIGTERM`, code === 0, `exit ${code}`);
      try {
        fs.copyFileSync(daemon.logFile, path.join(outDir, 'mailjail.log'));
      } catch { /* no log when it never started */ }
    }
    if (env) {
      try {
        teardownEnv(env);
      } catch (error) {
        checks.error(`${action}: teardown`, error);
      }
      live.env = null;
    }
    result.seconds = Math.round((Date.now() - started) / 1000);
    phase('torn down');
  }
  return result;
}

function renderResults(results, totalSeconds) {
  const parts = ['# mailjail end-to-end results', ''];
  for (const result of results) {
    parts.push(`## ${result.action} (${result.seconds} s)`, '');
    if (result.rows) parts.push(resultsTable(result.action, result.rows), '');
    else parts.push('(the run did not complete)', '');
    if (result.replay) {
      parts.push(`### mailjail replay over the logs of the ${result.action} run (issue 5)`, '', replayTable(result.replay.rows, result.replay.summary), '');
    }
  }
  parts.push(`Total: ${totalSeconds} s.`, '');
  return parts.join('\n');
}

function installSignalHandlers(checks) {
  const stop = (signal) => {
    log(`${signal}: tearing down`);
    if (live.daemon) live.daemon.killNow();
    if (live.env) {
      try { teardownEnv(live.env); } catch (error) { log(error.message); }
    }
    process.stdout.write(`${checks.passed} passed, ${checks.failed + 1} failed\n`);
    process.exit(130);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  process.once('SIGHUP', stop);
}

async function main() {
  const started = Date.now();
  const checks = new Checks();
  installSignalHandlers(checks);
  let flags;
  try {
    flags = parseFlags(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`e2e: ${error.message}\n`);
    process.exitCode = 2;
    return;
  }
  fs.mkdirSync(OUT, { recursive: true });
  const results = [];
  for (const action of flags.actions) results.push(await runAction(action, checks, flags));
  const text = renderResults(results, Math.round((Date.now() - started) / 1000));
  fs.writeFileSync(path.join(OUT, 'results.md'), text);
  process.stdout.write(`\n${text}\n`);
  if (checks.failures.length) process.stdout.write(`Failed:\n${checks.failures.map((f) => `  - ${f}`).join('\n')}\n`);
  process.stdout.write(`${checks.summaryLine()}\n`);
  process.exitCode = checks.failed ? 1 : 0;
}

main().catch((error) => {
  process.stderr.write(`e2e: ${error.stack || error.message}\n`);
  process.stdout.write('0 passed, 1 failed\n');
  process.exitCode = 1;
});
