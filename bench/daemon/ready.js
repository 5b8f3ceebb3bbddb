'use strict';
/**
 * Figure 5: spawn -> "ready" with the four shipped jails enabled (postfix, exim and icewarp on
 * empty files, postfix_journal on the journal), nftables action, a first start (new database,
 * new table). Beside it the floors no daemon can beat here: starting node itself, inside the
 * namespace, and loading the CLI (`--version`).
 */
const fs = require('node:fs');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { BenchDaemon } = require('./daemon-process');
const { CLI, createNetns, runOk, sleep } = require('./sys');

function shippedJails(logFile) {
  const dir = path.dirname(logFile);
  fs.mkdirSync(path.join(dir, 'exim4'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'icewarp'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'exim4', 'mainlog'), '');
  fs.writeFileSync(path.join(dir, 'icewarp', 's20260105.log'), '');
  return [
    'jails:',
    '  postfix:',
    '    enabled: true',
    `    sources: [{ file: ${logFile} }]`,
    '  exim:',
    '    enabled: true',
    `    sources: [{ file: ${path.join(dir, 'exim4', 'mainlog')} }]`,
    '  icewarp:',
    '    enabled: true',
    `    sources: [{ file: "${path.join(dir, 'icewarp', 's*.log')}" }]`,
    '  postfix_journal:',
    '    enabled: true',
    '',
  ].join('\n');
}

/**
 * One first start, then a restart: { readyMs, restartMs, rssMiB }. The first start has a new
 * database, a new nft table and configuration files it never parsed; the restart (the usual case:
 * a reboot, an upgrade, `systemctl restart`) finds all three. RSS is of the idle daemon with no
 * bans, a second after the first start's ready.
 */
async function readyRun({ nodeArgs } = {}) {
  const ns = await createNetns('ready');
  const daemon = new BenchDaemon(ns, { nodeArgs, jails: { '50-all.yaml': shippedJails } });
  try {
    const { readyMs } = await daemon.start();
    await sleep(1000);
    const rssMiB = daemon.memory()?.rssMiB;
    await daemon.stop();
    const { readyMs: restartMs } = await daemon.start();
    return { readyMs, restartMs, rssMiB };
  } finally {
    await daemon.dispose();
    ns.remove();
  }
}

async function timeCommand(argv) {
  const t = performance.now();
  await runOk(argv);
  return performance.now() - t;
}

/** Start-up floors, one sample each: plain node, node inside a namespace, the CLI loading. */
async function floorRun() {
  const ns = await createNetns('floor');
  try {
    return {
      nodeMs: await timeCommand([process.execPath, '-e', '0']),
      netnsNodeMs: await timeCommand([...ns.wrap, process.execPath, '-e', '0']),
      cliVersionMs: await timeCommand([process.execPath, CLI, '--version']),
    };
  } finally {
    ns.remove();
  }
}

module.exports = { readyRun, floorRun };
