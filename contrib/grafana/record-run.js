'use strict';
/**
 * A test run for the dashboard picture: a real mailjail daemon (dist/, in this process, its
 * firewall in a network namespace made here and deleted after), a real Prometheus scraping its
 * /metrics every second, and a log fed with ordinary traffic, password guessers, botnet HELOs,
 * customers who mistype and log in, for `seconds`. Half-way, the kernel set is flushed behind
 * mailjail's back (the reconcile finds the drift and puts it right). Resolves with what the
 * renderer needs: the Prometheus URL, the window, and stop().
 */
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { Writable } = require('node:stream');

const root = path.resolve(__dirname, '..', '..');
const { Daemon } = require(path.join(root, 'dist/daemon/daemon.js'));
const { createLogger } = require(path.join(root, 'dist/daemon/logger.js'));

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function run(argv) {
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr || r.error}`);
  return r.stdout;
}

async function startPrometheus(dir, target) {
  const port = await freePort();
  const config = path.join(dir, 'prometheus.yml');
  fs.writeFileSync(config, `global: { scrape_interval: 1s }\nscrape_configs:\n  - job_name: mailjail\n    static_configs: [{ targets: ["${target}"] }]\n`);
  const child = spawn('/usr/bin/prometheus', [`--config.file=${config}`, `--storage.tsdb.path=${path.join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 150; i++) {
    try {
      if ((await fetch(`${url}/-/ready`)).ok) return { url, child };
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  child.kill();
  throw new Error('prometheus did not become ready');
}

/** Ordinary traffic, guessers, botnet HELOs and customers, `perSecond` lines a second. */
function linesFor(second, perSecond) {
  const t = new Date().toISOString().replace('Z', '+00:00');
  const out = [];
  const net18 = (n) => `198.18.${(n >> 8) & 255}.${n & 255}`;
  for (let i = 0; i < perSecond; i++) {
    const r = (second * 7919 + i * 104729) % 1000;
    const ip = net18(second * perSecond + i);
    if (r < 820) out.push(`${t} mx postfix/smtpd[${1000 + i}]: connect from mail${r}.example.net[198.51.100.${r % 250}]`);
    else if (r < 940) out.push(`${t} mx postfix/submission/smtpd[${2000 + i}]: warning: unknown[${net18(4096 + (r % 40) + second * 3)}]: SASL LOGIN authentication failed: authentication failure, sasl_username=info@example.com`);
    else if (r < 965) out.push(`${t} mx postfix/smtpd[${3000 + i}]: NOQUEUE: reject: RCPT from unknown[${ip}]: 504 5.5.2 <ylmf-pc>: Helo command rejected: need fully-qualified hostname; from=<a@example.org> to=<b@example.com> proto=ESMTP helo=<ylmf-pc>`);
    else if (r < 985) out.push(`${t} mx postfix/submission/smtpd[${4000 + i}]: 7C1B3A2B4C: client=laptop.example.org[203.0.113.${r % 20}], sasl_method=PLAIN, sasl_username=user${r % 20}@example.com`);
    else out.push(`${t} mx postfix/submission/smtpd[${5000 + i}]: warning: laptop.example.org[203.0.113.${r % 20}]: SASL PLAIN authentication failed: authentication failure, sasl_username=user${r % 20}@example.com`);
  }
  // two customers whose phones kept an old password: one login, then a failure every second
  for (const c of [98, 99]) {
    const line = second % 30 === 0 ? `7C1B3A2B4C: client=phone.example.org[203.0.113.${c}], sasl_method=PLAIN, sasl_username=c${c}@example.com` : `warning: phone.example.org[203.0.113.${c}]: SASL PLAIN authentication failed: authentication failure, sasl_username=c${c}@example.com`;
    out.push(`${t} mx postfix/submission/smtpd[${6000 + c}]: ${line}`);
  }
  return out;
}

async function recordRun({ seconds = 120, perSecond = 400 } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mj-dashboard-'));
  const ns = `mj-render-${process.pid}`;
  const metricsPort = await freePort();
  const log = path.join(dir, 'mail.log');
  fs.writeFileSync(log, '');
  fs.mkdirSync(path.join(dir, 'etc', 'jails.d'), { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'etc', 'mailjail.yaml'),
    `database: ${dir}/mailjail.sqlite3\nsocket: ${dir}/mailjail.sock\nreconcileInterval: 5s\nlogLevel: warn\nmetrics: { listen: "127.0.0.1:${metricsPort}" }\n`,
  );
  fs.writeFileSync(path.join(dir, 'etc', 'jails.d', '50-postfix.yaml'), `jails:\n  postfix:\n    enabled: true\n    sources: [{ file: ${log} }]\n    maxRetry: 5\n    banTime: 40s\n`);
  run(['ip', 'netns', 'add', ns]);
  let daemon = null;
  let prom = null;
  const stop = async () => {
    if (daemon) await daemon.stop();
    if (prom) prom.child.kill();
    spawnSync('ip', ['netns', 'delete', ns]);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const quiet = new Writable({ write: (_c, _e, cb) => cb() });
    daemon = await Daemon.start({ configDir: path.join(dir, 'etc'), log: createLogger('warn', quiet), wrap: ['ip', 'netns', 'exec', ns] });
    prom = await startPrometheus(dir, `127.0.0.1:${metricsPort}`);
    const start = Date.now() / 1000;
    for (let s = 0; s < seconds; s++) {
      fs.appendFileSync(log, `${linesFor(s, perSecond).join('\n')}\n`);
      // half-way: someone flushes the kernel's set behind mailjail's back
      if (s === Math.floor(seconds / 2)) spawnSync('ip', ['netns', 'exec', ns, 'nft', 'flush', 'set', 'inet', 'mailjail', 'postfix_v4']);
      await sleep(1000);
    }
    await sleep(3000);
    return { url: prom.url, start, end: Date.now() / 1000, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

module.exports = { recordRun };
