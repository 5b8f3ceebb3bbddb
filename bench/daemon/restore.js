'use strict';
/**
 * Figures 3 and 4: a database holding 100,000 active bans (and, for the second memory figure,
 * 1,000,000 strikes as well) is written directly with the Store API, then the daemon starts on
 * it in a fresh namespace. Measured: spawn -> "ready" (every ban back in the kernel, checked
 * afterwards by counting the kernel set), and the daemon's resident memory once ready.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { BenchDaemon } = require('./daemon-process');
const { floodIp, pregreetLine, saslLine, stamp } = require('./lines');
const { ROOT, createNetns, onCleanup, sleep } = require('./sys');

const WEEK_MS = 7 * 86400_000;
const DAY_MS = 86400_000;

function storeModule() {
  return require(path.join(ROOT, 'dist/store/store.js'));
}

/** The i-th IPv6 offender: a /64 of 2001:db8::/32 (65,536 × 65,536 of them). */
function v6Net(i) {
  return `2001:db8:${(i >>> 16).toString(16)}:${(i & 0xffff).toString(16)}::/64`;
}

/**
 * A database file with `bans` active fingerprint bans (IPv4 hosts, or IPv6 /64s with
 * `family: 6`, as the jail bans an IPv6 offender) and `strikes` strikes of the postfix jail.
 */
function makeDatabase(file, { bans, strikes = 0, family = 4 }) {
  const { Store } = storeModule();
  const store = Store.open(file);
  const now = Date.now();
  try {
    const rows = [];
    for (let i = 0; i < bans; i++) {
      // bans made over the last day, a week long each: all still active
      const since = now - Math.floor((i / bans) * DAY_MS);
      rows.push({ ip: family === 6 ? v6Net(i) : floodIp(i), jail: 'postfix', since, until: since + WEEK_MS, reason: 'fingerprint', count: 0 });
    }
    store.recordBans(rows);
    const EVENTS = [
      ['auth-failure', 1, 'postfix/sasl-auth-failed'],
      ['scanner', 0.25, 'postfix/disconnect-ehlo-quit'],
      ['rcpt-reject', 0.5, 'postfix/reject-rcpt'],
    ];
    const CHUNK = 100_000;
    for (let start = 0; start < strikes; start += CHUNK) {
      const batch = [];
      for (let i = start; i < Math.min(strikes, start + CHUNK); i++) {
        // spread over the last day (inside the scanner event's one-day memory), 130,048 addresses
        const time = now - Math.floor(((strikes - i) / strikes) * DAY_MS);
        const ip = floodIp(i % 130_048);
        const [event, weight, rule] = EVENTS[i % 3];
        const text = event === 'auth-failure' ? saslLine(ip, stamp(new Date(time))) : pregreetLine(ip, stamp(new Date(time)));
        batch.push({ ip, jail: 'postfix', time, event, weight, rule, userHash: event === 'auth-failure' ? 'a1b2c3d4e5f60718' : undefined, source: 'postfix:/var/log/mail.log', line: i + 1, text });
      }
      store.addStrikes(batch);
    }
  } finally {
    store.close();
  }
}

/** Builds the database once per shape and hands out copies (building 1M strikes takes seconds). */
const templates = new Map();
function templateDatabase(shape) {
  const key = `${shape.bans}-${shape.strikes ?? 0}-${shape.family ?? 4}`;
  if (!templates.has(key)) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mj-bench-db-'));
    onCleanup(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'template.sqlite3');
    const t = Date.now();
    makeDatabase(file, shape);
    templates.set(key, { file, buildMs: Date.now() - t, bytes: fs.statSync(file).size });
  }
  return templates.get(key);
}

/** One start on a copy of the shape's database: { readyMs, inKernel, rssMiB, hwmMiB }. */
async function restoreRun(shape, { nodeArgs } = {}) {
  const template = templateDatabase(shape);
  const ns = await createNetns('restore');
  const daemon = new BenchDaemon(ns, { nodeArgs });
  try {
    fs.copyFileSync(template.file, daemon.database);
    const { readyMs } = await daemon.start();
    const atReady = daemon.memory();
    await sleep(1000); // let start-up garbage be collected before reading the resident size
    const memory = daemon.memory();
    const inKernel = await countKernelBans(ns, shape.family ?? 4);
    return { readyMs, inKernel, rssAtReadyMiB: atReady?.rssMiB, rssMiB: memory?.rssMiB, hwmMiB: memory?.hwmMiB, dbBytes: template.bytes, buildMs: template.buildMs };
  } finally {
    await daemon.dispose();
    ns.remove();
  }
}

/** Bans of 198.18.0.0/15 (or 2001:db8::/32) in the postfix jail's sets, whichever set holds them. */
async function countKernelBans(ns, family) {
  const r = await ns.exec(['nft', '-j', 'list', 'table', 'inet', 'mailjail'], { timeoutMs: 120_000 });
  if (r.code !== 0) return 0;
  return (r.stdout.match(family === 6 ? /"2001:db8:[0-9a-f:]*"/g : /"198\.1[89]\.\d+\.\d+"/g) ?? []).length;
}

module.exports = { restoreRun, templateDatabase };
