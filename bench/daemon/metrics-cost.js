'use strict';
/**
 * What metrics cost the daemon's hot path, measured in one process so that two runs differ only
 * in the meter: the pipeline (processBatch: match, decide, one SQLite transaction per batch) over
 * the same lines, once with the real jail meter and once with a meter whose methods do nothing,
 * alternating, best of N each. Two inputs: the 1,000,000-line catch-up log (mostly ordinary
 * traffic) and a flood (one fingerprint line = one ban per line). Bans go to a dry-run action.
 *   node bench/daemon/metrics-cost.js [rounds]
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Writable } = require('node:stream');

const dist = path.resolve(__dirname, '..', '..', 'dist');
const { loadConfig } = require(`${dist}/config/load-config`);
const { createJailRuntime } = require(`${dist}/daemon/jail-runtime`);
const { commitBatch, stepsOf } = require(`${dist}/daemon/pipeline`);
const { createLogger } = require(`${dist}/daemon/logger`);
const { createUserHasher, newHashKey } = require(`${dist}/daemon/user-hash`);
const { StoredBanHistory } = require(`${dist}/decide/ban-history`);
const { ServerKnowledge } = require(`${dist}/decide/server-knowledge`);
const { Metrics } = require(`${dist}/metrics/metrics`);
const { Store } = require(`${dist}/store/store`);

const NULL_SOURCE = { read() {} };
const nullMeter = {
  source: () => NULL_SOURCE,
  matched() {},
  struck() {},
  banned() {},
  noteLineTime() {},
  unbanned() {},
  firewallBatch() {},
  reconciled() {},
  nearMisses: 0,
  spared: 0,
  forgiven: 0,
};
const view = { startedAt: Date.now(), reconcileIntervalMs: 60_000, sourceGraceMs: 60_000, jails: () => [], databaseBytes: () => 0, isReady: () => true };

function runOnce(lines, withMetrics) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mj-metrics-cost-'));
  const base = loadConfig(null);
  const config = { ...base, main: { ...base.main, action: 'dry-run' } };
  const jail = { ...config.jails.get('postfix'), enabled: true, action: 'dry-run' };
  const metrics = new Metrics(view);
  const log = createLogger('info', new Writable({ write: (_c, _e, cb) => cb() }));
  const deps = {
    config,
    history: new StoredBanHistory(() => 0),
    hashUser: createUserHasher(newHashKey()),
    shared: new ServerKnowledge(),
    log,
    now: () => Date.now(),
    meterOf: (name) => (withMetrics ? metrics.jail(name) : nullMeter),
  };
  const rt = createJailRuntime(deps, jail);
  const store = Store.open(path.join(dir, 'db.sqlite3'));
  // the bans stop at the store, as before the kernel: the kernel's cost is not the meter's
  const road = { store, jails: { enforce() {}, release: () => [] } };
  const source = 'postfix:/var/log/mail.log';
  const t0 = process.hrtime.bigint();
  let offset = 0;
  for (let i = 0; i < lines.length; i += 500) {
    const events = [];
    for (let k = i; k < Math.min(i + 500, lines.length); k++) {
      events.push({ source, file: '/var/log/mail.log', line: k + 1, text: lines[k] });
      offset += lines[k].length + 1;
    }
    const batch = { source, events, cursor: { key: `${source}:/var/log/mail.log`, value: { dev: 1, ino: 2, firstLineHash: 'x', offset, line: i + events.length } } };
    const steps = stepsOf(rt, batch, log, Date.now());
    for (let p = steps.next(); p; p = steps.next()) commitBatch(rt, p, road, log);
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return seconds;
}

function floodLines(n) {
  const t = new Date().toISOString().replace('Z', '+00:00');
  return Array.from({ length: n }, (_, i) => `${t} mx postfix/postscreen[99]: PREGREET 11 after 0.1 from [198.18.${(i >> 8) & 255}.${i & 255}]:4711: EHLO ylmf-pc\\r\\n`);
}

function compare(name, lines, rounds) {
  const best = { on: Infinity, off: Infinity };
  for (let r = 0; r < rounds; r++) {
    // alternate the order, so a slower second half of the machine's day hits both equally
    for (const on of r % 2 ? [true, false] : [false, true]) {
      const s = runOnce(lines, on);
      if (on) best.on = Math.min(best.on, s);
      else best.off = Math.min(best.off, s);
    }
  }
  const cost = (best.on / best.off - 1) * 100;
  return { name, lines: lines.length, off: best.off, on: best.on, cost };
}

function measureMetricsCost(logPath, rounds = 5) {
  const all = fs.readFileSync(logPath, 'latin1').split('\n').filter(Boolean);
  return [compare('catch-up (generated 1M-line log, first 300,000 lines)', all.slice(0, 300_000), rounds), compare('flood (one ban per line)', floodLines(30_000), rounds)];
}

module.exports = { measureMetricsCost };

if (require.main === module) {
  const log = path.join(__dirname, '..', 'out', 'postfix-1m.log');
  for (const r of measureMetricsCost(log, Number(process.argv[2] ?? 5))) {
    process.stdout.write(`${r.name}: ${r.lines} lines; without metrics ${r.off.toFixed(3)} s (${Math.round(r.lines / r.off)} lines/s), with ${r.on.toFixed(3)} s (${Math.round(r.lines / r.on)} lines/s): ${r.cost >= 0 ? '+' : ''}${r.cost.toFixed(1)}%\n`);
  }
}
